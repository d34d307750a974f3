// Delivering Run Command to a registered node's agent, whatever carries it (the ec2messages polls of
// wire/agent-api.ts today; a pushing transport such as ssmmessages would call the same use cases): take
// what is queued for the node (held until something comes, as a long poll is), and apply what the agent
// says of a message (acknowledged, a reply, a failure) as the invocation's event
// (domain/command-invocation.ts), in one transaction each; what a change asks once committed (waking the
// polls of a node a message now waits for) is performed after the commit. A transport turns its frames
// into these calls and the deliveries back into its own messages; the use cases know no message format.
// A taken message is invisible for the poll's visibility timeout: unless the agent acknowledges it (or
// replies about it) in that time, it is visible again and taken again with the same identity, so a message
// lost with its poll's connection is delivered again, and the agent (which runs a command id once) runs it once.

import type { InvocationEffect, InvocationEvent } from '../domain/command-invocation.ts';
import { type AgentReply, isFinal } from '../domain/command-invocation.ts';
import { type Command, endUndeliverable } from '../domain/commands.ts';
import { ServiceError } from '../domain/errors.ts';
import type { Scope } from '../domain/model.ts';
import type { AgentIdentity } from './agents.ts';
import { saveCommandChange } from './command-changes.ts';
import { nodeKey, type PollWake, type PollWaiters } from './poll-waiters.ts';
import type { Clock, EngineControl, Store, StoreOperations } from './ports.ts';

/** What a poll hands to its node: a command to run, or word to stop one. */
export type Delivery = { kind: 'command'; command: Command; instanceId: string } | { kind: 'cancel'; commandId: string; instanceId: string };

/** The invocation a message of the agent's is about. */
export interface MessageRef {
  commandId: string;
  instanceId: string;
}

/** An invocation's event applied: its command after it, its own effects, what to perform after the commit. */
export interface AppliedToInvocation {
  command: Command;
  own: readonly InvocationEffect[];
  effects: PollWake[];
}

/** Applies an invocation's event in the caller's transaction and performs what it asks after the commit (runtime/command-executor.ts). */
export interface InvocationMover {
  apply(tx: StoreOperations, scope: Scope, commandId: string, instanceId: string, event: InvocationEvent, now: number): Promise<AppliedToInvocation | undefined>;
  /** `apply` for several invocations of one command, in order. */
  applyAll(tx: StoreOperations, scope: Scope, commandId: string, items: readonly { instanceId: string; event: InvocationEvent }[], now: number): Promise<(AppliedToInvocation | undefined)[]>;
  afterCommit(effects: readonly PollWake[]): void;
}

export interface AgentDeliveryOptions {
  store: Store;
  commands: InvocationMover;
  /** Where polls wait for their node's messages (the one the command executor wakes). */
  waiters: PollWaiters;
  engine: EngineControl;
  /** The service's clock, on which commands move: delivery and reply times, deadlines. */
  clock: Clock;
  /** Real time, for how long a poll is held (the agent's client timeout is real time, whatever the service's clock). */
  realClock: Clock;
  /** How long a silent node stays Online: a poll is held at most a third of it. */
  pingTimeoutMs: number;
}

/**
 * Under the agent's 20 s client timeout for GetMessages (Mds.StopTimeoutMillis): an empty answer comes first.
 * Shorter when the ping timeout is short: a poll is the agent's sign of life, so it must come back in time.
 */
const MAX_POLL_HOLD_MS = 15_000;

const MESSAGES_PER_POLL = 10;

/**
 * Nodes whose takes share a transaction at most: enough to spread a commit over many deliveries, few
 * enough that the first answers go out while the rest of a fleet's are taken.
 */
const TAKE_BATCH = 64;

interface TakeAsked {
  identity: AgentIdentity;
  visibilityMs: number;
  resolve(deliveries: Delivery[]): void;
  reject(error: unknown): void;
}

export class AgentDelivery {
  private readonly options: AgentDeliveryOptions;
  private readonly pollHoldMs: number;
  /** Takes asked for and not begun yet (take), and whether takeAsked is due to start them. */
  private takes: TakeAsked[] = [];
  private takesScheduled = false;

  constructor(options: AgentDeliveryOptions) {
    this.options = options;
    this.pollHoldMs = Math.min(MAX_POLL_HOLD_MS, Math.floor(options.pingTimeoutMs / 3));
  }

