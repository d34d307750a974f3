// The calls only the SSM Agent makes, which the public AWS model does not describe: their shapes come
// from the agent's own SDK (github.com/aws/amazon-ssm-agent, extra/aws-sdk-go/service/ssm). Each one
// authenticates in its own way, so they are dispatched before the model-driven pipeline:
// RegisterManagedInstance is unsigned (the activation code is the secret).

import { ServiceError, ValidationException } from '../domain/errors.ts';
import type { RegistrationService } from '../service/registrations.ts';
import type { ApiRequest } from './http-server.ts';

export type AgentOperation = (request: ApiRequest) => Promise<unknown>;

function body(request: ApiRequest): Record<string, unknown> {
  try {
    const value = request.body.trim() === '' ? {} : JSON.parse(request.body);
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // answered below
  }
  throw new ServiceError('SerializationException', 'Request body is not valid JSON.');
}

/** The members named, as strings, with AWS's wording for a missing one (member names in lowerCamel). */
function strings<K extends string>(input: Record<string, unknown>, names: readonly K[]): Record<K, string> {
  const missing = names.filter((n) => typeof input[n] !== 'string' || input[n] === '');
  if (missing.length > 0) {
    const lower = (n: string) => n.charAt(0).toLowerCase() + n.slice(1);
    const details = missing.map((n) => `Value null at '${lower(n)}' failed to satisfy constraint: Member must not be null`);
    throw new ValidationException(`${details.length} validation error${details.length > 1 ? 's' : ''} detected: ${details.join('; ')}`);
  }
  return Object.fromEntries(names.map((n) => [n, input[n] as string])) as Record<K, string>;
}

export function agentOperations(registrations: RegistrationService): Record<string, AgentOperation> {
  return {
    'AmazonSSM.RegisterManagedInstance': async (request) => {
      const input = strings(body(request), ['ActivationCode', 'ActivationId', 'PublicKey', 'PublicKeyType', 'Fingerprint'] as const);
      const { instanceId } = await registrations.register({
        activationId: input.ActivationId, activationCode: input.ActivationCode, publicKey: input.PublicKey,
        publicKeyType: input.PublicKeyType, fingerprint: input.Fingerprint,
      });
      return { InstanceId: instanceId };
    },
  };
}
