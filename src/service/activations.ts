// Use cases of hybrid activations: create one (its id and the secret code a machine registers with),
// list them, delete one, and deregister a node that registered with one.

import { randomBytes } from 'node:crypto';
import { type Activation, activationExpiry, activationFilter, type ActivationFilter, InvalidActivationId } from '../domain/activations.ts';
import { InvalidInstanceId } from '../domain/errors.ts';
import type { Scope, Tag } from '../domain/model.ts';
import { endInvocationsOfNode } from './agent-delivery.ts';
import type { ServiceContext } from './context.ts';
import { listingPage } from './keyset-pages.ts';
import { endSessionsOfNode } from './sessions.ts';

export interface CreateActivationInput {
  description?: string;
  defaultInstanceName?: string;
  iamRole: string;
  registrationLimit?: number;
  expirationDate?: number;
  tags?: Tag[];
}

const CODE_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** A 20-character code like AWS's (letters and digits): 119 bits, the password half of an activation. */
function activationCode(): string {
  return [...randomBytes(20)].map((b) => CODE_ALPHABET[b % CODE_ALPHABET.length]).join('');
}

/** What a deregistration tells the sessions after its commit (SessionService.nodeSessionsEnded). */
export interface SessionEnds {
  nodeSessionsEnded(sessionIds: string[]): void;
}

export class ActivationService {
  private readonly ctx: ServiceContext;
  private readonly sessions: SessionEnds | undefined;

  constructor(ctx: ServiceContext, sessions?: SessionEnds) {
    this.ctx = ctx;
    this.sessions = sessions;
  }

  async create(scope: Scope, input: CreateActivationInput): Promise<Activation> {
    const now = this.ctx.clock.now();
    const activation: Activation = {
      id: this.ctx.ids.uuid(),
      code: activationCode(),
      description: input.description,
      defaultInstanceName: input.defaultInstanceName,
      iamRole: input.iamRole,
      registrationLimit: input.registrationLimit ?? 1,
      registrationsCount: 0,
      createdAt: now,
      expiresAt: activationExpiry(now, input.expirationDate),
      tags: input.tags ?? [],
    };
    await this.ctx.store.transaction((tx) => tx.insertActivation(scope, activation));
    return activation;
  }

  async describe(scope: Scope, input: { filters?: ActivationFilter[]; maxResults?: number; nextToken?: string }): Promise<{ activations: Activation[]; nextToken?: string }> {
    const accept = activationFilter(input.filters);
    const page = await listingPage(this.ctx.tokens, `DescribeActivations|${scope.account}|${scope.region}`,
      { nextToken: input.nextToken, pageSize: input.maxResults ?? 50 },
      (after, limit) => this.ctx.store.listActivations(scope, after, limit), accept);
    return { activations: page.items, nextToken: page.nextToken };
  }

  async delete(scope: Scope, activationId: string): Promise<void> {
    if (!(await this.ctx.store.transaction((tx) => tx.deleteActivation(scope, activationId)))) throw new InvalidActivationId();
  }

  /**
   * Removes a registered node (mi-...) from the inventory; it is no longer listed nor targeted, its agent's
   * credentials stop working, what it was sent but does not have yet ends Undeliverable, and its sessions
   * end (Terminated; nothing is sent to its agent).
   */
  async deregister(scope: Scope, instanceId: string): Promise<void> {
    const now = this.ctx.clock.now();
    const endedSessions = await this.ctx.store.transaction(async (tx) => {
      // Sessions before commands: the lock order of storage/postgres/postgres-store.ts.
      const ended = await endSessionsOfNode(tx, scope, instanceId, now);
      await endInvocationsOfNode(tx, scope, instanceId, now);
      // Thrown inside: an unknown node changes nothing.
      if (!(await tx.deleteNode(scope, instanceId))) throw InvalidInstanceId.notValid([instanceId], scope.account);
      return ended;
    });
    if (endedSessions.length > 0) this.sessions?.nodeSessionsEnded(endedSessions);
  }
}
