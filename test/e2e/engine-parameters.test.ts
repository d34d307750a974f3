// The Parameters string each invocation records (SPEC 3.9): what was sent to the executing service,
// after pseudo-parameter substitution. {{RESOURCE_ID}} and {{TARGET_ID}} are filled in for AUTOMATION,
// LAMBDA and STEP_FUNCTIONS, and left as written for RUN_COMMAND; the stored task keeps its placeholders.

import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import {
  CreateMaintenanceWindowCommand,
  GetMaintenanceWindowTaskCommand,
  RegisterTargetWithMaintenanceWindowCommand,
  RegisterTaskWithMaintenanceWindowCommand,
} from '@aws-sdk/client-ssm';
import { advance, executionTree, fire } from '../support/control.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const T0 = Date.parse('2026-03-01T00:00:00Z');
const at = (seconds: number) => new Date(T0 + seconds * 1000);

const PSEUDO = {
  windowId: ['{{WINDOW_ID}}'],
  windowTaskId: ['{{WINDOW_TASK_ID}}'],
  windowTargetId: ['{{WINDOW_TARGET_ID}}'],
  windowExecutionId: ['{{WINDOW_EXECUTION_ID}}'],
  taskExecutionId: ['{{TASK_EXECUTION_ID}}'],
  invocationId: ['{{INVOCATION_ID}}'],
  targetType: ['{{TARGET_TYPE}}'],
  targetId: ['{{TARGET_ID}}'],
  resourceId: ['{{RESOURCE_ID}}'],
  spaced: ['{{ WINDOW_ID }}'],
  unknown: ['{{NOT_A_PSEUDO_PARAMETER}}'],
  mixed: ['node={{RESOURCE_ID}};window={{WINDOW_ID}}', 'literal'],
};

