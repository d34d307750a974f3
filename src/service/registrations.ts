// A real machine joins: the SSM Agent's RegisterManagedInstance presents an activation's id and code and
// its RSA public key; the service answers a new managed-node id (`mi-` + 17 hex digits) and keeps the key,
// with which the agent proves itself from then on. The node starts with the activation's name and tags,
// so tag targets reach it at once.

import { createPublicKey, randomBytes } from 'node:crypto';
import { InvalidActivation, registrationRefusal } from '../domain/activations.ts';
import { ValidationException } from '../domain/errors.ts';
import type { ManagedNode } from '../domain/inventory.ts';
import type { Scope } from '../domain/model.ts';
import type { ServiceContext } from './context.ts';

export interface RegistrationInput {
  activationId: string;
  activationCode: string;
  publicKey: string;
  publicKeyType: string;
  fingerprint: string;
}

/** `mi-` and 17 lower-case hex digits, as AWS names hybrid nodes. */
function managedInstanceId(): string {
  return `mi-${randomBytes(9).toString('hex').slice(0, 17)}`;
}

/** The agent's key must be an RSA public key (base64 DER, SubjectPublicKeyInfo or PKCS#1). */
export function parseAgentPublicKey(publicKey: string): ReturnType<typeof createPublicKey> {
  const der = Buffer.from(publicKey, 'base64');
  for (const type of ['spki', 'pkcs1'] as const) {
    try {
      const key = createPublicKey({ key: der, format: 'der', type });
      if (key.asymmetricKeyType === 'rsa') return key;
    } catch {
      // try the other encoding
    }
  }
  throw new ValidationException('PublicKey is not a base64-encoded RSA public key.');
}

export class RegistrationService {
  private readonly ctx: ServiceContext;

  constructor(ctx: ServiceContext) {
    this.ctx = ctx;
  }

  async register(input: RegistrationInput): Promise<{ scope: Scope; instanceId: string }> {
    if (input.publicKeyType !== 'Rsa') throw new ValidationException(`PublicKeyType '${input.publicKeyType}' is not supported; expected Rsa.`);
    parseAgentPublicKey(input.publicKey);
    const scope = await this.ctx.store.locateActivation(input.activationId);
    if (!scope) throw new InvalidActivation();
    const now = this.ctx.clock.now();
    const instanceId = managedInstanceId();
    await this.ctx.store.transaction(async (tx) => {
      const activation = await tx.getActivation(scope, input.activationId);
      const refusal = registrationRefusal(activation, input.activationCode, now);
      if (refusal) throw refusal;
      const node: ManagedNode = {
        id: instanceId,
        tags: Object.fromEntries(activation!.tags.map((t) => [t.key, t.value])),
        resourceGroups: [],
        name: activation!.defaultInstanceName,
        registration: {
          activationId: activation!.id, iamRole: activation!.iamRole, publicKey: input.publicKey, publicKeyType: input.publicKeyType,
          fingerprint: input.fingerprint, registeredAt: now,
        },
      };
      await tx.putNode(scope, node);
      await tx.updateActivation(scope, { ...activation!, registrationsCount: activation!.registrationsCount + 1 });
    });
    return { scope, instanceId };
  }
}
