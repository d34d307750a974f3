// The engine: fires due windows and moves running executions forward, one event time after another.
// On the system clock a timer wakes it at the next event (and at least every second, to see windows the
// API just created); on the manual clock it moves only when the clock is advanced, processing every event
// on the way at its own instant. Every step is one store transaction; every entry point is serialized.
//
// A request that committed its write and then wakes the engine (SendCommand, CancelCommand, an agent's
// reply) gets its answer whatever the engine's work does: a step the database gave up to break a deadlock
// is reloaded and run again (STEP_ATTEMPTS), and a step that still fails is logged and left to the next
// tick, never turned into the request's 500 (issue 28, finding 6: a retried SendCommand runs twice).

import { setImmediate, setTimeout as pause } from 'node:timers/promises';
import { DoesNotExistException } from '../domain/errors.ts';
import type { AutomationExecution } from '../domain/automation/execution.ts';
import type { WindowExecution } from '../domain/execution.ts';
import type { Scope } from '../domain/model.ts';
import { nextFireAfter } from '../domain/window-rules.ts';
import type { ManualClock } from '../service/manual-clock.ts';
import { type Clock, type IdGenerator, type Store, type StoreOperations, TransactionConflictError } from '../service/ports.ts';
import { ChangeBatch } from './change-batch.ts';
import type { AutomationExecutor, PendingCall } from './automation-executor.ts';
import type { CommandEffect, CommandExecutor } from './command-executor.ts';
import { ExecutionClaims } from './execution-claims.ts';
import { Executor } from './executor.ts';
import type { ReplicaIdentity } from './replica-identity.ts';
import type { RecordedEvent } from '../domain/events.ts';
import type { EngineMetrics } from './metrics.ts';
import type { StateEvents, StepEvents } from './state-events.ts';
import type { TaskRunner } from './task-runners/task-runner.ts';

/** A scheduled run found this much later than its time (the process was stalled) is skipped, not replayed. */
const MISSED_RUN_GRACE_MS = 60_000;
const MAX_TIMER_MS = 1_000;
/** Windows fired per step: small enough that replicas firing together share the work (each step commits). */
const DUE_BATCH = 25;
/** Running executions moved forward per step (the loop comes back at the same instant for the rest). */
const ADVANCE_BATCH = 50;
/** The longest the loop runs without letting other work (HTTP requests) in. */
const YIELD_EVERY_MS = 20;
/**
 * How many times the loop runs when its step is given up to break a deadlock or a serialization conflict
 * (each time after reloading from the store, and a random pause of up to 10, 20, 40, ... ms).
 */
const STEP_ATTEMPTS = 5;

export interface EngineOptions {
  store: Store;
  /** Turns the history's state changes into events (recorded with them); none when absent. */
  events?: StateEvents;
  /** How late windows fire and how many executions are taken over. */
  metrics?: EngineMetrics;
  /** Told after a step that recorded events has committed (the event bus delivers them). */
  onEventsRecorded?: (events: RecordedEvent[]) => void;
  clock: Clock;
  /**
   * The real time, whatever `clock` is: leases and claims are about processes being alive, and how late a
   * window fired is measured against it (systemClock at the composition root).
   */
  realClock: Clock;
  /** Present when the clock is manual: the engine sets it to each event time it processes. */
  manualClock?: ManualClock;
  ids: IdGenerator;
  runner: TaskRunner;
  /** Moves Run Command commands on the same clock (their delivery, reports, rate control). */
  commands?: CommandExecutor;
  /** Moves automation executions on the same clock (their steps, sleeps, the news in their inbox). */
  automations?: AutomationExecutor;
  log: (message: string, fields?: Record<string, unknown>) => void;
  /** This replica's name in leases (unique per process): replicaName(identity). */
  owner: string;
  /** Who this replica is, to recognise leases left by dead processes of this host (replica-identity.ts). */
  identity?: ReplicaIdentity;
  /**
   * How long a replica holds a running execution without renewing it; after that another replica takes
   * it over. Measured on `realClock` (it is about processes being alive), whatever the engine's clock.
   */
  leaseMs: number;
}

export class Engine {
  private readonly options: EngineOptions;
  private readonly executor: Executor;
  private readonly claims: ExecutionClaims;
  private queue: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(options: EngineOptions) {
    this.options = options;
    this.executor = new Executor(options.ids, options.runner);
    const { store, owner, identity, leaseMs, realClock, metrics, log } = options;
    this.claims = new ExecutionClaims({ store, executor: this.executor, owner, identity, leaseMs, realClock, metrics, log });
  }

  /**
   * Moves fire times that passed while the service was down to the next run (missed runs are not
   * replayed; times still within the grace are left for whichever replica fires them), releases the
   * leases of dead processes of this host, takes over running executions nobody holds (execution-claims.ts),
   * and starts the timer.
   */
  async start(): Promise<void> {
    await this.serialized(async () => {
      const { store, clock } = this.options;
      const now = clock.now();
      const staleBefore = this.options.manualClock ? now : now - MISSED_RUN_GRACE_MS;
      await store.transaction(async (tx) => {
        for (const { scope, window, nextFireAt } of await tx.listAllWindows()) {
          if (nextFireAt === undefined || nextFireAt < staleBefore) await tx.setNextFire(scope, window.id, nextFireAfter(window, now));
        }
      });
      await this.claims.releaseDeadLocalReplicas();
      await this.claims.claimWork();
    });
    if (!this.options.manualClock) this.schedule(0);
  }