  /**
   * A poll for `destination`'s messages: what is queued now, or (held a while) the first queued meanwhile.
   * What it takes stays invisible for `visibilityMs` (service clock) unless acknowledged.
   */
  async poll(identity: AgentIdentity, destination: string, visibilityMs: number): Promise<Delivery[]> {
    if (destination !== identity.nodeId) throw new ServiceError('AccessDeniedException', `The credentials of ${identity.nodeId} cannot poll for ${destination}.`);
    const { realClock, waiters } = this.options;
    const deadline = realClock.now() + this.pollHoldMs;
    // Woken when a message is queued for the node (here, or on another replica through the wake bus; a taken
    // message whose visibility ended is queued again by the engine): no look at the store on a timer.
    for (;;) {
      const generation = waiters.generation(identity.scope, identity.nodeId);
      const deliveries = await this.take(identity, visibilityMs);
      const left = deadline - realClock.now();
      if (deliveries.length > 0 || left <= 0) return deliveries;
      await waiters.wait(identity.scope, identity.nodeId, left, generation);
    }
  }

  /**
   * Takes the node's queued messages: each is handed to this caller only. The takes asked for in one turn
   * of the event loop (the polls and channels of every node one change woke) are made together, in one
   * transaction for up to TAKE_BATCH nodes: a command to a fleet is handed out without a commit per node.
   */
  take(identity: AgentIdentity, visibilityMs: number): Promise<Delivery[]> {
    return new Promise((resolve, reject) => {
      this.takes.push({ identity, visibilityMs, resolve, reject });
      if (!this.takesScheduled) {
        this.takesScheduled = true;
        setImmediate(() => this.takeAsked());
      }
    });
  }

  /**
   * Starts the takes asked for, in batches of distinct nodes (a node's second take, two polls at once, goes
   * in a later batch). Each batch's transaction is asked for at once, not after the one before it: behind
   * a store busy with the agents' replies, batches one after another would each wait their turn again.
   */
  private takeAsked(): void {
    this.takesScheduled = false;
    let asked = this.takes;
    this.takes = [];
    while (asked.length > 0) {
      const again: TakeAsked[] = [];
      let batch: TakeAsked[] = [];
      let nodes = new Set<string>();
      for (const one of asked) {
        const k = nodeKey(one.identity.scope, one.identity.nodeId);
        if (nodes.has(k)) {
          again.push(one);
          continue;
        }
        nodes.add(k);
        batch.push(one);
        if (batch.length === TAKE_BATCH) {
          void this.takeBatch(batch);
          batch = [];
          nodes = new Set();
        }
      }
      if (batch.length > 0) void this.takeBatch(batch);
      asked = again;
    }
  }

  /** One batch's takes; when its transaction fails, each again on its own, so one node's trouble fails its own poll alone. */
  private async takeBatch(batch: TakeAsked[]): Promise<void> {
    try {
      const taken = await this.takeTogether(batch);
      batch.forEach((asked, k) => asked.resolve(taken[k]));
    } catch (error) {
      if (batch.length === 1) batch[0].reject(error);
      else for (const asked of batch) void this.takeBatch([asked]);
    }
  }

  /** Takes the queued messages of each asker's node (distinct nodes) in one transaction. */
  private async takeTogether(batch: readonly TakeAsked[]): Promise<Delivery[][]> {
    const { store, commands, clock } = this.options;
    const now = clock.now();
    const effects: PollWake[] = [];
    const deliveries = await store.transaction(async (tx) => {
      // (from the start again when the store runs the work again after a conflict)
      effects.length = 0;
      const taken: (Delivery | undefined)[][] = [];
      // The invocations to take, by command: the commands are locked in id order, as the engine's step locks
      // them (the lock order in storage/postgres/postgres-store.ts); each node's deliveries keep its queue's order.
      const byCommand = new Map<string, { scope: Scope; commandId: string; items: { instanceId: string; event: InvocationEvent; asker: number; k: number }[] }>();
      for (const [asker, { identity, visibilityMs }] of batch.entries()) {
        const queued = await tx.listQueuedInvocations(identity.scope, identity.nodeId, MESSAGES_PER_POLL);
        taken.push(queued.map(() => undefined));
        queued.forEach(({ commandId }, k) => {
          const key = `${commandId}|${identity.scope.account}|${identity.scope.region}`;
          let group = byCommand.get(key);
          if (!group) byCommand.set(key, (group = { scope: identity.scope, commandId, items: [] }));
          group.items.push({ instanceId: identity.nodeId, event: { kind: 'polled', visibilityMs }, asker, k });
        });
      }
      for (const key of [...byCommand.keys()].sort()) {
        const { scope, commandId, items } = byCommand.get(key)!;
        const applied = await commands.applyAll(tx, scope, commandId, items, now);
        applied.forEach((a, j) => {
          if (!a) return;
          const { instanceId, asker, k } = items[j];
          effects.push(...a.effects);
          if (a.own.some((e) => e.kind === 'send-cancel')) taken[asker][k] = { kind: 'cancel', commandId, instanceId };
          else if (a.own.some((e) => e.kind === 'send-command')) taken[asker][k] = { kind: 'command', command: a.command, instanceId };
        });
      }
      return taken.map((list) => list.filter((d): d is Delivery => d !== undefined));
    });
    commands.afterCommit(effects);
    return deliveries;
  }

