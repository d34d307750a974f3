// The web console in a real browser (Debian's Chromium, headless, driven by playwright-core): history
// built with the SDK on the manual clock, then what each level of the drill-down shows, checked against
// what the SDK says; the window's tabs; the clock controls and a live update; run now, outcome rules
// and the node inventory from the page; accessibility (axe-core) on every page. Screenshots of each
// page are saved under test-output/console/.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  CreateMaintenanceWindowCommand,
  DescribeMaintenanceWindowExecutionsCommand,
  DescribeMaintenanceWindowExecutionTaskInvocationsCommand,
  DescribeMaintenanceWindowExecutionTasksCommand,
  GetCommandInvocationCommand,
} from '@aws-sdk/client-ssm';
import type { Browser, Page } from 'playwright-core';
import { accessibilityViolations, chromiumPath, launchBrowser, screenshot, watchedPage } from '../support/browser.ts';
import { advance, fire, getClock, getOutcomes, listNodes } from '../support/control.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { buildFixture, FAILING_NODE, FAILING_OUTPUT, type Fixture, NODES, T0 } from './history-fixture.ts';

/** How long a page may take to show what the service already did (a live update, a refresh). */
const SHOWN_WITHIN_MS = 15_000;

const noBrowser = chromiumPath() === undefined;
if (noBrowser) {
  if (process.env.CI) throw new Error('CI must run the console tests: no Chromium found (.ci/run installs the chromium package)');
  console.log('# console browser tests skipped: no Chromium (apt-get install chromium, or run npm test as root to have it installed)');
}

