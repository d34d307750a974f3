// How an invocation's work is done. When an invocation starts, the engine hands it to a runner; the runner
// starts the work and answers either with the report it already knows and when it arrives (a simulated
// task: the engine places that report on the clock, manual or system), or with the id of the work it
// started and the status the work has now (a Run Command command: its later reports reach the engine
// through the store, as WindowReports). Either way the invocation ends only through a report
// (Executor.report), so simulated and real work share one path into the state machine.

import type { ExecutionStatus, Invocation } from '../../domain/execution.ts';
import type { Scope, TaskType } from '../../domain/model.ts';
import type { StoreOperations } from '../../service/ports.ts';

export interface InvocationRequest {
  scope: Scope;
  windowId: string;
  windowTaskId: string;
  windowExecutionId: string;
  taskExecutionId: string;
  invocationId: string;
  /** The id the invocation's work gets (its ExecutionId), e.g. the Run Command command id. */
  executionId: string;
  taskArn: string;
  taskType: TaskType;
  /** Empty for a targetless task; several for a Run Command command. */
  resourceIds: string[];
  /** What the invocation sends, as its Parameters record it (JSON, pseudo parameters substituted). */
  parameters: string;
  startTime: number;
}

/** A final report: how the work ended. */
export interface Report {
  status: 'SUCCESS' | 'FAILED' | 'TIMED_OUT';
  statusDetails?: string;
}

export type StartedWork =
  /** The work's report is known now and arrives `afterMs` after the start. */
  | { kind: 'scheduled'; report: Report; afterMs: number }
  /** The work was started as `executionId` and now has `status`; it reports later. */
  | { kind: 'started'; executionId: string; status: ExecutionStatus; statusDetails: string };

/** The end of work found running after a restart or a takeover, known at once (it arrives at `at`). */
export interface ResumedReport {
  invocationId: string;
  report: Report;
  at: number;
}

export interface TaskRunner {
  /** Starts a batch of invocations (batched: one store round trip for the batch where possible). */
  start(tx: StoreOperations, requests: InvocationRequest[]): Promise<StartedWork[]>;
  /** Asks started work to stop (a CANCEL_TASK cutoff); it reports how it ended later. */
  cancel?(tx: StoreOperations, scope: Scope, taskType: TaskType, executionId: string, now: number): Promise<void>;
  /** The step whose start() calls these were committed: work outside the store may begin now. */
  afterCommit?(): void;
  /** The step whose start() calls these were rolled back: forget what they started. */
  discard?(): void;
  /**
   * Invocations of a running execution this process just took (a restart, a takeover) whose work reports
   * later: the runner follows them again, or gives the end it knows now.
   */
  resume?(scope: Scope, invocations: Invocation[]): ResumedReport[];
  /** Stops what the runner runs on its own (calls in flight, executions it follows). */
  stop?(): Promise<void>;
}

/** Hands each invocation to the runner of its task type, `fallback` for the rest. */
export class RunnersByTaskType implements TaskRunner {
  private readonly runners: Partial<Record<TaskType, TaskRunner>>;
  private readonly fallback: TaskRunner;

  constructor(runners: Partial<Record<TaskType, TaskRunner>>, fallback: TaskRunner) {
    this.runners = runners;
    this.fallback = fallback;
  }

  async start(tx: StoreOperations, requests: InvocationRequest[]): Promise<StartedWork[]> {
    const groups = new Map<TaskRunner, number[]>();
    requests.forEach((request, i) => {
      const runner = this.runners[request.taskType] ?? this.fallback;
      const group = groups.get(runner);
      if (group) group.push(i);
      else groups.set(runner, [i]);
    });
    const started = new Array<StartedWork>(requests.length);
    for (const [runner, indexes] of groups) {
      const answers = await runner.start(tx, indexes.map((i) => requests[i]));
      indexes.forEach((i, k) => { started[i] = answers[k]; });
    }
    return started;
  }

  async cancel(tx: StoreOperations, scope: Scope, taskType: TaskType, executionId: string, now: number): Promise<void> {
    await (this.runners[taskType] ?? this.fallback).cancel?.(tx, scope, taskType, executionId, now);
  }

  afterCommit(): void {
    for (const runner of this.all()) runner.afterCommit?.();
  }

  discard(): void {
    for (const runner of this.all()) runner.discard?.();
  }

  resume(scope: Scope, invocations: Invocation[]): ResumedReport[] {
    const reports: ResumedReport[] = [];
    for (const runner of this.all()) {
      const own = invocations.filter((i) => (this.runners[i.taskType] ?? this.fallback) === runner);
      if (own.length > 0 && runner.resume) reports.push(...runner.resume(scope, own));
    }
    return reports;
  }

  async stop(): Promise<void> {
    for (const runner of this.all()) await runner.stop?.();
  }

  /** Each runner once (one runner may serve several task types). */
  private all(): TaskRunner[] {
    return [...new Set([...Object.values(this.runners), this.fallback])];
  }
}
