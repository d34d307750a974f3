// Automation that really runs (issue 22), driven with the SDK on the manual clock: a runbook of the
// account's own with a sleep, an aws:runCommand step on a simulated node whose output feeds an aws:branch,
// and an approval; GetAutomationExecution and DescribeAutomationStepExecutions show each step; signals,
// stops, parameters, errors; a window's AUTOMATION task whose ExecutionId is the execution.

import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import {
  CreateDocumentCommand, CreateMaintenanceWindowCommand, DescribeAutomationExecutionsCommand, DescribeAutomationStepExecutionsCommand,
  GetAutomationExecutionCommand, GetCommandInvocationCommand, RegisterTargetWithMaintenanceWindowCommand, RegisterTaskWithMaintenanceWindowCommand,
  SendAutomationSignalCommand, StartAutomationExecutionCommand, StopAutomationExecutionCommand,
} from '@aws-sdk/client-ssm';
import { advance, control, executionTree, fire, setOutcomes } from '../support/control.ts';
import { rejectsWith } from '../support/errors.ts';
import { defaultQuotas } from '../../src/service/context.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const T0 = Date.parse('2026-11-01T00:00:00Z');
const NODE = 'i-0000000000000d001';

const RUNBOOK = `schemaVersion: '0.3'
description: Check a node, fix it when it is unwell, after someone approves
parameters:
  InstanceId:
    type: String
  Approver:
    type: String
    default: arn:aws:iam::000000000000:user/oncall
outputs:
  - check.Output
mainSteps:
  - name: settle
    action: aws:sleep
    inputs:
      Duration: PT5M
  - name: check
    action: aws:runCommand
    inputs:
      DocumentName: AWS-RunShellScript
      InstanceIds:
        - '{{ InstanceId }}'
      Parameters:
        commands:
          - systemctl is-active app
    onFailure: Continue
  - name: decide
    action: aws:branch
    inputs:
      Choices:
        - NextStep: approveFix
          Variable: '{{ check.ResponseCode }}'
          NumericGreater: 0
      Default: healthy
  - name: approveFix
    action: aws:approve
    inputs:
      Approvers:
        - '{{ Approver }}'
    nextStep: fix
  - name: healthy
    action: aws:sleep
    inputs:
      Duration: PT1S
    isEnd: true
  - name: fix
    action: aws:runCommand
    inputs:
      DocumentName: AWS-RunShellScript
      InstanceIds:
        - '{{ InstanceId }}'
      Parameters:
        commands:
          - systemctl restart app
`;

let server: TestServer;
const send = (command: any): Promise<any> => server.client.send(command);

async function execution(id: string) {
  return (await send(new GetAutomationExecutionCommand({ AutomationExecutionId: id }))).AutomationExecution;
}

const stepsOf = (e: any) => e.StepExecutions.map((s: any) => [s.StepName, s.StepStatus]);

