// The console as HTTP, without a browser: what it answers for unknown pages and bad ids, that what users
// typed is escaped, search and paging on the server, the account/Region partitioning, and sign-in when the
// service runs with --credentials (the cookie works for the page's own calls only).

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CreateMaintenanceWindowCommand } from '@aws-sdk/client-ssm';
import { controlToken } from '../../src/wire/control-auth.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

async function get(server: TestServer, path: string, headers: Record<string, string> = {}): Promise<{ status: number; text: string; headers: Headers }> {
  const response = await fetch(`${server.app.endpoint}${path}`, { headers, redirect: 'manual', signal: AbortSignal.timeout(10_000) });
  return { status: response.status, text: await response.text(), headers: response.headers };
}

/** The rows of the windows table: each row's window id. */
function windowIds(page: string): string[] {
  return [...page.matchAll(/<tr data-window-id="([^"]+)">/g)].map((m) => m[1]);
}

describe('web console over HTTP', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ clockMode: 'manual', manualClockStart: Date.parse('2026-03-01T00:00:00Z') });
  });
  after(() => server.stop());

  test('pages are HTML with a strict content policy; unknown pages and ids are 404 pages, broken ids 400', async () => {
    const list = await get(server, '/console/');
    assert.equal(list.status, 200);
    assert.equal(list.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.match(list.headers.get('content-security-policy')!, /default-src 'self'/);
    assert.match(list.text, /No maintenance windows in this account and Region yet/);
    assert.equal((await get(server, '/console')).headers.get('location'), '/console/');
    const missing = await get(server, '/console/windows/mw-00000000000000000');
    assert.equal(missing.status, 404);
    assert.match(missing.text, /DoesNotExistException<\/strong>: Maintenance window mw-00000000000000000 does not exist/);
    assert.equal((await get(server, '/console/no-such-page')).status, 404);
    assert.equal((await get(server, '/console/windows/%ZZ')).status, 400);
    const missingExecution = await get(server, '/console/windows/mw-00000000000000000/executions/01234567-0123-0123-0123-0123456789ab');
    assert.equal(missingExecution.status, 404);
    assert.equal((await get(server, '/console/assets/console.js')).headers.get('content-type'), 'text/javascript; charset=utf-8');
    assert.equal((await get(server, '/console/assets/nothing.js')).status, 404);
    // The AWS API beside it is untouched.
    assert.equal((await fetch(`${server.app.endpoint}/console/`, { method: 'POST' })).status, 405);
  });

  test('what a user typed is shown as text, never as markup', async () => {
    const { WindowId } = await server.client.send(new CreateMaintenanceWindowCommand({
      Name: 'escaping', Description: '<script>alert("x")</script> & "quotes"', Schedule: 'rate(1 day)', Duration: 1, Cutoff: 0, AllowUnassociatedTargets: true,
    }));
    const page = await get(server, `/console/windows/${WindowId}`);
    assert.match(page.text, /&lt;script&gt;alert\(&quot;x&quot;\)&lt;\/script&gt; &amp; &quot;quotes&quot;/);
    assert.doesNotMatch(page.text, /<script>alert/);
    const search = await get(server, `/console/?q=${encodeURIComponent('"><b>x')}`);
    assert.match(search.text, /value="&quot;&gt;&lt;b&gt;x"/);
  });

  test('search and pages are the server\'s; another account sees only its own windows', async () => {
    const other = server.clientFor({ account: '222222222222', region: 'eu-west-1' });
    for (let i = 0; i < 30; i++) {
      await server.client.send(new CreateMaintenanceWindowCommand({ Name: `fleet-${String(i).padStart(2, '0')}`, Schedule: 'rate(1 day)', Duration: 1, Cutoff: 0, AllowUnassociatedTargets: true }));
    }
    await other.send(new CreateMaintenanceWindowCommand({ Name: 'elsewhere', Schedule: 'rate(1 day)', Duration: 1, Cutoff: 0, AllowUnassociatedTargets: true }));

    const first = await get(server, '/console/?q=fleet');
    assert.equal(windowIds(first.text).length, 25);
    const next = /<a rel="next" href="([^"]+)">/.exec(first.text)![1].replaceAll('&amp;', '&');
    const second = await get(server, next);
    assert.equal(windowIds(second.text).length, 5);
    assert.doesNotMatch(second.text, /rel="next"/);
    assert.equal(new Set([...windowIds(first.text), ...windowIds(second.text)]).size, 30);
    assert.equal(windowIds((await get(server, '/console/?q=FLEET-07')).text).length, 1);
    assert.match((await get(server, '/console/?q=nothing-like-this')).text, /No window&#39;s name contains “nothing-like-this”/);

    const elsewhere = await get(server, '/console/?account=222222222222&region=eu-west-1');
    assert.equal(windowIds(elsewhere.text).length, 1);
    assert.match(elsewhere.text, /elsewhere/);
    // Links on that page keep the account and Region.
    assert.match(elsewhere.text, /href="\/console\/windows\/mw-[0-9a-f]{17}\?account=222222222222&amp;region=eu-west-1"/);
    assert.doesNotMatch(elsewhere.text, /fleet-00/);
  });
});

