// Delivers the recorded events to one target (a webhook, an EventBridge bus), in the service's order, at
// least once: it holds the target's delivery lease while it works (one replica at a time delivers to a
// target), saves its progress after each delivery, and backs off after a failure, doubling the wait.

import type { EventTarget, ServiceEvent } from '../domain/events.ts';
import type { Clock, Store } from '../service/ports.ts';

/** How long a replica holds a target's delivery unrenewed, unless EventBusOptions.leaseMs says otherwise. */
const LEASE_MS = 15_000;
/** The longest wait between retries, unless EventBusOptions.maxBackoffMs says otherwise. */
const MAX_BACKOFF_MS = 30_000;

/** Sends events to one target; throws when the target did not take them. */
export type Deliver = (target: EventTarget, events: ServiceEvent[]) => Promise<void>;

/** A delivery's outcome, for the metrics. */
export type DeliveryOutcome = { target: EventTarget; delivered: number } | { target: EventTarget; error: string } | { target: EventTarget; dropped: number };

/** What a worker is given: the event bus's options (EventBusOptions documents each, with its default). */
export interface TargetWorkerOptions {
  store: Store;
  owner: string;
  deliver: Deliver;
  realClock: Clock;
  leaseMs?: number;
  backoffMs?: number;
  maxBackoffMs?: number;
  log?: (message: string, fields?: Record<string, unknown>) => void;
  observe?: (outcome: DeliveryOutcome) => void;
}

/** Delivers to one target, in order, holding the target's lease while it works. */
export class TargetWorker {
  private readonly target: EventTarget;
  private readonly options: TargetWorkerOptions;
  private working: Promise<void> | undefined;
  private pending = false;
  private stopped = false;
  private retryTimer: NodeJS.Timeout | undefined;
  /** While backing off after a failure, new events do not bring the retry forward. */
  private retryAt = 0;

  constructor(target: EventTarget, options: TargetWorkerOptions) {
    this.target = target;
    this.options = options;
  }

  nudge(force = false): void {
    if (this.stopped || (!force && this.options.realClock.now() < this.retryAt)) return;
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
      const now = this.options.realClock.now();
      if (!(await store.claimEventTarget(this.target.id, owner, now, now + (this.options.leaseMs ?? LEASE_MS)))) return; // another replica delivers
      const state = (await store.listEventTargets()).find((t) => t.target.id === this.target.id);
      if (!state) return;
      let { deliveredSeq } = state;
      const first = await store.firstEventSeq();
      if (first !== undefined && first > deliveredSeq + 1) {
        // Dropped beyond the retention before this target took them: say so, and go on from what is kept
        // (for an account's target the count is at most this: other accounts' events are counted too).
        this.options.observe?.({ target: this.target, dropped: first - deliveredSeq - 1 });
        this.options.log?.('event target missed events dropped beyond the retention', { target: this.target.id, missed: first - deliveredSeq - 1 });
        deliveredSeq = first - 1;
      }
      // An account's target reads only its account's events of its Region; the operator's read them all.
      const lastBefore = this.target.scope ? await store.lastEventSeq() : deliveredSeq;
      const events = await store.readEvents(deliveredSeq, this.target.kind === 'eventbridge' ? 10 : 1, this.target.scope);
      if (events.length === 0) {
        // None of its events up to lastBefore (committed before the read): it is not behind on the others'.
        deliveredSeq = Math.max(deliveredSeq, lastBefore);
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
        this.retryAt = this.options.realClock.now() + delay;
        this.retryTimer = setTimeout(() => this.nudge(true), delay);
        return;
      }
      this.retryAt = 0;
      await store.saveEventTargetProgress(this.target.id, owner, { deliveredSeq: events.at(-1)!.seq, failures: 0 });
      this.options.observe?.({ target: this.target, delivered: events.length });
    }
  }
}
