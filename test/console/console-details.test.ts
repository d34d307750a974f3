// Console details a newcomer noticed (issue 26, item 7): the timeline's axis has distinct ticks at round
// instants; a UTC window's schedule has no second UTC column; a RUN_COMMAND invocation's page says why
// {{RESOURCE_ID}} / {{TARGET_ID}} stay as written while the other pseudo-parameters are substituted.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  CreateMaintenanceWindowCommand, RegisterTargetWithMaintenanceWindowCommand, RegisterTaskWithMaintenanceWindowCommand,
} from '@aws-sdk/client-ssm';
import { axisTicks } from '../../src/console/timeline.ts';
import { advance, allInvocations, executionTree, fire, putNode } from '../support/control.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const T0 = Date.parse('2026-03-01T02:00:00Z');

describe('the timeline axis', () => {
  const cases: [string, number, number][] = [
    ['a run of 1.2 s', T0, T0 + 1200],
    ['a run of 4 s', T0 + 300, T0 + 4300],
    ['a run of 72 s', T0 + 12_000, T0 + 84_000],
    ['a run of 50 min', T0, T0 + 50 * 60_000],
    ['a window of 3 h', T0, T0 + 3 * 3_600_000],
    ['two days', T0, T0 + 48 * 3_600_000],
    ['a year', T0, T0 + 365 * 86_400_000],
  ];
  for (const [name, start, end] of cases) {
    test(`${name}: at most six ticks, inside the axis, at round instants, each label said once`, () => {
      const ticks = axisTicks(start, end);
      assert.ok(ticks.length >= 1 && ticks.length <= 6, `${ticks.length} ticks`);
      assert.ok(ticks.every((t) => t.at >= start && t.at <= end));
      assert.ok(ticks.every((t) => t.at % 1000 === 0), 'on whole seconds at least');
      assert.equal(new Set(ticks.map((t) => t.label)).size, ticks.length, JSON.stringify(ticks));
      const steps = ticks.slice(1).map((t, i) => t.at - ticks[i].at);
      assert.equal(new Set(steps).size <= 1, true, 'evenly spaced');
    });
  }
  test('the labels of a few seconds name the seconds; of an hour or more, minutes', () => {
    assert.deepEqual(axisTicks(T0 + 300, T0 + 4300).map((t) => t.label), ['02:00:01', '02:00:02', '02:00:03', '02:00:04']);
    assert.deepEqual(axisTicks(T0, T0 + 3 * 3_600_000).map((t) => t.label), ['02:00', '03:00', '04:00', '05:00']);
  });
});

describe('console pages: schedule columns and Run Command parameters', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ clockMode: 'manual', manualClockStart: T0, invocationSeconds: 5 });
  });
  after(() => server.stop());
  const page = async (path: string) => (await fetch(`${server.app.endpoint}${path}`, { signal: AbortSignal.timeout(10_000) })).text();

  test('a UTC window lists its runs in UTC once; a window in another zone shows both', async () => {
    const create = async (timeZone?: string) => (await server.client.send(new CreateMaintenanceWindowCommand({
      Name: `zone-${timeZone ?? 'none'}`.replace('/', '-'), Schedule: 'cron(0 2 ? * * *)', ScheduleTimezone: timeZone, Duration: 2, Cutoff: 1, AllowUnassociatedTargets: true,
    }))).WindowId!;
    for (const zone of [undefined, 'UTC']) {
      const text = await page(`/console/windows/${await create(zone)}?tab=schedule`);
      assert.match(text, /<table class="list" id="schedule">/);
      assert.doesNotMatch(text, /<th scope="col">In UTC<\/th>/);
      assert.doesNotMatch(text, /UTC\+00:00 UTC/);
    }
    const tokyo = await page(`/console/windows/${await create('Asia/Tokyo')}?tab=schedule`);
    assert.match(tokyo, /<th scope="col">In Asia\/Tokyo<\/th>/);
    assert.match(tokyo, /UTC\+09:00 Asia\/Tokyo/);
  });

  test('a RUN_COMMAND invocation says why {{RESOURCE_ID}} stays as written', async () => {
    await putNode(server, 'i-00000000000000011');
    const { WindowId } = await server.client.send(new CreateMaintenanceWindowCommand({ Name: 'pseudo', Schedule: 'rate(1 day)', Duration: 2, Cutoff: 1, AllowUnassociatedTargets: false }));
    const { WindowTargetId } = await server.client.send(new RegisterTargetWithMaintenanceWindowCommand({
      WindowId, ResourceType: 'INSTANCE', Targets: [{ Key: 'InstanceIds', Values: ['i-00000000000000011'] }],
    }));
    await server.client.send(new RegisterTaskWithMaintenanceWindowCommand({
      WindowId, TaskArn: 'AWS-RunShellScript', TaskType: 'RUN_COMMAND', Targets: [{ Key: 'WindowTargetIds', Values: [WindowTargetId!] }], MaxConcurrency: '1', MaxErrors: '0',
      TaskInvocationParameters: { RunCommand: { Parameters: { commands: ['echo {{RESOURCE_ID}} in {{WINDOW_ID}}'] } } },
    }));
    const executionId = await fire(server, WindowId!);
    await advance(server, 60);
    const [task] = (await executionTree(server.client, executionId)).tasks;
    const [invocation] = await allInvocations(server.client, executionId, task.task.TaskExecutionId!);
    const text = await page(`/console/windows/${WindowId}/executions/${executionId}/tasks/${task.task.TaskExecutionId}/invocations/${invocation.InvocationId}`);
    assert.match(text, new RegExp(`echo \\{\\{RESOURCE_ID\\}\\} in ${WindowId}`), 'WINDOW_ID substituted, RESOURCE_ID not');
    assert.match(text, /<p class="note" id="unsubstituted">\{\{RESOURCE_ID\}\} is left as written: a Run Command task sends one command to all the nodes of a window target/);
  });

  test('a LAMBDA invocation shows its remote call: the function it names and what was answered', async () => {
    const { WindowId } = await server.client.send(new CreateMaintenanceWindowCommand({ Name: 'lambda', Schedule: 'rate(1 day)', Duration: 2, Cutoff: 1, AllowUnassociatedTargets: true }));
    await server.client.send(new RegisterTaskWithMaintenanceWindowCommand({
      WindowId, TaskArn: 'patch-report', TaskType: 'LAMBDA',
      TaskInvocationParameters: { Lambda: { Qualifier: 'live', Payload: new TextEncoder().encode('{"window":"{{WINDOW_ID}}"}') } },
    }));
    const executionId = await fire(server, WindowId!);
    await advance(server, 60);
    const [task] = (await executionTree(server.client, executionId)).tasks;
    const [invocation] = await allInvocations(server.client, executionId, task.task.TaskExecutionId!);
    const text = await page(`/console/windows/${WindowId}/executions/${executionId}/tasks/${task.task.TaskExecutionId}/invocations/${invocation.InvocationId}`);
    assert.match(text, /<h2>Remote call<\/h2>\s*<dl class="fields" id="remote-call">\s*<div><dt>Function<\/dt><dd><code>patch-report<\/code><\/dd><\/div>\s*<div><dt>Qualifier<\/dt><dd><code>live<\/code>/);
    assert.match(text, /<dt>Answer<\/dt><dd>Success<\/dd>/, 'simulated without an endpoint: its words');
  });
});
