// Operating the service (issue 13): GET /metrics in Prometheus text, read after known traffic, and the
// structured logs of the real process (`serve --log-level ...`): one JSON line per request with the
// request id the SDK saw, and one per state change at debug level only.

import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import {
  CreateMaintenanceWindowCommand, GetMaintenanceWindowCommand, RegisterTargetWithMaintenanceWindowCommand, RegisterTaskWithMaintenanceWindowCommand,
  UpdateMaintenanceWindowCommand,
} from '@aws-sdk/client-ssm';
import { advance, control, fire, putNode, setOutcomes } from '../support/control.ts';
import { startServiceProcess } from '../support/process.ts';
import { sdkClient, startTestServer, tempDataDir, type TestServer } from '../support/server.ts';

/** The samples of a Prometheus text exposition: `name{labels}` -> value. */
function parseMetrics(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    samples.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return samples;
}

async function scrape(server: TestServer): Promise<Map<string, number>> {
  const response = await fetch(`${server.app.endpoint}/metrics`);
  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-type')!, /^text\/plain; version=0\.0\.4/);
  return parseMetrics(await response.text());
}

describe('GET /metrics', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ clockMode: 'manual', eventWebhooks: ['http://127.0.0.1:9/nobody-listens'], eventRetryMs: 10, eventRetryMaxMs: 50 });
  });
  after(() => server.stop());

  test('request counts and latency per operation and error code, windows by state, final statuses, the event queue', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await server.client.send(new CreateMaintenanceWindowCommand({ Name: `metrics-${i}`, Schedule: 'rate(1 day)', Duration: 1, Cutoff: 0, AllowUnassociatedTargets: false }))).WindowId!);
    for (let i = 0; i < 2; i++) await assert.rejects(server.client.send(new GetMaintenanceWindowCommand({ WindowId: 'mw-0123456789abcdef0' })), { name: 'DoesNotExistException' });
    await server.client.send(new UpdateMaintenanceWindowCommand({ WindowId: ids[2], Enabled: false }));
    for (const node of ['i-00000000000000001', 'i-00000000000000002']) await putNode(server, node);
    const { WindowTargetId } = await server.client.send(new RegisterTargetWithMaintenanceWindowCommand({ WindowId: ids[0], ResourceType: 'INSTANCE', Targets: [{ Key: 'InstanceIds', Values: ['i-00000000000000001', 'i-00000000000000002'] }] }));
    await server.client.send(new RegisterTaskWithMaintenanceWindowCommand({
      WindowId: ids[0], TaskType: 'AUTOMATION', TaskArn: 'AWS-RestartEC2Instance', Targets: [{ Key: 'WindowTargetIds', Values: [WindowTargetId!] }], MaxConcurrency: '2', MaxErrors: '1',
    }));
    await setOutcomes(server, [{ match: { resourceId: 'i-00000000000000002' }, status: 'FAILED' }]);
    await fire(server, ids[0]);
    await advance(server, 1);
    // The webhook no one listens on fails at least once.
    const deadline = Date.now() + 10_000;
    let m = await scrape(server);
    while ((m.get('mw_event_delivery_failures_total{target_kind="webhook"}') ?? 0) < 1 && Date.now() < deadline) m = await scrape(server);

    assert.equal(m.get('mw_requests_total{operation="CreateMaintenanceWindow",status="200",code=""}'), 3);
    assert.equal(m.get('mw_requests_total{operation="GetMaintenanceWindow",status="400",code="DoesNotExistException"}'), 2);
    assert.equal(m.get('mw_request_duration_seconds_count{operation="GetMaintenanceWindow",code="DoesNotExistException"}'), 2);
    assert.ok(m.get('mw_request_duration_seconds_sum{operation="CreateMaintenanceWindow",code=""}')! > 0);
    assert.equal(m.get('mw_windows{state="enabled"}'), 2);
    assert.equal(m.get('mw_windows{state="disabled"}'), 1);
    assert.equal(m.get('mw_history_final_total{kind="window_execution",status="FAILED"}'), 1);
    assert.equal(m.get('mw_history_final_total{kind="task_execution",status="FAILED"}'), 1);
    assert.equal(m.get('mw_history_final_total{kind="invocation",status="SUCCESS"}'), 1);
    assert.equal(m.get('mw_history_final_total{kind="invocation",status="FAILED"}'), 1);
    assert.equal(m.get('mw_invocations_running'), 0);
    assert.equal(m.get('mw_agent_nodes_online'), 0);
    assert.equal(m.get('mw_engine_lease_takeovers_total'), 0);
    assert.ok(m.get('mw_event_delivery_failures_total{target_kind="webhook"}')! >= 1);
    // Registration, window disabled, and the execution's events: none acknowledged by the dead webhook.
    assert.ok(m.get('mw_event_queue_depth')! >= 8, `queue depth ${m.get('mw_event_queue_depth')}`);
    assert.ok(m.has('mw_process_resident_memory_bytes'));
    const targets = await control<{ targets: { failures: number; lastError?: string }[] }>(server, 'GET', '/_mw/event-targets');
    assert.match(targets.targets[0].lastError!, /fetch failed|ECONNREFUSED/);
  });
});

describe('structured logs of the service process', () => {
  const dirs: string[] = [];
  after(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

  async function run(level: string) {
    const dataDir = tempDataDir();
    dirs.push(dataDir);
    const service = await startServiceProcess(['--data-dir', dataDir, '--log-level', level, '--simulate', 'AUTOMATION']);
    const client = sdkClient(service.endpoint);
    try {
      const created = await client.send(new CreateMaintenanceWindowCommand({ Name: 'logged', Schedule: 'rate(1 day)', Duration: 1, Cutoff: 0, AllowUnassociatedTargets: true }));
      const missing = await client.send(new GetMaintenanceWindowCommand({ WindowId: 'mw-0123456789abcdef0' })).catch((e: { $metadata: { requestId: string } }) => e);
      await control(service.endpoint, 'POST', `/_mw/windows/${created.WindowId}/executions`);
      assert.equal(await service.stop('SIGTERM'), 0);
      const lines = service.output().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
      return { lines, created, missing: missing as { $metadata: { requestId: string } } };
    } finally {
      client.destroy();
      await service.stop('SIGKILL');
    }
  }

  test('one JSON line per request (request id, operation, status, error code, duration); state changes at debug only', async () => {
    const { lines, created, missing } = await run('debug');
    const requests = lines.filter((l) => l.msg === 'request');
    const ok = requests.find((l) => l.requestId === created.$metadata.requestId)!;
    assert.deepEqual([ok.operation, ok.status, ok.code, ok.level], ['CreateMaintenanceWindow', 200, undefined, 30]);
    assert.equal(typeof ok.durationMs, 'number');
    assert.match(String(ok.time), /^\d{4}-\d\d-\d\dT/, 'ISO time');
    const failed = requests.find((l) => l.requestId === missing.$metadata.requestId)!;
    assert.deepEqual([failed.operation, failed.status, failed.code], ['GetMaintenanceWindow', 400, 'DoesNotExistException']);
    const transitions = lines.filter((l) => l.msg === 'transition');
    assert.deepEqual(transitions.map((l) => [l.level, l.detailType, (l.detail as { status: string }).status]), [[20, 'Maintenance Window Execution State-change Notification', 'SUCCESS']]);

    const quieter = await run('info');
    assert.ok(quieter.lines.some((l) => l.msg === 'request'));
    assert.equal(quieter.lines.filter((l) => l.msg === 'transition').length, 0, 'no debug lines at info');
  });
});
