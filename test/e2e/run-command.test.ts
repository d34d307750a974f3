// Run Command on simulated nodes, driven with the SDK on the manual clock: SendCommand, the per-node
// invocations and their output, MaxConcurrency/MaxErrors, timeouts, cancellation, pagination, errors.

import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import {
  CancelCommandCommand, GetCommandInvocationCommand, ListCommandInvocationsCommand, ListCommandsCommand, SendCommandCommand,
  paginateListCommandInvocations,
} from '@aws-sdk/client-ssm';
import { advance, control, putNode, setOutcomes } from '../support/control.ts';
import { rejectsWith } from '../support/errors.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const T0 = Date.parse('2026-08-01T00:00:00Z');
let server: TestServer;
describe('Run Command on simulated nodes', () => {
  beforeEach(async () => {
    server = await startTestServer({ clockMode: 'manual', manualClockStart: T0, invocationSeconds: 10 });
  });
  afterEach(() => server.stop());
  const send: TestServer['client']['send'] = (command: any) => server.client.send(command);

  async function nodes(ids: string[], tags: Record<string, string> = {}): Promise<void> {
    for (const id of ids) await putNode(server, id, { tags });
  }

  const shell = (commands: string[], extra: Record<string, unknown> = {}) => ({ DocumentName: 'AWS-RunShellScript', Parameters: { commands }, ...extra });

  test('SendCommand to three nodes: each invocation reports its output and exit code; the command counts them', async () => {
    await nodes(['i-0000000000000a000', 'i-0000000000000a001', 'i-0000000000000a002']);
    await setOutcomes(server, [
      { match: { resourceId: 'i-0000000000000a001' }, status: 'FAILED', durationSeconds: 20, stdout: 'disk full\n', stderr: 'rm: cannot remove', responseCode: 2 },
      { match: { documentName: 'AWS-RunShellScript' }, status: 'SUCCESS', durationSeconds: 5, stdout: ' 10:00:00 up 3 days\n' },
    ] as never);
    const { Command } = await send(new SendCommandCommand(shell(['uptime'], { InstanceIds: ['i-0000000000000a000', 'i-0000000000000a001', 'i-0000000000000a002'], MaxErrors: '1' })));
    assert.deepEqual([Command!.Status, Command!.StatusDetails, Command!.TargetCount, Command!.CompletedCount], ['Pending', 'Pending', 3, 0]);
    assert.equal(Command!.DocumentVersion, '$DEFAULT');
    assert.deepEqual(Command!.Parameters, { commands: ['uptime'] }, 'as sent: the defaults apply to the run, not the echo');
    const CommandId = Command!.CommandId!;

    const running = await send(new GetCommandInvocationCommand({ CommandId, InstanceId: 'i-0000000000000a000' }));
    assert.deepEqual([running.Status, running.ResponseCode, running.ExecutionEndDateTime], ['InProgress', -1, '']);
    assert.equal(running.ExecutionStartDateTime, new Date(T0).toISOString());

    await advance(server, 30);
    const ok = await send(new GetCommandInvocationCommand({ CommandId, InstanceId: 'i-0000000000000a000' }));
    assert.deepEqual([ok.Status, ok.StatusDetails, ok.ResponseCode, ok.StandardOutputContent, ok.StandardErrorContent, ok.PluginName],
      ['Success', 'Success', 0, ' 10:00:00 up 3 days\n', '', 'aws:runShellScript']);
    assert.deepEqual([ok.ExecutionStartDateTime, ok.ExecutionEndDateTime, ok.ExecutionElapsedTime], [new Date(T0).toISOString(), new Date(T0 + 5000).toISOString(), 'PT5S']);
    const failed = await send(new GetCommandInvocationCommand({ CommandId, InstanceId: 'i-0000000000000a001', PluginName: 'aws:runShellScript' }));
    assert.deepEqual([failed.Status, failed.StatusDetails, failed.ResponseCode, failed.StandardOutputContent, failed.StandardErrorContent], ['Failed', 'Failed', 2, 'disk full\n', 'rm: cannot remove']);

    const [command] = (await send(new ListCommandsCommand({ CommandId }))).Commands!;
    assert.deepEqual([command.Status, command.StatusDetails, command.TargetCount, command.CompletedCount, command.ErrorCount], ['Failed', 'Failed', 3, 3, 1]);
    assert.equal(command.RequestedDateTime!.getTime(), T0);
    assert.equal(command.ExpiresAfter!.getTime(), T0 + 7200_000, 'TimeoutSeconds 3600 + executionTimeout 3600');

    const listed = (await send(new ListCommandInvocationsCommand({ CommandId, Details: true }))).CommandInvocations!;
    assert.deepEqual(listed.map((i) => [i.InstanceId, i.Status, i.CommandPlugins?.[0]?.Name, i.CommandPlugins?.[0]?.ResponseCode]),
      [['i-0000000000000a000', 'Success', 'aws:runShellScript', 0], ['i-0000000000000a001', 'Failed', 'aws:runShellScript', 2], ['i-0000000000000a002', 'Success', 'aws:runShellScript', 0]]);
    assert.equal(listed[1].CommandPlugins![0].Output, 'disk full\n\n----------ERROR-------\nrm: cannot remove');
    const plain = (await send(new ListCommandInvocationsCommand({ CommandId }))).CommandInvocations!;
    assert.deepEqual(plain.map((i) => i.CommandPlugins), [[], [], []], 'without Details, no plugins');
  });

  test('Targets by tag reach every tagged node; MaxConcurrency holds the rest Pending; MaxErrors stops them (Terminated)', async () => {
    await nodes(['i-0000000000000a004', 'i-0000000000000a005', 'i-0000000000000a006', 'i-0000000000000a007'], { Env: 'prod' });
    await nodes(['i-0000000000000a008'], { Env: 'dev' });
    await setOutcomes(server, [{ match: { resourceId: 'i-0000000000000a004' }, status: 'FAILED', durationSeconds: 10 }]);
    const { Command } = await send(new SendCommandCommand(shell(['uptime'], { Targets: [{ Key: 'tag:Env', Values: ['prod'] }], MaxConcurrency: '1', MaxErrors: '0' })));
    const CommandId = Command!.CommandId!;
    const statuses = async () => (await send(new ListCommandInvocationsCommand({ CommandId }))).CommandInvocations!.map((i) => [i.InstanceId, i.Status, i.StatusDetails]);
    assert.deepEqual(await statuses(), [['i-0000000000000a004', 'InProgress', 'InProgress'], ['i-0000000000000a005', 'Pending', 'Pending'], ['i-0000000000000a006', 'Pending', 'Pending'], ['i-0000000000000a007', 'Pending', 'Pending']]);
    await advance(server, 60);
    assert.deepEqual(await statuses(), [['i-0000000000000a004', 'Failed', 'Failed'], ['i-0000000000000a005', 'Cancelled', 'Terminated'], ['i-0000000000000a006', 'Cancelled', 'Terminated'], ['i-0000000000000a007', 'Cancelled', 'Terminated']]);
    const [command] = (await send(new ListCommandsCommand({ CommandId }))).Commands!;
    assert.deepEqual([command.Status, command.TargetCount, command.CompletedCount, command.ErrorCount], ['Failed', 4, 4, 1]);
  });

  test('a run longer than executionTimeout ends TimedOut, ExecutionTimedOut, exit code 137', async () => {
    await nodes(['i-0000000000000a000']);
    await setOutcomes(server, [{ match: {}, status: 'SUCCESS', durationSeconds: 600 }]);
    const { Command } = await send(new SendCommandCommand(shell(['sleep 600'], { InstanceIds: ['i-0000000000000a000'], Parameters: { commands: ['sleep 600'], executionTimeout: ['60'] } })));
    await advance(server, 61);
    const got = await send(new GetCommandInvocationCommand({ CommandId: Command!.CommandId, InstanceId: 'i-0000000000000a000' }));
    assert.deepEqual([got.Status, got.StatusDetails, got.ResponseCode, got.ExecutionElapsedTime], ['TimedOut', 'ExecutionTimedOut', 137, 'PT1M0S']);
    const [command] = (await send(new ListCommandsCommand({ CommandId: Command!.CommandId }))).Commands!;
    assert.deepEqual([command.Status, command.StatusDetails, command.ErrorCount], ['TimedOut', 'ExecutionTimedOut', 1]);
  });

  test('TimeoutSeconds: an invocation still queued behind MaxConcurrency at the deadline ends DeliveryTimedOut, counted apart from errors', async () => {
    const ids = ['i-0000000000000b001', 'i-0000000000000b002', 'i-0000000000000b003'];
    await nodes(ids);
    await setOutcomes(server, [{ match: {}, status: 'SUCCESS', durationSeconds: 400 }]);
    const { Command } = await send(new SendCommandCommand(shell(['yum -y update'], { InstanceIds: ids, MaxConcurrency: '1', TimeoutSeconds: 600 })));
    await advance(server, 599);
    const statuses = async () => (await send(new ListCommandInvocationsCommand({ CommandId: Command!.CommandId }))).CommandInvocations!.map((i) => [i.Status, i.StatusDetails]);
    assert.deepEqual(await statuses(), [['Success', 'Success'], ['InProgress', 'InProgress'], ['Pending', 'Pending']]);
    await advance(server, 1);
    assert.deepEqual(await statuses(), [['Success', 'Success'], ['InProgress', 'InProgress'], ['TimedOut', 'DeliveryTimedOut']], 'it does not run any more');
    await advance(server, 300);
    assert.deepEqual(await statuses(), [['Success', 'Success'], ['Success', 'Success'], ['TimedOut', 'DeliveryTimedOut']], 'a delivered invocation is not cut by TimeoutSeconds');
    const [command] = (await send(new ListCommandsCommand({ CommandId: Command!.CommandId }))).Commands!;
    assert.deepEqual([command.Status, command.StatusDetails, command.CompletedCount, command.ErrorCount, command.DeliveryTimedOutCount], ['TimedOut', 'DeliveryTimedOut', 3, 0, 1]);
    const late = await send(new GetCommandInvocationCommand({ CommandId: Command!.CommandId, InstanceId: ids[2] }));
    assert.deepEqual([late.Status, late.StatusDetails, late.ResponseCode, late.ExecutionStartDateTime], ['TimedOut', 'DeliveryTimedOut', -1, '']);
  });

  test('CancelCommand: running invocations go Cancelling then Cancelled, pending ones Cancelled; the command ends Cancelled', async () => {
    await nodes(['i-0000000000000a000', 'i-0000000000000a001']);
    const { Command } = await send(new SendCommandCommand(shell(['sleep 100'], { InstanceIds: ['i-0000000000000a000', 'i-0000000000000a001'], MaxConcurrency: '1' })));
    const CommandId = Command!.CommandId!;
    await send(new CancelCommandCommand({ CommandId }));
    const listed = (await send(new ListCommandInvocationsCommand({ CommandId }))).CommandInvocations!;
    assert.deepEqual(listed.map((i) => [i.InstanceId, i.Status]), [['i-0000000000000a000', 'Cancelled'], ['i-0000000000000a001', 'Cancelled']]);
    const [command] = (await send(new ListCommandsCommand({ CommandId }))).Commands!;
    assert.deepEqual([command.Status, command.StatusDetails, command.CompletedCount], ['Cancelled', 'Cancelled', 2]);
    await send(new CancelCommandCommand({ CommandId }));
    assert.equal((await send(new ListCommandsCommand({ CommandId }))).Commands![0].Status, 'Cancelled', 'cancelling again changes nothing');
  });

  test('the API shows the first 24,000 characters of stdout with the agent\'s marker, and 8,000 of stderr', async () => {
    await nodes(['i-0000000000000a000']);
    await setOutcomes(server, [{ match: {}, status: 'SUCCESS', stdout: 'o'.repeat(30_000), stderr: 'e'.repeat(9_000) }] as never);
    const { Command } = await send(new SendCommandCommand(shell(['yes'], { InstanceIds: ['i-0000000000000a000'] })));
    await advance(server, 20);
    const got = await send(new GetCommandInvocationCommand({ CommandId: Command!.CommandId, InstanceId: 'i-0000000000000a000' }));
    assert.equal(got.StandardOutputContent!.length, 24_000);
    assert.ok(got.StandardOutputContent!.endsWith('o--output truncated--'));
    assert.equal(got.StandardErrorContent!.length, 8_000);
    const full = await control<{ stdout: string; stderr: string; responseCode: number }>(server, 'GET', `/_mw/commands/${Command!.CommandId}/invocations/${'i-0000000000000a000'}/output`);
    assert.deepEqual([full.stdout.length, full.stderr.length, full.responseCode], [30_000, 9_000, 0], 'the control route serves the whole output');
    await control(server, 'GET', `/_mw/commands/${Command!.CommandId}/invocations/i-0000000000000ffff/output`, { expect: 404 });
  });

  test('ListCommandInvocations pages over 120 nodes with no duplicate or gap; ListCommands is newest first', async () => {
    const ids = Array.from({ length: 120 }, (_, i) => `i-${String(i).padStart(17, '0')}`);
    await nodes(ids, { Fleet: 'big' });
    const first = (await send(new SendCommandCommand(shell(['true'], { Targets: [{ Key: 'tag:Fleet', Values: ['big'] }] })))).Command!.CommandId!;
    const second = (await send(new SendCommandCommand(shell(['true'], { InstanceIds: ['i-00000000000000000'] })))).Command!.CommandId!;
    const seen: string[] = [];
    for await (const page of paginateListCommandInvocations({ client: server.client, pageSize: 50 }, { CommandId: first })) {
      seen.push(...page.CommandInvocations!.map((i) => i.InstanceId!));
    }
    assert.deepEqual(seen, ids);
    const commands = (await send(new ListCommandsCommand({}))).Commands!.map((c) => c.CommandId);
    assert.deepEqual(commands, [second, first]);
    const ofNode = (await send(new ListCommandsCommand({ InstanceId: 'i-00000000000000001' }))).Commands!.map((c) => c.CommandId);
    assert.deepEqual(ofNode, [first]);
    const byDocument = async (value: string) => (await send(new ListCommandInvocationsCommand({ InstanceId: 'i-00000000000000000', Filters: [{ key: 'DocumentName', value }] }))).CommandInvocations!.map((i) => i.CommandId);
    assert.deepEqual(await byDocument('AWS-RunShellScript'), [second, first], 'an instance\'s invocations of both commands, newest first');
    assert.deepEqual(await byDocument('AWS-RunPowerShellScript'), []);
  });

  test('errors as Run Command answers them', async () => {
    await nodes(['i-0000000000000a000']);
    await rejectsWith(send(new SendCommandCommand(shell(['true'], { InstanceIds: ['i-0000000000000a003'] }))), 'InvalidInstanceId');
    await rejectsWith(send(new SendCommandCommand({ DocumentName: 'No-Such-Document', InstanceIds: ['i-0000000000000a000'] })), 'InvalidDocument');
    await rejectsWith(send(new SendCommandCommand({ DocumentName: 'AWS-RunShellScript', InstanceIds: ['i-0000000000000a000'], Parameters: { nope: ['x'] } })), 'InvalidParameters');
    const unknown = '00000000-0000-4000-8000-000000000000';
    await rejectsWith(send(new GetCommandInvocationCommand({ CommandId: unknown, InstanceId: 'i-0000000000000a000' })), 'InvocationDoesNotExist');
    await rejectsWith(send(new ListCommandsCommand({ CommandId: unknown })), 'InvalidCommandId');
    await rejectsWith(send(new CancelCommandCommand({ CommandId: unknown })), 'InvalidCommandId');
    const { Command } = await send(new SendCommandCommand(shell(['true'], { InstanceIds: ['i-0000000000000a000'] })));
    await rejectsWith(send(new GetCommandInvocationCommand({ CommandId: Command!.CommandId, InstanceId: 'i-0000000000000a001' })), 'InvocationDoesNotExist');
    await rejectsWith(send(new GetCommandInvocationCommand({ CommandId: Command!.CommandId, InstanceId: 'i-0000000000000a000', PluginName: 'aws:runPowerShellScript' })), 'InvalidPluginName');
    await rejectsWith(send(new ListCommandsCommand({ Filters: [{ key: 'Nope' as never, value: 'x' }] })), 'ValidationException');
  });
});
