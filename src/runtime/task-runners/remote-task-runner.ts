// The runner of LAMBDA and STEP_FUNCTIONS invocations when an endpoint is configured for them: Invoke,
// or StartExecution and then DescribeExecution until the execution ends. The engine's step records the
// invocation IN_PROGRESS (with its ExecutionId: for Step Functions the execution's ARN, known before the
// call); only once that step has committed are the calls sent (afterCommit), never from inside it, so no
// call is made for an invocation the store does not hold, and the engine never waits on the network. Each
// answer is left in the store as a WindowReport, the same mailbox Run Command's reports use, and the engine
// is woken to apply it. Each call's lifecycle is the pure nextRemote (domain/remote-invocation.ts); this
// file performs its effects (the calls, the poll, the record) and feeds back what they produced.
//
// After a restart or a takeover (resume): a Step Functions invocation is followed again by its recorded
// ARN (DescribeExecution; if the endpoint knows no such execution, the call never reached it and
// StartExecution is sent then, under the same name, so at most one execution exists). A Lambda invocation
// with no answer recorded cannot be asked about: it ends FAILED (LAMBDA_ANSWER_LOST), never invoked twice.

import { setTimeout as pause } from 'node:timers/promises';
import type { Invocation } from '../../domain/execution.ts';
import type { Scope, TaskType } from '../../domain/model.ts';
import {
  executionArnOf, LAMBDA_ANSWER_LOST, lambdaCall, nextRemote, type RemoteCallEffect, type RemoteCallEvent, type RemoteOutcome, stepFunctionsCall,
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
  /** Polls waited so far (each wait is longer than the last). */
  polls?: number;
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
  /**
   * How long after its start a running Step Functions execution is first described again (real time),
   * default 1 s; each later wait is half as long again, up to MAX_POLL_MS.
   */
  pollMs?: number;
}

