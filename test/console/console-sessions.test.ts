// Session Manager in the web console (issue 24, part 3) in a real browser: the Sessions list in the
// navigation, Active and History tabs newest first with DescribeSessions' columns and pages; a session's
// page with its fields and, with --session-transcripts, its output played as a terminal shows it (escape
// sequences gone, a hostile <script> shown as text); the lines for nothing recorded and for transcripts
// off; axe on every page. Sessions are written to the service's own SQLite file beside it, and the
// transcript through the writer the relay feeds (runtime/transcript-writer.ts), as a relay would.
// Screenshots are saved under test-output/console/sessions-*.png.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { Session } from '../../src/domain/sessions.ts';
import { TranscriptWriter } from '../../src/runtime/transcript-writer.ts';
import { SqliteStore } from '../../src/storage/sqlite/sqlite-store.ts';
import { accessibilityViolations, chromiumPath, launchBrowser, screenshot, watchedPage } from '../support/browser.ts';
import { putNode } from '../support/control.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const T0 = Date.parse('2026-11-01T09:00:00Z');
const SCOPE = { account: '000000000000', region: 'us-east-1' };
const NODE = 'mi-00000000000000001';
const HOSTILE = '<script>window.__owned = 1</script><img src=x onerror="window.__owned = 2">';

const noBrowser = chromiumPath() === undefined;
if (noBrowser) {
  if (process.env.CI) throw new Error('CI must run the console tests: no Chromium found (.ci/run installs the chromium package)');
  console.log('# console session browser tests skipped: no Chromium (apt-get install chromium)');
}

function session(id: string, overrides: Partial<Session> = {}): Session {
  return {
    id, target: NODE, status: 'Connected', startedAt: T0, documentName: 'SSM-SessionManagerRunShell', sessionType: 'Standard_Stream',
    owner: 'arn:aws:iam::000000000000:root', accessType: 'Standard', parameters: {}, tokenHash: 'ab'.repeat(32), tokenSpent: true, delivered: true,
    ...overrides,
  };
}

const SHELL_OUTPUT = [
  '\x1b]0;ssm-user@web-1: ~\x07\x1b[?2004h\x1b[01;32mssm-user@web-1\x1b[00m:\x1b[01;34m~\x1b[00m$ ',
  'ech', 'o ', 'hi\b\x1b[K\bhi there\r\n\x1b[?2004l\r',
  'hi there\r\n',
  `${HOSTILE}\r\n`,
  '\x1b[?2004h\x1b[01;32mssm-user@web-1\x1b[00m:~$ exit\r\n',
];

