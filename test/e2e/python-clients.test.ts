// The aws CLI and boto3 (from the machine's Python) against the real server: the same wire, other clients.
// Skipped, visibly, where the machine has no such Python tools.

import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { putNode, setOutcomes } from '../support/control.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const run = promisify(execFile);
const hasAws = spawnSync('aws', ['--version'], { stdio: 'ignore' }).status === 0;
const hasBoto3 = spawnSync('python3', ['-c', 'import boto3'], { stdio: 'ignore' }).status === 0;

const env = { ...process.env, AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret', AWS_DEFAULT_REGION: 'us-east-1', AWS_PAGER: '' };

describe('aws CLI and boto3', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.stop());

  const aws = async (...args: string[]) => {
    const { stdout } = await run('aws', ['ssm', ...args, '--endpoint-url', server.app.endpoint, '--output', 'json'], { env, timeout: 60_000 });
    return stdout.trim() ? JSON.parse(stdout) : {};
  };

  test('the aws CLI creates a window, registers a target and a task, and reads them back intact', { skip: !hasAws && 'aws CLI not installed' }, async () => {
    const { WindowId } = await aws('create-maintenance-window', '--name', 'cli-window', '--schedule', 'cron(0 2 ? * SUN *)', '--duration', '3', '--cutoff', '1',
      '--no-allow-unassociated-targets', '--schedule-timezone', 'Europe/Berlin', '--description', 'from the CLI');
    assert.match(WindowId, /^mw-[0-9a-f]{17}$/);
    const { WindowTargetId } = await aws('register-target-with-maintenance-window', '--window-id', WindowId, '--resource-type', 'INSTANCE',
      '--targets', 'Key=InstanceIds,Values=i-0123456789abcdef0,i-0fedcba9876543210', '--owner-information', 'team-a', '--name', 'web');
    const { WindowTaskId } = await aws('register-task-with-maintenance-window', '--window-id', WindowId, '--task-arn', 'AWS-RunShellScript', '--task-type', 'RUN_COMMAND',
      '--targets', `Key=WindowTargetIds,Values=${WindowTargetId}`, '--max-concurrency', '2', '--max-errors', '1', '--priority', '1',
      '--task-invocation-parameters', JSON.stringify({ RunCommand: { Parameters: { commands: ['df -h'] }, TimeoutSeconds: 600 } }));

    const window = await aws('get-maintenance-window', '--window-id', WindowId);
    assert.equal(window.Name, 'cli-window');
    assert.equal(window.Description, 'from the CLI');
    assert.equal(window.ScheduleTimezone, 'Europe/Berlin');
    assert.equal(window.AllowUnassociatedTargets, false);
    assert.match(window.NextExecutionTime, /T02:00\+0[12]:00$/);
    const { Targets } = await aws('describe-maintenance-window-targets', '--window-id', WindowId);
    assert.deepEqual(Targets[0].Targets, [{ Key: 'InstanceIds', Values: ['i-0123456789abcdef0', 'i-0fedcba9876543210'] }]);
    assert.equal(Targets[0].OwnerInformation, 'team-a');
    const task = await aws('get-maintenance-window-task', '--window-id', WindowId, '--window-task-id', WindowTaskId);
    assert.equal(task.TaskType, 'RUN_COMMAND');
    assert.deepEqual(task.TaskInvocationParameters.RunCommand.Parameters, { commands: ['df -h'] });
    assert.equal(task.MaxConcurrency, '2');

    // A service error exits 254 (aws CLI v2) or 255 (v1) with AWS's message. (Run asynchronously: the
    // server lives in this process and must keep answering while the CLI waits.)
    const failed = await run('aws', ['ssm', 'get-maintenance-window', '--window-id', 'mw-00000000000000000', '--endpoint-url', server.app.endpoint], { env, timeout: 60_000 })
      .then(() => assert.fail('expected the CLI to fail'), (error: { code: number; stderr: string }) => error);
    assert.ok(failed.code === 254 || failed.code === 255, String(failed.code));
    assert.match(failed.stderr, /DoesNotExistException.*Maintenance window mw-00000000000000000 does not exist/);
  });

  test('boto3 paginators and server-side validation', { skip: !hasBoto3 && 'boto3 not installed' }, async () => {
    const script = `
import boto3, json, sys
from botocore.config import Config
c = boto3.client('ssm', endpoint_url=sys.argv[1], config=Config(parameter_validation=False, retries={'max_attempts': 1}))
ids = [c.create_maintenance_window(Name='boto-%d' % i, Schedule='rate(1 day)', Duration=2, Cutoff=0, AllowUnassociatedTargets=False)['WindowId'] for i in range(23)]
seen = []
for page in c.get_paginator('describe_maintenance_windows').paginate(Filters=[{'Key': 'Name', 'Values': ['boto-%d' % i for i in range(23)]}], PaginationConfig={'PageSize': 10}):
    seen += [w['WindowId'] for w in page['WindowIdentities']]
try:
    c.describe_maintenance_windows(MaxResults=9)
    error = None
except c.exceptions.ClientError as e:
    error = [e.response['Error']['Code'], e.response['Error']['Message']]
print(json.dumps({'ids': ids, 'seen': seen, 'error': error}))
`;
    const { stdout } = await run('python3', ['-c', script, server.app.endpoint], { env, timeout: 60_000 });
    const result = JSON.parse(stdout);
    assert.deepEqual(result.seen, result.ids);
    assert.deepEqual(result.error, ['ValidationException', "1 validation error detected: Value '9' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 10"]);
  });

  test('the aws CLI drill-down a user types: send-command to tagged nodes, list-command-invocations --details, get-command-invocation', { skip: !hasAws && 'aws CLI not installed' }, async () => {
    for (const id of ['i-0aaaaaaaaaaaaaaa1', 'i-0aaaaaaaaaaaaaaa2']) await putNode(server, id, { tags: { Env: 'prod' } });
    await setOutcomes(server, [{ match: { documentName: 'AWS-RunShellScript' }, status: 'SUCCESS', durationSeconds: 0, stdout: ' 12:00:00 up 1 day\n' }] as never);
    const { Command } = await aws('send-command', '--document-name', 'AWS-RunShellScript', '--targets', 'Key=tag:Env,Values=prod', '--parameters', 'commands=uptime');
    assert.equal(Command.DocumentName, 'AWS-RunShellScript');
    assert.deepEqual(Command.Parameters.commands, ['uptime']);
    const { CommandInvocations } = await aws('list-command-invocations', '--command-id', Command.CommandId, '--details');
    assert.deepEqual(CommandInvocations.map((i: { InstanceId: string; Status: string; CommandPlugins: { Name: string }[] }) => [i.InstanceId, i.Status, i.CommandPlugins[0].Name]),
      [['i-0aaaaaaaaaaaaaaa1', 'Success', 'aws:runShellScript'], ['i-0aaaaaaaaaaaaaaa2', 'Success', 'aws:runShellScript']]);
    const got = await aws('get-command-invocation', '--command-id', Command.CommandId, '--instance-id', 'i-0aaaaaaaaaaaaaaa2');
    assert.deepEqual([got.Status, got.ResponseCode, got.StandardOutputContent], ['Success', 0, ' 12:00:00 up 1 day\n']);
  });
  test('boto3 and the aws CLI drill down from a window invocation\'s ExecutionId to each node\'s output', { skip: (!hasBoto3 || !hasAws) && 'boto3 or the aws CLI not installed' }, async () => {
    const nodes = ['i-0bbbbbbbbbbbbbbb1', 'i-0bbbbbbbbbbbbbbb2'];
    await setOutcomes(server, [
      { match: { resourceId: nodes[1] }, status: 'FAILED', durationSeconds: 0, stdout: 'Installing 3 updates\n', stderr: 'E: dpkg was interrupted', responseCode: 100 },
      { match: { taskType: 'RUN_COMMAND' }, status: 'SUCCESS', durationSeconds: 0, stdout: 'Nothing to do\n' },
    ] as never);
    const { WindowId } = await aws('create-maintenance-window', '--name', 'drill-down', '--schedule', 'rate(1 day)', '--duration', '2', '--cutoff', '1', '--no-allow-unassociated-targets');
    const { WindowTargetId } = await aws('register-target-with-maintenance-window', '--window-id', WindowId, '--resource-type', 'INSTANCE', '--targets', `Key=InstanceIds,Values=${nodes.join(',')}`);
    await aws('register-task-with-maintenance-window', '--window-id', WindowId, '--task-arn', 'AWS-RunShellScript', '--task-type', 'RUN_COMMAND',
      '--targets', `Key=WindowTargetIds,Values=${WindowTargetId}`, '--max-concurrency', '2', '--max-errors', '1',
      '--task-invocation-parameters', JSON.stringify({ RunCommand: { Parameters: { commands: ['apt-get -y upgrade'] } } }));
    const fired = await fetch(`${server.app.endpoint}/_mw/windows/${WindowId}/executions`, { method: 'POST', signal: AbortSignal.timeout(10_000) });
    const { WindowExecutionId } = await fired.json() as { WindowExecutionId: string };
    const script = `
import boto3, json, sys, time
from botocore.config import Config
c = boto3.client('ssm', endpoint_url=sys.argv[1], config=Config(retries={'max_attempts': 1}))
execution_id = sys.argv[2]
for _ in range(100):
    if c.get_maintenance_window_execution(WindowExecutionId=execution_id)['Status'] not in ('PENDING', 'IN_PROGRESS'):
        break
    time.sleep(0.1)
task_id = c.get_maintenance_window_execution(WindowExecutionId=execution_id)['TaskIds'][0]
invocation = c.describe_maintenance_window_execution_task_invocations(WindowExecutionId=execution_id, TaskId=task_id)['WindowExecutionTaskInvocationIdentities'][0]
command_id = invocation['ExecutionId']
listed = c.list_command_invocations(CommandId=command_id, Details=True)['CommandInvocations']
out = {
  'invocation': [invocation['Status'], invocation['StatusDetails']],
  'command': c.list_commands(CommandId=command_id)['Commands'][0]['Status'],
  'nodes': [[i['InstanceId'], i['Status'], i['CommandPlugins'][0]['Name']] for i in listed],
  'commandId': command_id,
}
print(json.dumps(out))
`;
    const { stdout } = await run('python3', ['-c', script, server.app.endpoint, WindowExecutionId], { env, timeout: 60_000 });
    const seen = JSON.parse(stdout);
    assert.deepEqual(seen.invocation, ['FAILED', 'Failed']);
    assert.equal(seen.command, 'Failed');
    assert.deepEqual(seen.nodes, [[nodes[0], 'Success', 'aws:runShellScript'], [nodes[1], 'Failed', 'aws:runShellScript']]);
    const got = await aws('get-command-invocation', '--command-id', seen.commandId, '--instance-id', nodes[1]);
    assert.deepEqual([got.Status, got.ResponseCode, got.StandardOutputContent, got.StandardErrorContent], ['Failed', 100, 'Installing 3 updates\n', 'E: dpkg was interrupted']);
  });
});