describe('web console with --credentials', () => {
  const KEY = { accessKeyId: 'AKIACONSOLE000000001', secretAccessKey: 'console-secret', accountId: '333333333333', operator: true };
  let server: TestServer;
  let dir: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mw-console-keys-'));
    const credentialsFile = join(dir, 'credentials.json');
    writeFileSync(credentialsFile, JSON.stringify([KEY]));
    server = await startTestServer({ credentialsFile, clockMode: 'manual' });
  });
  after(async () => {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const login = (token: string) => fetch(`${server.app.endpoint}/console/login`, {
    method: 'POST', body: new URLSearchParams({ token }), redirect: 'manual', signal: AbortSignal.timeout(10_000),
  });

  test('pages ask for a control token; a wrong one is refused; the right one signs in with a strict cookie', async () => {
    const anonymous = await get(server, '/console/');
    assert.equal(anonymous.status, 401);
    assert.match(anonymous.text, /<h1>Sign in<\/h1>/);
    assert.doesNotMatch(anonymous.text, /Maintenance windows<\/h1>/);

    const wrong = await login(`${KEY.accessKeyId}.${'0'.repeat(64)}`);
    assert.equal(wrong.status, 403);
    assert.match(await wrong.text(), /not the token of a configured key/);

    const right = await login(controlToken(KEY));
    assert.equal(right.status, 303);
    const cookie = right.headers.get('set-cookie')!;
    assert.match(cookie, /^mw_console_token=.+; Path=\/; HttpOnly; SameSite=Strict$/);
    const jar = cookie.split(';')[0];

    const page = await get(server, '/console/', { cookie: jar });
    assert.equal(page.status, 200);
    // The account is the key's, whatever the query names.
    assert.match(page.text, /name="account" value="333333333333"/);
    assert.match((await get(server, '/console/?account=000000000000', { cookie: jar })).text, /name="account" value="333333333333"/);
  });

  test('the control routes take the cookie from the page itself only (GET, or the x-mw-console header)', async () => {
    const jar = (await login(controlToken(KEY))).headers.get('set-cookie')!.split(';')[0];
    const clock = (headers: Record<string, string>) => fetch(`${server.app.endpoint}/_mw/clock`, {
      method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ advanceSeconds: 60 }), signal: AbortSignal.timeout(10_000),
    });
    // A form posted from another site carries the cookie but cannot add a custom header.
    const crossSite = await clock({ cookie: jar });
    assert.equal(crossSite.status, 401);
    assert.equal(((await crossSite.json()) as { __type: string }).__type, 'MissingAuthenticationTokenException');
    const fromPage = await clock({ cookie: jar, 'x-mw-console': '1' });
    assert.equal(fromPage.status, 200);
    const badCookie = await clock({ cookie: 'mw_console_token=nope.nope', 'x-mw-console': '1' });
    assert.equal(badCookie.status, 403);
    assert.equal((await get(server, '/_mw/nodes', { cookie: jar })).status, 200);
  });
});