/** The longest wait between two DescribeExecution calls: AWS's quota for them is one bucket per account. */
const MAX_POLL_MS = 30_000;
/** How long stop() lets calls in flight finish and record their answers. */
const STOP_WAIT_MS = 5_000;
const IN_FLIGHT = new Set(['PENDING', 'IN_PROGRESS', 'CANCELLING']);
const LAMBDA_NOT_SENT: RemoteOutcome = { status: 'FAILED', statusDetails: 'The service was stopping: Invoke was not sent, the function was not invoked' };

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
    // Not awaited: the step must not wait on the network (a step rolled back applies the cutoff again).
    void this.measured('STEP_FUNCTIONS', 'StopExecution', () => this.options.calls.stopExecution(region, executionId, 'Maintenance window cutoff reached (CANCEL_TASK)'))
      .then((result) => {
        if (!result.ok) this.options.log('StopExecution at the cutoff failed', { executionId, error: String(result.error) });
      });
  }

  /** Stops following executions (they are followed again at the next start) and lets calls in flight record their answers, within a bound. */
  async stop(): Promise<void> {
    this.stopping.abort();
    const settled = Promise.allSettled([...this.live.values()]);
    await Promise.race([settled, pause(STOP_WAIT_MS, undefined, { ref: false })]);
    this.options.calls.destroy();
  }

  private launch(call: Call): void {
    if (this.live.has(call.invocationId)) return;
    // A step that committed while the service stops (between this runner's stop and the engine's): an
    // execution is started after the next start (resume finds none); a function is said not invoked, which
    // is true, rather than left for the next start to call its answer lost.
    if (this.stopping.signal.aborted && call.taskType === 'STEP_FUNCTIONS') return;
    const work = (this.stopping.signal.aborted ? this.record(call, LAMBDA_NOT_SENT) : this.drive(call))
      .catch((error: unknown) => this.options.log('remote invocation could not record its end; left to the next start', { invocationId: call.invocationId, error: String(error) }))
      .finally(() => this.live.delete(call.invocationId));
    this.live.set(call.invocationId, work);
  }

  /** Runs the call's state machine (domain/remote-invocation.ts nextRemote): performs each effect, feeds back its event. */
  private async drive(call: Call): Promise<void> {
    let transition = nextRemote({ phase: 'recorded', taskType: call.taskType, resumed: call.resumed }, { kind: 'go' }, call.executionId);
    for (;;) {
      const [effect] = transition.effects;
      if (!effect) return;
      const event = await this.perform(call, effect);
      if (!event) return;
      transition = nextRemote(transition.state, event, call.executionId);
    }
  }

  /** Performs one effect; the event it produced, or undefined when there is nothing more (recorded, or stopping). */
  private async perform(call: Call, effect: RemoteCallEffect): Promise<RemoteCallEvent | undefined> {
    const { calls } = this.options;
    if (effect.kind === 'record') {
      await this.record(call, effect.outcome);
      return undefined;
    }
    if (effect.kind === 'invoke') {
      const request = lambdaCall(call.parameters);
      const region = regionOf(request.functionName, call.scope.region);
      return this.timed(call.taskType, 'Invoke', calls.endpoints.lambda, () => calls.invoke(region, request), (answer) => ({ kind: 'lambda-answered', answer }));
    }
    // The execution's name is the last part of its recorded ARN (or the recorded id itself when no ARN could be made).
    const request = stepFunctionsCall(call.parameters, call.executionId.split(':').at(-1)!);
    const region = regionOf(request.stateMachineArn, call.scope.region);
    if (effect.kind === 'start-execution') {
      return this.timed(call.taskType, 'StartExecution', calls.endpoints.stepFunctions, () => calls.startExecution(region, request), ({ executionArn }) => {
        // Followed by the ARN the endpoint gave (the same as the one recorded, unless none could be made).
        call.executionId = executionArn;
        return { kind: 'execution-started' };
      });
    }
    if (effect.afterPoll) {
      try {
        const polls = call.polls ?? 0;
        call.polls = polls + 1;
        await pause(Math.min(MAX_POLL_MS, this.pollMs * 1.5 ** polls), undefined, { signal: this.stopping.signal });
      } catch {
        return undefined; // stopping: followed again after the next start
      }
      // The invocation may have ended meanwhile (the window's end): nothing left to follow.
      const recorded = await this.options.store.getInvocation(call.scope, call.invocationId);
      if (!recorded || !IN_FLIGHT.has(recorded.status)) return { kind: 'invocation-ended' };
    }
    // No ARN recorded (TaskArn was not a state machine's): nothing to describe, as if the endpoint knew none.
    if (!call.executionId.startsWith('arn:')) return { kind: 'execution-described', state: undefined };
    return this.timed(call.taskType, 'DescribeExecution', calls.endpoints.stepFunctions, () => calls.describeExecution(region, call.executionId), (state) => ({ kind: 'execution-described', state }));
  }

  /** Leaves the end in the invocation's mailbox (dated on the engine's clock) and wakes the engine. */
  private async record(call: Call, outcome: RemoteOutcome): Promise<void> {
    const report = { windowExecutionId: call.windowExecutionId, invocationId: call.invocationId, ...outcome, at: this.options.clock.now() };
    await this.options.store.transaction((tx) => tx.putWindowReport(call.scope, report));
    this.options.metrics?.remoteInvocationEnded(call.taskType, outcome.status);
    this.options.log('remote invocation ended', { taskType: call.taskType, invocationId: call.invocationId, executionId: call.executionId, ...outcome });
    if (!this.stopping.signal.aborted) this.options.wake();
  }

  /** Runs one remote call, counting it by outcome and timing it; its answer, or the error it ended with. */
  private async measured<T>(taskType: RemoteType, operation: string, call: () => Promise<T>): Promise<{ ok: true; answer: T } | { ok: false; error: unknown }> {
    const started = performance.now();
    try {
      const answer = await call();
      this.options.metrics?.remoteCall(taskType, operation, 'answered', (performance.now() - started) / 1000);
      return { ok: true, answer };
    } catch (error) {
      // An error with an HTTP status is the endpoint's refusal; without one, nothing answered.
      const refused = Boolean((error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode);
      this.options.metrics?.remoteCall(taskType, operation, refused ? 'refused' : 'unreachable', (performance.now() - started) / 1000);
      return { ok: false, error };
    }
  }

  /** measured(), its answer turned into the call's next event (a failure into call-failed). */
  private async timed<T>(taskType: RemoteType, operation: string, endpoint: string | undefined, call: () => Promise<T>, answered: (answer: T) => RemoteCallEvent): Promise<RemoteCallEvent> {
    const result = await this.measured(taskType, operation, call);
    return result.ok ? answered(result.answer) : { kind: 'call-failed', error: result.error, endpoint: endpoint ?? '' };
  }
}
