// How a task's targets become invocations (SPEC 3.5 item 5, SPEC 7): instances named directly on the
// task carry no WindowTargetId/OwnerInformation; window targets pass theirs on and run one after
// another; resource groups resolve from the inventory; a target that resolves to nothing runs nothing.

import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import {
  CreateMaintenanceWindowCommand,
  RegisterTargetWithMaintenanceWindowCommand,
  RegisterTaskWithMaintenanceWindowCommand,
} from '@aws-sdk/client-ssm';
import { advance, executionTree, fire, putNode } from '../support/control.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const T0 = Date.parse('2026-03-01T00:00:00Z');
const at = (seconds: number) => new Date(T0 + seconds * 1000);

describe('engine: targets to invocations', () => {
  let server: TestServer;
  const send = (command: any): Promise<any> => server.client.send(command);

  beforeEach(async () => {
    server = await startTestServer({ clockMode: 'manual', manualClockStart: T0, invocationSeconds: 30 });
  });
  afterEach(() => server.stop());

  const createWindow = async (allowUnassociatedTargets: boolean) =>
    (await send(new CreateMaintenanceWindowCommand({ Name: 'targets', Schedule: 'rate(1 day)', Duration: 2, Cutoff: 1, AllowUnassociatedTargets: allowUnassociatedTargets }))).WindowId as string;

  test('InstanceIds on the task (AllowUnassociatedTargets): invocations without WindowTargetId or OwnerInformation', async () => {
    const windowId = await createWindow(true);
    await send(new RegisterTargetWithMaintenanceWindowCommand({ WindowId: windowId, ResourceType: 'INSTANCE', Targets: [{ Key: 'InstanceIds', Values: ['i-x'] }], OwnerInformation: 'unrelated' }));
    const direct = [{ Key: 'InstanceIds', Values: ['i-a', 'i-b', 'i-c'] }];
    await send(new RegisterTaskWithMaintenanceWindowCommand({
      WindowId: windowId, TaskArn: 'AWS-RestartEC2Instance', TaskType: 'AUTOMATION', Priority: 0, Targets: direct, MaxConcurrency: '3', MaxErrors: '0',
      TaskInvocationParameters: { Automation: { Parameters: { id: ['{{TARGET_TYPE}}:{{RESOURCE_ID}}:{{WINDOW_TARGET_ID}}'] } } },
    }));
    await send(new RegisterTaskWithMaintenanceWindowCommand({
      WindowId: windowId, TaskArn: 'AWS-RunShellScript', TaskType: 'RUN_COMMAND', Priority: 1, Targets: direct, MaxConcurrency: '3', MaxErrors: '0',
      TaskInvocationParameters: { RunCommand: { Parameters: { commands: ['uptime'] } } },
    }));
    const executionId = await fire(server, windowId);
    await advance(server, 60);
    const { execution, tasks: [automation, runCommand] } = await executionTree(server.client, executionId);
    assert.deepEqual([execution.Status, execution.EndTime], ['SUCCESS', at(60)]);
    assert.deepEqual(automation.invocations.map((i) => JSON.parse(i.Parameters!).parameters.id[0]),
      ['INSTANCE:i-a:{{WINDOW_TARGET_ID}}', 'INSTANCE:i-b:{{WINDOW_TARGET_ID}}', 'INSTANCE:i-c:{{WINDOW_TARGET_ID}}'], 'no window target to name');
    assert.equal(runCommand.invocations.length, 1, 'one command for the instances named directly');
    assert.deepEqual(JSON.parse(runCommand.invocations[0].Parameters!).instanceIds, ['i-a', 'i-b', 'i-c']);
    for (const invocation of [...automation.invocations, ...runCommand.invocations]) {
      assert.equal(invocation.WindowTargetId, undefined);
      assert.equal(invocation.OwnerInformation, undefined);
      assert.equal(invocation.Status, 'SUCCESS');
    }
  });

  test('two window targets: each passes on its OwnerInformation, and they run one after the other', async () => {
    const windowId = await createWindow(false);
    const web = (await send(new RegisterTargetWithMaintenanceWindowCommand({ WindowId: windowId, ResourceType: 'INSTANCE', Targets: [{ Key: 'InstanceIds', Values: ['i-w1', 'i-w2'] }], OwnerInformation: 'web-team' }))).WindowTargetId;
    const db = (await send(new RegisterTargetWithMaintenanceWindowCommand({ WindowId: windowId, ResourceType: 'INSTANCE', Targets: [{ Key: 'InstanceIds', Values: ['i-d1'] }], OwnerInformation: 'db-team' }))).WindowTargetId;
    const none = (await send(new RegisterTargetWithMaintenanceWindowCommand({ WindowId: windowId, ResourceType: 'INSTANCE', Targets: [{ Key: 'InstanceIds', Values: ['i-n1'] }] }))).WindowTargetId;
    await send(new RegisterTaskWithMaintenanceWindowCommand({
      WindowId: windowId, TaskArn: 'AWS-RestartEC2Instance', TaskType: 'AUTOMATION', Priority: 0,
      Targets: [{ Key: 'WindowTargetIds', Values: [web, db, none] }], MaxConcurrency: '10', MaxErrors: '0',
    }));
    await send(new RegisterTaskWithMaintenanceWindowCommand({
      WindowId: windowId, TaskArn: 'AWS-RunShellScript', TaskType: 'RUN_COMMAND', Priority: 1,
      Targets: [{ Key: 'WindowTargetIds', Values: [web, db] }], MaxConcurrency: '10', MaxErrors: '0',
      TaskInvocationParameters: { RunCommand: { Parameters: { commands: ['uptime'] } } },
    }));
    const executionId = await fire(server, windowId);
    await advance(server, 600);
    const { execution, tasks: [automation, runCommand] } = await executionTree(server.client, executionId);
    assert.deepEqual(automation.invocations.map((i) => [i.WindowTargetId, i.OwnerInformation, i.StartTime, i.EndTime]), [
      [web, 'web-team', at(0), at(30)],
      [web, 'web-team', at(0), at(30)],
      [db, 'db-team', at(30), at(60)],
      [none, undefined, at(60), at(90)],
    ], 'MaxConcurrency 10, yet each window target waits for the one before');
    assert.deepEqual(runCommand.invocations.map((i) => [i.WindowTargetId, i.OwnerInformation, JSON.parse(i.Parameters!).instanceIds, i.StartTime, i.EndTime]), [
      [web, 'web-team', ['i-w1', 'i-w2'], at(90), at(120)],
      [db, 'db-team', ['i-d1'], at(120), at(150)],
    ], 'one command per window target');
    assert.deepEqual([execution.Status, execution.EndTime], ['SUCCESS', at(150)]);
  });

  test('resource groups and tags resolve from the inventory; a target that matches nothing runs nothing', async () => {
    await putNode(server, 'i-000000000000000g1', { resourceGroups: ['web'] });
    await putNode(server, 'i-000000000000000g2', { resourceGroups: ['web', 'db'], tags: { Patch: 'yes' } });
    await putNode(server, 'i-000000000000000g3', { resourceGroups: ['db'], tags: { Patch: 'no' } });
    const windowId = await createWindow(false);
    const group = (await send(new RegisterTargetWithMaintenanceWindowCommand({
      WindowId: windowId, ResourceType: 'RESOURCE_GROUP', Targets: [{ Key: 'resource-groups:Name', Values: ['web'] }, { Key: 'resource-groups:ResourceTypeFilters', Values: ['AWS::EC2::Instance'] }],
    }))).WindowTargetId;
    const tagKey = (await send(new RegisterTargetWithMaintenanceWindowCommand({ WindowId: windowId, ResourceType: 'INSTANCE', Targets: [{ Key: 'tag-key', Values: ['Patch'] }] }))).WindowTargetId;
    const nobody = (await send(new RegisterTargetWithMaintenanceWindowCommand({ WindowId: windowId, ResourceType: 'INSTANCE', Targets: [{ Key: 'tag:Env', Values: ['nowhere'] }] }))).WindowTargetId;
    const automation = (values: string[], priority: number) => send(new RegisterTaskWithMaintenanceWindowCommand({
      WindowId: windowId, TaskArn: `doc-${priority}`, TaskType: 'AUTOMATION', Priority: priority, Targets: [{ Key: 'WindowTargetIds', Values: values }], MaxConcurrency: '10', MaxErrors: '0',
      TaskInvocationParameters: { Automation: { Parameters: { target: ['{{TARGET_TYPE}} {{TARGET_ID}} {{RESOURCE_ID}}'] } } },
    }));
    await automation([group], 0);
    await automation([tagKey], 1);
    await automation([nobody], 2);
    const executionId = await fire(server, windowId);
    await advance(server, 600);
    const { execution, tasks: [byGroup, byTagKey, byNothing] } = await executionTree(server.client, executionId);
    assert.deepEqual(byGroup.invocations.map((i) => JSON.parse(i.Parameters!).parameters.target[0]), [
      'RESOURCE_GROUP arn:aws:ec2:us-east-1:000000000000:instance/i-000000000000000g1 i-000000000000000g1',
      'RESOURCE_GROUP arn:aws:ec2:us-east-1:000000000000:instance/i-000000000000000g2 i-000000000000000g2',
    ]);
    assert.deepEqual(byTagKey.invocations.map((i) => JSON.parse(i.Parameters!).parameters.target[0]), ['INSTANCE i-000000000000000g2 i-000000000000000g2', 'INSTANCE i-000000000000000g3 i-000000000000000g3']);
    assert.deepEqual(byNothing.invocations, []);
    assert.deepEqual([byNothing.task.Status, byNothing.task.StatusDetails, byNothing.task.StartTime, byNothing.task.EndTime],
      ['SUCCESS', 'No targets were resolved for the task.', at(60), at(60)]);
    assert.deepEqual([execution.Status, execution.EndTime], ['SUCCESS', at(60)]);
  });
});
