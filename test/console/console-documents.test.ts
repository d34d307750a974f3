// The console's documents (issue 21, item 5) in a real browser: documents created with the SDK (JSON
// and YAML, a second version by UpdateDocument) listed beside Amazon's with owner and type filters; a
// document's page with its versions, parameters and content, the JSON/YAML switch and the version
// selector; user text escaped everywhere; the links from a window's RUN_COMMAND task execution and
// invocation to the document and version that ran; axe on every new page. Screenshots are saved under
// test-output/console/documents-*.png.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  CreateDocumentCommand, CreateMaintenanceWindowCommand, DescribeDocumentCommand, GetDocumentCommand, ListDocumentVersionsCommand,
  RegisterTargetWithMaintenanceWindowCommand, RegisterTaskWithMaintenanceWindowCommand, UpdateDocumentCommand,
} from '@aws-sdk/client-ssm';
import type { Browser, Page } from 'playwright-core';
import { accessibilityViolations, chromiumPath, launchBrowser, screenshot, watchedPage } from '../support/browser.ts';
import { advance, allInvocations, executionTree, fire, putNode } from '../support/control.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const T0 = Date.parse('2026-03-01T00:00:00Z');
const NODE = 'i-0ddddddddddddddd1';
const HOSTILE = '<script>window.__owned = 1</script><img src=x onerror="window.__owned = 2">';

const noBrowser = chromiumPath() === undefined;
if (noBrowser) {
  if (process.env.CI) throw new Error('CI must run the console tests: no Chromium found (.ci/run installs the chromium package)');
  console.log('# console documents browser tests skipped: no Chromium (apt-get install chromium)');
}

const JSON_DOC = JSON.stringify({
  schemaVersion: '2.2',
  description: `Restarts the web service. ${HOSTILE}`,
  parameters: {
    service: { type: 'String', description: 'Which unit to restart', default: 'nginx' },
    banner: { type: 'String', description: `Shown first ${HOSTILE}`, default: HOSTILE },
  },
  mainSteps: [{ action: 'aws:runShellScript', name: 'restart', inputs: { runCommand: ['echo "{{ banner }}"', 'systemctl restart {{ service }}'] } }],
}, null, 2);

const YAML_V1 = `schemaVersion: '2.2'
description: Checks free disk space
parameters:
  path:
    type: String
    description: Where to look
    default: /var
mainSteps:
  - action: aws:runShellScript
    name: check
    inputs:
      runCommand:
        - df -h {{ path }}
`;
const YAML_V2 = YAML_V1.replace('Checks free disk space', 'Checks free disk space, version two').replace('default: /var', 'default: /srv');

