// Automation in the web console (issue 22, "Seen everywhere") in a real browser: the executions list
// (newest first, filtered by status) linked from the navigation; an execution's page with its runbook
// linked at its version, its parameters and outputs, and its steps in order with status, times, inputs,
// outputs, failure and the branch taken; Approve clicked on a waiting approval and the execution going on;
// Reject failing it; Resume on a paused step; Stop; the window invocation of an AUTOMATION task linking
// to its execution; user text escaped; a signal from another site refused; axe on every page.
// Screenshots are saved under test-output/console/automations-*.png.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  CreateDocumentCommand, CreateMaintenanceWindowCommand, GetAutomationExecutionCommand, RegisterTargetWithMaintenanceWindowCommand,
  RegisterTaskWithMaintenanceWindowCommand, SSMClient, StartAutomationExecutionCommand,
} from '@aws-sdk/client-ssm';
import type { Browser, Page } from 'playwright-core';
import { accessibilityViolations, chromiumPath, launchBrowser, screenshot, watchedPage } from '../support/browser.ts';
import { advance, executionTree, fire, putNode } from '../support/control.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { controlToken } from '../../src/wire/control-auth.ts';

const T0 = Date.parse('2026-11-01T09:00:00Z');
const NODE = 'i-0aaaaaaaaaaaaaaa1';
const HOSTILE = '<script>window.__owned = 1</script><img src=x onerror="window.__owned = 2">';

const noBrowser = chromiumPath() === undefined;
if (noBrowser) {
  if (process.env.CI) throw new Error('CI must run the console tests: no Chromium found (.ci/run installs the chromium package)');
  console.log('# console automation browser tests skipped: no Chromium (apt-get install chromium)');
}

const RUNBOOK = `schemaVersion: '0.3'
description: Check, then fix after an approval
parameters:
  InstanceId:
    type: String
  Note:
    type: String
    default: '${HOSTILE}'
outputs:
  - check.Output
mainSteps:
  - name: settle
    action: aws:sleep
    inputs:
      Duration: PT1M
  - name: decide
    action: aws:branch
    inputs:
      Choices:
        - NextStep: approveFix
          Variable: '{{ InstanceId }}'
          StartsWith: i-
      Default: done
  - name: approveFix
    action: aws:approve
    inputs:
      Approvers:
        - arn:aws:iam::000000000000:user/oncall
      Message: '{{ Note }}'
  - name: check
    action: aws:runCommand
    inputs:
      DocumentName: AWS-RunShellScript
      InstanceIds:
        - '{{ InstanceId }}'
      Parameters:
        commands:
          - uptime
    isEnd: true
  - name: done
    action: aws:sleep
    inputs:
      Duration: PT1S
`;

const PAUSING = `schemaVersion: '0.3'
mainSteps:
  - name: hold
    action: aws:pause
    inputs: {}
  - name: after
    action: aws:sleep
    inputs:
      Duration: PT1S
`;

