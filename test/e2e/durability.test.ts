// What was acknowledged survives: SIGKILL of the process, then a restart on the same data folder.
// Also the CLI's own behaviour: --help, the health route, and a clean exit on SIGTERM.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { after, describe, test } from 'node:test';
import {
  CreateMaintenanceWindowCommand,
  DescribeMaintenanceWindowsCommand,
  GetMaintenanceWindowTaskCommand,
  ListTagsForResourceCommand,
  RegisterTargetWithMaintenanceWindowCommand,
  RegisterTaskWithMaintenanceWindowCommand,
} from '@aws-sdk/client-ssm';
import { startServiceProcess } from '../support/process.ts';
import { sdkClient, tempDataDir } from '../support/server.ts';

describe('durability and the service process', () => {
  const dataDir = tempDataDir();
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  test('acknowledged writes survive kill -9 and a restart', async () => {
    const first = await startServiceProcess(['--data-dir', dataDir]);
    const client = sdkClient(first.endpoint);
    const windowIds: string[] = [];
    let taskId = '';
    try {
      for (let i = 0; i < 20; i++) {
        const { WindowId } = await client.send(new CreateMaintenanceWindowCommand({
          Name: `durable-${i}`, Schedule: 'rate(1 day)', Duration: 2, Cutoff: 0, AllowUnassociatedTargets: false, Tags: [{ Key: 'i', Value: String(i) }],
        }));
        windowIds.push(WindowId!);
      }
      const { WindowTargetId } = await client.send(new RegisterTargetWithMaintenanceWindowCommand({ WindowId: windowIds[0], ResourceType: 'INSTANCE', Targets: [{ Key: 'InstanceIds', Values: ['i-1'] }] }));
      taskId = (await client.send(new RegisterTaskWithMaintenanceWindowCommand({
        WindowId: windowIds[0], TaskArn: 'AWS-RunShellScript', TaskType: 'RUN_COMMAND', Targets: [{ Key: 'WindowTargetIds', Values: [WindowTargetId!] }], MaxConcurrency: '1', MaxErrors: '0',
      }))).WindowTaskId!;
    } finally {
      client.destroy();
      assert.equal(await first.stop('SIGKILL'), null);
    }

    const second = await startServiceProcess(['--data-dir', dataDir]);
    const again = sdkClient(second.endpoint);
    try {
      const listed = await again.send(new DescribeMaintenanceWindowsCommand({}));
      assert.deepEqual(listed.WindowIdentities!.map((w) => w.WindowId), windowIds);
      const task = await again.send(new GetMaintenanceWindowTaskCommand({ WindowId: windowIds[0], WindowTaskId: taskId }));
      assert.equal(task.TaskArn, 'AWS-RunShellScript');
      const tags = await again.send(new ListTagsForResourceCommand({ ResourceType: 'MaintenanceWindow', ResourceId: windowIds[19] }));
      assert.deepEqual(tags.TagList, [{ Key: 'i', Value: '19' }]);
      // A page token handed out before a restart still works after it.
      const page = await again.send(new DescribeMaintenanceWindowsCommand({ MaxResults: 10 }));
      assert.ok(page.NextToken);
    } finally {
      again.destroy();
      assert.equal(await second.stop('SIGTERM'), 0, 'SIGTERM shuts down cleanly with exit code 0');
    }
  });

  test('SIGINT also exits cleanly, and the health route answers while running', async () => {
    const service = await startServiceProcess(['--data-dir', dataDir]);
    const health = await fetch(`${service.endpoint}/_mw/health`, { signal: AbortSignal.timeout(5000) });
    assert.equal(health.status, 200);
    assert.deepEqual(await health.json(), { status: 'ok' });
    assert.equal(await service.stop('SIGINT'), 0);
  });

  test('--help lists the options, and bad options are refused', () => {
    const help = execFileSync(process.execPath, ['src/cli/main.ts', 'serve', '--help'], { encoding: 'utf8' });
    for (const option of ['--host', '--port', '--data-dir', 'MW_PORT', 'MW_DATA_DIR']) assert.ok(help.includes(option), option);
    assert.throws(() => execFileSync(process.execPath, ['src/cli/main.ts', 'serve', '--port', 'abc'], { encoding: 'utf8', stdio: 'pipe' }), /--port must be an integer/);
    assert.throws(() => execFileSync(process.execPath, ['src/cli/main.ts', 'serve', '--clock', 'manual', '--clock-start', '+200000-01-01T00:00:00Z'], { encoding: 'utf8', stdio: 'pipe' }), /--clock-start must be between 1970-01-01T00:00:00Z and 9999-12-31T23:59:59.999Z/);
  });
});
