// What a registered agent does after it joined: prove itself with its RSA key and get short-lived
// credentials (RequestManagedInstanceRoleToken), then report who it is and that it is alive
// (UpdateInstanceInformation), which DescribeInstanceInformation shows (PingStatus, versions, addresses).

import { createPublicKey, randomBytes } from 'node:crypto';
import { AGENT_CREDENTIAL_LIFETIME_MS, type AgentCredential } from '../domain/agent-credentials.ts';
import { InvalidInstanceId, ServiceError } from '../domain/errors.ts';
import type { ControlChannelState, ManagedNode, PlatformType } from '../domain/inventory.ts';
import type { Scope } from '../domain/model.ts';
import type { ServiceContext } from './context.ts';
import type { Clock } from './ports.ts';

const UPPER_ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/**
 * The most often a node's poll writes its ping: 30 s. An agent polls at least every 15 s (a poll is held
 * at most 15 s, service/agent-delivery.ts), so LastPingDateTime is never more than 30 s behind the agent's
 * last poll (two polls), where it used to lag up to a third of the ping timeout (200 s by default); and a
 * fleet writes at most one small row per node per 30 s (1,000 agents: about 33 writes a second), half the
 * polls rather than every one.
 */
export const PING_WRITE_INTERVAL_MS = 30_000;

/** What UpdateInstanceInformation reports (the members the agent sends, in domain names). */
export interface AgentReport {
  agentVersion?: string;
  platformType?: string;
  platformName?: string;
  platformVersion?: string;
  computerName?: string;
  ipAddress?: string;
}

export interface AgentIdentity {
  scope: Scope;
  nodeId: string;
}

export class AgentService {
  private readonly ctx: ServiceContext;
  private readonly realClock: Clock;
  /** When this replica last recorded each node's ping (the store has the truth; this only saves writes). */
  private readonly lastPing = new Map<string, number>();

  /**
   * `realClock`: real time, for the credentials' expiry (the agent compares it with its own clock, whatever
   * clock the engine runs on); pings and heartbeats are on the service's clock (ctx.clock).
   */
  constructor(ctx: ServiceContext, realClock: Clock) {
    this.ctx = ctx;
    this.realClock = realClock;
  }

  /** Registered nodes whose agent this replica heard from within the ping timeout (the metrics' figure). */
  onlineCount(): number {
    const now = this.ctx.clock.now();
    let online = 0;
    for (const at of this.lastPing.values()) if (now - at <= this.ctx.pingTimeoutMs) online++;
    return online;
  }

  /** A registered node by id, with the public key its agent signs with. */
  async registeredNode(nodeId: string): Promise<{ scope: Scope; node: ManagedNode; publicKey: ReturnType<typeof createPublicKey> } | undefined> {
    const scope = await this.ctx.store.locateNode(nodeId);
    const node = scope && await this.ctx.store.getNode(scope, nodeId);
    if (!scope || !node?.registration) return undefined;
    const der = Buffer.from(node.registration.publicKey, 'base64');
    let publicKey;
    try {
      publicKey = createPublicKey({ key: der, format: 'der', type: 'spki' });
    } catch {
      publicKey = createPublicKey({ key: der, format: 'der', type: 'pkcs1' });
    }
    return { scope, node, publicKey };
  }

  /** RequestManagedInstanceRoleToken, once the RSA signature is verified: an hour of credentials. */
  async issueCredentials(identity: AgentIdentity, fingerprint: string): Promise<AgentCredential> {
    const node = await this.ctx.store.getNode(identity.scope, identity.nodeId);
    if (!node?.registration) throw InvalidInstanceId.notValid([identity.nodeId], identity.scope.account);
    // The fingerprint names the machine the registration was made on: another machine with a copied key is refused.
    if (node.registration.fingerprint !== fingerprint) throw new ServiceError('InvalidInstanceId', 'The fingerprint does not match the one the node registered with.');
    const credential: AgentCredential = {
      accessKeyId: `ASIA${[...randomBytes(16)].map((b) => UPPER_ALNUM[b % 32]).join('')}`,
      secretAccessKey: randomBytes(30).toString('base64'),
      sessionToken: randomBytes(96).toString('base64'),
      nodeId: identity.nodeId,
      // Real time: the agent compares it with its own clock, whatever clock the engine runs on.
      expiresAt: this.realClock.now() + AGENT_CREDENTIAL_LIFETIME_MS,
    };
    await this.ctx.store.transaction(async (tx) => {
      // Looked at again with the write: a node deregistered meanwhile gets nothing.
      if (!(await tx.getNode(identity.scope, identity.nodeId))?.registration) throw InvalidInstanceId.notValid([identity.nodeId], identity.scope.account);
      await tx.putAgentCredential(identity.scope, credential, this.realClock.now());
    });
    return credential;
  }

