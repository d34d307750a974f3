// Delivers the recorded state-change events (the outbox, see domain/events.ts) to their targets, after the
// transactions that recorded them: each webhook and EventBridge target gets every event at least once, in
// the service's order, with retries and backoff; live subscribers (the server-sent event stream) get
// them as they come. A slow or dead receiver only holds back its own target: the engine never waits.
// On PostgreSQL, one replica at a time delivers to a target (a lease in the store).

import type { EventTarget, EventTargetState, SequencedEvent, ServiceEvent } from '../domain/events.ts';
import type { Store } from '../service/ports.ts';

/** How often the store is read for events recorded by another replica (this one's wake the bus at once). */
const TAIL_EVERY_MS = 500;
const LEASE_MS = 15_000;
const BATCH = 100;
const MAX_BACKOFF_MS = 30_000;

/** Sends events to one target; throws when the target did not take them. */
export type Deliver = (target: EventTarget, events: ServiceEvent[]) => Promise<void>;

export interface EventBusOptions {
  store: Store;
  /** This replica's name, for the delivery leases. */
  owner: string;
  deliver: Deliver;
  /** How long a replica holds a target's delivery unrenewed (default 15 s). */
  leaseMs?: number;
  /** Events kept at most (delivered or not); older ones are dropped, and a target that had not had them misses them. */
  retention: number;
  log?: (message: string, fields?: Record<string, unknown>) => void;
  /** Delivery outcomes, for the metrics. */
  observe?: (outcome: { target: EventTarget; delivered: number } | { target: EventTarget; error: string } | { target: EventTarget; dropped: number }) => void;
  /** First retry delay; doubled at each failure up to maxBackoffMs (default 30 s). */
  backoffMs?: number;
  maxBackoffMs?: number;
}

export interface EventFilter {
  detailTypes?: readonly string[];
  windowIds?: readonly string[];
}

interface Subscriber {
  filter: EventFilter;
  send(event: SequencedEvent): void;
  end?: () => void;
}

function matches(filter: EventFilter, event: SequencedEvent): boolean {
  if (filter.detailTypes?.length && !filter.detailTypes.includes(event.event['detail-type'])) return false;
  if (filter.windowIds?.length && !(event.windowId && filter.windowIds.includes(event.windowId))) return false;
  return true;
}

export class EventBus {
  private readonly options: EventBusOptions;
  private readonly subscribers = new Set<Subscriber>();
  private readonly workers = new Map<string, TargetWorker>();
  private tailSeq = 0;
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private tailing: Promise<void> | undefined;
  private again = false;

  constructor(options: EventBusOptions) {
    this.options = options;
  }

  /** Starts delivering; `initialTargets` (from the command line) are added, keeping progress they already have. */
  async start(initialTargets: EventTarget[]): Promise<void> {
    const { store } = this.options;
    this.tailSeq = await store.lastEventSeq();
    for (const target of initialTargets) await store.addEventTarget(target, this.tailSeq);
    this.running = true;
    await this.refreshTargets();
    this.schedule();
  }

  /** Ends every live stream (the service is stopping: they would keep its connections open). */
  endStreams(): void {
    for (const s of this.subscribers) s.end?.();
    this.subscribers.clear();
  }

  async stop(): Promise<void> {
    this.endStreams();
    this.running = false;
    clearTimeout(this.timer);
    await this.tailing;
    await Promise.all([...this.workers.values()].map((w) => w.stop()));
    this.workers.clear();
  }

  /** Something was recorded: look now instead of at the next tick. */
  wake(): void {
    if (!this.running) return;
    void this.tail();
  }

  async addTarget(target: EventTarget): Promise<EventTargetState> {
    await this.options.store.addEventTarget(target, await this.options.store.lastEventSeq());
    await this.refreshTargets();
    return (await this.options.store.listEventTargets()).find((t) => t.target.id === target.id)!;
  }

  async removeTarget(id: string): Promise<boolean> {
    const removed = await this.options.store.deleteEventTarget(id);
    await this.refreshTargets();
    return removed;
  }

  targets(): Promise<EventTargetState[]> {
    return this.options.store.listEventTargets();
  }

  /**
   * Live events matching `filter`, from `afterSeq` when given (a stream resumed with Last-Event-ID gets
   * what it missed, as far as it is still kept). Returns the function that ends the subscription.
   */
  async subscribe(filter: EventFilter, send: (event: SequencedEvent) => void, afterSeq?: number, end?: () => void): Promise<() => void> {
    const subscriber: Subscriber = { filter, send, end };
    if (afterSeq !== undefined) {
      // Catch up to the live tail first; events the tail reads meanwhile are sent after, in order.
      for (let seq = afterSeq; seq < this.tailSeq;) {
        const events = await this.options.store.readEvents(seq, BATCH);
        if (events.length === 0) break;
        for (const e of events) if (e.seq <= this.tailSeq && matches(filter, e)) send(e);
        seq = events.at(-1)!.seq;
      }
    }
    this.subscribers.add(subscriber);
    return () => this.subscribers.delete(subscriber);
  }

  /** Undelivered events of the target furthest behind (the metrics' queue depth). */
  async depth(): Promise<number> {
    const targets = await this.options.store.listEventTargets();
    if (targets.length === 0) return 0;
    const last = await this.options.store.lastEventSeq();
    return Math.max(0, last - Math.min(...targets.map((t) => t.deliveredSeq)));
  }

  // ----