describe('web console in a browser', { skip: noBrowser }, () => {
  let browser: Browser;
  let server: TestServer;
  let fixture: Fixture;
  let page: Page;
  const errors: string[] = [];

  before(async () => {
    browser = await launchBrowser();
    server = await startTestServer({ clockMode: 'manual', manualClockStart: T0, invocationSeconds: 60 });
    fixture = await buildFixture(server, server.client);
    // One day: the nightly window runs once (17:00 UTC is 02:00 in Tokyo), the hourly one 24 times.
    await advance(server, 24 * 3600);
    page = await watchedPage(browser, errors);
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
    assert.deepEqual(errors, [], 'the pages logged no script errors');
  });

  const url = (path: string) => `${server.app.endpoint}${path}`;

  test('from the window list to the failing node\'s output in three clicks, each level as the SDK tells it', async () => {
    const { WindowExecutions } = await server.client.send(new DescribeMaintenanceWindowExecutionsCommand({ WindowId: fixture.windowId }));
    assert.equal(WindowExecutions!.length, 1);
    const execution = WindowExecutions![0];
    assert.equal(execution.Status, 'FAILED');

    await page.goto(url('/console/'));
    const row = page.locator(`#windows tr[data-window-id="${fixture.windowId}"]`);
    assert.equal(await row.locator('td').nth(0).innerText(), 'nightly-patching');
    assert.equal(await row.locator('td').nth(2).innerText(), 'Yes');
    assert.match(await row.locator('td').nth(3).innerText(), /^At 02:00\s+cron\(0 2 \? \* \* \*\)$/);
    assert.equal(await row.locator('td').nth(4).innerText(), 'Asia/Tokyo');
    assert.equal(await row.locator('td').nth(5).innerText(), '2026-03-02 17:00:00 UTC');
    assert.match(await row.locator('td').nth(6).innerText(), /^FAILED\s+2026-03-01 17:00:00 UTC$/);
    assert.match(await page.locator(`#windows tr[data-window-id="${fixture.otherWindowId}"] td`).nth(3).innerText(), /^Every hour/);
    await screenshot(page, '1-windows');

    // Click 1: the failed run, straight from the list.
    await row.getByRole('link', { name: /Last run FAILED/ }).click();
    await page.waitForURL(`**/executions/${execution.WindowExecutionId}`);
    assert.equal(await page.locator('h1').innerText(), `Execution ${execution.WindowExecutionId}`);
    assert.match(await page.locator('dl.fields').innerText(), /FAILED[\s\S]*One or more tasks in the orchestration failed\./);
    const { WindowExecutionTaskIdentities: tasks } = await server.client.send(new DescribeMaintenanceWindowExecutionTasksCommand({ WindowExecutionId: execution.WindowExecutionId }));
    const taskRows = page.locator('#task-executions tbody tr[data-status]');
    assert.equal(await taskRows.count(), tasks!.length);
    assert.deepEqual(await page.locator('#task-executions tr.group th').allInnerTexts(), ['Priority 1', 'Priority 2']);
    const runCommandTask = tasks!.find((t) => t.TaskType === 'RUN_COMMAND')!;
    const automationTask = tasks!.find((t) => t.TaskType === 'AUTOMATION')!;
    assert.equal(await taskRows.nth(0).getAttribute('data-status'), runCommandTask.Status);
    assert.match(await taskRows.nth(0).innerText(), /RUN_COMMAND AWS-RunShellScript[\s\S]*1 \/ 0[\s\S]*FAILED 1/);
    assert.match(await taskRows.nth(1).innerText(), /AUTOMATION AWS-RestartEC2Instance[\s\S]*2 \/ 1[\s\S]*SUCCESS 3/);
    // The timeline: one bar per invocation, the AUTOMATION task's three in two lanes (MaxConcurrency 2).
    assert.equal(await page.locator('figure.timeline rect.bar').count(), 4);
    assert.match(await page.locator('figure.timeline figcaption').innerText(), /4 invocation\(s\)[\s\S]*at most 2 ran at once/);
    await screenshot(page, '2-execution');
    await page.getByRole('link', { name: 'whole window' }).click();
    assert.equal(await page.locator('figure.timeline line.cutoff').count(), 1);
    assert.equal(await page.locator('figure.timeline line.window-end').count(), 1);
    await screenshot(page, '2b-execution-whole-window');
    await page.goBack();

    // Click 2: the failed task.
    await taskRows.nth(0).getByRole('link').click();
    await page.waitForURL(`**/tasks/${runCommandTask.TaskExecutionId}`);
    const { WindowExecutionTaskInvocationIdentities: invocations } = await server.client.send(new DescribeMaintenanceWindowExecutionTaskInvocationsCommand({
      WindowExecutionId: execution.WindowExecutionId, TaskId: runCommandTask.TaskExecutionId,
    }));
    assert.equal(invocations!.length, 1);
    const invocation = invocations![0];
    const invocationRows = page.locator('#invocations tbody tr');
    assert.equal(await invocationRows.count(), 1);
    assert.match(await invocationRows.nth(0).innerText(), new RegExp(`${invocation.InvocationId}[\\s\\S]*${NODES.join(', ')}[\\s\\S]*team-platform[\\s\\S]*FAILED`));
    await screenshot(page, '3-task-execution');

    // Click 3: the invocation, with each node's Run Command invocation and its whole output.
    await invocationRows.nth(0).getByRole('link').click();
    await page.waitForURL(`**/invocations/${invocation.InvocationId}`);
    const failing = page.locator(`div.command[id="node-${FAILING_NODE}"]`);
    const asAws = await server.client.send(new GetCommandInvocationCommand({ CommandId: invocation.ExecutionId, InstanceId: FAILING_NODE }));
    assert.equal(await failing.getAttribute('data-status'), asAws.Status);
    assert.equal(await failing.locator('pre[id^="stdout"]').innerText(), FAILING_OUTPUT);
    assert.equal(await failing.locator('code[id^="response-code"]').innerText(), String(asAws.ResponseCode));
    assert.equal(asAws.ResponseCode, 2);
    assert.match(await page.locator('pre.parameters').innerText(), /"commands": \[\s+"hostname; id -u"\s+\]/);
    await screenshot(page, '4-invocation');
    // The deep link is the page: pasted into a fresh tab it shows the same.
    const fresh = await browser.newPage();
    await fresh.goto(page.url());
    assert.equal(await fresh.locator(`div.command[id="node-${FAILING_NODE}"] pre[id^="stdout"]`).innerText(), FAILING_OUTPUT);
    await fresh.close();
  });

  test('the window page has the AWS console\'s tabs plus Schedule (time zone and offsets) and History', async () => {
    await page.goto(url(`/console/windows/${fixture.windowId}`));
    assert.match(await page.locator('dl.fields').innerText(), /Patch the web fleet[\s\S]*At 02:00[\s\S]*Asia\/Tokyo[\s\S]*3 hour\(s\)/);
    await screenshot(page, '5-window-description');
    await page.getByRole('link', { name: 'Targets' }).click();
    assert.match(await page.locator('table.list tbody').innerText(), /web-fleet[\s\S]*INSTANCE[\s\S]*tag:Env=prod[\s\S]*team-platform/);
    await page.getByRole('link', { name: 'Tasks' }).click();
    assert.deepEqual((await page.locator('table.list tbody tr td:nth-child(2)').allInnerTexts()), ['patch', 'verify']);
    await page.getByRole('link', { name: 'Tags' }).click();
    assert.match(await page.locator('table.list tbody').innerText(), /Team\s+platform/);
    await page.getByRole('link', { name: 'Schedule' }).click();
    const runs = page.locator('#schedule tbody tr');
    assert.equal(await runs.count(), 20);
    assert.match(await runs.nth(0).innerText(), /2026-03-03T02:00\+09:00\s+2026-03-03 02:00 \(UTC\+09:00 Asia\/Tokyo\)\s+2026-03-02 17:00:00 UTC/);
    await screenshot(page, '6-window-schedule');
    await page.getByRole('link', { name: 'History' }).click();
    assert.equal(await page.locator('#executions tbody tr').count(), 1);
    assert.equal(await page.locator('#executions tbody tr').getAttribute('data-status'), 'FAILED');
    assert.equal(new URL(page.url()).searchParams.get('tab'), 'history');
  });

  test('the manual clock from the page: to the next run, then a live update as the run ends', async () => {
    await page.goto(url(`/console/windows/${fixture.windowId}?tab=history`));
    await page.waitForFunction(() => document.body.dataset.live === 'open', undefined, { timeout: SHOWN_WITHIN_MS });
    const before = (await getClock(server)).epochMillis;
    // The next run of any window here is the hourly one's; +1 day moves past the nightly one's.
    await page.getByRole('button', { name: /To next run/ }).click();
    await page.waitForFunction((t) => document.getElementById('clock-now')?.getAttribute('datetime') !== t, new Date(before).toISOString(), { timeout: SHOWN_WITHIN_MS });
    assert.equal((await getClock(server)).epochMillis, before + 3600_000);
    await page.getByRole('button', { name: '+1 day' }).click();
    await page.waitForFunction(() => document.querySelectorAll('#executions tbody tr').length === 2, undefined, { timeout: SHOWN_WITHIN_MS });
    assert.equal((await getClock(server)).epochMillis, before + 3600_000 + 86_400_000);

    // A run started now is IN_PROGRESS; the test moves the clock itself, and the open page follows.
    const running = await fire(server, fixture.windowId);
    await page.goto(url(`/console/windows/${fixture.windowId}/executions/${running}`));
    await page.waitForFunction(() => document.body.dataset.live === 'open', undefined, { timeout: SHOWN_WITHIN_MS });
    assert.equal(await page.locator('dl.fields .status').first().innerText(), 'IN_PROGRESS');
    await screenshot(page, '7-execution-running');
    await advance(server, 3600);
    await page.waitForFunction(() => document.querySelector('dl.fields .status')?.textContent === 'FAILED', undefined, { timeout: SHOWN_WITHIN_MS });
    assert.ok(Number(await page.evaluate(() => document.body.dataset.refreshes)) >= 1, 'the page refreshed itself');
    await screenshot(page, '8-execution-after-live-update');
  });

  test('run now, outcome rules and the node inventory from the page use the control routes', async () => {
    await page.goto(url(`/console/windows/${fixture.otherWindowId}`));
    const before = (await server.client.send(new DescribeMaintenanceWindowExecutionsCommand({ WindowId: fixture.otherWindowId }))).WindowExecutions!.length;
    await page.getByRole('button', { name: 'Run now' }).click();
    await page.waitForFunction(() => /Started execution /.test(document.getElementById('notice')?.textContent ?? ''), undefined, { timeout: SHOWN_WITHIN_MS });
    const startedId = (await page.locator('#notice').innerText()).replace('Started execution ', '').replace(/\.$/, '');
    const after = (await server.client.send(new DescribeMaintenanceWindowExecutionsCommand({ WindowId: fixture.otherWindowId }))).WindowExecutions!;
    assert.equal(after.length, before + 1);
    assert.ok(after.some((e) => e.WindowExecutionId === startedId));

    await page.goto(url('/console/outcomes'));
    assert.equal(await page.locator('fieldset.rule').count(), 1);
    assert.equal(await page.locator('fieldset.rule [name="match.resourceId"]').inputValue(), FAILING_NODE);
    await page.getByRole('button', { name: 'Add a rule' }).click();
    const added = page.locator('fieldset.rule').nth(1);
    await added.getByLabel('Match taskType').fill('AUTOMATION');
    await added.getByLabel('Status', { exact: true }).selectOption('TIMED_OUT');
    await added.getByLabel('Duration (seconds)').fill('90');
    await added.getByLabel('Times (empty: always)').fill('2');
    await page.getByRole('button', { name: 'Save rules' }).click();
    await page.waitForFunction(() => /Saved 2 rule/.test(document.getElementById('notice')?.textContent ?? ''), undefined, { timeout: SHOWN_WITHIN_MS });
    const rules = await getOutcomes(server);
    assert.equal(rules.length, 2);
    assert.deepEqual(rules[1], { match: { taskType: 'AUTOMATION' }, status: 'TIMED_OUT', durationSeconds: 90, times: 2 });
    await screenshot(page, '9-outcome-rules');
    // A save the service refuses (more than 31 days) says why and changes nothing.
    await page.locator('fieldset.rule').nth(1).getByLabel('Duration (seconds)').fill('9999999');
    await page.getByRole('button', { name: 'Save rules' }).click();
    await page.waitForFunction(() => document.getElementById('notice')?.classList.contains('error'), undefined, { timeout: SHOWN_WITHIN_MS });
    assert.match(await page.locator('#notice').innerText(), /^ValidationException: rules\[1\]\.durationSeconds must be a number from 0 to 2678400\.$/);
    // The browser reports the refused PUT as a failed resource load: that one is expected.
    const refusal = errors.findIndex((e) => /status of 400/.test(e));
    if (refusal >= 0) errors.splice(refusal, 1);
    assert.equal((await getOutcomes(server)).length, 2);
    await page.locator('fieldset.rule').nth(1).getByRole('button', { name: 'Remove this rule' }).click();
    await page.getByRole('button', { name: 'Save rules' }).click();
    await page.waitForFunction(() => /Saved 1 rule/.test(document.getElementById('notice')?.textContent ?? ''), undefined, { timeout: SHOWN_WITHIN_MS });
    assert.equal((await getOutcomes(server)).length, 1);

    await page.goto(url('/console/nodes'));
    assert.equal(await page.locator('#nodes tbody tr').count(), NODES.length);
    assert.match(await page.locator(`#nodes tr[data-node-id="${NODES[0]}"]`).innerText(), /Env=prod[\s\S]*Online[\s\S]*Simulated \(declared\)/);
    await page.getByLabel('Node ID').fill('i-0bbbbbbbbbbbbbbb1');
    await page.getByLabel(/Tags, one/).fill('Env=staging\nRole=db');
    await page.getByLabel(/Resource groups/).fill('databases');
    await page.getByRole('button', { name: 'Save node' }).click();
    await page.waitForSelector('#nodes tr[data-node-id="i-0bbbbbbbbbbbbbbb1"]', { timeout: SHOWN_WITHIN_MS });
    const declared = (await listNodes(server)).find((n) => n.id === 'i-0bbbbbbbbbbbbbbb1');
    assert.deepEqual({ tags: declared?.tags, groups: declared?.resourceGroups }, { tags: { Env: 'staging', Role: 'db' }, groups: ['databases'] });
    await screenshot(page, '10-nodes');
    await page.getByRole('button', { name: 'Remove node i-0bbbbbbbbbbbbbbb1' }).click();
    await page.waitForSelector('#nodes tr[data-node-id="i-0bbbbbbbbbbbbbbb1"]', { state: 'detached', timeout: SHOWN_WITHIN_MS });
    assert.equal((await listNodes(server)).some((n) => n.id === 'i-0bbbbbbbbbbbbbbb1'), false);
  });

  test('every page passes axe\'s WCAG 2.1 AA checks and is usable from the keyboard', async () => {
    const { WindowExecutions } = await server.client.send(new DescribeMaintenanceWindowExecutionsCommand({ WindowId: fixture.windowId }));
    const failed = WindowExecutions!.find((e) => e.Status === 'FAILED')!;
    const { WindowExecutionTaskIdentities: tasks } = await server.client.send(new DescribeMaintenanceWindowExecutionTasksCommand({ WindowExecutionId: failed.WindowExecutionId }));
    const task = tasks!.find((t) => t.TaskType === 'RUN_COMMAND')!;
    const { WindowExecutionTaskInvocationIdentities: invocations } = await server.client.send(new DescribeMaintenanceWindowExecutionTaskInvocationsCommand({
      WindowExecutionId: failed.WindowExecutionId, TaskId: task.TaskExecutionId,
    }));
    const execution = `/console/windows/${fixture.windowId}/executions/${failed.WindowExecutionId}`;
    const pages = [
      '/console/', `/console/windows/${fixture.windowId}`, `/console/windows/${fixture.windowId}?tab=schedule`, `/console/windows/${fixture.windowId}?tab=history`,
      execution, `${execution}/tasks/${task.TaskExecutionId}`, `${execution}/tasks/${task.TaskExecutionId}/invocations/${invocations![0].InvocationId}`,
      '/console/nodes', '/console/outcomes', '/console/windows/mw-00000000000000000',
    ];
    // axe is injected as a script, which the console's own policy (script-src 'self') rightly refuses.
    const checking = await browser.newContext({ bypassCSP: true });
    const checked = await checking.newPage();
    for (const path of pages) {
      await checked.goto(url(path));
      assert.deepEqual(await accessibilityViolations(checked), [], `axe on ${path}`);
    }
    await checking.close();
    // The keyboard: the first Tab reaches the skip link, Enter on a focused link follows it.
    await page.goto(url('/console/'));
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Skip to content');
    await page.locator('#windows a').first().focus();
    await page.keyboard.press('Enter');
    await page.waitForURL('**/console/windows/**');
  });
});
