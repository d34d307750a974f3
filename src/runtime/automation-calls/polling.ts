// Waiting on a resource for a step (an instance to stop, an image to be available, an execution to end):
// checks on the real clock, the first at once, then after 1, 2, 4... seconds, at most 10 apart [ours]; never
// longer than the step's time limit, and no longer than the step still waits for it (a stop, a timeout on
// the service clock, a restart elsewhere). A wait holds no engine step: it runs beside the engine, whose
// inbox gets its answer.

import { setTimeout as pause } from 'node:timers/promises';
import type { AutomationExecution, StepExecution } from '../../domain/automation/execution.ts';
import { currentStep } from '../../domain/automation/execution.ts';
import type { Scope } from '../../domain/model.ts';
import type { Store } from '../../service/ports.ts';

const FIRST_PAUSE_MS = 1_000;
const LONGEST_PAUSE_MS = 10_000;

export interface StepRequest {
  scope: Scope;
  execution: AutomationExecution;
  step: StepExecution;
  /** Aborted when the step stops waiting here (stopped, timed out) or the service stops. */
  signal: AbortSignal;
}

export type PollEnd<T> = { kind: 'done'; value: T } | { kind: 'timed-out' } | { kind: 'unwanted' };

/** True while the execution's running step is still this attempt of this step, waiting for its work. */
export async function stillWanted(store: Store, { scope, execution, step }: Pick<StepRequest, 'scope' | 'execution' | 'step'>): Promise<boolean> {
  const now = await store.getAutomationExecution(scope, execution.id);
  const running = now && currentStep(now);
  return running?.stepExecutionId === step.stepExecutionId && running.attempt === step.attempt && running.wait?.kind === 'work';
}

/**
 * Calls `check` until it gives a value (done), `limitSeconds` of real time pass (timed-out), or the step no
 * longer waits (unwanted). An abort of `signal` (the service stops) rejects.
 */
export async function pollUntil<T>(options: { limitSeconds: number; signal: AbortSignal; wanted: () => Promise<boolean> }, check: () => Promise<T | undefined>): Promise<PollEnd<T>> {
  const deadline = Date.now() + options.limitSeconds * 1000;
  let wait = FIRST_PAUSE_MS;
  for (;;) {
    options.signal.throwIfAborted();
    const value = await check();
    if (value !== undefined) return { kind: 'done', value };
    const left = deadline - Date.now();
    if (left <= 0) return { kind: 'timed-out' };
    try {
      await pause(Math.min(wait, left), undefined, { signal: options.signal });
    } catch (error) {
      options.signal.throwIfAborted(); // the stop's own reason, not the timer's AbortError
      throw error;
    }
    wait = Math.min(wait * 2, LONGEST_PAUSE_MS);
    if (!(await options.wanted())) return { kind: 'unwanted' };
  }
}
