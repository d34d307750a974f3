// LAMBDA and STEP_FUNCTIONS invocations on an endpoint (issue 23): the pure mapping of the remote service's
// answers (domain/remote-invocation.ts), the endpoint configuration (service/aws-endpoints.ts), and the
// runner's promises about when calls are sent and what a restart does (remote-task-runner.ts), with a
// fake endpoint and a fake store.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { WindowReport } from '../../src/domain/commands.ts';
import type { Invocation } from '../../src/domain/execution.ts';
import {
  errorOutcome, executionArnOf, executionOutcome, FOLLOW_FAILURES, LAMBDA_ANSWER_LOST, lambdaOutcome, nextRemote, type RemoteCallEvent,
  type RemoteCallState, stepFunctionsCall,
} from '../../src/domain/remote-invocation.ts';
import { awsEndpointsFrom } from '../../src/service/aws-endpoints.ts';
import type { Store, StoreOperations } from '../../src/service/ports.ts';
import type { RemoteCalls } from '../../src/runtime/task-runners/remote-clients.ts';
import { RemoteTaskRunner } from '../../src/runtime/task-runners/remote-task-runner.ts';
import type { InvocationRequest } from '../../src/runtime/task-runners/task-runner.ts';

describe('remote invocation answers', () => {
  test('Invoke: a FunctionError fails the invocation with the function\'s payload; otherwise SUCCESS with the request id', () => {
    assert.deepEqual(lambdaOutcome({ statusCode: 200, functionError: 'Unhandled', requestId: 'r-1', payload: '{"errorMessage":"boom"}' }),
      { status: 'FAILED', statusDetails: 'FunctionError Unhandled, RequestId r-1: {"errorMessage":"boom"}' });
    assert.deepEqual(lambdaOutcome({ statusCode: 200, requestId: 'r-2', payload: '"ok"' }), { status: 'SUCCESS', statusDetails: 'StatusCode 200, RequestId r-2: "ok"' });
    assert.equal(lambdaOutcome({ statusCode: 200, payload: 'x'.repeat(400) }).statusDetails.length, 250);
  });

  test('DescribeExecution: SUCCEEDED, FAILED, TIMED_OUT and ABORTED end the invocation; RUNNING does not', () => {
    assert.deepEqual(executionOutcome({ status: 'SUCCEEDED', output: '{}' }), { status: 'SUCCESS', statusDetails: 'SUCCEEDED: {}' });
    assert.deepEqual(executionOutcome({ status: 'FAILED', error: 'Boom', cause: 'broke' }), { status: 'FAILED', statusDetails: 'FAILED: Boom: broke' });
    assert.deepEqual(executionOutcome({ status: 'TIMED_OUT' }), { status: 'TIMED_OUT', statusDetails: 'TIMED_OUT' });
    assert.deepEqual(executionOutcome({ status: 'ABORTED' }), { status: 'FAILED', statusDetails: 'ABORTED' });
    assert.equal(executionOutcome({ status: 'RUNNING' }), undefined);
    assert.equal(executionOutcome({ status: 'PENDING_REDRIVE' }), undefined);
  });

  test('errors: the service\'s own words for a refusal (throttling included), the endpoint named when nothing answered', () => {
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'TooManyRequestsException', $metadata: { httpStatusCode: 429 } });
    assert.deepEqual(errorOutcome(throttled, 'http://x'), { status: 'FAILED', statusDetails: 'TooManyRequestsException: Rate exceeded' });
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' });
    assert.deepEqual(errorOutcome(refused, 'http://127.0.0.1:9'), { status: 'FAILED', statusDetails: 'Endpoint http://127.0.0.1:9 unreachable: ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:9' });
  });

  test('the execution ARN is known before StartExecution: the state machine\'s, with the task\'s Name or the invocation\'s', () => {
    const machine = 'arn:aws:states:eu-west-1:123456789012:stateMachine:nightly';
    assert.equal(executionArnOf(stepFunctionsCall(JSON.stringify({ stateMachineArn: machine, name: 'run-i-1' }), 'uuid')), 'arn:aws:states:eu-west-1:123456789012:execution:nightly:run-i-1');
    assert.equal(executionArnOf(stepFunctionsCall(JSON.stringify({ stateMachineArn: machine }), 'uuid')), 'arn:aws:states:eu-west-1:123456789012:execution:nightly:uuid');
    assert.equal(executionArnOf(stepFunctionsCall(JSON.stringify({ stateMachineArn: 'nightly' }), 'uuid')), undefined);
  });

  test('endpoints: a service\'s own variable, else AWS_ENDPOINT_URL, none when told to ignore them; attempts bounded', () => {
    assert.deepEqual(awsEndpointsFrom({}), { lambda: undefined, stepFunctions: undefined, maxAttempts: 3 });
    assert.deepEqual(awsEndpointsFrom({ AWS_ENDPOINT_URL: 'http://all', AWS_ENDPOINT_URL_SFN: 'http://sfn', AWS_MAX_ATTEMPTS: '50' }), { lambda: 'http://all', stepFunctions: 'http://sfn', maxAttempts: 10 });
    assert.deepEqual(awsEndpointsFrom({ AWS_ENDPOINT_URL_LAMBDA: 'http://l' }), { lambda: 'http://l', stepFunctions: undefined, maxAttempts: 3 });
    assert.deepEqual(awsEndpointsFrom({ AWS_ENDPOINT_URL: 'http://all', AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'true' }), { maxAttempts: 3 });
  });
});