describe('automation in the web console', { skip: noBrowser }, () => {
  let browser: Browser;
  let server: TestServer;
  let page: Page;
  const errors: string[] = [];
  const url = (path: string) => `${server.app.endpoint}${path}`;
  /** axe on the page at `address`, in a context that lets axe's injected script past the pages' CSP. */
  const axeClean = async (address: string) => {
    const checking = await browser.newContext({ bypassCSP: true, viewport: { width: 1280, height: 900 } });
    const checked = await checking.newPage();
    await checked.goto(address);
    assert.deepEqual(await accessibilityViolations(checked), [], `axe on ${address}`);
    await checking.close();
  };
  const status = async (id: string) => (await server.client.send(new GetAutomationExecutionCommand({ AutomationExecutionId: id }))).AutomationExecution!;
  const start = async (name: string) => (await server.client.send(new StartAutomationExecutionCommand({ DocumentName: name, Parameters: { InstanceId: [NODE] } }))).AutomationExecutionId!;
  const stepCells = (id: string) => page.locator('#steps section.step').evaluateAll((sections) => sections.map((s) => `${s.getAttribute('data-step-name')} ${s.getAttribute('data-status')}`));

  before(async () => {
    browser = await launchBrowser();
    server = await startTestServer({ clockMode: 'manual', manualClockStart: T0, invocationSeconds: 5, simulatedTaskTypes: [] });
    await putNode(server, NODE);
    await server.client.send(new CreateDocumentCommand({ Name: 'Fix-With-Approval', Content: RUNBOOK, DocumentType: 'Automation', DocumentFormat: 'YAML' }));
    await server.client.send(new CreateDocumentCommand({ Name: 'Hold-On', Content: PAUSING, DocumentType: 'Automation', DocumentFormat: 'YAML' }));
    page = await watchedPage(browser, errors);
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
    assert.deepEqual(errors, [], 'the pages logged no script errors');
  });

  test('an approval: the steps so far, the branch taken, Approve clicked, and the execution goes on to its end', async () => {
    const id = await start('Fix-With-Approval');
    await advance(server, 60);
    assert.equal((await status(id)).AutomationExecutionStatus, 'Waiting');

    await page.goto(url('/console/'));
    await page.locator('header nav').getByRole('link', { name: 'Automation' }).click();
    await page.waitForURL('**/console/automations');
    const row = page.locator(`#automations tr[data-execution-id="${id}"]`);
    assert.deepEqual((await row.locator('td').allInnerTexts()).slice(1, 4).map((t) => t.trim()), ['Fix-With-Approval, version 1', 'Waiting', 'approveFix (aws:approve)']);
    await axeClean(page.url());
    await screenshot(page, 'automations-1-list');
    await row.getByRole('link', { name: id }).click();
    await page.waitForURL(`**/console/automations/${id}`);

    assert.equal(await page.locator('#execution-status').innerText(), 'Waiting');
    assert.equal(await page.locator('#execution-document a').getAttribute('href'), '/console/documents/Fix-With-Approval?version=1');
    assert.deepEqual(await stepCells(id), ['settle Success', 'decide Success', 'approveFix Waiting']);
    assert.equal(await page.locator('#step-2 .taken').innerText(), 'Branch chose approveFix');
    assert.equal(await page.locator('#step-1 .taken').innerText(), 'decide');
    assert.match(await page.locator('#step-1').innerText(), /Duration\s+PT1M/);
    assert.match(await page.locator('#approval').innerText(), /0 of 1 needed\. Approvers: arn:aws:iam::000000000000:user\/oncall/);
    assert.match(await page.locator('#step-3-inputs').innerText(), /Message\s+<script>window.__owned = 1<\/script>/, 'the hostile parameter is shown as text');
    assert.match(await page.locator('#parameters').innerText(), /InstanceId\s+i-0aaaaaaaaaaaaaaa1/);
    assert.equal(await page.evaluate(() => (globalThis as unknown as { __owned?: number }).__owned), undefined, 'nothing the runbook says runs');
    await axeClean(page.url());
    await screenshot(page, 'automations-2-waiting-for-approval');

    await page.getByLabel('Comment (optional)').fill('go ahead');
    await page.getByRole('button', { name: 'Approve' }).click();
    await page.waitForFunction(() => document.querySelector('#step-3')?.getAttribute('data-status') === 'Success');
    assert.deepEqual(await stepCells(id), ['settle Success', 'decide Success', 'approveFix Success', 'check InProgress']);
    assert.match(await page.locator('#step-3-outputs').innerText(), /ApprovalStatus\s+Approved/);
    assert.match(await page.locator('#step-3-outputs').innerText(), /go ahead/);
    assert.equal(await page.locator('#approval-form').count(), 0);

    // The clock moves (the page's own control): the command ends, the live stream refreshes the page.
    await page.getByRole('button', { name: '+1 hour' }).click();
    await page.waitForFunction(() => document.querySelector('#execution-status')?.textContent === 'Success');
    assert.deepEqual(await stepCells(id), ['settle Success', 'decide Success', 'approveFix Success', 'check Success']);
    assert.match(await page.locator('#step-4').innerText(), /Command ID/i);
    assert.match(await page.locator('#outputs').innerText(), /check\.Output/);
    assert.equal(await page.locator('#stop-form').count(), 0, 'an ended execution has no Stop');
    await axeClean(page.url());
    await screenshot(page, 'automations-3-approved-and-ended');
  });

  test('Reject fails the execution with its message; the list filters by status', async () => {
    const id = await start('Fix-With-Approval');
    await advance(server, 60);
    await page.goto(url(`/console/automations/${id}`));
    await page.getByRole('button', { name: 'Reject' }).click();
    await page.waitForFunction(() => document.querySelector('#execution-status')?.textContent === 'Failed');
    assert.match(await page.locator('#step-3 .failure').innerText(), /was rejected by arn:aws:iam::000000000000:root/);
    assert.match(await page.locator('#execution-failure').innerText(), /rejected/);
    await screenshot(page, 'automations-4-rejected');

    await page.goto(url('/console/automations'));
    await page.getByLabel('Status').selectOption('Failed');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.waitForURL(/status=Failed/);
    assert.deepEqual(await page.locator('#automations tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-execution-id'))), [id]);
  });

  test('Resume on a paused step; Stop on a running execution', async () => {
    const paused = (await server.client.send(new StartAutomationExecutionCommand({ DocumentName: 'Hold-On' }))).AutomationExecutionId!;
    await page.goto(url(`/console/automations/${paused}`));
    assert.match(await page.locator('#resume').innerText(), /Paused/);
    await page.getByRole('button', { name: 'Resume' }).click();
    await page.waitForFunction(() => document.querySelector('#step-1')?.getAttribute('data-status') === 'Success');
    assert.deepEqual(await stepCells(paused), ['hold Success', 'after InProgress']);

    const running = await start('Fix-With-Approval');
    await page.goto(url(`/console/automations/${running}`));
    await page.getByRole('button', { name: 'Stop execution' }).click();
    await page.waitForFunction(() => document.querySelector('#execution-status')?.textContent === 'Cancelled');
    assert.deepEqual(await stepCells(running), ['settle Cancelled']);
  });

  test('a signal from another site is refused; one that does not apply says why', async () => {
    const id = await start('Fix-With-Approval');
    await advance(server, 60);
    const forged = await fetch(url(`/console/automations/${id}/signal`), {
      method: 'POST', redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://evil.example', 'sec-fetch-site': 'cross-site' },
      body: 'signal=Approve',
    });
    assert.equal(forged.status, 403);
    assert.equal((await status(id)).AutomationExecutionStatus, 'Waiting', 'nothing was approved');
    const wrong = await fetch(url(`/console/automations/${id}/signal`), { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'signal=Resume' });
    assert.equal(wrong.status, 409);
    assert.match(await wrong.text(), /InvalidAutomationSignalException<\/strong>/);
    assert.equal((await fetch(url(`/console/automations/${id}/signal`))).status, 405);
    const missing = await fetch(url('/console/automations/00000000-0000-0000-0000-000000000000'));
    assert.equal(missing.status, 404);
    assert.match(await missing.text(), /AutomationExecutionNotFoundException/);
  });

  test("a window's AUTOMATION invocation links to its execution, which links back", async () => {
    const { WindowId } = await server.client.send(new CreateMaintenanceWindowCommand({ Name: 'fix-window', Schedule: 'rate(7 days)', Duration: 4, Cutoff: 1, AllowUnassociatedTargets: false }));
    const { WindowTargetId } = await server.client.send(new RegisterTargetWithMaintenanceWindowCommand({ WindowId, ResourceType: 'INSTANCE', Targets: [{ Key: 'InstanceIds', Values: [NODE] }] }));
    await server.client.send(new RegisterTaskWithMaintenanceWindowCommand({
      WindowId, TaskType: 'AUTOMATION', TaskArn: 'Hold-On', Targets: [{ Key: 'WindowTargetIds', Values: [WindowTargetId!] }], MaxConcurrency: '1', MaxErrors: '1',
      TaskInvocationParameters: { Automation: { DocumentVersion: '1' } },
    }));
    const executionId = await fire(server, WindowId!);
    const { tasks: [task] } = await executionTree(server.client, executionId);
    const invocation = task.invocations[0];
    await page.goto(url(`/console/windows/${WindowId}/executions/${executionId}/tasks/${task.task.TaskExecutionId}/invocations/${invocation.InvocationId}`));
    await page.locator('#automation-execution').click();
    await page.waitForURL(`**/console/automations/${invocation.ExecutionId}`);
    assert.deepEqual(await stepCells(invocation.ExecutionId!), ['hold Waiting']);
    await axeClean(page.url());
    await screenshot(page, 'automations-5-from-a-window');
    await page.locator('#window-invocation').click();
    await page.waitForURL(/\/invocations\//);
  });
});

