// Pure pieces of the engine: pseudo-parameter substitution, invocation Parameters, target resolution,
// rate-control arithmetic, outcome-rule matching.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { concurrencyLimit, errorThreshold, type TaskExecution } from '../../src/domain/execution.ts';
import { invocationParameters, substitute, type PseudoValues } from '../../src/domain/invocation-parameters.ts';
import { matchingRule, type ManagedNode } from '../../src/domain/inventory.ts';
import type { WindowTarget } from '../../src/domain/model.ts';
import { planInvocations, resolveWindowTarget } from '../../src/domain/target-resolution.ts';
import { isDeadLocalReplica, replicaName } from '../../src/runtime/replica-identity.ts';

const values: PseudoValues = {
  WINDOW_ID: 'mw-0123456789abcdef0', WINDOW_TASK_ID: 'task-1', WINDOW_EXECUTION_ID: 'exec-1', TASK_EXECUTION_ID: 'te-1',
  INVOCATION_ID: 'inv-1', RESOURCE_ID: 'i-1', TARGET_ID: 'i-1', TARGET_TYPE: 'INSTANCE',
};

function task(overrides: Partial<TaskExecution>): TaskExecution {
  return {
    windowId: 'mw-0123456789abcdef0', windowExecutionId: 'exec-1', id: 'te-1', windowTaskId: 'task-1', taskArn: 'AWS-RunShellScript',
    taskType: 'RUN_COMMAND', priority: 1, maxConcurrency: '2', maxErrors: '1', cutoffBehavior: 'CONTINUE_TASK', status: 'IN_PROGRESS',
    targets: [], nextPlanIndex: 0, inFlight: 0, errorCount: 0, ...overrides,
  };
}

describe('pseudo parameters', () => {
  test('known names are substituted, with or without inner spaces; unknown and unavailable ones stay', () => {
    assert.equal(substitute('{{WINDOW_ID}}/{{ INVOCATION_ID }}', values), 'mw-0123456789abcdef0/inv-1');
    assert.equal(substitute('{{NOT_A_NAME}} {{WINDOW_TARGET_ID}}', values), '{{NOT_A_NAME}} {{WINDOW_TARGET_ID}}');
  });

  test('Run Command Parameters mirror SendCommand, keys sorted, with every instance', () => {
    const text = invocationParameters(task({ invocationParameters: { RunCommand: { Parameters: { commands: ['echo {{WINDOW_EXECUTION_ID}}'] }, TimeoutSeconds: 120, Comment: 'c' } } }), ['i-1', 'i-2'], values);
    assert.equal(text, '{"comment":"c","documentName":"AWS-RunShellScript","instanceIds":["i-1","i-2"],"maxConcurrency":"2","maxErrors":"1","parameters":{"commands":["echo exec-1"]},"timeoutSeconds":120}');
  });

  test('Run Command falls back to the deprecated TaskParameters and defaults', () => {
    const text = invocationParameters(task({ taskParameters: { commands: { Values: ['df'] } } }), ['i-1'], values);
    assert.deepEqual(JSON.parse(text), { comment: '', documentName: 'AWS-RunShellScript', instanceIds: ['i-1'], maxConcurrency: '2', maxErrors: '1', parameters: { commands: ['df'] }, timeoutSeconds: 600 });
  });

  test('Automation, Lambda and Step Functions requests', () => {
    const automation = invocationParameters(task({ taskType: 'AUTOMATION', taskArn: 'AWS-RestartEC2Instance', invocationParameters: { Automation: { DocumentVersion: '$LATEST', Parameters: { InstanceId: ['{{RESOURCE_ID}}'] } } } }), ['i-1'], values);
    assert.equal(automation, '{"documentName":"AWS-RestartEC2Instance","documentVersion":"$LATEST","parameters":{"InstanceId":["i-1"]}}');
    const lambda = invocationParameters(task({ taskType: 'LAMBDA', taskArn: 'fn', invocationParameters: { Lambda: { Payload: Buffer.from('{"id":"{{TARGET_ID}}"}').toString('base64'), Qualifier: '3' } } }), ['i-1'], values);
    assert.deepEqual(JSON.parse(lambda), { functionName: 'fn', payload: '{"id":"i-1"}', qualifier: '3' });
    const sfn = invocationParameters(task({ taskType: 'STEP_FUNCTIONS', taskArn: 'arn:sm', invocationParameters: { StepFunctions: { Name: '{{INVOCATION_ID}}', Input: '{}' } } }), [], values);
    assert.deepEqual(JSON.parse(sfn), { input: '{}', name: 'inv-1', stateMachineArn: 'arn:sm' });
  });
});

