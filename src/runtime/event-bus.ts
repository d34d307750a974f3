// Delivers the recorded state-change events (the outbox, see domain/events.ts) to their targets, after the
// transactions that recorded them: each webhook and EventBridge target gets every event at least once, in
// the service's order, with retries and backoff; live subscribers (the server-sent event stream) get
// them as they come. A slow or dead receiver only holds back its own target: the engine never waits.
// On PostgreSQL, one replica at a time delivers to a target (a lease in the store).
//
// Whose events: a target added by an account receives that account's events of its Region only; the
// operator's targets (the command line's) receive every event. A live subscriber gets its scope's.
//
// A live subscriber takes events only as fast as it can: it has a cursor (the last event it passed), and
// while its sink is full (its client does not read) nothing more is written to it; when the sink drains,
// it reads what it missed from the store, a page at a time, and goes on live once it has caught up. So a
// subscriber holds at most what its sink holds plus one page, however far behind it is.

import { eventInScope, type EventTarget, type EventTargetState, type SequencedEvent } from '../domain/events.ts';
import type { Scope } from '../domain/model.ts';
import type { Clock, Store } from '../service/ports.ts';
import { type Deliver, type DeliveryOutcome, TargetWorker } from './event-target-worker.ts';

/** How often the store is read for events recorded by another replica (this one's wake the bus at once). */
const TAIL_EVERY_MS = 500;
const BATCH = 100;
/** Events read at once for a subscriber catching up (a resumed stream, or one whose client fell behind). */
const STREAM_PAGE = 100;

export type { Deliver } from './event-target-worker.ts';

export interface EventBusOptions {
  store: Store;
  /** This replica's name, for the delivery leases. */
  owner: string;
  deliver: Deliver;
  /** The real time (systemClock), never the manual clock: leases and a receiver's backoff are real waits. */
  realClock: Clock;
  /** How long a replica holds a target's delivery unrenewed (default 15 s). */
  leaseMs?: number;
  /** Events kept at most (delivered or not); older ones are dropped, and a target that had not had them misses them. */
  retention: number;
  log?: (message: string, fields?: Record<string, unknown>) => void;
  /** Delivery outcomes, for the metrics. */
  observe?: (outcome: DeliveryOutcome) => void;
  /** First retry delay of a failed delivery; doubled at each failure up to maxBackoffMs (default 500 ms). */
  backoffMs?: number;
  /** The longest wait between retries (default 30 s). */
  maxBackoffMs?: number;
}

export interface EventFilter {
  /** Only this account's events in this Region (undefined: every event). */
  scope?: Scope;
  detailTypes?: readonly string[];
  windowIds?: readonly string[];
}

/** Where a subscriber's events go (the live stream's response). */
export interface EventSink {
  /** Takes one event; false when it holds all it may: nothing more is written until `resume()`. */
  write(event: SequencedEvent): boolean;
  /** The subscription is over (the service stops, or the store could not be read). */
  end(error?: Error): void;
}

/** A live subscription: `resume` after the sink drained, `stop` when its client is gone. */
export interface Subscription {
  resume(): void;
  stop(): void;
}

interface Subscriber {
  filter: EventFilter;
  sink: EventSink;
  /** The seq of the last event passed (written or not matching). */
  cursor: number;
  /** Caught up: takes events from the tail as they are read. Otherwise it reads them from the store. */
  live: boolean;
  /** The sink is full: waits for resume(). */
  blocked: boolean;
  pumping: boolean;
  stopped: boolean;
}

