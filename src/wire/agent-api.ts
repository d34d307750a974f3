// The calls only the SSM Agent makes, which the public AWS model does not describe: their shapes come
// from the agent's own SDK (github.com/aws/amazon-ssm-agent, extra/aws-sdk-go/service/ssm). Each one
// authenticates in its own way, so they are dispatched before the model-driven pipeline:
// RegisterManagedInstance is unsigned (the activation code is the secret).

import { ServiceError, ValidationException } from '../domain/errors.ts';
import type { AgentMessages } from '../runtime/agent-messages.ts';
import type { AgentIdentity, AgentService } from '../service/agents.ts';
import type { RegistrationService } from '../service/registrations.ts';
import type { ApiRequest } from './http-server.ts';
import { SignatureVerifier } from './sigv4.ts';

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

/**
 * Who signed an agent call. `rsa`: the node itself, with the key it registered (its mi- id is the access
 * key id), for RequestManagedInstanceRoleToken. `issued`: the credentials that call gave it, for every
 * later call; a key belongs to one node, so a node can act only as itself.
 */
function agentVerifiers(agents: AgentService) {
  const byNodeKey = new SignatureVerifier({
    find: async (nodeId) => {
      const found = await agents.registeredNode(nodeId);
      return found && { accessKeyId: nodeId, secretAccessKey: '', accountId: found.scope.account, publicKey: found.publicKey };
    },
  });
  const byIssuedKey = new SignatureVerifier({
    find: async (accessKeyId) => {
      const found = await agents.credential(accessKeyId);
      if (!found) return undefined;
      const { credential, scope } = found;
      return { accessKeyId, secretAccessKey: credential.secretAccessKey, sessionToken: credential.sessionToken, accountId: scope.account, subject: credential.nodeId };
    },
  });
  return {
    async node(request: ApiRequest): Promise<AgentIdentity> {
      const { account, region, accessKeyId } = await byNodeKey.verify(request);
      return { scope: { account, region }, nodeId: accessKeyId };
    },
    async issued(request: ApiRequest, service = 'ssm'): Promise<AgentIdentity> {
      const { account, region, subject } = await byIssuedKey.verify(request, { service });
      return { scope: { account, region }, nodeId: subject! };
    },
  };
}

function optionalString(input: Record<string, unknown>, name: string): string | undefined {
  return typeof input[name] === 'string' && input[name] !== '' ? (input[name] as string) : undefined;
}

export function agentOperations(registrations: RegistrationService, agents: AgentService, messages: AgentMessages): Record<string, AgentOperation> {
  const verify = agentVerifiers(agents);
  return {
    'AmazonSSM.RequestManagedInstanceRoleToken': async (request) => {
      const identity = await verify.node(request);
      const { Fingerprint } = strings(body(request), ['Fingerprint'] as const);
      const credential = await agents.issueCredentials(identity, Fingerprint);
      return {
        AccessKeyId: credential.accessKeyId,
        SecretAccessKey: credential.secretAccessKey,
        SessionToken: credential.sessionToken,
        TokenExpirationDate: credential.expiresAt / 1000,
        UpdateKeyPair: false,
      };
    },
    'AmazonSSM.UpdateInstanceInformation': async (request) => {
      const identity = await verify.issued(request);
      const input = body(request);
      const { InstanceId } = strings(input, ['InstanceId'] as const);
      if (InstanceId !== identity.nodeId) throw new ServiceError('AccessDeniedException', `The credentials of ${identity.nodeId} cannot act for ${InstanceId}.`);
      await agents.heartbeat(identity, {
        agentVersion: optionalString(input, 'AgentVersion'),
        platformType: optionalString(input, 'PlatformType'),
        platformName: optionalString(input, 'PlatformName'),
        platformVersion: optionalString(input, 'PlatformVersion'),
        computerName: optionalString(input, 'ComputerName'),
        ipAddress: optionalString(input, 'IPAddress'),
      });
      return {};
    },
    // The agent asks for its State Manager associations at start and every 10 minutes. This service has
    // none (State Manager is not served): an empty list, so it does not fall back to ListAssociations.
    'AmazonSSM.ListInstanceAssociations': async (request) => {
      const identity = await verify.issued(request);
      const { InstanceId } = strings(body(request), ['InstanceId'] as const);
      if (InstanceId !== identity.nodeId) throw new ServiceError('AccessDeniedException', `The credentials of ${identity.nodeId} cannot act for ${InstanceId}.`);
      return { Associations: [] };
    },
    'AmazonSSM.RegisterManagedInstance': async (request) => {
      const input = strings(body(request), ['ActivationCode', 'ActivationId', 'PublicKey', 'PublicKeyType', 'Fingerprint'] as const);
      const { instanceId } = await registrations.register({
        activationId: input.ActivationId, activationCode: input.ActivationCode, publicKey: input.PublicKey,
        publicKeyType: input.PublicKeyType, fingerprint: input.Fingerprint,
      });
      return { InstanceId: instanceId };
    },

    // ---- the message delivery service (ec2messages), signed for the service `ec2messages`
    'EC2WindowsMessageDeliveryService.GetMessages': async (request) => {
      const identity = await verify.issued(request, 'ec2messages');
      const input = body(request);
      const { Destination, MessagesRequestId } = strings(input, ['Destination', 'MessagesRequestId'] as const);
      if (Destination === identity.nodeId) await agents.polled(identity);
      return { Destination, MessagesRequestId, Messages: await messages.getMessages(identity, Destination) };
    },
    'EC2WindowsMessageDeliveryService.AcknowledgeMessage': async (request) => {
      const identity = await verify.issued(request, 'ec2messages');
      messages.checkOwnMessage(identity, strings(body(request), ['MessageId'] as const).MessageId);
      return {};
    },
    'EC2WindowsMessageDeliveryService.DeleteMessage': async (request) => {
      const identity = await verify.issued(request, 'ec2messages');
      messages.checkOwnMessage(identity, strings(body(request), ['MessageId'] as const).MessageId);
      return {};
    },
    'EC2WindowsMessageDeliveryService.FailMessage': async (request) => {
      const identity = await verify.issued(request, 'ec2messages');
      await messages.failMessage(identity, strings(body(request), ['MessageId', 'FailureType'] as const).MessageId);
      return {};
    },
    'EC2WindowsMessageDeliveryService.SendReply': async (request) => {
      const identity = await verify.issued(request, 'ec2messages');
      const { MessageId, Payload, ReplyId } = strings(body(request), ['MessageId', 'Payload', 'ReplyId'] as const);
      await messages.sendReply(identity, MessageId, Payload);
      return { MessageId, ReplyId, ReplyStatus: 'Acknowledged', Description: '' };
    },
    'EC2WindowsMessageDeliveryService.GetEndpoint': async (request) => {
      await verify.issued(request, 'ec2messages');
      return { Endpoint: request.headers.host ?? '' };
    },
  };
}