describe('automation signals from the console with --credentials', () => {
  const KEY = { accessKeyId: 'AKIACONSOLE000000002', secretAccessKey: 'console-secret', accountId: '444444444444', operator: false };
  let server: TestServer;
  let dir: string;
  let client: SSMClient;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mw-console-keys-'));
    const credentialsFile = join(dir, 'credentials.json');
    writeFileSync(credentialsFile, JSON.stringify([KEY]));
    server = await startTestServer({ credentialsFile, clockMode: 'manual', manualClockStart: T0, simulatedTaskTypes: [] });
    client = new SSMClient({ endpoint: server.app.endpoint, region: 'us-east-1', credentials: { accessKeyId: KEY.accessKeyId, secretAccessKey: KEY.secretAccessKey }, maxAttempts: 1 });
  });
  after(async () => {
    client?.destroy();
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test("a signal needs the signed-in cookie and the service's own page; it acts as the key's account", async () => {
    await client.send(new CreateDocumentCommand({ Name: 'Hold-On', Content: PAUSING, DocumentType: 'Automation', DocumentFormat: 'YAML' }));
    const id = (await client.send(new StartAutomationExecutionCommand({ DocumentName: 'Hold-On' }))).AutomationExecutionId!;
    const signal = (headers: Record<string, string>) => fetch(`${server.app.endpoint}/console/automations/${id}/signal`, {
      method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: 'signal=Resume', signal: AbortSignal.timeout(10_000),
    });
    const status = async () => (await client.send(new GetAutomationExecutionCommand({ AutomationExecutionId: id }))).AutomationExecution!.StepExecutions!.map((s) => `${s.StepName} ${s.StepStatus}`);

    const anonymous = await signal({});
    assert.equal(anonymous.status, 401, 'no cookie: the sign-in page');
    const login = await fetch(`${server.app.endpoint}/console/login`, { method: 'POST', body: new URLSearchParams({ token: controlToken(KEY) }), redirect: 'manual' });
    const jar = login.headers.get('set-cookie')!.split(';')[0];
    const crossSite = await signal({ cookie: jar, origin: 'http://evil.example', 'sec-fetch-site': 'cross-site' });
    assert.equal(crossSite.status, 403);
    assert.deepEqual(await status(), ['hold Waiting'], 'nothing resumed');

    const own = await signal({ cookie: jar, origin: server.app.endpoint, 'sec-fetch-site': 'same-origin' });
    assert.equal(own.status, 303);
    assert.equal(own.headers.get('location'), `/console/automations/${id}?account=444444444444`, 'back to the execution, in the key\'s account');
    assert.deepEqual(await status(), ['hold Success', 'after InProgress']);
    const page = await fetch(`${server.app.endpoint}${own.headers.get('location')}`, { headers: { cookie: jar } });
    assert.equal(page.status, 200);
    assert.match(await page.text(), /data-step-name="hold" data-status="Success"/);
  });
});