describe('sessions in the web console', { skip: noBrowser }, () => {
  let browser: Browser;
  let server: TestServer;
  let off: TestServer;
  let page: Page;
  const errors: string[] = [];
  const url = (path: string, target = server) => `${target.app.endpoint}${path}`;
  const axeClean = async (address: string) => {
    const checking = await browser.newContext({ bypassCSP: true, viewport: { width: 1280, height: 900 } });
    const checked = await checking.newPage();
    await checked.goto(address);
    assert.deepEqual(await accessibilityViolations(checked), [], `axe on ${address}`);
    await checking.close();
  };
  const rowIds = () => page.locator('#sessions tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-session-id')));

  before(async () => {
    browser = await launchBrowser();
    // SQLite (the file is shared with the test's own connection below), whatever MW_E2E_STORE says.
    server = await startTestServer({ store: undefined, sessionTranscripts: true });
    off = await startTestServer({ store: undefined });
    await putNode(server, NODE);
    const store = new SqliteStore({ path: join(server.dataDir, 'mw.sqlite') });
    try {
      await store.insertSession(SCOPE, session('root-0a1b2c3d4e5f60718', { reason: HOSTILE }));
      await store.insertSession(SCOPE, session('root-1a1b2c3d4e5f60718', { status: 'Terminated', target: 'i-0bbbbbbbbbbbbbbb2', startedAt: T0 - 3_600_000, endedAt: T0 - 60_000, details: `ended ${HOSTILE}` }));
      for (let i = 0; i < 27; i++) {
        const at = T0 - 86_400_000 + i * 60_000;
        await store.insertSession(SCOPE, session(`old-${String(i).padStart(2, '0')}a1b2c3d4e5f607`, { status: i % 2 ? 'Failed' : 'Terminated', startedAt: at, endedAt: at + 30_000 }));
      }
      const writer = new TranscriptWriter({ store, clock: { now: () => T0 }, log: () => undefined });
      for (const chunk of SHELL_OUTPUT) writer.append('root-0a1b2c3d4e5f60718', Buffer.from(chunk, 'utf8'));
      writer.ended('root-0a1b2c3d4e5f60718');
      await writer.close();
      const offStore = new SqliteStore({ path: join(off.dataDir, 'mw.sqlite') });
      await offStore.insertSession(SCOPE, session('root-2a1b2c3d4e5f60718'));
      await offStore.close();
    } finally {
      await store.close();
    }
    page = await watchedPage(browser, errors);
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
    await off?.stop();
    assert.deepEqual(errors, [], 'the pages logged no script errors');
  });

  test('the list: Active and History tabs, newest first, DescribeSessions\' columns, pages, escaped reason', async () => {
    await page.goto(url('/console/'));
    await page.locator('header nav').getByRole('link', { name: 'Sessions' }).click();
    await page.waitForURL('**/console/sessions');
    assert.deepEqual(await rowIds(), ['root-0a1b2c3d4e5f60718']);
    const headers = await page.locator('#sessions thead th').allInnerTexts();
    assert.deepEqual(headers, ['Session ID', 'Target', 'Status', 'Started', 'Ended', 'Document', 'Reason']);
    const row = page.locator('#sessions tr[data-session-id="root-0a1b2c3d4e5f60718"]');
    assert.equal(await row.locator('td.reason').innerText(), HOSTILE, 'the reason is shown as text');
    assert.equal(await row.getByRole('link', { name: NODE }).getAttribute('href'), '/console/nodes', 'a node in the inventory is linked');
    assert.equal(await page.evaluate(() => (globalThis as unknown as { __owned?: number }).__owned), undefined);
    await axeClean(page.url());
    await screenshot(page, 'sessions-1-active');

    await page.getByRole('link', { name: 'History' }).click();
    await page.waitForURL(/state=History/);
    const first = await rowIds();
    assert.equal(first.length, 25);
    assert.equal(first[0], 'old-26a1b2c3d4e5f607', 'newest first (the order started in)');
    assert.equal(await page.locator('#sessions tr[data-session-id="root-1a1b2c3d4e5f60718"] td:nth-child(2) a').count(), 0, 'a node not in the inventory is not linked');
    await axeClean(page.url());
    await page.getByRole('link', { name: 'Next page' }).click();
    assert.deepEqual(await rowIds(), ['old-01a1b2c3d4e5f607', 'old-00a1b2c3d4e5f607', 'root-1a1b2c3d4e5f60718']);
    assert.equal(await page.getByRole('link', { name: 'Next page' }).count(), 0);
  });

  test('a session with a transcript: its fields, and the output as the terminal showed it, escaped', async () => {
    await page.goto(url('/console/sessions'));
    await page.getByRole('link', { name: 'root-0a1b2c3d4e5f60718' }).click();
    await page.waitForURL('**/console/sessions/root-0a1b2c3d4e5f60718');
    assert.equal(await page.locator('h1').innerText(), 'Session root-0a1b2c3d4e5f60718');
    const fields = await page.locator('#session-fields').innerText();
    for (const expected of [NODE, 'Connected', 'SSM-SessionManagerRunShell', 'arn:aws:iam::000000000000:root', '2026-11-01']) assert.ok(fields.includes(expected), `${expected} in ${fields}`);
    assert.equal(await page.locator('#session-reason').innerText(), HOSTILE);
    assert.equal(await page.locator('#transcript').innerText(), `ssm-user@web-1:~$ echo hi there\nhi there\n${HOSTILE}\nssm-user@web-1:~$ exit\n`);
    const stored = Buffer.byteLength(SHELL_OUTPUT.join(''), 'utf8');
    assert.match(await page.locator('#transcript-size').innerText(), new RegExp(`^${stored} bytes recorded`));
    assert.equal(await page.locator('#transcript script, #transcript img').count(), 0);
    assert.equal(await page.evaluate(() => (globalThis as unknown as { __owned?: number }).__owned), undefined, 'nothing the node sent runs');
    await axeClean(page.url());
    await screenshot(page, 'sessions-2-transcript');
  });

  test('an ended session with nothing recorded; transcripts off; an unknown session is a 404', async () => {
    await page.goto(url('/console/sessions/root-1a1b2c3d4e5f60718'));
    assert.equal(await page.locator('#transcript-none').innerText(), 'Nothing was recorded for this session.');
    assert.equal(await page.locator('#session-details').innerText(), `ended ${HOSTILE}`);
    assert.match(await page.locator('#session-fields').innerText(), /Terminated/);
    await axeClean(page.url());

    await page.goto(url('/console/sessions/root-2a1b2c3d4e5f60718', off));
    assert.match(await page.locator('#transcript-off').innerText(), /Transcripts are off.*--session-transcripts/);
    await axeClean(page.url());

    const missing = await page.goto(url('/console/sessions/root-9a1b2c3d4e5f60718'));
    assert.equal(missing?.status(), 404);
    assert.match(await page.locator('main').innerText(), /DoesNotExistException/);
    assert.equal(await page.locator('nav.crumbs a').first().innerText(), 'Sessions');
    // The browser logs the 404 it was asked for.
    errors.splice(0, errors.length, ...errors.filter((e) => !e.includes('status of 404')));
  });
});