describe('documents in the web console', { skip: noBrowser }, () => {
  let browser: Browser;
  let server: TestServer;
  let page: Page;
  const errors: string[] = [];
  const url = (path: string) => `${server.app.endpoint}${path}`;

  before(async () => {
    browser = await launchBrowser();
    server = await startTestServer({ clockMode: 'manual', manualClockStart: T0, invocationSeconds: 5 });
    await server.client.send(new CreateDocumentCommand({ Name: 'Restart-Web', Content: JSON_DOC, DocumentType: 'Command', DocumentFormat: 'JSON' }));
    await server.client.send(new CreateDocumentCommand({ Name: 'Disk-Check', Content: YAML_V1, DocumentType: 'Command', DocumentFormat: 'YAML', VersionName: 'first' }));
    await server.client.send(new UpdateDocumentCommand({ Name: 'Disk-Check', Content: YAML_V2, DocumentFormat: 'YAML', DocumentVersion: '$LATEST', VersionName: 'second' }));
    page = await watchedPage(browser, errors);
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
    assert.deepEqual(errors, [], 'the pages logged no script errors');
  });

  test('the list shows the account\'s documents beside Amazon\'s, filtered by owner and type', async () => {
    await page.goto(url('/console/documents'));
    assert.equal(await page.locator('header nav a[aria-current="page"]').innerText(), 'Documents');
    const row = (name: string) => page.locator(`#documents tr[data-document-name="${name}"]`);
    const cells = async (name: string) => (await row(name).locator('td').allInnerTexts()).map((t) => t.trim());
    assert.deepEqual(await cells('Disk-Check'), ['Disk-Check', 'Self', 'Command', 'YAML', '2.2', '1', '2', 'Linux, MacOS']);
    assert.deepEqual((await cells('Restart-Web')).slice(0, 7), ['Restart-Web', 'Self', 'Command', 'JSON', '2.2', '1', '1']);
    assert.deepEqual((await cells('AWS-RunShellScript')).slice(0, 3), ['AWS-RunShellScript', 'Amazon', 'Command']);
    await screenshot(page, 'documents-1-list');

    await page.getByLabel('Owner').selectOption('Self');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.waitForURL(/owner=Self/);
    assert.deepEqual(await page.locator('#documents tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-document-name'))), ['Restart-Web', 'Disk-Check']);
    await page.getByLabel('Owner').selectOption('Amazon');
    await page.getByLabel('Type').selectOption('Command');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.waitForURL(/owner=Amazon/);
    const amazon = await page.locator('#documents tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-document-name')));
    assert.ok(amazon.includes('AWS-RunShellScript') && !amazon.includes('Disk-Check'), amazon.join(', '));
    assert.ok((await page.locator('#documents tbody td:nth-child(3)').allInnerTexts()).every((t) => t === 'Command'));
    await page.getByLabel('Type').selectOption('Session');
    await page.getByLabel('Owner').selectOption('Self');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.waitForURL(/type=Session/);
    assert.equal(await page.locator('p.empty').innerText(), 'No document matches these filters.');
  });

  test('the list pages on the server, 25 at a time, keeping the filters', async () => {
    for (let i = 0; i < 26; i++) {
      await server.client.send(new CreateDocumentCommand({ Name: `Paged-${String(i).padStart(2, '0')}`, Content: YAML_V1, DocumentType: 'Command', DocumentFormat: 'YAML' }));
    }
    await page.goto(url('/console/documents?owner=Self&q=Paged'));
    const names = async () => page.locator('#documents tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-document-name')));
    const first = await names();
    assert.equal(first.length, 25);
    await page.getByRole('link', { name: 'Next page' }).click();
    await page.waitForURL(/next=/);
    assert.equal(new URL(page.url()).searchParams.get('q'), 'Paged');
    assert.deepEqual([...first, ...await names()], Array.from({ length: 26 }, (_, i) => `Paged-${String(i).padStart(2, '0')}`));
    assert.equal(await page.getByRole('link', { name: 'Next page' }).count(), 0);
    await page.getByRole('link', { name: 'First page' }).click();
    assert.deepEqual(await names(), first);
  });

  test('a document\'s page: fields, versions, parameters, content as written, then as YAML and JSON', async () => {
    const described = (await server.client.send(new DescribeDocumentCommand({ Name: 'Disk-Check' }))).Document!;
    await page.goto(url('/console/documents'));
    await page.getByRole('link', { name: 'Disk-Check' }).click();
    await page.waitForURL('**/console/documents/Disk-Check');
    assert.equal(await page.locator('h1').innerText(), 'Disk-Check');
    const fields = await page.locator('#document-fields').innerText();
    assert.match(fields, /Checks free disk space\n/, 'the default version (1) is shown');
    assert.match(fields, new RegExp(described.Hash!));
    assert.equal(await page.locator('#version-shown').innerText(), '1 (first)');
    assert.equal(await page.locator('#version').inputValue(), '$DEFAULT');

    const { DocumentVersions } = await server.client.send(new ListDocumentVersionsCommand({ Name: 'Disk-Check' }));
    const rows = page.locator('#versions tbody tr');
    assert.equal(await rows.count(), DocumentVersions!.length);
    for (const v of DocumentVersions!) {
      const cells = (await page.locator(`#versions tr[data-version="${v.DocumentVersion}"] td`).allInnerTexts()).map((t) => t.trim());
      const hash = (await server.client.send(new DescribeDocumentCommand({ Name: 'Disk-Check', DocumentVersion: v.DocumentVersion }))).Document!.Hash!;
      assert.deepEqual(cells, [v.DocumentVersion, v.VersionName, `${v.CreatedDate!.toISOString().slice(0, 19).replace('T', ' ')} UTC`, v.IsDefaultVersion ? 'Default' : '', 'YAML', hash.slice(0, 12)]);
    }
    assert.deepEqual((await page.locator('#parameters tbody tr td').allInnerTexts()).map((t) => t.trim()), ['path', 'String', '/var', 'Where to look']);

    // As written: the YAML byte for byte, as GetDocument gives it.
    assert.equal(await page.locator('nav.format-switch [aria-current]').innerText(), 'YAML');
    assert.equal(await page.locator('pre#content').textContent(), YAML_V1);
    await screenshot(page, 'documents-2-document-yaml');
    await page.getByRole('link', { name: 'JSON', exact: true }).click();
    await page.waitForURL(/format=JSON/);
    // Converted to JSON: GetDocument's answer, indented for reading.
    const asJson = (await server.client.send(new GetDocumentCommand({ Name: 'Disk-Check', DocumentFormat: 'JSON' }))).Content!;
    assert.equal(await page.locator('pre#content').textContent(), JSON.stringify(JSON.parse(asJson), null, 2));
    assert.deepEqual(JSON.parse(asJson).parameters.path, { type: 'String', description: 'Where to look', default: '/var' });
    assert.match(await page.locator('nav.format-switch').innerText(), /converted from the YAML it was written in/);
    await screenshot(page, 'documents-3-document-as-json');

    // The version selector keeps the format; version 2 has its own description, default and content.
    await page.getByLabel('Version', { exact: true }).selectOption('2');
    await page.getByRole('button', { name: 'Show' }).click();
    await page.waitForURL(/version=2/);
    assert.equal(new URL(page.url()).searchParams.get('format'), 'JSON');
    assert.equal(await page.locator('#version-shown').innerText(), '2 (second)');
    assert.match(await page.locator('#document-fields').innerText(), /Checks free disk space, version two/);
    assert.equal(await page.locator('#parameters tbody tr td').nth(2).innerText(), '/srv');
    assert.deepEqual(JSON.parse((await page.locator('pre#content').textContent())!),
      JSON.parse((await server.client.send(new GetDocumentCommand({ Name: 'Disk-Check', DocumentVersion: '2', DocumentFormat: 'JSON' }))).Content!));
    assert.equal(await page.locator('#versions tr[data-version="2"] [aria-current]').innerText(), '2');
    await page.getByRole('link', { name: 'YAML', exact: true }).click();
    await page.waitForURL(/format=YAML/);
    assert.equal(new URL(page.url()).searchParams.get('version'), '2');
    assert.equal(await page.locator('pre#content').textContent(), YAML_V2);
    // $LATEST names the same version; a row of the versions table links to its version.
    await page.goto(url('/console/documents/Disk-Check?version=%24LATEST'));
    assert.equal(await page.locator('#version-shown').innerText(), '2 (second)');
    assert.equal(await page.locator('#version').inputValue(), '$LATEST');
    await page.getByRole('link', { name: 'Show version 1' }).click();
    await page.waitForURL(/version=1/);
    assert.equal(await page.locator('#version-shown').innerText(), '1 (first)');

    // No such document, no such version: a 404 page that says which error.
    const missing = await fetch(url('/console/documents/No-Such-Doc'));
    assert.equal(missing.status, 404);
    assert.match(await missing.text(), /InvalidDocument<\/strong>/);
    const noVersion = await fetch(url('/console/documents/Disk-Check?version=9'));
    assert.equal(noVersion.status, 404);
    assert.match(await noVersion.text(), /InvalidDocumentVersion<\/strong>/);
  });

  test('a built-in document has its page too, with its parameters', async () => {
    await page.goto(url('/console/documents/AWS-RunShellScript'));
    assert.match(await page.locator('#document-fields').innerText(), /Amazon/);
    assert.ok((await page.locator('#parameters tbody tr').count()) >= 1);
    assert.equal(await page.locator('#parameters tr[data-parameter="commands"] td').nth(1).innerText(), 'StringList');
    assert.equal(await page.locator('pre#content').textContent(), (await server.client.send(new GetDocumentCommand({ Name: 'AWS-RunShellScript' }))).Content);
    await screenshot(page, 'documents-4-builtin');
  });

  test('user text is escaped: a <script> in the description and in a parameter default stays text', async () => {
    await page.goto(url('/console/documents/Restart-Web'));
    assert.equal(await page.evaluate(() => (globalThis as unknown as { __owned?: number }).__owned), undefined, 'nothing ran');
    assert.equal(await page.locator('main script, main img').count(), 0);
    assert.match(await page.locator('#document-fields').innerText(), new RegExp(`Restarts the web service\\. ${HOSTILE.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    assert.equal(await page.locator('#parameters tr[data-parameter="banner"] td').nth(2).innerText(), HOSTILE);
    assert.equal(await page.locator('#parameters tr[data-parameter="banner"] td').nth(3).innerText(), `Shown first ${HOSTILE}`);
    assert.equal(await page.locator('pre#content').textContent(), JSON_DOC);
    await page.getByRole('link', { name: 'YAML', exact: true }).click();
    await page.waitForURL(/format=YAML/);
    assert.equal(await page.locator('main script, main img').count(), 0);
    assert.equal(await page.locator('pre#content').textContent(), (await server.client.send(new GetDocumentCommand({ Name: 'Restart-Web', DocumentFormat: 'YAML' }))).Content);
    const raw = await (await fetch(url('/console/documents/Restart-Web'))).text();
    assert.ok(!raw.includes('<script>window.__owned'), 'the markup never holds the script as a tag');
    assert.ok(raw.includes('&lt;script&gt;window.__owned'));
    await screenshot(page, 'documents-5-escaped');
  });

  test('a RUN_COMMAND task execution and its invocation link to the document and version that ran', async () => {
    await putNode(server, NODE, { tags: { Env: 'docs' } });
    const { WindowId } = await server.client.send(new CreateMaintenanceWindowCommand({ Name: 'docs-run', Schedule: 'rate(1 day)', Duration: 2, Cutoff: 1, AllowUnassociatedTargets: false }));
    const { WindowTargetId } = await server.client.send(new RegisterTargetWithMaintenanceWindowCommand({
      WindowId, ResourceType: 'INSTANCE', Targets: [{ Key: 'InstanceIds', Values: [NODE] }],
    }));
    const register = (name: string, documentVersion: string | undefined, priority: number) => server.client.send(new RegisterTaskWithMaintenanceWindowCommand({
      WindowId, TaskArn: name, TaskType: 'RUN_COMMAND', Priority: priority, Targets: [{ Key: 'WindowTargetIds', Values: [WindowTargetId!] }], MaxConcurrency: '1', MaxErrors: '1',
      TaskInvocationParameters: { RunCommand: { DocumentVersion: documentVersion, Parameters: name.endsWith('AWS-RunShellScript') ? { commands: ['uptime'] } : {} } },
    }));
    await register('AWS-RunShellScript', '$LATEST', 1);
    await register('Disk-Check', '1', 2);
    await register('arn:aws:ssm:us-east-1::document/AWS-RunShellScript', undefined, 3);
    const executionId = await fire(server, WindowId!);
    await advance(server, 600);
    const tasks = (await executionTree(server.client, executionId)).tasks.map((t) => t.task).sort((a, b) => a.TaskArn!.localeCompare(b.TaskArn!));
    const expected: Record<string, { href: string; text: string }> = {
      'AWS-RunShellScript': { href: '/console/documents/AWS-RunShellScript?version=%24LATEST', text: 'AWS-RunShellScript, version $LATEST' },
      'Disk-Check': { href: '/console/documents/Disk-Check?version=1', text: 'Disk-Check, version 1' },
      'arn:aws:ssm:us-east-1::document/AWS-RunShellScript': {
        href: '/console/documents/AWS-RunShellScript?version=%24DEFAULT', text: 'arn:aws:ssm:us-east-1::document/AWS-RunShellScript, version $DEFAULT',
      },
    };
    for (const task of tasks) {
      const want = expected[task.TaskArn!];
      const taskPath = `/console/windows/${WindowId}/executions/${executionId}/tasks/${task.TaskExecutionId}`;
      await page.goto(url(taskPath));
      const link = page.locator('dl.fields a.document-link');
      assert.equal(await link.getAttribute('href'), want.href, task.TaskArn);
      assert.equal((await link.locator('xpath=..').innerText()).trim(), want.text);
      if (task.TaskArn === 'Disk-Check') await screenshot(page, 'documents-6-task-execution');

      const [invocation] = await allInvocations(server.client, executionId, task.TaskExecutionId!);
      await page.goto(url(`${taskPath}/invocations/${invocation.InvocationId}`));
      assert.equal(await page.locator('#invocation-document a').getAttribute('href'), want.href);
      // The node's Run Command section names what it ran, with the same link. (A task naming its document
      // by ARN is refused by Run Command here: the invocation's own field above still names it.)
      const commandLinks = page.locator('div.command a.document-link');
      if (!task.TaskArn!.startsWith('arn:') || await commandLinks.count() > 0) {
        assert.equal(await commandLinks.getAttribute('href'), want.href, `${task.TaskArn}: the Run Command section`);
      }
      if (task.TaskArn === 'AWS-RunShellScript') {
        await screenshot(page, 'documents-7-invocation');
        await page.locator('#invocation-document a').click();
        await page.waitForURL('**/console/documents/AWS-RunShellScript?version=%24LATEST');
        assert.equal(await page.locator('#version').inputValue(), '$LATEST');
      }
    }
  });

  test('the document pages pass axe\'s WCAG 2.1 AA checks', async () => {
    const checking = await browser.newContext({ bypassCSP: true });
    const checked = await checking.newPage();
    for (const path of [
      '/console/documents', '/console/documents?owner=Self&type=Session', '/console/documents/Disk-Check', '/console/documents/Disk-Check?version=2&format=JSON',
      '/console/documents/Restart-Web?format=YAML', '/console/documents/AWS-RunShellScript', '/console/documents/No-Such-Doc',
    ]) {
      await checked.goto(url(path));
      assert.deepEqual(await accessibilityViolations(checked), [], `axe on ${path}`);
    }
    await checking.close();
  });
});