describe('engine: invocation Parameters and pseudo parameters', () => {
  let server: TestServer;
  const send = (command: any): Promise<any> => server.client.send(command);

  beforeEach(async () => {
    server = await startTestServer({ clockMode: 'manual', manualClockStart: T0, invocationSeconds: 30 });
  });
  afterEach(() => server.stop());

  async function windowWithTarget(instances: string[], ownerInformation?: string) {
    const { WindowId } = await send(new CreateMaintenanceWindowCommand({ Name: 'pseudo', Schedule: 'rate(1 day)', Duration: 2, Cutoff: 1, AllowUnassociatedTargets: false }));
    const { WindowTargetId } = await send(new RegisterTargetWithMaintenanceWindowCommand({
      WindowId, ResourceType: 'INSTANCE', Targets: [{ Key: 'InstanceIds', Values: instances }], OwnerInformation: ownerInformation,
    }));
    return { windowId: WindowId as string, windowTargetId: WindowTargetId as string };
  }

  test('AUTOMATION: every pseudo parameter substituted per invocation; the stored task keeps the placeholders', async () => {
    const { windowId, windowTargetId } = await windowWithTarget(['i-1', 'i-2'], 'owner-x');
    const { WindowTaskId } = await send(new RegisterTaskWithMaintenanceWindowCommand({
      WindowId: windowId, TaskArn: 'AWS-RestartEC2Instance', TaskType: 'AUTOMATION', Targets: [{ Key: 'WindowTargetIds', Values: [windowTargetId] }],
      MaxConcurrency: '2', MaxErrors: '0', TaskInvocationParameters: { Automation: { DocumentVersion: '$LATEST', Parameters: PSEUDO } },
    }));
    const executionId = await fire(server, windowId);
    await advance(server, 30);
    const { execution, tasks: [run] } = await executionTree(server.client, executionId);
    assert.equal(execution.Status, 'SUCCESS');
    assert.equal(run.invocations.length, 2);
    run.invocations.forEach((invocation, i) => {
      const resource = `i-${i + 1}`;
      assert.deepEqual(JSON.parse(invocation.Parameters!), {
        documentName: 'AWS-RestartEC2Instance',
        documentVersion: '$LATEST',
        parameters: {
          windowId: [windowId],
          windowTaskId: [WindowTaskId],
          windowTargetId: [windowTargetId],
          windowExecutionId: [executionId],
          taskExecutionId: [run.task.TaskExecutionId],
          invocationId: [invocation.InvocationId],
          targetType: ['INSTANCE'],
          targetId: [resource],
          resourceId: [resource],
          spaced: [windowId],
          unknown: ['{{NOT_A_PSEUDO_PARAMETER}}'],
          mixed: [`node=${resource};window=${windowId}`, 'literal'],
        },
      });
      assert.equal(invocation.TaskType, 'AUTOMATION');
      assert.equal(invocation.WindowTargetId, windowTargetId);
      assert.equal(invocation.OwnerInformation, 'owner-x', 'OwnerInformation flows from the window target');
    });
    assert.notEqual(run.invocations[0].InvocationId, run.invocations[1].InvocationId);
    const stored = await send(new GetMaintenanceWindowTaskCommand({ WindowId: windowId, WindowTaskId }));
    assert.deepEqual(stored.TaskInvocationParameters.Automation.Parameters, PSEUDO);
  });

  test('RUN_COMMAND: {{RESOURCE_ID}} and {{TARGET_ID}} are left as written; the rest is substituted in every string', async () => {
    const { windowId, windowTargetId } = await windowWithTarget(['i-1', 'i-2', 'i-3'], 'ops');
    const { WindowTaskId } = await send(new RegisterTaskWithMaintenanceWindowCommand({
      WindowId: windowId, TaskArn: 'AWS-RunShellScript', TaskType: 'RUN_COMMAND', Targets: [{ Key: 'WindowTargetIds', Values: [windowTargetId] }],
      MaxConcurrency: '50%', MaxErrors: '1',
      TaskInvocationParameters: {
        RunCommand: {
          Comment: 'run {{WINDOW_ID}}',
          DocumentVersion: '$DEFAULT',
          TimeoutSeconds: 900,
          OutputS3BucketName: 'out-bucket',
          OutputS3KeyPrefix: 'mw/{{WINDOW_EXECUTION_ID}}',
          ServiceRoleArn: 'arn:aws:iam::123456789012:role/Notify',
          NotificationConfig: { NotificationArn: 'arn:aws:sns:us-east-1:123456789012:topic', NotificationEvents: ['Failed'], NotificationType: 'Command' },
          CloudWatchOutputConfig: { CloudWatchLogGroupName: 'grp', CloudWatchOutputEnabled: true },
          Parameters: {
            commands: ['echo {{RESOURCE_ID}} {{TARGET_ID}} {{TARGET_TYPE}}', 'echo {{WINDOW_EXECUTION_ID}}/{{TASK_EXECUTION_ID}}/{{INVOCATION_ID}}', 'echo {{WINDOW_TASK_ID}} {{WINDOW_TARGET_ID}}'],
          },
        },
      },
    }));
    const executionId = await fire(server, windowId);
    await advance(server, 30);
    const { tasks: [run] } = await executionTree(server.client, executionId);
    assert.equal(run.invocations.length, 1);
    const [invocation] = run.invocations;
    assert.deepEqual(JSON.parse(invocation.Parameters!), {
      comment: `run ${windowId}`,
      documentName: 'AWS-RunShellScript',
      documentVersion: '$DEFAULT',
      instanceIds: ['i-1', 'i-2', 'i-3'],
      maxConcurrency: '50%',
      maxErrors: '1',
      outputS3BucketName: 'out-bucket',
      outputS3KeyPrefix: `mw/${executionId}`,
      serviceRoleArn: 'arn:aws:iam::123456789012:role/Notify',
      notificationConfig: { notificationArn: 'arn:aws:sns:us-east-1:123456789012:topic', notificationEvents: ['Failed'], notificationType: 'Command' },
      cloudWatchOutputConfig: { cloudWatchLogGroupName: 'grp', cloudWatchOutputEnabled: true },
      parameters: {
        commands: [
          'echo {{RESOURCE_ID}} {{TARGET_ID}} INSTANCE',
          `echo ${executionId}/${run.task.TaskExecutionId}/${invocation.InvocationId}`,
          `echo ${WindowTaskId} ${windowTargetId}`,
        ],
      },
      timeoutSeconds: 900,
    });
    // Compact JSON with the top-level keys in alphabetical order, as in AWS's recent example.
    assert.equal(invocation.Parameters, JSON.stringify(JSON.parse(invocation.Parameters!)));
    const keys = Object.keys(JSON.parse(invocation.Parameters!));
    assert.deepEqual(keys, [...keys].sort());
  });

  test('targetless tasks: exactly one invocation each, with no WindowTargetId and no OwnerInformation', async () => {
    const { windowId } = await windowWithTarget(['i-1', 'i-2'], 'not-used');
    await send(new RegisterTaskWithMaintenanceWindowCommand({
      WindowId: windowId, TaskArn: 'AWS-PublishReport', TaskType: 'AUTOMATION', Priority: 0,
      TaskInvocationParameters: { Automation: { Parameters: { window: ['{{WINDOW_ID}}'], resource: ['{{RESOURCE_ID}}'] } } },
    }));
    await send(new RegisterTaskWithMaintenanceWindowCommand({
      WindowId: windowId, TaskArn: 'arn:aws:lambda:us-east-1:123456789012:function:report', TaskType: 'LAMBDA', Priority: 1,
      TaskInvocationParameters: { Lambda: { Qualifier: '2', ClientContext: 'e30=', Payload: new TextEncoder().encode('{"execution":"{{WINDOW_EXECUTION_ID}}"}') } },
    }));
    await send(new RegisterTaskWithMaintenanceWindowCommand({
      WindowId: windowId, TaskArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:report', TaskType: 'STEP_FUNCTIONS', Priority: 2,
      TaskInvocationParameters: { StepFunctions: { Name: '{{INVOCATION_ID}}', Input: '{"task":"{{TASK_EXECUTION_ID}}"}' } },
    }));
    const executionId = await fire(server, windowId);
    await advance(server, 120);
    const { execution, tasks } = await executionTree(server.client, executionId);
    assert.deepEqual([execution.Status, execution.EndTime], ['SUCCESS', at(90)]);
    assert.deepEqual(tasks.map(({ task, invocations }) => [task.TaskType, task.Status, invocations.length]), [
      ['AUTOMATION', 'SUCCESS', 1], ['LAMBDA', 'SUCCESS', 1], ['STEP_FUNCTIONS', 'SUCCESS', 1],
    ]);
    for (const { invocations: [invocation] } of tasks) {
      assert.equal(invocation.WindowTargetId, undefined);
      assert.equal(invocation.OwnerInformation, undefined);
      assert.equal(invocation.Status, 'SUCCESS');
    }
    const [automation, lambda, stepFunctions] = tasks;
    assert.deepEqual(JSON.parse(automation.invocations[0].Parameters!), {
      documentName: 'AWS-PublishReport', parameters: { window: [windowId], resource: ['{{RESOURCE_ID}}'] },
    }, 'no resource, so {{RESOURCE_ID}} stays unpopulated');
    assert.deepEqual(JSON.parse(lambda.invocations[0].Parameters!), {
      clientContext: 'e30=', functionName: 'arn:aws:lambda:us-east-1:123456789012:function:report', payload: `{"execution":"${executionId}"}`, qualifier: '2',
    });
    assert.deepEqual(JSON.parse(stepFunctions.invocations[0].Parameters!), {
      input: `{"task":"${stepFunctions.task.TaskExecutionId}"}`, name: stepFunctions.invocations[0].InvocationId, stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:report',
    });
  });
});
