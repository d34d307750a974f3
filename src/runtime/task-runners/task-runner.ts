// How an invocation turns out. The engine asks a runner when an invocation starts; the runner answers
// with the outcome and how long the invocation runs, so the engine can place its end on the clock
// (manual or system) and record it exactly. A runner that does real work (a shell, an HTTP call) would
// need to report its end later instead: that path is not built yet.

import type { Scope, TaskType } from '../../domain/model.ts';
import type { OutcomeStatus } from '../../domain/inventory.ts';

export interface InvocationRequest {
  scope: Scope;
  windowId: string;
  windowTaskId: string;
  taskArn: string;
  taskType: TaskType;
  /** Empty for a targetless task; several for a Run Command command. */
  resourceIds: string[];
  startTime: number;
}

export interface PlannedOutcome {
  status: OutcomeStatus;
  durationMs: number;
  statusDetails?: string;
}

export interface TaskRunner {
  /** Decides the outcome of a batch of invocations that start now (batched: one store round trip). */
  plan(requests: InvocationRequest[]): Promise<PlannedOutcome[]>;
}
