// The polls waiting for a node's messages in this process, and their wake-up. A delivery use case holds a
// poll here while nothing is queued for its node; whoever queued a message wakes the node's polls once
// the change that queued it has committed (the effects a command's change returns), never from inside
// the transaction, where a poll woken on PostgreSQL would look before the commit and find nothing.
// Another replica's queueing reaches this one through the wake bus when the store has one (PostgreSQL's
// LISTEN/NOTIFY): every wake is published to the other replicas once its change has committed. Without a
// bus (SQLite: one process) the local wake is all there is. Either way a held poll also looks at the store
// again when the bus comes back after a break. A taken message whose visibility ends is queued again by the
// engine (domain/command-invocation.ts), which wakes the node like any queueing: no poll looks on a timer.

import type { Scope } from '../domain/model.ts';

/** What a committed change asks of this process: wake the polls of a node a message now waits for. */
export interface PollWake {
  kind: 'wake-polls';
  scope: Scope;
  instanceId: string;
}

/** Wake-ups between replicas: keys published after a commit reach every replica's subscriber. */
export interface WakeBus {
  publish(keys: string[]): void;
  /** Starts listening; resolves with what stops it. `onResumed`: listening again after a break (wake-ups may have been missed). */
  subscribe(onKeys: (keys: string[]) => void, onResumed?: () => void): Promise<() => Promise<void>>;
}

export class PollWaiters {
  private readonly waiting = new Map<string, Set<() => void>>();
  /** Wake-ups so far per node (generation()). */
  private readonly woken = new Map<string, number>();
  private bus?: WakeBus;
  /** Keys woken this turn, woken here and published together once it ends. */
  private readonly outgoing = new Set<string>();

  /**
   * Wakes every poll of the node waiting here and, through the bus, on every other replica: on the next
   * turn of the event loop, so that whoever queued the message (SendCommand) answers before the woken polls
   * take their messages, and the wake-ups of one change go out together.
   */
  wake(scope: Scope, nodeId: string): void {
    if (this.outgoing.size === 0) setImmediate(() => this.flush());
    this.outgoing.add(nodeKey(scope, nodeId));
  }

  /** Wakes the node's polls of this process only (a channel stopping its own loop). */
  wakeHere(scope: Scope, nodeId: string): void {
    this.wakeKey(nodeKey(scope, nodeId));
  }

  /** Listens to the other replicas' wake-ups; resolves with what stops listening. */
  async connect(bus: WakeBus): Promise<() => Promise<void>> {
    this.bus = bus;
    const stop = await bus.subscribe((keys) => {
      for (const k of keys) this.wakeKey(k);
    }, () => this.wakeAll());
    return async () => {
      this.bus = undefined;
      await stop();
    };
  }

  private flush(): void {
    const keys = [...this.outgoing];
    this.outgoing.clear();
    for (const k of keys) this.wakeKey(k);
    if (keys.length > 0) this.bus?.publish(keys);
  }

  private wakeKey(k: string): void {
    this.woken.set(k, (this.woken.get(k) ?? 0) + 1);
    const set = this.waiting.get(k);
    if (set) for (const done of [...set]) done();
  }

  /** How many times the node was woken: read before looking at the store, given to wait() after. */
  generation(scope: Scope, nodeId: string): number {
    return this.woken.get(nodeKey(scope, nodeId)) ?? 0;
  }

  /** Wakes every waiter here (the wake bus was away a while: what it would have said is not known). */
  wakeAll(): void {
    for (const k of [...this.waiting.keys()]) this.wakeKey(k);
  }

  /**
   * Resolves when the node's polls are woken, or after `ms` (real time), whichever comes first; at once when
   * it was woken since `since` (its generation before the caller looked at the store), so a wake-up that
   * came between that look and this wait is not lost.
   */
  wait(scope: Scope, nodeId: string, ms: number, since?: number): Promise<void> {
    const k = nodeKey(scope, nodeId);
    if (since !== undefined && (this.woken.get(k) ?? 0) !== since) return Promise.resolve();
    return new Promise((resolve) => {
      let set = this.waiting.get(k);
      if (!set) this.waiting.set(k, (set = new Set()));
      const waiters = set;
      const done = () => {
        clearTimeout(timer);
        waiters.delete(done);
        if (waiters.size === 0 && this.waiting.get(k) === waiters) this.waiting.delete(k);
        resolve();
      };
      const timer = setTimeout(done, ms);
      waiters.add(done);
    });
  }

  /** How many polls wait (tests, metrics). */
  size(): number {
    let count = 0;
    for (const set of this.waiting.values()) count += set.size;
    return count;
  }
}

/** A node as one string, for the maps of what is held, woken or taken per node (here and beside). */
export function nodeKey(scope: Scope, nodeId: string): string {
  return `${scope.account}|${scope.region}|${nodeId}`;
}