describe('a remote call, transition by transition', () => {
  const arn = 'arn:aws:states:us-east-1:123456789012:execution:m:n';
  const refused = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } });
  const failed: RemoteCallEvent = { kind: 'call-failed', error: refused, endpoint: 'http://e' };
  const step = (state: RemoteCallState, event: RemoteCallEvent) => nextRemote(state, event, arn);

  test('a Lambda call: sent once, ended by its answer or its error', () => {
    assert.deepEqual(step({ phase: 'recorded', taskType: 'LAMBDA', resumed: false }, { kind: 'go' }), { state: { phase: 'invoking' }, effects: [{ kind: 'invoke' }] });
    const answered = step({ phase: 'invoking' }, { kind: 'lambda-answered', answer: { statusCode: 200, functionError: 'Handled', requestId: 'r', payload: 'no' } });
    const outcome = { status: 'FAILED', statusDetails: 'FunctionError Handled, RequestId r: no' };
    assert.deepEqual(answered, { state: { phase: 'ended', outcome }, effects: [{ kind: 'record', outcome }] });
    assert.deepEqual(step({ phase: 'invoking' }, failed).effects, [{ kind: 'record', outcome: { status: 'FAILED', statusDetails: 'ThrottlingException: Rate exceeded' } }]);
  });

  test('an execution: started, then described every poll until it ends', () => {
    assert.deepEqual(step({ phase: 'recorded', taskType: 'STEP_FUNCTIONS', resumed: false }, { kind: 'go' }).effects, [{ kind: 'start-execution' }]);
    assert.deepEqual(step({ phase: 'starting' }, { kind: 'execution-started' }), { state: { phase: 'following', failures: 0 }, effects: [{ kind: 'describe-execution', afterPoll: true }] });
    assert.equal(step({ phase: 'starting' }, failed).state.phase, 'ended');
    assert.deepEqual(step({ phase: 'following', failures: 2 }, { kind: 'execution-described', state: { status: 'RUNNING' } }).state, { phase: 'following', failures: 0 });
    assert.deepEqual(step({ phase: 'following', failures: 0 }, { kind: 'execution-described', state: { status: 'TIMED_OUT' } }).effects, [{ kind: 'record', outcome: { status: 'TIMED_OUT', statusDetails: 'TIMED_OUT' } }]);
    assert.deepEqual(step({ phase: 'following', failures: 0 }, { kind: 'execution-described', state: undefined }).effects, [{ kind: 'record', outcome: { status: 'FAILED', statusDetails: `ExecutionDoesNotExist: ${arn}` } }]);
  });

  test('describe failures in a row are borne up to FOLLOW_FAILURES, then the invocation fails with the last error', () => {
    let state: RemoteCallState = { phase: 'following', failures: 0 };
    for (let i = 1; i < FOLLOW_FAILURES; i++) {
      state = step(state, failed).state;
      assert.deepEqual(state, { phase: 'following', failures: i });
    }
    assert.deepEqual(step(state, failed).state, { phase: 'ended', outcome: { status: 'FAILED', statusDetails: 'ThrottlingException: Rate exceeded' } });
  });

  test('after a restart an execution is looked up first, and started only when the endpoint knows none', () => {
    assert.deepEqual(step({ phase: 'recorded', taskType: 'STEP_FUNCTIONS', resumed: true }, { kind: 'go' }), { state: { phase: 'checking' }, effects: [{ kind: 'describe-execution', afterPoll: false }] });
    assert.deepEqual(step({ phase: 'checking' }, { kind: 'execution-described', state: undefined }), { state: { phase: 'starting' }, effects: [{ kind: 'start-execution' }] });
    assert.deepEqual(step({ phase: 'checking' }, { kind: 'execution-described', state: { status: 'RUNNING' } }).state, { phase: 'following', failures: 0 });
    assert.equal(step({ phase: 'checking' }, { kind: 'execution-described', state: { status: 'SUCCEEDED', output: '1' } }).state.phase, 'ended');
  });

  test('an invocation that ended meanwhile is dropped; ended and dropped calls take no event; events that do not apply change nothing', () => {
    assert.deepEqual(step({ phase: 'following', failures: 0 }, { kind: 'invocation-ended' }), { state: { phase: 'dropped' }, effects: [] });
    const events: RemoteCallEvent[] = [{ kind: 'go' }, { kind: 'lambda-answered', answer: {} }, { kind: 'execution-started' }, { kind: 'execution-described', state: undefined }, failed, { kind: 'invocation-ended' }];
    const done: RemoteCallState[] = [{ phase: 'dropped' }, { phase: 'ended', outcome: { status: 'SUCCESS', statusDetails: '' } }];
    for (const state of done) for (const event of events) assert.deepEqual(step(state, event), { state, effects: [] });
    for (const state of [{ phase: 'invoking' }, { phase: 'starting' }, { phase: 'following', failures: 0 }, { phase: 'checking' }] as RemoteCallState[]) {
      assert.deepEqual(step(state, { kind: 'go' }), { state, effects: [] }, `${state.phase} ignores go`);
    }
    assert.deepEqual(step({ phase: 'invoking' }, { kind: 'execution-started' }).effects, []);
  });
});

