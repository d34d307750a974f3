// The agents' ssmmessages control channels open on this replica, and what flows over them. A channel is a
// second transport for the one delivery path (service/agent-delivery.ts): while a node's channel is open,
// this replica takes the node's queued messages as a poll would and pushes them down the socket, and the
// agent's acknowledgements and replies are applied through the same use cases as ec2messages' calls.
// The channel's state is kept with the node (AgentService.recordChannel) so that any replica can say
// whether the node is connected; the messages themselves are taken from the store, so a command queued on
// another replica reaches the node within a recheck (a wake-up when it was queued here), and only once.

import { randomUUID } from 'node:crypto';
import type { AgentReply } from '../domain/command-invocation.ts';
import type { ControlChannelState } from '../domain/inventory.ts';
import type { Scope } from '../domain/model.ts';
import type { AgentDelivery, Delivery, MessageRef } from './agent-delivery.ts';
import type { AgentIdentity, AgentService } from './agents.ts';
import { nodeKey, type PollWaiters } from './poll-waiters.ts';
import type { SessionSignal } from './sessions.ts';
import type { Clock, Store } from './ports.ts';

/** What the transport offers the delivery loop: one open socket to one node's agent. */
export interface ChannelConnection {
  /** Sends a delivery as the channel's own message; false when the socket is gone or was dropped. */
  send(delivery: Delivery): boolean;
  /** Sends a session's start or end to the agent; false when the socket is gone or was dropped. */
  sendSignal(signal: SessionSignal): boolean;
  /** Sends a frame made elsewhere (a session's acknowledgement); false when the socket is gone or was dropped. */
  sendFrame(frame: Buffer): boolean;
  /** Ends the socket (the agent reconnects on its own). */
  close(reason: string): void;
}

/** What the agent said of a job right after it got it (agent_job_ack's statusCode). */
export type JobAckOutcome = 'taken' | 'refused' | 'retry-later';

export interface ControlChannelOptions {
  store: Store;
  agents: AgentService;
  delivery: AgentDelivery;
  waiters: PollWaiters;
  /** Real time: the agent's pings and the channel's age are real time, whatever clock the engine runs on. */
  realClock: Clock;
  /** This process's name among the replicas (runtime/replica-identity.ts). */
  replica: string;
  log: (message: string, fields?: Record<string, unknown>, level?: 'info' | 'warn' | 'error') => void;
  /** How long a job sent waits for its ack before it is sent again (default JOB_VISIBILITY_MS). */
  jobVisibilityMs?: number;
  /** Counts the jobs pushed down channels (metrics). */
  jobSent?: (kind: 'command' | 'cancel') => void;
  /** Where the node's session starts and ends wait (service/sessions.ts); absent: sessions are not served. */
  sessions?: { takeAgentSignals(scope: Scope, nodeId: string): Promise<SessionSignal[]> };
}

/**
 * By default a job the agent has not acknowledged is taken again after this long (service clock) and sent
 * again with the same JobId; the agent, which keeps the ids it ran, answers a duplicate without running it
 * twice. [ours] (--job-visibility-seconds)
 */
export const JOB_VISIBILITY_MS = 30_000;
/**
 * A channel with nothing to send waits to be woken (a message queued for its node here or on another replica,
 * a job whose visibility ended and the engine queued again): this long at most, a safety net only.
 */
const IDLE_WAIT_MS = 60 * 60_000;
/** After a failed look at the store (a conflict, a lost connection), the channel looks again this soon. */
const RETRY_MS = 1_000;
/** The agent pings its channel every 54 s (agent/session/config WebSocketPingInterval): two missed and some slack, and it is gone. */
export const CHANNEL_SILENCE_MS = 2 * 54_000 + 15_000;
/** A ping is written to the store at most this often per node. */
const SEEN_WRITE_MS = 30_000;

interface OpenChannel {
  identity: AgentIdentity;
  connection: ChannelConnection;
  state: ControlChannelState;
  stopped: boolean;
}

export class ControlChannels {
  private readonly options: ControlChannelOptions;
  /** The channels open here, by node (a node has at most one: a newer one replaces the older). */
  private readonly open = new Map<string, OpenChannel>();

  constructor(options: ControlChannelOptions) {
    this.options = options;
  }

  /** The agent's channel is open and verified: record it and start pushing the node's messages down it. */
  async opened(identity: AgentIdentity, connection: ChannelConnection): Promise<OpenChannel> {
    const key = nodeKey(identity.scope, identity.nodeId);
    const previous = this.open.get(key);
    if (previous) this.stop(previous, 'a newer control channel replaced it');
    const now = this.options.realClock.now();
    const channel: OpenChannel = {
      identity, connection, stopped: false,
      state: { connectionId: randomUUID(), replica: this.options.replica, openedAt: now, seenAt: now },
    };
    this.open.set(key, channel);
    await this.options.agents.recordChannel(identity, channel.state);
    this.options.log('control channel opened', { nodeId: identity.nodeId });
    void this.deliverWhileOpen(channel);
    return channel;
  }

