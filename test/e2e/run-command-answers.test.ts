// Run Command's answers as AWS gives them (issue 26, items 1 and 2), through the SDK on the manual clock:
// - what is not found: GetCommandInvocation answers InvocationDoesNotExist for a command or node it does not
//   know (botocore's CommandExecuted waiter retries on exactly that), ListCommandInvocations lists nothing
//   for an unknown CommandId (200), the others as docs/coverage.md lists them with their evidence;
// - SendCommand and ListCommands echo the parameters as sent, while the document's defaults still apply to
//   the run (the agent's message, the simulated run's executionTimeout);
// - the aws CLI's `aws ssm wait command-executed` right after send-command (skipped without the CLI).

import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Agent } from 'node:http';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, test } from 'node:test';
import {
  CancelCommandCommand, CreateActivationCommand, GetCommandInvocationCommand, ListCommandInvocationsCommand, ListCommandsCommand, SendCommandCommand,
} from '@aws-sdk/client-ssm';
import { AgentTransport, SimulatedAgent } from '../../bench/simulated-agent.ts';
import { advance, putNode, setOutcomes } from '../support/control.ts';
import { rejectsWith } from '../support/errors.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const T0 = Date.parse('2026-08-01T00:00:00Z');
const NODE = 'i-0000000000000a000';
const OTHER_NODE = 'i-0000000000000a001';
const UNKNOWN_COMMAND = '00000000-0000-4000-8000-000000000000';
const run = promisify(execFile);
const hasAws = spawnSync('aws', ['--version'], { stdio: 'ignore' }).status === 0;

describe('Run Command: not-found answers and what SendCommand echoes', () => {
  let server: TestServer;
  beforeEach(async () => {
    server = await startTestServer({ clockMode: 'manual', manualClockStart: T0, invocationSeconds: 10 });
  });
  afterEach(() => server.stop());
  const send: TestServer['client']['send'] = (command: any) => server.client.send(command);
  const shell = (extra: Record<string, unknown>) => ({ DocumentName: 'AWS-RunShellScript', Parameters: { commands: ['uptime'] }, ...extra });

  test('(1) each operation\'s not-found answer', async () => {
    await putNode(server, NODE);
    await putNode(server, OTHER_NODE);
    // A command the service does not know: GetCommandInvocation as right after SendCommand on AWS.
    await rejectsWith(send(new GetCommandInvocationCommand({ CommandId: UNKNOWN_COMMAND, InstanceId: NODE })), 'InvocationDoesNotExist');
    // ListCommandInvocations: 200 and an empty list (aws/aws-cli#3546), with or without an instance.
    const listed = await send(new ListCommandInvocationsCommand({ CommandId: UNKNOWN_COMMAND }));
    assert.deepEqual([listed.$metadata.httpStatusCode, listed.CommandInvocations, listed.NextToken], [200, [], undefined]);
    assert.deepEqual((await send(new ListCommandInvocationsCommand({ CommandId: UNKNOWN_COMMAND, InstanceId: NODE, Details: true }))).CommandInvocations, []);
    // The model's InvalidCommandId where no AWS answer on record says otherwise (marked inference in docs/coverage.md).
    await rejectsWith(send(new ListCommandsCommand({ CommandId: UNKNOWN_COMMAND })), 'InvalidCommandId');
    await rejectsWith(send(new CancelCommandCommand({ CommandId: UNKNOWN_COMMAND })), 'InvalidCommandId');

    const { Command } = await send(new SendCommandCommand(shell({ InstanceIds: [NODE] })));
    const CommandId = Command!.CommandId!;
    // A known command on a node it was not sent to: no such invocation.
    await rejectsWith(send(new GetCommandInvocationCommand({ CommandId, InstanceId: OTHER_NODE })), 'InvocationDoesNotExist');
    assert.deepEqual((await send(new ListCommandInvocationsCommand({ CommandId, InstanceId: OTHER_NODE }))).CommandInvocations, []);
    assert.deepEqual((await send(new ListCommandsCommand({ CommandId, InstanceId: OTHER_NODE }))).Commands, []);
    await rejectsWith(send(new GetCommandInvocationCommand({ CommandId, InstanceId: NODE, PluginName: 'aws:runPowerShellScript' })), 'InvalidPluginName');
    await rejectsWith(send(new CancelCommandCommand({ CommandId, InstanceIds: [OTHER_NODE] })), 'InvalidInstanceId');
    // The same invocation is found under its own ids.
    assert.equal((await send(new GetCommandInvocationCommand({ CommandId, InstanceId: NODE, PluginName: 'aws:runShellScript' }))).CommandId, CommandId);
  });

  test('(2) SendCommand and ListCommands echo the parameters as sent; the defaults still apply to the run', async () => {
    await putNode(server, NODE);
    await setOutcomes(server, [{ match: { documentName: 'AWS-RunShellScript' }, status: 'SUCCESS', durationSeconds: 5000 }] as never);
    const { Command } = await send(new SendCommandCommand(shell({ InstanceIds: [NODE] })));
    assert.deepEqual(Command!.Parameters, { commands: ['uptime'] }, 'as the AWS CLI send-command example shows: no workingDirectory, no executionTimeout');
    const [listed] = (await send(new ListCommandsCommand({ CommandId: Command!.CommandId }))).Commands!;
    assert.deepEqual(listed.Parameters, { commands: ['uptime'] });
    assert.equal(listed.ExpiresAfter!.getTime(), T0 + 7_200_000, 'TimeoutSeconds 3600 + the default executionTimeout 3600');

    // The default executionTimeout (3600 s) still ends a run that takes 5000 s.
    await advance(server, 3_700);
    const ended = await send(new GetCommandInvocationCommand({ CommandId: Command!.CommandId, InstanceId: NODE }));
    assert.deepEqual([ended.Status, ended.StatusDetails], ['TimedOut', 'ExecutionTimedOut']);

    // Sent explicitly, a default-valued parameter is echoed like any other.
    const explicit = (await send(new SendCommandCommand(shell({ InstanceIds: [NODE], Parameters: { commands: ['id'], executionTimeout: ['60'] } })))).Command!;
    assert.deepEqual(explicit.Parameters, { commands: ['id'], executionTimeout: ['60'] });
  });

  test('(2) a real node\'s agent still gets every parameter of the document, the defaults filled in', async () => {
    const sockets = new Agent({ keepAlive: true });
    try {
      const transport = new AgentTransport(server.app.endpoint, sockets, 'us-east-1');
      const keys = generateKeyPairSync('rsa', { modulusLength: 2048 });
      const activation = await send(new CreateActivationCommand({ IamRole: 'SSMServiceRole', RegistrationLimit: 1 }));
      const agent = await SimulatedAgent.register(transport, { ActivationId: activation.ActivationId!, ActivationCode: activation.ActivationCode! },
        keys.publicKey.export({ format: 'der', type: 'spki' }).toString('base64'), keys.privateKey, 'machine-1');
      const { Command } = await send(new SendCommandCommand(shell({ InstanceIds: [agent.nodeId] })));
      assert.deepEqual(Command!.Parameters, { commands: ['uptime'] });
      const [message] = await agent.poll();
      const payload = JSON.parse(message.Payload) as { Parameters: Record<string, unknown> };
      assert.deepEqual(payload.Parameters, { commands: ['uptime'], workingDirectory: '', executionTimeout: '3600' });
    } finally {
      sockets.destroy();
    }
  });
});

