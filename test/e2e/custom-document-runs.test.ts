// Documents users write, run by Run Command on simulated nodes (issue 21, item 3): SendCommand and a
// window's RUN_COMMAND task run an account's own Command document at the version asked for, validate its
// parameters, run one plugin per step (2.2 preconditions skipped by platform), and show each plugin's
// result in CommandPlugins and through GetCommandInvocation's PluginName. Manual clock, real SDK.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, test } from 'node:test';
import {
  CreateDocumentCommand, CreateMaintenanceWindowCommand, GetCommandInvocationCommand, ListCommandInvocationsCommand, RegisterTargetWithMaintenanceWindowCommand,
  ModifyDocumentPermissionCommand, RegisterTaskWithMaintenanceWindowCommand, SendCommandCommand, UpdateDocumentCommand,
} from '@aws-sdk/client-ssm';
import { advance, control, executionTree, fire, setOutcomes } from '../support/control.ts';
import { rejectsWith } from '../support/errors.ts';
import { sdkClient, startTestServer, type TestServer } from '../support/server.ts';

const T0 = Date.parse('2026-10-01T00:00:00Z');
const LINUX = 'i-0000000000000c001';
const WINDOWS = 'i-0000000000000c002';

// Three steps: two shell steps and one only Windows nodes run.
const DEPLOY_V1 = `schemaVersion: '2.2'
description: Deploy the app and check it
parameters:
  release:
    type: String
    description: Which release
    allowedValues: [blue, green]
  retries:
    type: Integer
    default: 2
mainSteps:
  - action: aws:runShellScript
    name: install
    precondition:
      StringEquals: [platformType, Linux]
    inputs:
      runCommand:
        - echo installing {{ release }}
  - action: aws:runPowerShellScript
    name: installWindows
    precondition:
      StringEquals: [platformType, Windows]
    inputs:
      runCommand:
        - Write-Output {{ release }}
  - action: aws:runShellScript
    name: verify
    inputs:
      timeoutSeconds: 120
      runCommand:
        - curl -f localhost/health
`;

const DEPLOY_V2 = `schemaVersion: '2.2'
description: Deploy, v2
parameters:
  release:
    type: String
mainSteps:
  - action: aws:runShellScript
    name: deploy
    inputs:
      runCommand:
        - echo {{ release }}
`;

let server: TestServer;
const send = (command: any): Promise<any> => server.client.send(command);

