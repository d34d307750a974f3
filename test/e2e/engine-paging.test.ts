// 10,000 invocations of one task execution, paged with the JS SDK's paginator and with boto3's
// (PaginationConfig MaxItems / PageSize / StartingToken): no duplicate, no gap, stable order. The
// nodes come from a --nodes file and are selected by a tag target (InstanceIds are capped at 50).

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import {
  CreateMaintenanceWindowCommand,
  GetMaintenanceWindowExecutionCommand,
  RegisterTargetWithMaintenanceWindowCommand,
  RegisterTaskWithMaintenanceWindowCommand,
  paginateDescribeMaintenanceWindowExecutionTaskInvocations,
} from '@aws-sdk/client-ssm';
import { advance, executionTree, fire, setOutcomes } from '../support/control.ts';
import { startTestServer, tempDataDir, type TestServer } from '../support/server.ts';

const run = promisify(execFile);
const T0 = Date.parse('2026-03-01T00:00:00Z');
const COUNT = 10_000;
const nodeId = (i: number) => `i-${String(i).padStart(17, '0')}`;
const failing = Array.from({ length: COUNT / 100 }, (_, k) => nodeId(k * 100));

describe('engine: paging through 10,000 invocations', () => {
  let server: TestServer;
  let nodesDir: string;
  let executionId: string;
  let taskId: string;
  let hasBoto3 = false;

  before(async () => {
    hasBoto3 = await run('python3', ['-c', 'import boto3'], { timeout: 30_000 }).then(() => true, () => false);
    nodesDir = tempDataDir();
    const nodesFile = join(nodesDir, 'nodes.json');
    const nodes = Array.from({ length: COUNT }, (_, i) => ({ id: nodeId(i), tags: { Fleet: 'big' } }));
    nodes.push({ id: 'i-000000000000other', tags: { Fleet: 'small' } });
    writeFileSync(nodesFile, JSON.stringify(nodes));
    server = await startTestServer({ clockMode: 'manual', manualClockStart: T0, invocationSeconds: 30, nodesFile });
    const send = (command: any): Promise<any> => server.client.send(command);
    const { WindowId } = await send(new CreateMaintenanceWindowCommand({ Name: 'big-fleet', Schedule: 'rate(1 day)', Duration: 1, Cutoff: 0, AllowUnassociatedTargets: false }));
    const { WindowTargetId } = await send(new RegisterTargetWithMaintenanceWindowCommand({ WindowId, ResourceType: 'INSTANCE', Targets: [{ Key: 'tag:Fleet', Values: ['big'] }] }));
    await send(new RegisterTaskWithMaintenanceWindowCommand({
      WindowId, TaskArn: 'AWS-RestartEC2Instance', TaskType: 'AUTOMATION', Targets: [{ Key: 'WindowTargetIds', Values: [WindowTargetId] }],
      MaxConcurrency: '100%', MaxErrors: '100%', TaskInvocationParameters: { Automation: { Parameters: { InstanceId: ['{{RESOURCE_ID}}'] } } },
    }));
    await setOutcomes(server, failing.map((resourceId) => ({ match: { resourceId }, status: 'FAILED' as const })));
    executionId = await fire(server, WindowId);
    await advance(server, 30);
    const execution = await send(new GetMaintenanceWindowExecutionCommand({ WindowExecutionId: executionId }));
    assert.equal(execution.Status, 'FAILED');
    taskId = execution.TaskIds[0];
  });
  after(async () => {
    await server?.stop();
    if (nodesDir) rmSync(nodesDir, { recursive: true, force: true });
  });

  /** Pages with the JS SDK paginator; checks every page but the last is full. */
  async function page(pageSize: number, filters?: { Key: string; Values: string[] }[]) {
    const pages: { InvocationId: string; resource: string; Status: string }[][] = [];
    for await (const result of paginateDescribeMaintenanceWindowExecutionTaskInvocations({ client: server.client, pageSize }, { WindowExecutionId: executionId, TaskId: taskId, Filters: filters })) {
      pages.push(result.WindowExecutionTaskInvocationIdentities!.map((i) => ({ InvocationId: i.InvocationId!, resource: JSON.parse(i.Parameters!).parameters.InstanceId[0], Status: i.Status! })));
    }
    pages.slice(0, -1).forEach((items, n) => assert.equal(items.length, pageSize, `page ${n + 1} of size ${pageSize} is full`));
    return pages.flat();
  }

  test('JS SDK paginator, pageSize 100 and 37: every invocation exactly once, in the same order', async () => {
    const hundred = await page(100);
    assert.equal(hundred.length, COUNT);
    assert.equal(new Set(hundred.map((i) => i.InvocationId)).size, COUNT, 'no duplicate');
    assert.deepEqual(hundred.map((i) => i.resource), Array.from({ length: COUNT }, (_, i) => nodeId(i)), 'no gap: every node once, in start order');
    const thirtySeven = await page(37);
    assert.deepEqual(thirtySeven.map((i) => i.InvocationId), hundred.map((i) => i.InvocationId));
    assert.deepEqual(hundred.filter((i) => i.Status === 'FAILED').map((i) => i.resource), failing);
    assert.equal(hundred.filter((i) => i.Status === 'SUCCESS').length, COUNT - failing.length);
  });

  test('the STATUS filter pages too', async () => {
    const failed = await page(10, [{ Key: 'STATUS', Values: ['FAILED'] }]);
    assert.deepEqual(failed.map((i) => i.resource), failing);
    const succeeded = await page(100, [{ Key: 'STATUS', Values: ['SUCCESS'] }]);
    assert.equal(succeeded.length, COUNT - failing.length);
    assert.equal(new Set(succeeded.map((i) => i.InvocationId)).size, succeeded.length);
    const tree = await executionTree(server.client, executionId);
    assert.equal(tree.tasks[0].invocations.length, COUNT);
  });

  test("boto3's paginator: PageSize, MaxItems and StartingToken", { timeout: 60_000 }, async (t) => {
    if (!hasBoto3) {
      t.skip('boto3 is not installed');
      return;
    }
    const script = `
import boto3, json, sys
from botocore.config import Config
c = boto3.client('ssm', endpoint_url=sys.argv[1], region_name='us-east-1', aws_access_key_id='AKIDEXAMPLE', aws_secret_access_key='secret',
                 config=Config(parameter_validation=False, retries={'max_attempts': 1}))
p = c.get_paginator('describe_maintenance_window_execution_task_invocations')
args = dict(WindowExecutionId=sys.argv[2], TaskId=sys.argv[3])
def ids(pages):
    out = []
    for page in pages:
        out += [i['InvocationId'] for i in page['WindowExecutionTaskInvocationIdentities']]
    return out
full = ids(p.paginate(**args, PaginationConfig={'PageSize': 100}))
head_pages = p.paginate(**args, PaginationConfig={'MaxItems': 250, 'PageSize': 37})
head = ids(head_pages)
token = head_pages.resume_token
tail = ids(p.paginate(**args, PaginationConfig={'PageSize': 100, 'StartingToken': token}))
again_pages = p.paginate(**args, PaginationConfig={'MaxItems': 100, 'PageSize': 100, 'StartingToken': token})
again = ids(again_pages)
print(json.dumps({'full': full, 'head': head, 'tail': tail, 'again': again, 'token': token is not None}))
`;
    const { stdout } = await run('python3', ['-c', script, server.app.endpoint, executionId, taskId], { timeout: 60_000, maxBuffer: 64 * 1024 * 1024 });
    const result = JSON.parse(stdout) as { full: string[]; head: string[]; tail: string[]; again: string[]; token: boolean };
    const expected = (await page(100)).map((i) => i.InvocationId);
    assert.deepEqual(result.full, expected, 'boto3 sees the same 10,000 invocations in the same order');
    assert.equal(result.token, true);
    assert.equal(result.head.length, 250);
    assert.deepEqual(result.head, expected.slice(0, 250));
    assert.deepEqual(result.tail, expected.slice(250), 'resuming from the token: no duplicate, no gap (even mid-page)');
    assert.deepEqual(result.again, expected.slice(250, 350), 'a token can be used again');
  });
});