describe('the aws CLI waits for a command right after sending it', () => {
  let server: TestServer;
  beforeEach(async () => {
    server = await startTestServer({ clockMode: 'manual', manualClockStart: T0 });
  });
  afterEach(() => server.stop());
  const env = { ...process.env, AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret', AWS_DEFAULT_REGION: 'us-east-1', AWS_PAGER: '' };
  // Asynchronous: the server lives in this process and must keep answering while the CLI runs.
  const aws = (...args: string[]) => run('aws', ['ssm', ...args, '--endpoint-url', server.app.endpoint, '--output', 'json'], { env, timeout: 40_000 });

  test('`aws ssm wait command-executed` after send-command; an unknown command is the error its waiter retries on', { skip: !hasAws && 'aws CLI not installed', timeout: 90_000 }, async () => {
    // The waiter in the CLI's own botocore retries on InvocationDoesNotExist (and fails on any other error).
    const botocore = spawnSync('python3', ['-c', 'import botocore, os; print(os.path.dirname(botocore.__file__))'], { encoding: 'utf8' }).stdout.trim();
    const waiters = JSON.parse(readFileSync(join(botocore, 'data/ssm/2014-11-06/waiters-2.json'), 'utf8')) as { waiters: Record<string, { acceptors: { matcher: string; expected: string; state: string }[] }> };
    assert.ok(waiters.waiters.CommandExecuted.acceptors.some((a) => a.matcher === 'error' && a.expected === 'InvocationDoesNotExist' && a.state === 'retry'));

    await putNode(server, NODE);
    // Runs in no time on the manual clock: the invocation is final when the waiter first asks.
    await setOutcomes(server, [{ status: 'SUCCESS', durationSeconds: 0, stdout: 'up\n' }] as never);
    const sent = JSON.parse((await aws('send-command', '--document-name', 'AWS-RunShellScript', '--parameters', 'commands=uptime', '--instance-ids', NODE)).stdout);
    assert.deepEqual(sent.Command.Parameters, { commands: ['uptime'] });
    const waited = await aws('wait', 'command-executed', '--command-id', sent.Command.CommandId, '--instance-id', NODE);
    assert.equal(waited.stdout, '');
    const got = JSON.parse((await aws('get-command-invocation', '--command-id', sent.Command.CommandId, '--instance-id', NODE)).stdout);
    assert.deepEqual([got.Status, got.StandardOutputContent], ['Success', 'up\n']);

    const failed = await aws('get-command-invocation', '--command-id', UNKNOWN_COMMAND, '--instance-id', NODE)
      .then(() => assert.fail('expected the CLI to fail'), (error: { code: number; stderr: string }) => error);
    assert.ok(failed.code === 254 || failed.code === 255, String(failed.code));
    assert.match(failed.stderr, /\(InvocationDoesNotExist\) when calling the GetCommandInvocation operation/);
    const listed = JSON.parse((await aws('list-command-invocations', '--command-id', UNKNOWN_COMMAND)).stdout);
    assert.deepEqual(listed.CommandInvocations, []);
  });
});
