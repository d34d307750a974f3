// The runner of LAMBDA and STEP_FUNCTIONS invocations when an endpoint is configured for them: Invoke,
// or StartExecution and then DescribeExecution until the execution ends. The engine's step records the
// invocation IN_PROGRESS (with its ExecutionId: for Step Functions the execution's ARN, known before the
// call); only once that step has committed are the calls sent (afterCommit), never from inside it, so no
// call is made for an invocation the store does not hold, and the engine never waits on the network. Each
// answer is left in the store as a WindowReport, the same mailbox Run Command's reports use, and the engine
// is woken to apply it.
//
// After a restart or a takeover (resume): a Step Functions invocation is followed again by its recorded
// ARN (DescribeExecution; if the endpoint knows no such execution, the call never reached it and
// StartExecution is sent then, under the same name, so at most one execution exists). A Lambda invocation
// with no answer recorded cannot be asked about: it ends FAILED (LAMBDA_ANSWER_LOST), never invoked twice.

import { setTimeout as pause } from 'node:timers/promises';
import type { Invocation } from '../../domain/execution.ts';
import type { Scope, TaskType } from '../../domain/model.ts';
import {
  errorOutcome, executionArnOf, executionOutcome, LAMBDA_ANSWER_LOST, lambdaCall, lambdaOutcome, type RemoteOutcome, stepFunctionsCall,
} from '../../domain/remote-invocation.ts';
import type { Clock, Store, StoreOperations } from '../../service/ports.ts';
import type { RemoteCallMetrics } from '../metrics.ts';
import type { RemoteCalls } from './remote-clients.ts';
import { regionOf } from './remote-clients.ts';
import type { InvocationRequest, ResumedReport, StartedWork, TaskRunner } from './task-runner.ts';

type RemoteType = 'LAMBDA' | 'STEP_FUNCTIONS';

/** One invocation's remote work, as this process makes or follows it. */
interface Call {
  scope: Scope;
  windowExecutionId: string;
  invocationId: string;
  taskType: RemoteType;
  parameters: string;
  /** The ExecutionId recorded: Step Functions' execution ARN (or the invocation's id when none can be made). */
  executionId: string;
  /** Found running after a restart or a takeover: the execution may exist already. */
  resumed: boolean;
}

export interface RemoteTaskRunnerOptions {
  store: Store;
  calls: RemoteCalls;
  /** The engine's clock: reports are dated on it (manual or system). */
  clock: Clock;
  /** Tells the engine a report is waiting (Engine.wake). */
  wake: () => void;
  metrics?: RemoteCallMetrics;
  log: (message: string, fields?: Record<string, unknown>) => void;
  /** How often a running Step Functions execution is described (real time). Default 1 s. */
  pollMs?: number;
}

/** Describe calls in a row that may fail while following an execution before the invocation fails. */
const FOLLOW_ERRORS = 5;
/** How long stop() lets calls in flight finish and record their answers. */
const STOP_WAIT_MS = 5_000;
const IN_FLIGHT = new Set(['PENDING', 'IN_PROGRESS', 'CANCELLING']);

export class RemoteTaskRunner implements TaskRunner {
  private readonly options: RemoteTaskRunnerOptions;
  private readonly pollMs: number;
  /** Handed out in the step now running; sent once it commits. */
  private drafted: Call[] = [];
  /** Calls this process makes or follows, by invocation id. */
  private readonly live = new Map<string, Promise<void>>();
  private readonly stopping = new AbortController();

  constructor(options: RemoteTaskRunnerOptions) {
    this.options = options;
    this.pollMs = options.pollMs ?? 1_000;
  }

  async start(_tx: StoreOperations, requests: InvocationRequest[]): Promise<StartedWork[]> {
    return requests.map((request) => {
      const taskType = request.taskType as RemoteType;
      let executionId = request.executionId;
      let target: string;
      if (taskType === 'STEP_FUNCTIONS') {
        const call = stepFunctionsCall(request.parameters, request.executionId);
        executionId = executionArnOf(call) ?? request.executionId;
        target = `StartExecution ${call.name} of ${call.stateMachineArn}`;
      } else {
        target = `Invoke ${lambdaCall(request.parameters).functionName}`;
      }
      this.drafted.push({ ...request, taskType, executionId, resumed: false });
      return { kind: 'started', executionId, status: 'IN_PROGRESS', statusDetails: target } satisfies StartedWork;
    });
  }

  /** The step that recorded the drafted invocations committed: send their calls. */
  afterCommit(): void {
    const calls = this.drafted;
    this.drafted = [];
    for (const call of calls) this.launch(call);
  }

  /** The step was rolled back: its invocations do not exist, nothing is sent. */
  discard(): void {
    this.drafted = [];
  }

  resume(scope: Scope, invocations: Invocation[]): ResumedReport[] {
    const reports: ResumedReport[] = [];
    for (const invocation of invocations) {
      if (this.live.has(invocation.id)) continue; // this process still makes the call (a step was retried)
      if (invocation.taskType === 'LAMBDA') {
        reports.push({ invocationId: invocation.id, report: { status: 'FAILED', statusDetails: LAMBDA_ANSWER_LOST }, at: this.options.clock.now() });
        continue;
      }
      if (invocation.taskType !== 'STEP_FUNCTIONS') continue;
      this.launch({
        scope, windowExecutionId: invocation.windowExecutionId, invocationId: invocation.id, taskType: 'STEP_FUNCTIONS',
        parameters: invocation.parameters, executionId: invocation.executionId, resumed: true,
      });
    }
    return reports;
  }