  /** Stops the timer and hands this replica's running executions back, for another replica (or the next start). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.queue;
    await this.claims.release();
  }

  /** Starts an execution of the window now, as if its schedule had fired. */
  async fireNow(scope: Scope, windowId: string): Promise<WindowExecution> {
    return this.serialized(async () => {
      const now = this.options.clock.now();
      const window = await this.options.store.getWindow(scope, windowId);
      if (!window) throw new DoesNotExistException({ kind: 'window', id: windowId });
      const execution = await this.retried(() => this.step(now, (tx, batch) => this.executor.fire(tx, batch, scope, window, now)));
      await this.settle(now); // invocations that take no time end now, not at the next clock move
      return execution;
    });
  }

  /** StartAutomationExecution: stored and started in one transaction; calls its first step asks for begin after the commit. */
  async startAutomation(scope: Scope, execution: AutomationExecution, once?: (tx: StoreOperations, create: () => Promise<string>) => Promise<string>): Promise<string> {
    const automations = this.options.automations;
    if (!automations) throw new Error('startAutomation needs the automation executor');
    return this.serialized(async () => {
      const now = this.options.clock.now();
      let calls: PendingCall[] = [];
      const id = await this.options.store.transaction(async (tx) => {
        calls = [];
        const create = async () => {
          const started = await automations.start(tx, scope, { ...execution, createdAt: now }, now);
          calls = started.calls;
          return started.execution.id;
        };
        return once ? once(tx, create) : create();
      });
      automations.afterCommit(calls);
      await this.settle(now);
      return id;
    });
  }

  /** CancelMaintenanceWindowExecution: unknown ids fail; finished executions are left as they are. */
  async cancel(scope: Scope, executionId: string): Promise<void> {
    await this.serialized(async () => {
      const execution = await this.options.store.getWindowExecution(scope, executionId);
      if (!execution) throw new DoesNotExistException({ kind: 'execution', id: executionId });
      const now = this.options.clock.now();
      await this.retried(() => this.step(now, (tx, batch) => this.executor.cancel(tx, batch, executionId, now)));
      await this.settle(now);
    });
  }

  /**
   * Processes everything due now (a command just sent or cancelled), on either clock. Never rejects: the
   * caller's write has committed, and its answer must not depend on this work (settle()).
   */
  async wake(): Promise<void> {
    await this.serialized(() => this.settle(this.options.clock.now()));
  }

  /** Manual clock: processes every event up to `target` at its own instant, then leaves the clock at `target`. */
  async advanceTo(target: number): Promise<void> {
    const manual = this.options.manualClock;
    if (!manual) throw new Error('advanceTo needs the manual clock');
    await this.serialized(async () => {
      if (target < manual.now()) throw new RangeError('the manual clock cannot move backwards');
      await this.retried(() => this.runUntil(target));
      manual.set(target);
    });
  }

  // ---- the loop

  /**
   * runUntil after a caller's own write committed: conflicts are retried, and a failure that remains is
   * logged, not thrown (the next tick, wake or clock move takes the work up again from the store).
   */
  private async settle(limit: number): Promise<void> {
    try {
      await this.retried(() => this.runUntil(limit));
    } catch (error) {
      this.options.log('engine work after a committed request failed; left to the next tick', { at: limit, error: String((error as Error)?.stack ?? error) });
    }
  }