describe('Automation on the manual clock', () => {
  beforeEach(async () => {
    server = await startTestServer({ clockMode: 'manual', manualClockStart: T0, invocationSeconds: 10, simulatedTaskTypes: [] });
    await control(server, 'PUT', `/_mw/nodes/${NODE}`, { body: {} });
    await send(new CreateDocumentCommand({ Name: 'FixApp', Content: RUNBOOK, DocumentFormat: 'YAML', DocumentType: 'Automation' }));
  });
  afterEach(() => server.stop());

  test('an unwell node: sleep, a real command, the branch to an approval, approved, the fix runs; each step as it ran', async () => {
    await setOutcomes(server, [{ match: { resourceId: NODE, documentName: 'AWS-RunShellScript' }, status: 'FAILED', responseCode: 3, stdout: 'inactive\n', times: 1 }] as never);
    const { AutomationExecutionId: id } = await send(new StartAutomationExecutionCommand({ DocumentName: 'FixApp', Parameters: { InstanceId: [NODE] } }));
    let e = await execution(id);
    assert.deepEqual([e.AutomationExecutionStatus, e.DocumentVersion, e.Mode, e.CurrentStepName, e.CurrentAction], ['InProgress', '1', 'Auto', 'settle', 'aws:sleep']);
    assert.deepEqual(e.Parameters, { InstanceId: [NODE], Approver: ['arn:aws:iam::000000000000:user/oncall'] });

    await advance(server, 300 + 10);
    e = await execution(id);
    assert.deepEqual(stepsOf(e), [['settle', 'Success'], ['check', 'Failed'], ['decide', 'Success'], ['approveFix', 'Waiting']],
      'the command failed, so did its step; onFailure Continue goes on, and the branch reads its outputs');
    assert.equal(e.AutomationExecutionStatus, 'Waiting');
    const check = e.StepExecutions[1];
    assert.equal(check.Outputs.ResponseCode[0], '3');
    assert.equal(check.Outputs.Output[0], 'inactive\n');
    const command = await send(new GetCommandInvocationCommand({ CommandId: check.Outputs.CommandId[0], InstanceId: NODE }));
    assert.deepEqual([command.Status, command.ResponseCode], ['Failed', 3], 'the step ran a real Run Command command');
    assert.equal(e.StepExecutions[2].NextStep, 'approveFix', 'the branch taken');
    assert.deepEqual(check.Inputs.InstanceIds, JSON.stringify([NODE]));

    await rejectsWith(send(new SendAutomationSignalCommand({ AutomationExecutionId: id, SignalType: 'Resume' })), 'InvalidAutomationSignalException');
    await send(new SendAutomationSignalCommand({ AutomationExecutionId: id, SignalType: 'Approve', Payload: { Comment: ['go'] } }));
    e = await execution(id);
    assert.deepEqual(stepsOf(e).slice(3), [['approveFix', 'Success'], ['fix', 'InProgress']]);
    await advance(server, 10);
    e = await execution(id);
    assert.deepEqual([e.AutomationExecutionStatus, stepsOf(e).at(-1)], ['Success', ['fix', 'Success']], 'check was not critical (onFailure Continue)');
    assert.deepEqual(e.Outputs, { 'check.Output': ['inactive\n'] });
    assert.equal(e.StepExecutions[1].FailureMessage.includes('Failed'), true);
    assert.equal(e.ExecutionEndTime.getTime(), T0 + 320_000);

    const steps = (await send(new DescribeAutomationStepExecutionsCommand({ AutomationExecutionId: id, ReverseOrder: true, MaxResults: 2 })));
    assert.deepEqual(steps.StepExecutions.map((s: any) => s.StepName), ['fix', 'approveFix']);
    const rest = await send(new DescribeAutomationStepExecutionsCommand({ AutomationExecutionId: id, ReverseOrder: true, MaxResults: 2, NextToken: steps.NextToken }));
    assert.deepEqual(rest.StepExecutions.map((s: any) => s.StepName), ['decide', 'check']);
    const runCommands = await send(new DescribeAutomationStepExecutionsCommand({ AutomationExecutionId: id, Filters: [{ Key: 'Action', Values: ['aws:runCommand'] }] }));
    assert.deepEqual(runCommands.StepExecutions.map((s: any) => s.StepName), ['check', 'fix']);
  });

  test('a healthy node takes the Default branch; executions are listed newest first and filtered', async () => {
    const first = (await send(new StartAutomationExecutionCommand({ DocumentName: 'FixApp', Parameters: { InstanceId: [NODE] } }))).AutomationExecutionId;
    await advance(server, 400);
    const e = await execution(first);
    assert.deepEqual([e.AutomationExecutionStatus, stepsOf(e).map((s: string[]) => s[0])], ['Success', ['settle', 'check', 'decide', 'healthy']]);
    const second = (await send(new StartAutomationExecutionCommand({ DocumentName: 'FixApp', Parameters: { InstanceId: [NODE] } }))).AutomationExecutionId;
    const listed = (await send(new DescribeAutomationExecutionsCommand({}))).AutomationExecutionMetadataList;
    assert.deepEqual(listed.map((m: any) => [m.AutomationExecutionId, m.AutomationExecutionStatus]), [[second, 'InProgress'], [first, 'Success']]);
    const running = (await send(new DescribeAutomationExecutionsCommand({ Filters: [{ Key: 'ExecutionStatus', Values: ['InProgress'] }] }))).AutomationExecutionMetadataList;
    assert.deepEqual(running.map((m: any) => m.AutomationExecutionId), [second]);
    await rejectsWith(send(new DescribeAutomationExecutionsCommand({ Filters: [{ Key: 'StartTimeAfter', Values: ['yesterday'] }] })), 'InvalidFilterValue');
  });

  test('StopAutomationExecution cancels a running execution and its command; a finished one cannot be stopped', async () => {
    await setOutcomes(server, [{ match: { resourceId: NODE }, status: 'SUCCESS', durationSeconds: 3600 }] as never);
    const { AutomationExecutionId: id } = await send(new StartAutomationExecutionCommand({ DocumentName: 'FixApp', Parameters: { InstanceId: [NODE] } }));
    await advance(server, 310);
    let e = await execution(id);
    assert.deepEqual(stepsOf(e).at(-1), ['check', 'InProgress']);
    await send(new StopAutomationExecutionCommand({ AutomationExecutionId: id }));
    e = await execution(id);
    assert.deepEqual([e.AutomationExecutionStatus, stepsOf(e).at(-1)], ['Cancelled', ['check', 'Cancelled']]);
    await advance(server, 1);
    const commandId = JSON.parse(JSON.stringify(e.StepExecutions[1])).Outputs?.CommandId?.[0];
    assert.equal(commandId, undefined, 'a cancelled step has no outputs');
    await rejectsWith(send(new StopAutomationExecutionCommand({ AutomationExecutionId: id })), 'InvalidAutomationStatusUpdateException');
  });

  test('errors: an unknown runbook or version, a Command document, parameters that do not fit, an unknown execution', async () => {
    await rejectsWith(send(new StartAutomationExecutionCommand({ DocumentName: 'NoSuchRunbook' })), 'AutomationDefinitionNotFoundException');
    await rejectsWith(send(new StartAutomationExecutionCommand({ DocumentName: 'FixApp', DocumentVersion: '7', Parameters: { InstanceId: [NODE] } })), 'AutomationDefinitionVersionNotFoundException');
    await rejectsWith(send(new StartAutomationExecutionCommand({ DocumentName: 'AWS-RunShellScript' })), 'AutomationDefinitionNotFoundException');
    await rejectsWith(send(new StartAutomationExecutionCommand({ DocumentName: 'FixApp' })), 'InvalidAutomationExecutionParametersException');
    await rejectsWith(send(new StartAutomationExecutionCommand({ DocumentName: 'FixApp', Parameters: { InstanceId: [NODE], Nope: ['x'] } })), 'InvalidAutomationExecutionParametersException');
    await rejectsWith(send(new GetAutomationExecutionCommand({ AutomationExecutionId: '11111111-2222-3333-4444-555555555555' })), 'AutomationExecutionNotFoundException');
    const token = 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee';
    const a = (await send(new StartAutomationExecutionCommand({ DocumentName: 'FixApp', Parameters: { InstanceId: [NODE] }, ClientToken: token }))).AutomationExecutionId;
    const b = (await send(new StartAutomationExecutionCommand({ DocumentName: 'FixApp', Parameters: { InstanceId: [NODE] }, ClientToken: token }))).AutomationExecutionId;
    assert.equal(a, b, 'the same ClientToken starts one execution');
  });

  test('a window\'s AUTOMATION task: the invocation\'s ExecutionId is the execution, and it follows the execution', async () => {
    const { WindowId } = await send(new CreateMaintenanceWindowCommand({ Name: 'fix-nightly', Schedule: 'rate(1 day)', Duration: 2, Cutoff: 1, AllowUnassociatedTargets: false }));
    const { WindowTargetId } = await send(new RegisterTargetWithMaintenanceWindowCommand({ WindowId, ResourceType: 'INSTANCE', Targets: [{ Key: 'InstanceIds', Values: [NODE] }] }));
    await send(new RegisterTaskWithMaintenanceWindowCommand({
      WindowId, TaskArn: 'FixApp', TaskType: 'AUTOMATION', Targets: [{ Key: 'WindowTargetIds', Values: [WindowTargetId] }], MaxConcurrency: '1', MaxErrors: '0',
      TaskInvocationParameters: { Automation: { DocumentVersion: '$DEFAULT', Parameters: { InstanceId: ['{{RESOURCE_ID}}'] } } },
    }));
    const executionId = await fire(server, WindowId);
    let tree = await executionTree(server.client, executionId);
    const [invocation] = tree.tasks[0].invocations;
    assert.equal(invocation.Status, 'IN_PROGRESS');
    const e = await execution(invocation.ExecutionId!);
    assert.deepEqual([e.DocumentName, e.Parameters.InstanceId, e.CurrentStepName], ['FixApp', [NODE], 'settle']);
    await advance(server, 400);
    tree = await executionTree(server.client, executionId);
    assert.deepEqual([tree.tasks[0].invocations[0].Status, tree.execution.Status], ['SUCCESS', 'SUCCESS']);
    assert.equal((await execution(invocation.ExecutionId!)).AutomationExecutionStatus, 'Success');
  });

  test('a wait without timeoutSeconds keeps AWS\'s hour: it is not given up at the 600 s a plain call gets', async () => {
    const waits = JSON.stringify({
      schemaVersion: '0.3',
      mainSteps: [{
        name: 'untilShared', action: 'aws:waitForAwsResourceProperty',
        inputs: { Service: 'ssm', Api: 'DescribeDocument', Name: 'FixApp', PropertySelector: '$.Document.Status', DesiredValues: ['Deleting'] },
      }],
    });
    await send(new CreateDocumentCommand({ Name: 'WaitLong', Content: waits, DocumentType: 'Automation' }));
    const { AutomationExecutionId: id } = await send(new StartAutomationExecutionCommand({ DocumentName: 'WaitLong' }));
    await advance(server, 700);
    assert.deepEqual(stepsOf(await execution(id)), [['untilShared', 'InProgress']]);
    await advance(server, 3000);
    const e = await execution(id);
    assert.deepEqual([e.AutomationExecutionStatus, stepsOf(e)], ['TimedOut', [['untilShared', 'TimedOut']]]);
  });

  test('a runbook that starts itself ends at the quota of executions not ended (AutomationExecutionLimitExceededException)', async () => {
    const limited = await startTestServer({ clockMode: 'manual', manualClockStart: T0, simulatedTaskTypes: [], quotas: { ...defaultQuotas, automationsNotEnded: 5 } });
    try {
      const loop = JSON.stringify({ schemaVersion: '0.3', mainSteps: [{ name: 'again', action: 'aws:executeAutomation', inputs: { DocumentName: 'Loop' } }] });
      await limited.client.send(new CreateDocumentCommand({ Name: 'Loop', Content: loop, DocumentType: 'Automation' }));
      const { AutomationExecutionId: first } = await limited.client.send(new StartAutomationExecutionCommand({ DocumentName: 'Loop' }));
      const all = (await limited.client.send(new DescribeAutomationExecutionsCommand({}))).AutomationExecutionMetadataList!;
      assert.equal(all.length, 5, 'five started, the sixth refused');
      assert.deepEqual(new Set(all.map((m) => m.AutomationExecutionStatus)), new Set(['Failed']), 'the refusal failed the deepest step, and each parent in turn');
      const deepest = (await limited.client.send(new GetAutomationExecutionCommand({ AutomationExecutionId: all[0].AutomationExecutionId }))).AutomationExecution!;
      assert.match(deepest.StepExecutions![0].FailureMessage!, /^AutomationExecutionLimitExceededException: /);
      assert.match((await limited.client.send(new GetAutomationExecutionCommand({ AutomationExecutionId: first }))).AutomationExecution!.FailureMessage!, /Child execution/);
      // Ended, they no longer count: a new one starts.
      await limited.client.send(new CreateDocumentCommand({ Name: 'Nap', Content: JSON.stringify({ schemaVersion: '0.3', mainSteps: [{ name: 'nap', action: 'aws:sleep', inputs: { Duration: 'PT1H' } }] }), DocumentType: 'Automation' }));
      for (let i = 0; i < 5; i++) await limited.client.send(new StartAutomationExecutionCommand({ DocumentName: 'Nap' }));
      await rejectsWith(limited.client.send(new StartAutomationExecutionCommand({ DocumentName: 'Nap' })), 'AutomationExecutionLimitExceededException');
    } finally {
      await limited.stop();
    }
  });
});