  /** CANCEL_TASK at the cutoff: a Step Functions execution is stopped (its ABORTED end then arrives); an Invoke cannot be. */
  async cancel(_tx: StoreOperations, scope: Scope, taskType: TaskType, executionId: string): Promise<void> {
    if (taskType !== 'STEP_FUNCTIONS' || !executionId.startsWith('arn:')) return;
    const region = regionOf(executionId, scope.region);
    void this.timed('STEP_FUNCTIONS', 'StopExecution', () => this.options.calls.stopExecution(region, executionId, 'Maintenance window cutoff reached (CANCEL_TASK)'))
      .catch((error: unknown) => this.options.log('StopExecution at the cutoff failed', { executionId, error: String(error) }));
  }

  /** Stops following executions (they are followed again at the next start) and lets calls in flight record their answers, within a bound. */
  async stop(): Promise<void> {
    this.stopping.abort();
    const settled = Promise.allSettled([...this.live.values()]);
    await Promise.race([settled, pause(STOP_WAIT_MS, undefined, { ref: false })]);
    this.options.calls.destroy();
  }

  private launch(call: Call): void {
    if (this.live.has(call.invocationId) || this.stopping.signal.aborted) return;
    const work = (call.taskType === 'LAMBDA' ? this.invoke(call) : this.runExecution(call))
      .catch((error: unknown) => this.options.log('remote invocation could not record its end; left to the next start', { invocationId: call.invocationId, error: String(error) }))
      .finally(() => this.live.delete(call.invocationId));
    this.live.set(call.invocationId, work);
  }

  private async invoke(call: Call): Promise<void> {
    const request = lambdaCall(call.parameters);
    const region = regionOf(request.functionName, call.scope.region);
    let outcome: RemoteOutcome;
    try {
      outcome = lambdaOutcome(await this.timed('LAMBDA', 'Invoke', () => this.options.calls.invoke(region, request)));
    } catch (error) {
      outcome = errorOutcome(error, this.options.calls.endpoints.lambda ?? '');
    }
    await this.record(call, outcome);
  }

  private async runExecution(call: Call): Promise<void> {
    const request = stepFunctionsCall(call.parameters, call.executionId.split(':').at(-1)!);
    const region = regionOf(request.stateMachineArn, call.scope.region);
    const endpoint = this.options.calls.endpoints.stepFunctions ?? '';
    let arn = call.executionId;
    try {
      const known = call.resumed && arn.startsWith('arn:') ? await this.timed('STEP_FUNCTIONS', 'DescribeExecution', () => this.options.calls.describeExecution(region, arn)) : undefined;
      if (!known) arn = (await this.timed('STEP_FUNCTIONS', 'StartExecution', () => this.options.calls.startExecution(region, request))).executionArn;
    } catch (error) {
      await this.record(call, errorOutcome(error, endpoint));
      return;
    }
    let failures = 0;
    for (;;) {
      try {
        await pause(this.pollMs, undefined, { signal: this.stopping.signal });
      } catch {
        return; // stopping: followed again after the next start
      }
      // The invocation may have ended meanwhile (the window's end): nothing left to follow.
      const recorded = await this.options.store.getInvocation(call.scope, call.invocationId);
      if (!recorded || !IN_FLIGHT.has(recorded.status)) return;
      try {
        const state = await this.timed('STEP_FUNCTIONS', 'DescribeExecution', () => this.options.calls.describeExecution(region, arn));
        failures = 0;
        const outcome = state ? executionOutcome(state) : { status: 'FAILED' as const, statusDetails: `ExecutionDoesNotExist: ${arn}` };
        if (outcome) {
          await this.record(call, outcome);
          return;
        }
      } catch (error) {
        if (++failures >= FOLLOW_ERRORS) {
          await this.record(call, errorOutcome(error, endpoint));
          return;
        }
      }
    }
  }

  /** Leaves the end in the invocation's mailbox (dated on the engine's clock) and wakes the engine. */
  private async record(call: Call, outcome: RemoteOutcome): Promise<void> {
    const report = { windowExecutionId: call.windowExecutionId, invocationId: call.invocationId, ...outcome, at: this.options.clock.now() };
    await this.options.store.transaction((tx) => tx.putWindowReport(call.scope, report));
    this.options.metrics?.remoteInvocationEnded(call.taskType, outcome.status);
    this.options.log('remote invocation ended', { taskType: call.taskType, invocationId: call.invocationId, executionId: call.executionId, ...outcome });
    if (!this.stopping.signal.aborted) this.options.wake();
  }

  /** Runs one remote call, counting it by outcome and timing it. */
  private async timed<T>(taskType: RemoteType, operation: string, call: () => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      const answer = await call();
      this.options.metrics?.remoteCall(taskType, operation, 'answered', (performance.now() - started) / 1000);
      return answer;
    } catch (error) {
      const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
      const outcome = e?.$metadata?.httpStatusCode ? 'refused' : 'unreachable';
      this.options.metrics?.remoteCall(taskType, operation, outcome, (performance.now() - started) / 1000);
      throw error;
    }
  }
}