describe('custom Command documents run on simulated nodes', () => {
  beforeEach(async () => {
    server = await startTestServer({ clockMode: 'manual', manualClockStart: T0, invocationSeconds: 10 });
    await control(server, 'PUT', `/_mw/nodes/${LINUX}`, { body: { platformType: 'Linux' } });
    await control(server, 'PUT', `/_mw/nodes/${WINDOWS}`, { body: { platformType: 'Windows' } });
    await send(new CreateDocumentCommand({ Name: 'Deploy', Content: DEPLOY_V1, DocumentFormat: 'YAML', DocumentType: 'Command' }));
  });
  afterEach(() => server.stop());

  test('each step is a plugin: its own status, exit code and output; a step whose precondition fails is skipped', async () => {
    await setOutcomes(server, [
      { match: { documentName: 'Deploy', pluginName: 'verify', resourceId: LINUX }, status: 'FAILED', responseCode: 7, stdout: 'curl: (7) refused\n', durationSeconds: 30 },
      { match: { documentName: 'Deploy' }, status: 'SUCCESS', stdout: 'done\n' },
    ] as never);
    const { Command } = await send(new SendCommandCommand({ DocumentName: 'Deploy', InstanceIds: [LINUX, WINDOWS], Parameters: { release: ['blue'] } }));
    assert.deepEqual(Command.Parameters, { release: ['blue'] }, 'only what was sent is echoed, not the default of retries');
    assert.equal(Command.DocumentVersion, '$DEFAULT');
    const CommandId = Command.CommandId;

    const pending = (await send(new ListCommandInvocationsCommand({ CommandId, Details: true }))).CommandInvocations;
    assert.deepEqual(pending[0].CommandPlugins.map((p: any) => [p.Name, p.Status]), [['install', 'Pending'], ['installWindows', 'Pending'], ['verify', 'Pending']]);

    await advance(server, 60);
    const listed = (await send(new ListCommandInvocationsCommand({ CommandId, Details: true }))).CommandInvocations;
    const linux = listed.find((i: any) => i.InstanceId === LINUX);
    const windows = listed.find((i: any) => i.InstanceId === WINDOWS);
    assert.deepEqual([linux.Status, windows.Status], ['Failed', 'Success']);
    assert.deepEqual(linux.CommandPlugins.map((p: any) => [p.Name, p.Status, p.ResponseCode, p.Output]), [
      ['install', 'Success', 0, 'done\n'],
      ['installWindows', 'Success', 0, `Step execution skipped due to unsatisfied preconditions: '"StringEquals": [platformType, Windows]'. Step name: installWindows`],
      ['verify', 'Failed', 7, 'curl: (7) refused\n'],
    ]);
    assert.deepEqual(windows.CommandPlugins.map((p: any) => [p.Name, p.Status, p.ResponseCode]), [['install', 'Success', 0], ['installWindows', 'Success', 0], ['verify', 'Success', 0]]);
    assert.match(windows.CommandPlugins[0].Output, /unsatisfied preconditions: '"StringEquals": \[platformType, Linux\]'/);

    const verify = await send(new GetCommandInvocationCommand({ CommandId, InstanceId: LINUX, PluginName: 'verify' }));
    assert.deepEqual([verify.PluginName, verify.Status, verify.StatusDetails, verify.ResponseCode, verify.StandardOutputContent],
      ['verify', 'Failed', 'Failed', 7, 'curl: (7) refused\n']);
    const install = await send(new GetCommandInvocationCommand({ CommandId, InstanceId: LINUX, PluginName: 'install' }));
    assert.deepEqual([install.Status, install.ResponseCode, install.StandardOutputContent], ['Success', 0, 'done\n']);
    const whole = await send(new GetCommandInvocationCommand({ CommandId, InstanceId: LINUX }));
    assert.deepEqual([whole.Status, whole.ResponseCode, whole.StandardOutputContent], ['Failed', 7, 'done\ncurl: (7) refused\n'],
      'the invocation: the first failed plugin\'s exit code, the output of the plugins that ran');
    assert.equal(whole.ExecutionElapsedTime, 'PT30S', 'as long as the longest rule applied');
    await rejectsWith(send(new GetCommandInvocationCommand({ CommandId, InstanceId: LINUX, PluginName: 'aws:runShellScript' })), 'InvalidPluginName');
  });

  test('a rule for one plugin spends its times once per node; the command runs the version asked for', async () => {
    await setOutcomes(server, [{ match: { pluginName: 'install' }, status: 'FAILED', times: 1 }] as never);
    const first = (await send(new SendCommandCommand({ DocumentName: 'Deploy', InstanceIds: [LINUX], Parameters: { release: ['green'] } }))).Command;
    const second = (await send(new SendCommandCommand({ DocumentName: 'Deploy', InstanceIds: [LINUX], Parameters: { release: ['green'] } }))).Command;
    await advance(server, 30);
    const status = async (id: string) => (await send(new GetCommandInvocationCommand({ CommandId: id, InstanceId: LINUX }))).Status;
    assert.deepEqual([await status(first.CommandId), await status(second.CommandId)], ['Failed', 'Success']);

    await send(new UpdateDocumentCommand({ Name: 'Deploy', Content: DEPLOY_V2, DocumentFormat: 'YAML', DocumentVersion: '$LATEST' }));
    const plugins = async (extra: Record<string, unknown>) => {
      const { Command } = await send(new SendCommandCommand({ DocumentName: 'Deploy', InstanceIds: [LINUX], Parameters: { release: ['blue'] }, ...extra }));
      const [invocation] = (await send(new ListCommandInvocationsCommand({ CommandId: Command.CommandId, Details: true }))).CommandInvocations;
      return [Command.DocumentVersion, invocation.CommandPlugins.map((p: any) => p.Name)];
    };
    assert.deepEqual(await plugins({}), ['$DEFAULT', ['install', 'installWindows', 'verify']], 'the default version is still 1');
    assert.deepEqual(await plugins({ DocumentVersion: '$LATEST' }), ['$LATEST', ['deploy']]);
    assert.deepEqual(await plugins({ DocumentVersion: '2' }), ['2', ['deploy']]);
    const v2Hash = createHash('sha256').update(DEPLOY_V2).digest('hex');
    assert.deepEqual(await plugins({ DocumentVersion: '2', DocumentHash: v2Hash, DocumentHashType: 'Sha256' }), ['2', ['deploy']]);
    await rejectsWith(send(new SendCommandCommand({ DocumentName: 'Deploy', InstanceIds: [LINUX], Parameters: { release: ['blue'] }, DocumentHash: v2Hash })), 'InvalidDocument');
    await rejectsWith(send(new SendCommandCommand({ DocumentName: 'Deploy', InstanceIds: [LINUX], Parameters: { release: ['blue'] }, DocumentVersion: '9' })), 'InvalidDocumentVersion');
  });

  test('parameters are checked against the document: unknown, missing, not allowed, not of the type', async () => {
    const sendWith = (Parameters: Record<string, string[]>) => send(new SendCommandCommand({ DocumentName: 'Deploy', InstanceIds: [LINUX], Parameters }));
    await rejectsWith(sendWith({ release: ['blue'], color: ['x'] }), 'InvalidParameters');
    await rejectsWith(sendWith({}), 'InvalidParameters');
    await rejectsWith(sendWith({ release: ['purple'] }), 'InvalidParameters');
    await rejectsWith(sendWith({ release: ['blue'], retries: ['many'] }), 'InvalidParameters');
    await rejectsWith(send(new SendCommandCommand({ DocumentName: 'NoSuchDocument', InstanceIds: [LINUX] })), 'InvalidDocument');
    await send(new CreateDocumentCommand({
      Name: 'Runbook', DocumentType: 'Automation', DocumentFormat: 'YAML',
      Content: "schemaVersion: '0.3'\nmainSteps:\n  - name: wait\n    action: aws:sleep\n    inputs:\n      Duration: PT1S\n",
    }));
    await rejectsWith(send(new SendCommandCommand({ DocumentName: 'Runbook', InstanceIds: [LINUX] })), 'InvalidDocument');
    const { Command } = await sendWith({ release: ['green'], retries: ['5'] });
    assert.deepEqual(Command.Parameters, { release: ['green'], retries: ['5'] });
  });

  test('a window\'s RUN_COMMAND task runs the document at the version it names, each plugin reported', async () => {
    await send(new UpdateDocumentCommand({ Name: 'Deploy', Content: DEPLOY_V2, DocumentFormat: 'YAML', DocumentVersion: '$LATEST' }));
    await setOutcomes(server, [{ match: { pluginName: 'verify' }, status: 'FAILED', responseCode: 22, stdout: 'unhealthy\n' }] as never);
    const { WindowId } = await send(new CreateMaintenanceWindowCommand({ Name: 'deploys', Schedule: 'rate(1 day)', Duration: 2, Cutoff: 1, AllowUnassociatedTargets: false }));
    const { WindowTargetId } = await send(new RegisterTargetWithMaintenanceWindowCommand({ WindowId, ResourceType: 'INSTANCE', Targets: [{ Key: 'InstanceIds', Values: [LINUX] }] }));
    await send(new RegisterTaskWithMaintenanceWindowCommand({
      WindowId, TaskArn: 'Deploy', TaskType: 'RUN_COMMAND', Targets: [{ Key: 'WindowTargetIds', Values: [WindowTargetId] }], MaxConcurrency: '1', MaxErrors: '0',
      TaskInvocationParameters: { RunCommand: { DocumentVersion: '1', Parameters: { release: ['blue'] } } },
    }));
    const executionId = await fire(server, WindowId);
    await advance(server, 120);
    const { tasks: [run] } = await executionTree(server.client, executionId);
    const [invocation] = run.invocations;
    assert.equal(invocation.Status, 'FAILED');
    const [commandInvocation] = (await send(new ListCommandInvocationsCommand({ CommandId: invocation.ExecutionId, Details: true }))).CommandInvocations;
    assert.equal(commandInvocation.DocumentVersion, '1');
    assert.deepEqual(commandInvocation.CommandPlugins.map((p: any) => [p.Name, p.Status, p.ResponseCode]),
      [['install', 'Success', 0], ['installWindows', 'Success', 0], ['verify', 'Failed', 22]]);
  });

  test('another account runs a document shared with it by its ARN, on its own node; unshared, it is InvalidDocument', async () => {
    const READER = '222233334444';
    const reader = sdkClient(server.app.endpoint, { account: READER });
    try {
      await control(server, 'PUT', `/_mw/nodes/${LINUX}`, { body: { platformType: 'Linux' }, scope: { account: READER } });
      const arn = `arn:aws:ssm:us-east-1:000000000000:document/Deploy`;
      const run = () => reader.send(new SendCommandCommand({ DocumentName: arn, InstanceIds: [LINUX], Parameters: { release: ['blue'] } }));
      await rejectsWith(run(), 'InvalidDocument');
      await send(new ModifyDocumentPermissionCommand({ Name: 'Deploy', PermissionType: 'Share', AccountIdsToAdd: [READER] }));
      const { Command } = await run();
      assert.equal(Command!.DocumentName, arn);
      await advance(server, 30);
      const [invocation] = (await reader.send(new ListCommandInvocationsCommand({ CommandId: Command!.CommandId, Details: true }))).CommandInvocations!;
      assert.deepEqual([invocation.Status, invocation.CommandPlugins!.map((p) => p.Name)], ['Success', ['install', 'installWindows', 'verify']]);
      await rejectsWith(reader.send(new SendCommandCommand({ DocumentName: 'Deploy', InstanceIds: [LINUX], Parameters: { release: ['blue'] } })), 'InvalidDocument',
        undefined, 400);
    } finally {
      reader.destroy();
    }
  });
});