  private schedule(): void {
    if (!this.running) return;
    this.timer = setTimeout(() => void this.tail().finally(() => this.schedule()), TAIL_EVERY_MS);
  }

  /** Reads what was recorded since the last look: to the live subscribers, and a nudge to every target. */
  private tail(): Promise<void> {
    if (this.tailing) {
      this.again = true;
      return this.tailing;
    }
    this.tailing = (async () => {
      try {
        do {
          this.again = false;
          if (this.subscribers.size === 0) {
            // Nobody watches live: no need to read the events themselves (each target reads its own).
            this.tailSeq = await this.options.store.lastEventSeq();
          }
          for (;;) {
            if (this.subscribers.size === 0) break;
            const events = await this.options.store.readEvents(this.tailSeq, BATCH);
            if (events.length === 0) break;
            this.tailSeq = events.at(-1)!.seq;
            for (const event of events) for (const s of this.subscribers) if (matches(s.filter, event)) s.send(event);
          }
          // Targets added or removed through another replica are picked up here too.
          await this.refreshTargets();
          for (const worker of this.workers.values()) worker.nudge();
        } while (this.again && this.running);
        // Pruned in steps of a tenth of the retention, not at every look: a delete per tick would cost more than the events.
        const first = await this.options.store.firstEventSeq();
        if (first !== undefined && this.tailSeq - first + 1 > this.options.retention * 1.1) {
          const pruned = await this.options.store.pruneEvents(this.options.retention);
          if (pruned > 0) this.options.log?.('events dropped beyond the retention', { pruned });
        }
      } catch (error) {
        this.options.log?.('reading events failed', { error: (error as Error).message });
      } finally {
        this.tailing = undefined;
      }
    })();
    return this.tailing;
  }

  private async refreshTargets(): Promise<void> {
    const known = await this.options.store.listEventTargets();
    const ids = new Set(known.map((t) => t.target.id));
    for (const [id, worker] of this.workers) {
      if (!ids.has(id)) {
        await worker.stop();
        this.workers.delete(id);
      }
    }
    for (const state of known) {
      if (!this.workers.has(state.target.id) && this.running) {
        const worker = new TargetWorker(state.target, this.options);
        this.workers.set(state.target.id, worker);
        worker.nudge();
      }
    }
  }
}

/** Delivers to one target, in order, holding the target's lease while it works. */
class TargetWorker {
  private readonly target: EventTarget;
  private readonly options: EventBusOptions;
  private working: Promise<void> | undefined;
  private pending = false;
  private stopped = false;
  private retryTimer: NodeJS.Timeout | undefined;
  /** While backing off after a failure, new events do not bring the retry forward. */
  private retryAt = 0;

  constructor(target: EventTarget, options: EventBusOptions) {
    this.target = target;
    this.options = options;
  }

  nudge(force = false): void {
    if (this.stopped || (!force && Date.now() < this.retryAt)) return;
    if (this.working) {
      this.pending = true;
      return;
    }
    this.working = this.work().finally(() => {
      this.working = undefined;
      if (this.pending && !this.stopped) {
        this.pending = false;
        this.nudge();
      }
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    await this.working;
    // Another replica (or this service started again) takes over at once instead of after the lease.
    await this.options.store.releaseEventTarget(this.target.id, this.options.owner).catch(() => undefined);
  }

  private async work(): Promise<void> {
    const { store, owner, deliver } = this.options;
    for (;;) {
      if (this.stopped) return;
      const now = Date.now();
      if (!(await store.claimEventTarget(this.target.id, owner, now, now + (this.options.leaseMs ?? LEASE_MS)))) return; // another replica delivers
      const state = (await store.listEventTargets()).find((t) => t.target.id === this.target.id);
      if (!state) return;
      let { deliveredSeq } = state;
      const first = await store.firstEventSeq();
      if (first !== undefined && first > deliveredSeq + 1) {
        // Dropped beyond the retention before this target took them: say so, and go on from what is kept.
        this.options.observe?.({ target: this.target, dropped: first - deliveredSeq - 1 });
        this.options.log?.('event target missed events dropped beyond the retention', { target: this.target.id, missed: first - deliveredSeq - 1 });
        deliveredSeq = first - 1;
      }
      const events = await store.readEvents(deliveredSeq, this.target.kind === 'eventbridge' ? 10 : 1);
      if (events.length === 0) {
        if (deliveredSeq !== state.deliveredSeq) await store.saveEventTargetProgress(this.target.id, owner, { deliveredSeq, failures: 0 });
        return;
      }
      try {
        await deliver(this.target, events.map((e) => e.event));
      } catch (error) {
        const failures = state.failures + 1;
        const message = (error as Error).message;
        await store.saveEventTargetProgress(this.target.id, owner, { deliveredSeq, failures, lastError: message });
        this.options.observe?.({ target: this.target, error: message });
        const delay = Math.min(this.options.maxBackoffMs ?? MAX_BACKOFF_MS, (this.options.backoffMs ?? 500) * 2 ** Math.min(failures - 1, 16));
        // Retried later with the same events (same ids): the receiver may de-duplicate.
        this.retryAt = Date.now() + delay;
        this.retryTimer = setTimeout(() => this.nudge(true), delay);
        return;
      }
      this.retryAt = 0;
      await store.saveEventTargetProgress(this.target.id, owner, { deliveredSeq: events.at(-1)!.seq, failures: 0 });
      this.options.observe?.({ target: this.target, delivered: events.length });
    }
  }
}