  /**
   * Runs `work` (a step, or the loop) again when the database gave its transaction up to break a deadlock
   * or a serialization conflict: step() has already put the executor back to what was committed.
   */
  private async retried<T>(work: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await work();
      } catch (error) {
        if (!(error instanceof TransactionConflictError) || attempt >= STEP_ATTEMPTS) throw error;
        this.options.log('engine step gave way in a database conflict; running it again', { attempt, sqlState: error.sqlState });
        await pause(Math.random() * 10 * 2 ** (attempt - 1));
      }
    }
  }

  private async runUntil(limit: number): Promise<void> {
    await this.claims.claimWork();
    let yieldedAt = performance.now();
    for (;;) {
      // A long clock advance (years of a daily window) is thousands of steps, each of which SQLite runs
      // without giving the event loop a turn: let requests in between, so the service stays responsive.
      if (performance.now() - yieldedAt > YIELD_EVERY_MS) {
        await setImmediate();
        yieldedAt = performance.now();
      }
      const ownWork = this.executor.nextEventAt();
      const commandWork = await this.otherWorkAt();
      const next = await this.nextEventAt(ownWork, commandWork);
      if (next === undefined || next > limit) return;
      const at = Math.max(next, this.options.manualClock ? this.options.manualClock.now() : next);
      this.options.manualClock?.set(at);
      // Work that ends at this instant ends before the windows due now fire, so a run that finishes
      // exactly when the next occurrence comes does not make that occurrence SKIPPED_OVERLAPPING.
      let wakes: CommandEffect[] = [];
      let calls: PendingCall[] = [];
      const fired = await this.step(at, async (tx, batch) => {
        if (commandWork !== undefined && commandWork <= at) {
          wakes = (await this.options.commands?.advanceDue(tx, at)) ?? [];
          // Automation steps after the commands: a command that ended now is news for its step now.
          calls = (await this.options.automations?.advanceDue(tx, at)) ?? [];
          await this.executor.applyReports(tx, batch, this.options.owner, at);
        }
        await this.executor.advanceDue(tx, batch, at, ADVANCE_BATCH);
        const moreWorkNow = (this.executor.nextEventAt() ?? Number.POSITIVE_INFINITY) <= at;
        return moreWorkNow ? 0 : this.fireDue(tx, batch, at);
      });
      // Messages the step queued reach the polls waiting here now that it has committed; calls begin.
      this.options.commands?.afterCommit(wakes);
      this.options.automations?.afterCommit(calls);
      // Due windows that another replica is firing right now are locked and skipped: nothing to do here
      // until it commits, so wait for the next tick instead of spinning.
      if (fired === 0 && (ownWork === undefined || ownWork > at) && !(commandWork !== undefined && commandWork <= at)) return;
    }
  }

  /**
   * When a Run Command command or an automation execution next has something due (undefined when none
   * has): both move in the same part of a step.
   */
  private async otherWorkAt(): Promise<number | undefined> {
    const { commands, automations, store, owner } = this.options;
    const times = [commands ? await store.earliestCommandEvent(owner) : undefined, automations ? await store.earliestAutomationEvent() : undefined];
    const known = times.filter((t): t is number => t !== undefined);
    return known.length === 0 ? undefined : Math.min(...known);
  }

  /** The earliest of the next fire time, `work` and `commandWork` (the executor's own next event, when known). */
  private async nextEventAt(work: number | undefined, commandWork?: number): Promise<number | undefined> {
    const times = [work, commandWork, await this.options.store.earliestFireTime()];
    const known = times.filter((t): t is number => t !== undefined);
    return known.length === 0 ? undefined : Math.min(...known);
  }

  /** Fires up to one batch of due windows (the loop in runUntil comes back for more); returns how many were due. */
  private async fireDue(tx: StoreOperations, batch: ChangeBatch, now: number): Promise<number> {
    const due = await tx.listDueWindows(now, DUE_BATCH);
    for (const { scope, window, fireAt } of due) {
      const stale = !this.options.manualClock && fireAt < now - MISSED_RUN_GRACE_MS;
      if (!stale) await this.executor.fire(tx, batch, scope, window, fireAt);
      if (!stale && !this.options.manualClock) this.options.metrics?.windowFired(this.options.realClock.now() - fireAt);
      await tx.setNextFire(scope, window.id, nextFireAfter(window, stale ? now : fireAt));
    }
    return due.length;
  }

  /**
   * One atomic step: renew this replica's leases (which also locks its executions for the step and tells
   * which ones another replica took over), run `work`, let the runner decide the new invocations, write.
   */
  private async step<T>(now: number, work: (tx: StoreOperations, batch: ChangeBatch) => Promise<T>): Promise<T> {
    let events: StepEvents | undefined;
    try {
      // Not retried by the store: the work changes the executor's memory, which a rollback does not undo.
      const outcome = await this.options.store.transaction(async (tx) => {
        const lease = this.claims.lease();
        this.executor.forgetAllBut(new Set(await tx.renewLeases(lease)));
        events = this.options.events?.step(now);
        const batch = new ChangeBatch(events);
        const result = await work(tx, batch);
        await this.executor.settleDrafts(tx, batch);
        await batch.flush(tx, lease);
        return result;
      }, { retryConflicts: false });
      // Work outside the store that the step's invocations asked for (remote calls) begins only now.
      this.options.runner.afterCommit?.();
      if (events) {
        events.committed();
        if (events.events.length > 0) this.options.onEventsRecorded?.(events.events);
      }
      return outcome;
    } catch (error) {
      // Memory may now be ahead of the store: forget it and take the work back from what was committed.
      this.options.log('engine step failed; reloading running executions', { at: now, error: String((error as Error)?.stack ?? error) });
      this.options.runner.discard?.();
      this.executor.reset();
      await this.claims.release();
      await this.claims.claimWork();
      throw error;
    }
  }

  // ---- serialization and the system-clock timer

  private serialized<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.serialized(() => this.retried(() => this.runUntil(this.options.clock.now())))
        .catch((error: unknown) => this.options.log('engine tick failed', { error: String(error) }))
        .then(async () => {
          const next = await this.otherWorkAt().then((commandWork) => this.nextEventAt(this.executor.nextEventAt(), commandWork)).catch(() => undefined);
          const wait = next === undefined ? MAX_TIMER_MS : Math.min(MAX_TIMER_MS, Math.max(0, next - this.options.clock.now()));
          this.schedule(wait);
        });
    }, delayMs);
  }
}
