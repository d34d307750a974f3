// What the console's invocation page reads of a LAMBDA or STEP_FUNCTIONS invocation's remote call
// (src/console/pages/remote-call.ts), from the words the remote runner records.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { remoteCallFacts, remoteCallSection } from '../../src/console/pages/remote-call.ts';

test('a Lambda call: the function and qualifier it named, the request id and answer it got', () => {
  const facts = remoteCallFacts({
    taskType: 'LAMBDA', parameters: JSON.stringify({ functionName: 'patch-report', qualifier: 'live', payload: '{}' }),
    executionId: '0d6a7c1e-0000-4000-8000-000000000001', statusDetails: 'StatusCode 200, RequestId 5f0c7e1a-2b3c-4d5e-8f90-a1b2c3d4e5f6: {"ok":true}',
  });
  assert.deepEqual(facts, {
    target: { label: 'Function', value: 'patch-report' }, qualifier: 'live', requestId: '5f0c7e1a-2b3c-4d5e-8f90-a1b2c3d4e5f6',
    answer: 'StatusCode 200, RequestId 5f0c7e1a-2b3c-4d5e-8f90-a1b2c3d4e5f6: {"ok":true}',
  });
  const markup = String(remoteCallSection(facts));
  assert.match(markup, /<dt>Request id<\/dt><dd><code>5f0c7e1a-2b3c-4d5e-8f90-a1b2c3d4e5f6<\/code>/);
  assert.match(markup, /\{&quot;ok&quot;:true\}|\{"ok":true\}/);
});

test('a Step Functions call: the state machine and the execution ARN; a simulated one has no ARN', () => {
  const machine = 'arn:aws:states:us-east-1:123456789012:stateMachine:nightly';
  const real = remoteCallFacts({
    taskType: 'STEP_FUNCTIONS', parameters: JSON.stringify({ stateMachineArn: machine, input: '{}' }),
    executionId: 'arn:aws:states:us-east-1:123456789012:execution:nightly:run-1', statusDetails: 'SUCCEEDED: {}',
  });
  assert.deepEqual(real, { target: { label: 'State machine', value: machine }, executionArn: 'arn:aws:states:us-east-1:123456789012:execution:nightly:run-1', answer: 'SUCCEEDED: {}' });
  const simulated = remoteCallFacts({ taskType: 'STEP_FUNCTIONS', parameters: JSON.stringify({ stateMachineArn: machine }), executionId: '0d6a7c1e-0000-4000-8000-000000000002', statusDetails: 'Success' });
  assert.equal(simulated?.executionArn, undefined);
  assert.match(String(remoteCallSection(simulated)), /<dt>Execution ARN<\/dt><dd><span class="none">—<\/span>/);
});

test('other task types have no remote call; what a call recorded is escaped', () => {
  assert.equal(remoteCallFacts({ taskType: 'RUN_COMMAND', parameters: '{}' }), undefined);
  assert.equal(remoteCallSection(undefined), '');
  const hostile = remoteCallFacts({ taskType: 'LAMBDA', parameters: JSON.stringify({ functionName: '<script>alert(1)</script>' }), statusDetails: '<img src=x onerror=alert(1)>' });
  const markup = String(remoteCallSection(hostile));
  assert.doesNotMatch(markup, /<script>|<img/);
});
