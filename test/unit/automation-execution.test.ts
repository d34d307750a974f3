// The automation execution's state machine (src/domain/automation/execution.ts) on its own: every step
// option and the actions it decides itself, with work (aws:runCommand, aws:executeAwsApi) reported by hand.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseDocumentContent } from '../../src/domain/document-content.ts';
import { type AutomationEvent, type AutomationExecution, next, signalRefusal } from '../../src/domain/automation/execution.ts';
import { newAutomationExecution } from '../../src/domain/automation/new-execution.ts';

const T0 = Date.UTC(2026, 9, 1);
const S = 1000;

function runbook(mainSteps: unknown[], extra: Record<string, unknown> = {}) {
  return parseDocumentContent(JSON.stringify({ schemaVersion: '0.3', mainSteps, ...extra }), 'JSON', 'Automation');
}

function start(document: ReturnType<typeof runbook>, parameters: Record<string, string[]> = {}, mode: 'Auto' | 'Interactive' = 'Auto') {
  let ids = 0;
  const terms = { newId: () => `step-${++ids}` };
  let state = newAutomationExecution({ id: 'exec-1', account: '111122223333', region: 'us-east-1', documentName: 'Book', documentVersion: '1', document, parameters, mode, executedBy: 'arn:aws:iam::111122223333:user/me', now: T0 });
  const log: string[] = [];
  const apply = (event: AutomationEvent, at: number) => {
    const out = next(state, event, at, terms);
    for (const e of out.effects) if (e.kind === 'start-work' || e.kind === 'stop-work') log.push(`${e.kind} ${e.step.stepName}`);
    state = out.state;
    return out;
  };
  apply({ kind: 'start' }, T0);
  return { get state(): AutomationExecution { return state; }, apply, log };
}

const steps = (state: AutomationExecution) => state.steps.map((s) => [s.stepName, s.status]);
const work = (state: AutomationExecution) => state.steps.at(-1)!.stepExecutionId;

