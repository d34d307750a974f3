// What every call of an Automation action uses: the service calls, the wait on a resource, and the shape
// of a step's failure. Small helpers over the step's (already resolved) inputs.

import type { WorkResult } from '../../domain/automation/execution.ts';
import type { PollEnd, StepRequest } from './polling.ts';
import { ServiceCallError, type ServiceCalls } from './service-calls.ts';
import { SelectorError } from './selectors.ts';

/** The reason a call's signal aborts when the service itself stops (not the step). */
export class ServiceStopping extends Error {
  constructor() {
    super('The service stopped while the step waited.');
  }
}

/** An action's call: the step's request, whose signal aborts when the step stops waiting or the service stops. */
export type StepCall = (request: StepRequest) => Promise<WorkResult>;

export interface CallKit {
  services: ServiceCalls;
  /** Polls `check` for `request`'s step, bounded by its timeoutSeconds, else `defaultSeconds`. */
  poll<T>(request: StepRequest, defaultSeconds: number, check: () => Promise<T | undefined>): Promise<PollEnd<T>>;
}

export const failed = (failureMessage: string, failureType = 'Verification', outputs?: Record<string, unknown>): WorkResult => ({
  status: 'Failed', failureMessage, failureType, ...(outputs ? { outputs } : {}),
});

export const timedOut = (what: string): WorkResult => ({ status: 'TimedOut', failureMessage: `Step timed out while ${what}.`, failureType: 'Timeout' });

/** How an expected failure (a service's refusal, a selector that does not fit) ends the step. */
export function failure(error: unknown): WorkResult {
  if (error instanceof ServiceCallError) return failed(error.message, 'Execution');
  if (error instanceof SelectorError) return failed(error.message, 'Verification');
  throw error;
}

export function text(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  return typeof value === 'string' ? value : JSON.stringify(value);
}

export function texts(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))) : [String(value)];
}

/** A Boolean input, given as true/false or as the text a parameter reference wrote into it. */
export function flag(value: unknown): boolean {
  return value === true || (typeof value === 'string' && value.toLowerCase() === 'true');
}

/** A required input, or a message saying it is missing. */
export function required(inputs: Record<string, unknown>, action: string, ...names: string[]): string | undefined {
  const missing = names.filter((n) => inputs[n] === undefined || inputs[n] === null || inputs[n] === '');
  return missing.length === 0 ? undefined : `${action} needs the input${missing.length > 1 ? 's' : ''} ${missing.join(', ')}.`;
}