  /** A ping (or any frame) from the agent: the node is alive; written at most every SEEN_WRITE_MS. */
  async seen(channel: OpenChannel): Promise<void> {
    const now = this.options.realClock.now();
    if (channel.stopped || now - channel.state.seenAt < SEEN_WRITE_MS) return;
    channel.state = { ...channel.state, seenAt: now };
    await this.options.agents.recordChannel(channel.identity, channel.state);
  }

  /** The socket closed: the channel's messages go back to waiting (polls, or the agent's next channel). */
  async closed(channel: OpenChannel): Promise<void> {
    if (channel.stopped) return;
    this.stop(channel, 'closed');
    const closedAt = this.options.realClock.now();
    await this.options.agents.recordChannel(channel.identity, { ...channel.state, closedAt });
    this.options.log('control channel closed', { nodeId: channel.identity.nodeId });
  }

  /** The agent acknowledged a job (agent_job_ack): taken, refused for good, or dropped to be sent again. */
  async jobAcknowledged(channel: OpenChannel, ref: MessageRef, outcome: JobAckOutcome): Promise<void> {
    const { delivery } = this.options;
    if (outcome === 'taken') await delivery.acknowledge(channel.identity, ref);
    else if (outcome === 'refused') await delivery.fail(channel.identity, ref);
    // 'retry-later': left unacknowledged, the job is taken and sent again once its visibility ends.
  }

  /** The agent's agent_job_reply: applied as ec2messages' SendReply would be. */
  jobReplied(channel: OpenChannel, ref: MessageRef, reply: AgentReply): Promise<void> {
    return this.options.delivery.reply(channel.identity, ref, reply);
  }

  /** Whether the node's control channel is open on some replica (GetConnectionStatus; sessions need one). */
  async isConnected(scope: Scope, nodeId: string): Promise<boolean> {
    const here = this.open.get(nodeKey(scope, nodeId));
    if (here && !here.stopped) return true;
    const channel = (await this.options.store.getNode(scope, nodeId))?.controlChannel;
    return channel !== undefined && channel.closedAt === undefined && this.options.realClock.now() - channel.seenAt <= CHANNEL_SILENCE_MS;
  }

  /** The open channel of a node on this replica, if any (sessions send their control messages down it). */
  channelOf(scope: Scope, nodeId: string): OpenChannel | undefined {
    const channel = this.open.get(nodeKey(scope, nodeId));
    return channel && !channel.stopped ? channel : undefined;
  }

  /** How many channels are open here (metrics, tests). */
  size(): number {
    return this.open.size;
  }

  /** Closes every channel (the server is stopping); the agents reconnect to whichever replica answers. */
  closeAll(): void {
    for (const channel of [...this.open.values()]) this.stop(channel, 'the service is stopping');
  }

  private stop(channel: OpenChannel, reason: string): void {
    if (channel.stopped) return;
    channel.stopped = true;
    const key = nodeKey(channel.identity.scope, channel.identity.nodeId);
    if (this.open.get(key) === channel) this.open.delete(key);
    channel.connection.close(reason);
    // The delivery loop may be waiting: let it see it is stopped.
    this.options.waiters.wakeHere(channel.identity.scope, channel.identity.nodeId);
  }

  /**
   * Takes the node's queued messages and sends them, again whenever something is queued for it (a wake-up
   * from this replica or, through the wake bus, another; a visibility that ended, queued again by the engine).
   */
  private async deliverWhileOpen(channel: OpenChannel): Promise<void> {
    const { delivery, waiters, log } = this.options;
    const { scope, nodeId } = channel.identity;
    while (!channel.stopped) {
      const generation = waiters.generation(scope, nodeId);
      let failed = false;
      let deliveries: Delivery[] = [];
      let signals: SessionSignal[] = [];
      try {
        deliveries = await delivery.take(channel.identity, this.options.jobVisibilityMs ?? JOB_VISIBILITY_MS);
        if (this.options.sessions) signals = await this.options.sessions.takeAgentSignals(scope, nodeId);
        failed = false;
      } catch (error) {
        log('control channel delivery failed; trying again', { nodeId, error: String(error) }, 'warn');
        failed = true;
      }
      if (channel.stopped) return;
      for (const d of deliveries) {
        if (!channel.connection.send(d)) {
          // Taken but not sent: its visibility ends and it is taken again (here or by a poll).
          void this.closed(channel);
          return;
        }
        this.options.jobSent?.(d.kind);
      }
      // A session signal lost with its socket is not sent again: the session's own timers end it.
      for (const signal of signals) if (!channel.connection.sendSignal(signal)) break;
      if (deliveries.length === 0 && signals.length === 0) await waiters.wait(scope, nodeId, failed ? RETRY_MS : IDLE_WAIT_MS, generation);
    }
  }
}

export type { OpenChannel };