describe('targets', () => {
  const nodes: ManagedNode[] = [
    { id: 'i-1', tags: { Env: 'prod', Role: 'web' }, resourceGroups: ['blue'] },
    { id: 'i-2', tags: { Env: 'prod' }, resourceGroups: [] },
    { id: 'i-3', tags: { Env: 'dev', Role: 'web' }, resourceGroups: ['blue'] },
  ];
  const target = (targets: WindowTarget['targets'], resourceType: WindowTarget['resourceType'] = 'INSTANCE'): WindowTarget =>
    ({ windowId: 'w', id: 't', resourceType, targets, ownerInformation: 'owner' });

  test('tag, tag-key and resource-group criteria resolve against the inventory (criteria ANDed)', () => {
    assert.deepEqual(resolveWindowTarget(target([{ key: 'tag:Env', values: ['prod'] }]), nodes), ['i-1', 'i-2']);
    assert.deepEqual(resolveWindowTarget(target([{ key: 'tag:Env', values: ['prod'] }, { key: 'tag-key', values: ['Role'] }]), nodes), ['i-1']);
    assert.deepEqual(resolveWindowTarget(target([{ key: 'resource-groups:Name', values: ['blue'] }], 'RESOURCE_GROUP'), nodes), ['i-1', 'i-3']);
    assert.deepEqual(resolveWindowTarget(target([{ key: 'InstanceIds', values: ['i-9', 'i-9'] }]), nodes), ['i-9']);
  });

  test('Run Command makes one invocation per window target; other types one per resource; targetless one', () => {
    const windowTargets = new Map([['wt-1', { ...target([{ key: 'tag:Env', values: ['prod'] }]), id: 'wt-1' }], ['wt-2', { ...target([{ key: 'InstanceIds', values: ['i-7'] }]), id: 'wt-2' }]]);
    const specs = [{ key: 'WindowTargetIds', values: ['wt-1', 'wt-2', 'wt-gone'] }];
    const run = planInvocations('RUN_COMMAND', specs, windowTargets, nodes);
    assert.deepEqual(run.map((p) => [p.resourceIds, p.windowTargetId, p.group, p.ownerInformation]), [[['i-1', 'i-2'], 'wt-1', 0, 'owner'], [['i-7'], 'wt-2', 1, 'owner']]);
    const automation = planInvocations('AUTOMATION', specs, windowTargets, nodes);
    assert.deepEqual(automation.map((p) => p.resourceIds[0]), ['i-1', 'i-2', 'i-7']);
    assert.deepEqual(planInvocations('LAMBDA', [], windowTargets, nodes), [{ resourceIds: [], group: 0 }]);
    const direct = planInvocations('AUTOMATION', [{ key: 'InstanceIds', values: ['i-1', 'i-2'] }], windowTargets, nodes);
    assert.deepEqual(direct.map((p) => [p.resourceIds, p.windowTargetId, p.ownerInformation]), [[['i-1'], undefined, undefined], [['i-2'], undefined, undefined]]);
  });
});

describe('rate control and outcome rules', () => {
  test('MaxConcurrency and MaxErrors as numbers and percentages', () => {
    assert.equal(concurrencyLimit('3', 10), 3);
    assert.equal(concurrencyLimit('30%', 10), 3);
    assert.equal(concurrencyLimit('1%', 10), 1);
    assert.equal(concurrencyLimit('100%', 7), 7);
    assert.equal(errorThreshold('0', 5), 0);
    assert.equal(errorThreshold('10%', 50), 5);
    assert.equal(errorThreshold('0%', 50), 0);
    assert.equal(errorThreshold('15%', 10), 2);
  });

  test('the first matching rule wins; spent rules no longer match', () => {
    const rules = [
      { match: { resourceId: 'i-2' }, status: 'FAILED' as const, times: 0 },
      { match: { taskType: 'AUTOMATION', resourceId: 'i-2' }, status: 'TIMED_OUT' as const },
      { match: {}, status: 'SUCCESS' as const },
    ];
    const subject = { windowId: 'w', windowTaskId: 't', taskArn: 'a', taskType: 'AUTOMATION', resourceId: 'i-2' };
    assert.equal(matchingRule(rules, subject), 1);
    assert.equal(matchingRule(rules, { ...subject, resourceId: 'i-3' }), 2);
    assert.equal(matchingRule(rules.slice(0, 2), { ...subject, taskType: 'LAMBDA' }), -1);
  });
});

describe('replica identity: leases left by dead processes of this host', () => {
  const self = { host: 'host-a', pid: 100, nonce: 'abcd0123' };
  const alive = (pid: number) => pid === 200;
  test('a dead pid of this host, or this pid under another nonce, is dead; live pids and other hosts are not', () => {
    assert.equal(isDeadLocalReplica('host-a:300:00ff00ff', self, alive), true);
    assert.equal(isDeadLocalReplica('host-a:100:99999999', self, alive), true, 'an earlier life of this pid (container restart)');
    assert.equal(isDeadLocalReplica(replicaName(self), self, alive), false, 'this very process');
    assert.equal(isDeadLocalReplica('host-a:200:00ff00ff', self, alive), false, 'a live process');
    assert.equal(isDeadLocalReplica('host-b:300:00ff00ff', self, alive), false, 'another host: its lease must run out');
    assert.equal(isDeadLocalReplica('not a replica name', self, alive), false);
    assert.equal(isDeadLocalReplica('host:with:colons:300:0a', { ...self, host: 'host:with:colons' }, alive), true);
  });
});