describe('automation execution', () => {
  test('sleep, then a command step whose outputs feed a branch; the runbook outputs', () => {
    const doc = runbook([
      { name: 'wait', action: 'aws:sleep', inputs: { Duration: 'PT10M' } },
      { name: 'check', action: 'aws:runCommand', inputs: { DocumentName: 'AWS-RunShellScript', InstanceIds: ['{{ Node }}'], Parameters: { commands: ['uptime'] } } },
      { name: 'decide', action: 'aws:branch', inputs: { Choices: [{ NextStep: 'fix', Variable: '{{ check.ResponseCode }}', NumericGreater: 0 }], Default: 'done' } },
      { name: 'fix', action: 'aws:pause', inputs: {}, isEnd: true },
      { name: 'done', action: 'aws:sleep', inputs: { Duration: 'PT1S' } },
    ], { parameters: { Node: { type: 'String' } }, outputs: ['check.ResponseCode'] });
    const run = start(doc, { Node: ['i-0123456789abcdef0'] });
    assert.equal(run.state.status, 'InProgress');
    assert.equal(run.state.dueAt, T0 + 600 * S);
    assert.equal(run.apply({ kind: 'due' }, T0 + 599 * S).effects.length, 0, 'not due yet: nothing');
    run.apply({ kind: 'due' }, T0 + 600 * S);
    assert.deepEqual(steps(run.state), [['wait', 'Success'], ['check', 'InProgress']]);
    assert.deepEqual(run.state.steps[1].inputs.InstanceIds, ['i-0123456789abcdef0'], 'references resolved with their type');
    assert.deepEqual(run.log, ['start-work check']);
    run.apply({ kind: 'work-ended', stepExecutionId: work(run.state), result: { status: 'Success', outputs: { ResponseCode: 0, Output: 'up 3 days' } } }, T0 + 605 * S);
    assert.deepEqual(steps(run.state), [['wait', 'Success'], ['check', 'Success'], ['decide', 'Success'], ['done', 'InProgress']]);
    run.apply({ kind: 'due' }, T0 + 606 * S);
    assert.deepEqual([run.state.status, run.state.endedAt, run.state.outputs], ['Success', T0 + 606 * S, { 'check.ResponseCode': ['0'] }]);
  });

  test('onFailure: Abort fails the execution; Continue goes on and the end is Success (not critical); step:NAME jumps', () => {
    const failing = (onFailure?: string) => runbook([
      { name: 'a', action: 'aws:executeAwsApi', inputs: { Service: 'ec2', Api: 'DescribeInstances' }, ...(onFailure ? { onFailure } : {}) },
      { name: 'b', action: 'aws:sleep', inputs: { Duration: 'PT1S' } },
      { name: 'c', action: 'aws:sleep', inputs: { Duration: 'PT1S' } },
    ]);
    const fail = { status: 'Failed' as const, failureMessage: 'An error occurred (UnauthorizedOperation)' };

    const abort = start(failing());
    abort.apply({ kind: 'work-ended', stepExecutionId: work(abort.state), result: fail }, T0 + S);
    assert.deepEqual([abort.state.status, abort.state.failureMessage, steps(abort.state)], ['Failed', fail.failureMessage, [['a', 'Failed']]]);

    const cont = start(failing('Continue'));
    cont.apply({ kind: 'work-ended', stepExecutionId: work(cont.state), result: fail }, T0 + S);
    cont.apply({ kind: 'due' }, T0 + 2 * S);
    cont.apply({ kind: 'due' }, T0 + 3 * S);
    assert.deepEqual([cont.state.status, steps(cont.state)], ['Success', [['a', 'Failed'], ['b', 'Success'], ['c', 'Success']]]);

    const jump = start(failing('step:c'));
    jump.apply({ kind: 'work-ended', stepExecutionId: work(jump.state), result: fail }, T0 + S);
    jump.apply({ kind: 'due' }, T0 + 2 * S);
    assert.deepEqual([jump.state.status, steps(jump.state)], ['Failed', [['a', 'Failed'], ['c', 'Success']]], 'a critical step failed on the way');
  });

  test('maxAttempts retries the same step; timeoutSeconds ends it TimedOut and stops its work', () => {
    const run = start(runbook([{ name: 'call', action: 'aws:executeAwsApi', inputs: {}, maxAttempts: 2, timeoutSeconds: 30 }]));
    const id = work(run.state);
    run.apply({ kind: 'work-ended', stepExecutionId: id, result: { status: 'Failed', failureMessage: 'throttled' } }, T0 + S);
    assert.deepEqual([steps(run.state), run.state.steps[0].attempt, work(run.state)], [[['call', 'InProgress']], 2, id]);
    assert.equal(run.state.dueAt, T0 + 31 * S);
    run.apply({ kind: 'due' }, T0 + 31 * S);
    assert.deepEqual([run.state.status, run.state.steps[0].status, run.state.steps[0].failureDetails?.failureType], ['TimedOut', 'TimedOut', 'Timeout']);
    assert.deepEqual(run.log, ['start-work call', 'start-work call', 'stop-work call']);
    run.apply({ kind: 'work-ended', stepExecutionId: id, result: { status: 'Success' } }, T0 + 32 * S);
    assert.equal(run.state.status, 'TimedOut', 'a late report changes nothing');
  });

  test('approve: two approvals needed; a rejection fails the step; signals that do not apply are refused', () => {
    const doc = runbook([{ name: 'ok', action: 'aws:approve', inputs: { Approvers: ['arn:aws:iam::1:user/a'], MinRequiredApprovals: 2 } }]);
    const approved = start(doc);
    assert.deepEqual([approved.state.status, approved.state.steps[0].status], ['Waiting', 'Waiting']);
    assert.equal(signalRefusal(approved.state, 'Resume', {})?.code, 'InvalidAutomationSignalException');
    approved.apply({ kind: 'signal', signal: 'Approve', payload: { Comment: ['fine'] }, by: 'alice' }, T0 + S);
    assert.equal(approved.state.status, 'Waiting');
    approved.apply({ kind: 'signal', signal: 'Approve', payload: {}, by: 'bob' }, T0 + 2 * S);
    assert.deepEqual([approved.state.status, approved.state.steps[0].outputs?.ApprovalStatus], ['Success', 'Approved']);
    assert.equal(signalRefusal(approved.state, 'Approve', {})?.code, 'InvalidAutomationSignalException');

    const rejected = start(doc);
    rejected.apply({ kind: 'signal', signal: 'Reject', payload: {}, by: 'carol' }, T0 + S);
    assert.deepEqual([rejected.state.status, rejected.state.steps[0].status, rejected.state.steps[0].outputs?.ApprovalStatus], ['Failed', 'Failed', 'Rejected']);
  });

  test('a Cancel stops the running work and runs the onCancel step, then the execution is Cancelled', () => {
    const run = start(runbook([
      { name: 'long', action: 'aws:runCommand', inputs: { DocumentName: 'AWS-RunShellScript' }, onCancel: 'step:cleanup' },
      { name: 'next', action: 'aws:sleep', inputs: { Duration: 'PT1S' } },
      { name: 'cleanup', action: 'aws:executeAwsApi', inputs: {} },
    ]));
    run.apply({ kind: 'stop', type: 'Cancel' }, T0 + S);
    assert.deepEqual([run.state.status, steps(run.state)], ['Cancelling', [['long', 'Cancelled'], ['cleanup', 'InProgress']]]);
    run.apply({ kind: 'work-ended', stepExecutionId: work(run.state), result: { status: 'Success' } }, T0 + 2 * S);
    assert.deepEqual([run.state.status, steps(run.state)], ['Cancelled', [['long', 'Cancelled'], ['cleanup', 'Success']]]);
    assert.deepEqual(run.log, ['start-work long', 'stop-work long', 'start-work cleanup']);
  });

  test('pause waits for Resume; isEnd and nextStep; an unresolved reference fails its step', () => {
    const run = start(runbook([
      { name: 'hold', action: 'aws:pause', inputs: {}, nextStep: 'last' },
      { name: 'skipped', action: 'aws:sleep', inputs: { Duration: 'PT1S' } },
      { name: 'last', action: 'aws:sleep', inputs: { Duration: 'PT1S' }, isEnd: true },
      { name: 'never', action: 'aws:sleep', inputs: { Duration: 'PT1S' } },
    ]));
    run.apply({ kind: 'signal', signal: 'Resume', payload: {}, by: 'me' }, T0 + S);
    run.apply({ kind: 'due' }, T0 + 2 * S);
    assert.deepEqual([run.state.status, steps(run.state)], ['Success', [['hold', 'Success'], ['last', 'Success']]]);

    const bad = start(runbook([
      { name: 'x', action: 'aws:sleep', inputs: { Duration: '{{ later.Value }}' } },
      { name: 'later', action: 'aws:sleep', inputs: { Duration: 'PT1S' } },
    ]));
    assert.deepEqual([bad.state.status, bad.state.steps[0].failureDetails?.failureStage], ['Failed', 'Inputs']);
  });

  test('Interactive mode: nothing runs until StartStep names a step; StopStep cancels it', () => {
    const run = start(runbook([
      { name: 'one', action: 'aws:executeAwsApi', inputs: {} },
      { name: 'two', action: 'aws:sleep', inputs: { Duration: 'PT1S' } },
    ]), {}, 'Interactive');
    assert.deepEqual([run.state.status, run.state.steps.length], ['Waiting', 0]);
    assert.equal(signalRefusal(run.state, 'StartStep', { StepName: ['nope'] })?.code, 'AutomationStepNotFoundException');
    run.apply({ kind: 'signal', signal: 'StartStep', payload: { StepName: ['two'] }, by: 'me' }, T0 + S);
    run.apply({ kind: 'due' }, T0 + 2 * S);
    assert.deepEqual([run.state.status, steps(run.state)], ['Waiting', [['two', 'Success']]]);
    run.apply({ kind: 'signal', signal: 'StartStep', payload: { StepName: ['one'] }, by: 'me' }, T0 + 3 * S);
    run.apply({ kind: 'signal', signal: 'StopStep', payload: {}, by: 'me' }, T0 + 4 * S);
    assert.deepEqual([run.state.status, steps(run.state)], ['Waiting', [['two', 'Success'], ['one', 'Cancelled']]]);
    run.apply({ kind: 'stop', type: 'Cancel' }, T0 + 5 * S);
    assert.equal(run.state.status, 'Cancelled');
  });

  test('parameters: defaults filled, types kept for references, wrong ones refused', () => {
    const doc = runbook([{ name: 'w', action: 'aws:sleep', inputs: { Duration: 'PT{{ Minutes }}M' } }], {
      parameters: { Minutes: { type: 'Integer', default: 5 }, Ids: { type: 'StringList', default: ['a'] } },
    });
    const run = start(doc);
    assert.deepEqual(run.state.parameters, { Minutes: ['5'], Ids: ['a'] });
    assert.equal(run.state.dueAt, T0 + 300 * S);
    assert.throws(() => start(doc, { Minutes: ['soon'] }), (e: any) => e.code === 'InvalidParameters');
  });
});