  /**
   * The agent has the message (AcknowledgeMessage; DeleteMessage, which takes it out of the queue for good):
   * never delivered again. A message this service does not keep (a cancel message) changes nothing.
   */
  acknowledge(identity: AgentIdentity, ref: MessageRef): Promise<void> {
    return this.answer(identity, ref, { kind: 'acknowledged' });
  }

  /** The agent's word on a message it took: still running, rebooting, or how the document ended. */
  reply(identity: AgentIdentity, ref: MessageRef, reply: AgentReply): Promise<void> {
    return this.answer(identity, ref, { kind: 'replied', reply });
  }

  /** The agent could not handle the message (FailMessage): the invocation fails with no exit code. */
  fail(identity: AgentIdentity, ref: MessageRef): Promise<void> {
    return this.answer(identity, ref, { kind: 'failed-by-agent' });
  }

  /**
   * What the agent says about a message, applied in one transaction. A word about an invocation that already
   * ended (a cancel, a timeout, a deregistration) or that no poll took changes nothing: the first end stands.
   * An end wakes the engine (the window waiting on the command, the next invocations MaxConcurrency allows).
   */
  private async answer(identity: AgentIdentity, ref: MessageRef, event: InvocationEvent): Promise<void> {
    const { scope, nodeId } = identity;
    if (ref.instanceId !== nodeId) throw new ServiceError('AccessDeniedException', `The credentials of ${nodeId} cannot answer for ${ref.instanceId}.`);
    const { store, commands, clock, engine } = this.options;
    const now = clock.now();
    const applied = await store.transaction((tx) => commands.apply(tx, scope, ref.commandId, nodeId, event, now));
    if (!applied) return;
    commands.afterCommit(applied.effects);
    if (applied.own.some((e) => e.kind === 'report-changed' && e.ended)) await engine.wake();
  }
}

const NODE_PAGE = 200;

/**
 * DeregisterManagedInstance's effect on delivery, in its transaction: every invocation of the node its agent
 * does not have yet ends Undeliverable and a cancel message waiting for it is dropped (domain/commands.ts
 * endUndeliverable). Its credentials stop working with the node's row (the store's credential read requires
 * the node). Nothing to wake: the ended invocations are due now, and the engine starts what they leave room for.
 */
export async function endInvocationsOfNode(tx: StoreOperations, scope: Scope, nodeId: string, now: number): Promise<void> {
  const commandIds = new Set<string>();
  for (let before = Number.MAX_SAFE_INTEGER; ;) {
    const page = await tx.listCommandInvocations(scope, { instanceId: nodeId }, before, NODE_PAGE);
    for (const { item } of page) if (!isFinal(item.status) || item.cancelDelivery === 'queued') commandIds.add(item.commandId);
    if (page.length < NODE_PAGE) break;
    before = page.at(-1)!.key;
  }
  // In id order: the order every transaction locks commands in (storage/postgres/postgres-store.ts).
  for (const commandId of [...commandIds].sort()) {
    const command = await tx.getCommand(scope, commandId);
    if (!command) continue;
    const change = endUndeliverable(command, await tx.getCommandInvocations(scope, commandId), nodeId, now);
    if (change.changed.length > 0) await saveCommandChange(tx, scope, command, change.command, change.invocations, change.changed, now);
  }
}