  /** The credential an agent signs with, while it is valid and its node registered (the store checks both in one read). */
  async credential(accessKeyId: string): Promise<{ scope: Scope; credential: AgentCredential } | undefined> {
    const found = await this.ctx.store.findAgentCredential(accessKeyId);
    return found && found.credential.expiresAt > this.realClock.now() ? found : undefined;
  }

  /**
   * A message poll is word from the agent too: its node stays Online between heartbeats, and its
   * LastPingDateTime (DescribeInstanceInformation, the console's "last seen") moves with it. Written at
   * most once per node per PING_WRITE_INTERVAL_MS (or a third of the ping timeout, when that is shorter),
   * so thousands of polling agents do not each write on every poll.
   */
  async polled(identity: AgentIdentity): Promise<void> {
    const now = this.ctx.clock.now();
    const freshEnough = Math.min(PING_WRITE_INTERVAL_MS, this.ctx.pingTimeoutMs / 3);
    const known = this.lastPing.get(identity.nodeId);
    if (known !== undefined && now - known < freshEnough && now >= known) return;
    await this.ctx.store.transaction(async (tx) => {
      const node = await tx.getNode(identity.scope, identity.nodeId);
      if (!node) throw InvalidInstanceId.notValid([identity.nodeId], identity.scope.account);
      if (node.lastPingAt === undefined || now - node.lastPingAt >= freshEnough || now < node.lastPingAt) {
        await tx.putNode(identity.scope, { ...node, lastPingAt: now });
      }
    });
    this.lastPing.set(identity.nodeId, now);
  }

  /**
   * The node's control channel opened, pinged or closed: kept with the node (every replica reads it), and,
   * like a poll, word that the agent is alive (LastPingDateTime, PingStatus). A close is written only over
   * the same connection's state: the agent may already have opened a newer channel on another replica.
   */
  async recordChannel(identity: AgentIdentity, channel: ControlChannelState): Promise<void> {
    const now = this.ctx.clock.now();
    await this.ctx.store.transaction(async (tx) => {
      const node = await tx.getNode(identity.scope, identity.nodeId);
      if (!node) return;
      const closing = channel.closedAt !== undefined;
      if (closing && node.controlChannel?.connectionId !== channel.connectionId) return;
      await tx.putNode(identity.scope, { ...node, controlChannel: channel, ...(closing ? {} : { lastPingAt: now }) });
    });
    if (channel.closedAt === undefined) this.lastPing.set(identity.nodeId, now);
  }

  /** UpdateInstanceInformation: what the agent says about its machine, and that it is alive now. */
  async heartbeat(identity: AgentIdentity, report: AgentReport): Promise<void> {
    const now = this.ctx.clock.now();
    await this.ctx.store.transaction(async (tx) => {
      const node = await tx.getNode(identity.scope, identity.nodeId);
      if (!node) throw InvalidInstanceId.notValid([identity.nodeId], identity.scope.account);
      const platformType = report.platformType === 'Windows' || report.platformType === 'Linux' || report.platformType === 'MacOS' ? report.platformType as PlatformType : node.platformType;
      await tx.putNode(identity.scope, {
        ...node,
        agentVersion: report.agentVersion ?? node.agentVersion,
        platformType,
        platformName: report.platformName ?? node.platformName,
        platformVersion: report.platformVersion ?? node.platformVersion,
        computerName: report.computerName ?? node.computerName,
        ipAddress: report.ipAddress ?? node.ipAddress,
        lastPingAt: now,
      });
    });
    this.lastPing.set(identity.nodeId, now);
  }
}
