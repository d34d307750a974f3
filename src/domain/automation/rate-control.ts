// An automation execution with rate control (StartAutomationExecution with TargetParameterName and
// Targets, or TargetMaps): the runbook runs once per target as a child execution, at most MaxConcurrency
// at a time; once more children failed than MaxErrors allows, no more start. The parent's status: Success
// when every child succeeded, Cancelled when stopped, else Failed [I: AWS's wording for a run whose
// failures stayed within MaxErrors is not recorded]. Pure; the runtime starts and stops the children
// (the `start-target` and `stop-target` effects) and reports their ends as `work-ended` for `target:N`.

import { concurrencyLimit, errorThreshold } from '../execution.ts';

export type TargetRunStatus = 'Pending' | 'InProgress' | 'Success' | 'Failed' | 'TimedOut' | 'Cancelled';

export interface TargetRun {
  /** What names the target: the value given to TargetParameterName, or the TargetMaps entry as JSON. */
  target: string;
  /** The parameters this child adds to (or overrides in) the parent's. */
  parameters: Record<string, string[]>;
  status: TargetRunStatus;
  childId?: string;
}

export interface RateControl {
  targetParameterName?: string;
  targets?: { key: string; values: string[] }[];
  targetMaps?: Record<string, string[]>[];
  maxConcurrency: string;
  maxErrors: string;
  runs: TargetRun[];
}

/** AWS's defaults for rate-controlled automation (the console's: 10 at a time, no error allowed) [I]. */
export const DEFAULT_AUTOMATION_CONCURRENCY = '10';
export const DEFAULT_AUTOMATION_ERRORS = '0';

const FINAL = new Set<TargetRunStatus>(['Success', 'Failed', 'TimedOut', 'Cancelled']);

export function isRunFinal(run: TargetRun): boolean {
  return FINAL.has(run.status);
}

export function errorsOf(rate: RateControl): number {
  return rate.runs.filter((r) => r.status === 'Failed' || r.status === 'TimedOut').length;
}

/** The runs to start now: Pending ones in order, up to MaxConcurrency minus those running; none past MaxErrors. */
export function startableRuns(rate: RateControl): number[] {
  if (errorsOf(rate) > errorThreshold(rate.maxErrors, rate.runs.length)) return [];
  const running = rate.runs.filter((r) => r.status === 'InProgress').length;
  const room = Math.max(0, concurrencyLimit(rate.maxConcurrency, rate.runs.length) - running);
  return rate.runs.flatMap((r, i) => (r.status === 'Pending' ? [i] : [])).slice(0, room);
}

/** The parent's end once no run is left to wait for, or undefined while one is. */
export function rateControlledEnd(rate: RateControl): 'Success' | 'Failed' | 'Cancelled' | undefined {
  const stopped = errorsOf(rate) > errorThreshold(rate.maxErrors, rate.runs.length);
  const waiting = rate.runs.some((r) => r.status === 'InProgress' || (r.status === 'Pending' && !stopped));
  if (waiting) return undefined;
  if (rate.runs.every((r) => r.status === 'Success')) return 'Success';
  if (rate.runs.every((r) => r.status === 'Success' || r.status === 'Cancelled') && rate.runs.some((r) => r.status === 'Cancelled') && errorsOf(rate) === 0) return 'Cancelled';
  return 'Failed';
}

/** ProgressCounters as the API shows them for a rate-controlled execution. */
export function progressCounters(rate: RateControl): { TotalSteps: number; SuccessSteps: number; FailedSteps: number; CancelledSteps: number; TimedOutSteps: number } {
  const count = (status: TargetRunStatus) => rate.runs.filter((r) => r.status === status).length;
  return { TotalSteps: rate.runs.length, SuccessSteps: count('Success'), FailedSteps: count('Failed'), CancelledSteps: count('Cancelled'), TimedOutSteps: count('TimedOut') };
}

/**
 * The runs a request asks for: one per value of the targets (TargetParameterName), or one per TargetMaps
 * entry. `resolve` turns resource criteria (tags, resource groups, instance ids) into values.
 */
export function targetRuns(input: { targetParameterName?: string; targets?: { key: string; values: string[] }[]; targetMaps?: Record<string, string[]>[] }, resolve: (targets: { key: string; values: string[] }[]) => string[]): TargetRun[] {
  if (input.targetMaps && input.targetMaps.length > 0) {
    return input.targetMaps.map((map) => ({ target: JSON.stringify(map), parameters: map, status: 'Pending' }));
  }
  const name = input.targetParameterName!;
  const targets = input.targets ?? [];
  const byValue = targets.find((t) => t.key === 'ParameterValues');
  const values = byValue ? byValue.values : resolve(targets);
  return [...new Set(values)].map((value) => ({ target: value, parameters: { [name]: [value] }, status: 'Pending' }));
}
