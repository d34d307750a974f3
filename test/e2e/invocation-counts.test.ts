// The console's per-status counts of a task execution are kept with the task execution by the engine
// (issue 25), not counted from its invocations at every page. At every point of a run, and across a
// restart of the service in the middle of one, they must say what the invocations themselves say.

import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import {
  CreateMaintenanceWindowCommand,
  RegisterTargetWithMaintenanceWindowCommand,
  RegisterTaskWithMaintenanceWindowCommand,
  type SSMClient,
} from '@aws-sdk/client-ssm';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { advance, allInvocations, executionTree, fire, setOutcomes } from '../support/control.ts';
import { startTestServer, storeFor, tempDataDir, type TestServer } from '../support/server.ts';

const T0 = Date.parse('2026-03-01T00:00:00Z');
const instances = Array.from({ length: 9 }, (_, i) => `i-0${i + 1}`);

/** The counts the task execution's console page shows: `<li><span class="status ...">STATUS</span> N</li>`. */
async function pageCounts(server: TestServer, windowId: string, executionId: string, taskExecutionId: string): Promise<Record<string, number>> {
  const response = await fetch(`${server.app.endpoint}/console/windows/${windowId}/executions/${executionId}/tasks/${taskExecutionId}`, { signal: AbortSignal.timeout(10_000) });
  assert.equal(response.status, 200);
  const page = await response.text();
  const chips = page.slice(page.indexOf('<ul class="counts">'), page.indexOf('</ul>', page.indexOf('<ul class="counts">')));
  return Object.fromEntries([...chips.matchAll(/<span class="status [^"]+">([A-Z_]+)<\/span> (\d+)/g)].map((m) => [m[1], Number(m[2])]));
}

/** The same counts made from the API's listing of every invocation. */
async function listedCounts(client: SSMClient, executionId: string, taskExecutionId: string): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const i of await allInvocations(client, executionId, taskExecutionId)) counts[i.Status!] = (counts[i.Status!] ?? 0) + 1;
  return counts;
}

describe('per-status invocation counts kept with the task execution', () => {
  const dirs: string[] = [];
  after(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  test('they match the invocations at every step of a run, failures and time-outs included, and across a restart', async () => {
    const dataDir = tempDataDir();
    dirs.push(dataDir);
    const options = { dataDir, clockMode: 'manual' as const, manualClockStart: T0, invocationSeconds: 30 };
    let server = await startTestServer(options);
    let windowId: string, executionId: string, taskExecutionId: string;
    const seen: Record<string, number>[] = [];
    try {
      const send = (command: any): Promise<any> => server.client.send(command);
      ({ WindowId: windowId } = await send(new CreateMaintenanceWindowCommand({ Name: 'counts', Schedule: 'rate(1 day)', Duration: 2, Cutoff: 1, AllowUnassociatedTargets: false })));
      const { WindowTargetId } = await send(new RegisterTargetWithMaintenanceWindowCommand({ WindowId: windowId, ResourceType: 'INSTANCE', Targets: [{ Key: 'InstanceIds', Values: instances }] }));
      await send(new RegisterTaskWithMaintenanceWindowCommand({
        WindowId: windowId, TaskArn: 'AWS-RestartEC2Instance', TaskType: 'AUTOMATION', Targets: [{ Key: 'WindowTargetIds', Values: [WindowTargetId] }],
        MaxConcurrency: '2', MaxErrors: '100%', TaskInvocationParameters: { Automation: { Parameters: { InstanceId: ['{{RESOURCE_ID}}'] } } },
      }));
      await setOutcomes(server, [
        { match: { resourceId: 'i-02' }, status: 'FAILED', statusDetails: 'exit code 1' },
        { match: { resourceId: 'i-05' }, status: 'TIMED_OUT', durationSeconds: 50 },
        { match: { resourceId: 'i-06' }, status: 'FAILED', durationSeconds: 10 },
      ]);
      executionId = await fire(server, windowId);
      ({ tasks: [{ task: { TaskExecutionId: taskExecutionId } }] } = await executionTree(server.client, executionId) as any);
      for (let step = 0; step < 3; step++) {
        const counts = await pageCounts(server, windowId, executionId, taskExecutionId);
        assert.deepEqual(counts, await listedCounts(server.client, executionId, taskExecutionId), `after ${step * 20} s`);
        seen.push(counts);
        await advance(server, 20);
      }
    } finally {
      await server.stop();
    }
    // The same data folder, a new process: the run goes on from what was recorded.
    server = await startTestServer(options);
    try {
      for (let step = 3; step < 12; step++) {
        await advance(server, 20);
        const counts = await pageCounts(server, windowId, executionId, taskExecutionId);
        assert.deepEqual(counts, await listedCounts(server.client, executionId, taskExecutionId), `after ${(step + 1) * 20} s, restarted`);
        seen.push(counts);
      }
    } finally {
      await server.stop();
    }
    assert.deepEqual(seen[0], { IN_PROGRESS: 2 }, 'two at a time (MaxConcurrency 2)');
    assert.ok(seen.some((counts) => (counts.IN_PROGRESS ?? 0) > 0 && (counts.SUCCESS ?? 0) > 0), 'some point mid-run had both running and finished invocations');
    assert.deepEqual(seen.at(-1), { SUCCESS: 6, FAILED: 2, TIMED_OUT: 1 });
    // And they are the task execution's own, not a count made for the page (on SQLite, where the file can be read).
    if (!storeFor(dataDir).store) {
      const db = new DatabaseSync(join(dataDir, 'mw.sqlite'), { readOnly: true });
      const row = db.prepare('SELECT doc FROM task_executions WHERE id = ?').get(taskExecutionId) as { doc: string };
      db.close();
      assert.deepEqual(JSON.parse(row.doc).invocationCounts, { SUCCESS: 6, FAILED: 2, TIMED_OUT: 1 });
    }
  });
});