function matches(filter: EventFilter, event: SequencedEvent): boolean {
  if (!eventInScope(event.event, filter.scope)) return false;
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

  /**
   * Starts delivering; `initialTargets` (from the command line: the operator's, without a scope, so they
   * receive every account's events) are added, keeping progress they already have.
   */
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
    for (const s of this.subscribers) {
      s.stopped = true;
      s.sink.end();
    }
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

  /** Adds a target (of its scope, or the operator's without one); it receives the events recorded from now. */
  async addTarget(target: EventTarget): Promise<EventTargetState> {
    await this.options.store.addEventTarget(target, await this.options.store.lastEventSeq());
    await this.refreshTargets();
    return (await this.options.store.listEventTargets(target.scope ?? null)).find((t) => t.target.id === target.id)!;
  }

  /** Removes a target of `owner` (null: the operator's); false when that owner has none of that id. */
  async removeTarget(id: string, owner: Scope | null): Promise<boolean> {
    const removed = await this.options.store.deleteEventTarget(id, owner);
    await this.refreshTargets();
    return removed;
  }

  /** The targets of `owner` (null: the operator's). */
  targets(owner: Scope | null): Promise<EventTargetState[]> {
    return this.options.store.listEventTargets(owner);
  }

  /**
   * Live events matching `filter`, from `afterSeq` when given (a stream resumed with Last-Event-ID gets
   * what it missed, as far as it is still kept), written to `sink` as fast as it takes them.
   */
  subscribe(filter: EventFilter, sink: EventSink, afterSeq?: number): Subscription {
    const s: Subscriber = { filter, sink, cursor: afterSeq ?? this.tailSeq, live: afterSeq === undefined, blocked: false, pumping: false, stopped: false };
    this.subscribers.add(s);
    if (!s.live) void this.pump(s);
    return {
      resume: () => {
        if (s.stopped || !s.blocked) return;
        s.blocked = false;
        void this.pump(s);
      },
      stop: () => {
        s.stopped = true;
        this.subscribers.delete(s);
      },
    };
  }

  /** Undelivered events of the target furthest behind (the metrics' queue depth). */
  async depth(): Promise<number> {
    const targets = await this.options.store.listEventTargets();
    if (targets.length === 0) return 0;
    const last = await this.options.store.lastEventSeq();
    return Math.max(0, last - Math.min(...targets.map((t) => t.deliveredSeq)));
  }

  // ----

  /** Brings a subscriber that is not live up to the tail from the store, a page at a time, while its sink takes them. */
  private async pump(s: Subscriber): Promise<void> {
    if (s.pumping) return;
    s.pumping = true;
    try {
      while (!s.stopped && !s.blocked && !s.live) {
        const tailBefore = this.tailSeq;
        const page = await this.options.store.readEvents(s.cursor, STREAM_PAGE, s.filter.scope);
        if (s.stopped) return;
        if (page.length === 0) {
          // Nothing of its scope after the cursor: every event up to tailBefore was committed before this read.
          s.cursor = Math.max(s.cursor, tailBefore);
          // Live only if the tail has not read past the cursor meanwhile (what it read then was not sent here).
          if (s.cursor >= this.tailSeq) s.live = true;
          continue;
        }
        for (const e of page) {
          if (e.seq <= s.cursor) continue;
          s.cursor = e.seq;
          if (matches(s.filter, e) && !s.sink.write(e)) {
            s.blocked = true;
            break;
          }
        }
      }
    } catch (error) {
      s.stopped = true;
      this.subscribers.delete(s);
      s.sink.end(error as Error);
    } finally {
      s.pumping = false;
    }
  }

  /** Events the tail read, to each live subscriber; one whose sink fills stops being live (it reads the rest from the store later). */
  private dispatch(events: SequencedEvent[]): void {
    for (const s of this.subscribers) {
      if (!s.live) continue;
      for (const e of events) {
        if (e.seq <= s.cursor) continue;
        s.cursor = e.seq;
        if (matches(s.filter, e) && !s.sink.write(e)) {
          s.live = false;
          s.blocked = true;
          break;
        }
      }
    }
  }

  private hasLiveSubscriber(): boolean {
    for (const s of this.subscribers) if (s.live) return true;
    return false;
  }

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
          if (!this.hasLiveSubscriber()) {
            // Nobody watches live: no need to read the events themselves (each target and catching-up subscriber reads its own).
            this.tailSeq = await this.options.store.lastEventSeq();
          }
          for (;;) {
            if (!this.hasLiveSubscriber()) break;
            const events = await this.options.store.readEvents(this.tailSeq, BATCH);
            if (events.length === 0) break;
            this.tailSeq = events.at(-1)!.seq;
            this.dispatch(events);
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