describe('remote task runner', () => {
  const scope = { account: '000000000000', region: 'us-east-1' };

  function harness() {
    const sent: string[] = [];
    const reports: WindowReport[] = [];
    let wakes = 0;
    const calls: RemoteCalls = {
      endpoints: { lambda: 'http://endpoint', stepFunctions: 'http://endpoint', maxAttempts: 1 },
      async invoke(_region, call) {
        sent.push(`Invoke ${call.functionName}`);
        if (call.functionName === 'throttled') throw Object.assign(new Error('Rate exceeded'), { name: 'TooManyRequestsException', $metadata: { httpStatusCode: 429 } });
        return { statusCode: 200, requestId: 'r', payload: call.payload };
      },
      async startExecution(_region, call) {
        sent.push(`StartExecution ${call.name}`);
        return { executionArn: executionArnOf(call)! };
      },
      async describeExecution(_region, arn) {
        sent.push(`DescribeExecution ${arn}`);
        return { status: 'SUCCEEDED', output: '{}' };
      },
      async stopExecution() {},
      destroy() {},
    };
    const store = {
      async transaction<T>(work: (tx: StoreOperations) => Promise<T>) {
        return work({ async putWindowReport(_scope: unknown, report: WindowReport) { reports.push(report); } } as unknown as StoreOperations);
      },
      async getInvocation() { return { status: 'IN_PROGRESS' }; },
    } as unknown as Store;
    const runner = new RemoteTaskRunner({ store, calls, clock: { now: () => 1000 }, wake: () => { wakes++; }, log: () => {}, pollMs: 1 });
    return { runner, sent, reports, wakes: () => wakes };
  }

  function request(taskType: 'LAMBDA' | 'STEP_FUNCTIONS', parameters: object, id = 'inv-1'): InvocationRequest {
    return {
      scope, windowId: 'mw-1', windowTaskId: 't', windowExecutionId: 'we', taskExecutionId: 'te', invocationId: id, executionId: `exec-${id}`,
      taskArn: 'x', taskType, resourceIds: ['i-1'], parameters: JSON.stringify(parameters), startTime: 0,
    };
  }

  async function settled(runner: RemoteTaskRunner): Promise<void> {
    await runner.stop(); // waits for the calls in flight to record their ends
  }

  test('nothing is sent before the step commits, and nothing at all when it is rolled back', async () => {
    const { runner, sent } = harness();
    const started = await runner.start({} as StoreOperations, [request('LAMBDA', { functionName: 'f', payload: '{}' })]);
    assert.deepEqual(started, [{ kind: 'started', executionId: 'exec-inv-1', status: 'IN_PROGRESS', statusDetails: 'Invoke f' }]);
    assert.deepEqual(sent, []);
    runner.discard();
    runner.afterCommit();
    await settled(runner);
    assert.deepEqual(sent, []);
  });

  test('after the commit, each answer is left in the invocation\'s mailbox and the engine woken; throttling fails with its words', async () => {
    const { runner, sent, reports, wakes } = harness();
    await runner.start({} as StoreOperations, [request('LAMBDA', { functionName: 'f', payload: '{"a":1}' }), request('LAMBDA', { functionName: 'throttled' }, 'inv-2')]);
    runner.afterCommit();
    await new Promise((resolve) => setImmediate(resolve));
    await settled(runner);
    assert.deepEqual(sent.sort(), ['Invoke f', 'Invoke throttled']);
    assert.deepEqual(reports.map((r) => [r.invocationId, r.status, r.statusDetails, r.at]).sort(), [
      ['inv-1', 'SUCCESS', 'StatusCode 200, RequestId r: {"a":1}', 1000],
      ['inv-2', 'FAILED', 'TooManyRequestsException: Rate exceeded', 1000],
    ]);
    assert.equal(wakes(), 2);
  });

  test('a step that commits while the service stops: the function is not invoked, and said so; an execution waits for the next start', async () => {
    const { runner, sent, reports } = harness();
    await runner.stop();
    await runner.start({} as StoreOperations, [request('LAMBDA', { functionName: 'f' }), request('STEP_FUNCTIONS', { stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:m' }, 'inv-2')]);
    runner.afterCommit();
    for (let i = 0; i < 100 && reports.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 5));
    assert.deepEqual(sent, []);
    assert.deepEqual(reports.map((r) => [r.invocationId, r.status, r.statusDetails]), [['inv-1', 'FAILED', 'The service was stopping: Invoke was not sent, the function was not invoked']]);
  });

  test('a Step Functions invocation\'s ExecutionId is its execution ARN, recorded with its start', async () => {
    const { runner } = harness();
    const [work] = await runner.start({} as StoreOperations, [request('STEP_FUNCTIONS', { stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:m' })]);
    assert.deepEqual(work, { kind: 'started', executionId: 'arn:aws:states:us-east-1:123456789012:execution:m:exec-inv-1', status: 'IN_PROGRESS', statusDetails: 'StartExecution exec-inv-1 of arn:aws:states:us-east-1:123456789012:stateMachine:m' });
    runner.discard();
    await settled(runner);
  });

  test('after a restart: a Lambda call with no answer recorded fails, never sent again; an execution is described again, not restarted', async () => {
    const { runner, sent, reports } = harness();
    const invocation = (id: string, taskType: 'LAMBDA' | 'STEP_FUNCTIONS', executionId: string, parameters: object) => ({
      windowId: 'mw-1', windowExecutionId: 'we', taskExecutionId: 'te', id, executionId, taskType, parameters: JSON.stringify(parameters),
      status: 'IN_PROGRESS', startTime: 0, resourceIds: ['i-1'], plannedStatus: 'SUCCESS',
    }) as Invocation;
    const arn = 'arn:aws:states:us-east-1:123456789012:execution:m:run-1';
    const resumed = runner.resume(scope, [
      invocation('inv-l', 'LAMBDA', 'exec-l', { functionName: 'f' }),
      invocation('inv-s', 'STEP_FUNCTIONS', arn, { stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:m' }),
    ]);
    assert.deepEqual(resumed, [{ invocationId: 'inv-l', report: { status: 'FAILED', statusDetails: LAMBDA_ANSWER_LOST }, at: 1000 }]);
    for (let i = 0; i < 100 && reports.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 5));
    await settled(runner);
    assert.deepEqual(sent, [`DescribeExecution ${arn}`]);
    assert.deepEqual(reports.map((r) => [r.invocationId, r.status, r.statusDetails]), [['inv-s', 'SUCCESS', 'SUCCEEDED: {}']]);
  });
});
