// What concerns the whole service with --credentials (issue 28, finding 10): /metrics and the manual
// clock take an operator key ("operator": true in the credentials file), any other key is
// AccessDeniedException and no key at all MissingAuthenticationTokenException; the console's sign-in
// refuses a form posted from another site (login CSRF); a 500's cause is logged at error, so a service
// run at --log-level warn still shows it.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import pino from 'pino';
import { serviceLogging } from '../../src/cli/logger.ts';
import { parseCredentials } from '../../src/wire/credentials-file.ts';
import { controlToken } from '../../src/wire/control-auth.ts';
import { createHttpServer, listen } from '../../src/wire/http-server.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const OPERATOR = { accessKeyId: 'AKIAOPERATOR00000001', secretAccessKey: 'operator-secret', accountId: '111111111111', operator: true };
const TENANT = { accessKeyId: 'AKIATENANT0000000001', secretAccessKey: 'tenant-secret', accountId: '222222222222' };

describe('operator keys, sign-in origin and error logs with --credentials', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mw-operator-'));
  let server: TestServer;
  before(async () => {
    const credentialsFile = join(dir, 'credentials.json');
    writeFileSync(credentialsFile, JSON.stringify([OPERATOR, TENANT]));
    server = await startTestServer({ credentialsFile, clockMode: 'manual', manualClockStart: Date.parse('2026-05-01T00:00:00Z') });
  });
  after(async () => {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const call = async (method: string, path: string, headers: Record<string, string> = {}, body?: string) => {
    const response = await fetch(`${server.app.endpoint}${path}`, { method, headers, body, redirect: 'manual', signal: AbortSignal.timeout(10_000) });
    const text = await response.text();
    return { status: response.status, text, headers: response.headers, type: text.startsWith('{') ? (JSON.parse(text) as { __type?: string }).__type : undefined };
  };
  const bearer = (key: { accessKeyId: string; secretAccessKey: string }) => ({ authorization: `Bearer ${controlToken(key)}` });

  test('/metrics: no key is refused, a tenant key is refused, the operator key reads it', async () => {
    const anonymous = await call('GET', '/metrics');
    assert.equal(anonymous.status, 401);
    assert.equal(anonymous.type, 'MissingAuthenticationTokenException');
    assert.doesNotMatch(anonymous.text, /mw_/, 'nothing of the metrics leaks');
    const tenant = await call('GET', '/metrics', bearer(TENANT));
    assert.equal(tenant.status, 403);
    assert.equal(tenant.type, 'AccessDeniedException');
    const operator = await call('GET', '/metrics', bearer(OPERATOR));
    assert.equal(operator.status, 200);
    assert.match(operator.headers.get('content-type')!, /^text\/plain/);
    assert.match(operator.text, /^# HELP /m);
  });

  test('the manual clock moves for the operator only; any key may read it', async () => {
    const before = JSON.parse((await call('GET', '/_mw/clock', bearer(TENANT))).text) as { now: string };
    const body = JSON.stringify({ advanceSeconds: 3600 });
    const json = { 'content-type': 'application/json' };
    const tenant = await call('POST', '/_mw/clock', { ...json, ...bearer(TENANT) }, body);
    assert.equal(tenant.status, 403);
    assert.equal(tenant.type, 'AccessDeniedException');
    assert.match(tenant.text, /operator/);
    assert.deepEqual(JSON.parse((await call('GET', '/_mw/clock', bearer(TENANT))).text), before, 'the refused move did not move it');
    const operator = await call('POST', '/_mw/clock', { ...json, ...bearer(OPERATOR) }, body);
    assert.equal(operator.status, 200);
    assert.equal(Date.parse((JSON.parse(operator.text) as { now: string }).now) - Date.parse(before.now), 3600_000);
  });

  test('the console sign-in refuses a form posted from another site, and accepts its own page', async () => {
    const form = (headers: Record<string, string>) => call('POST', '/console/login',
      { 'content-type': 'application/x-www-form-urlencoded', ...headers }, new URLSearchParams({ token: controlToken(TENANT) }).toString());
    for (const headers of [
      { origin: 'http://evil.example' },
      { origin: 'null' },
      { 'sec-fetch-site': 'cross-site' },
      { 'sec-fetch-site': 'same-site', origin: `http://other.${new URL(server.app.endpoint).host}` },
    ] as Record<string, string>[]) {
      const refused = await form(headers);
      assert.equal(refused.status, 403, JSON.stringify(headers));
      assert.equal(refused.headers.get('set-cookie'), null, `no cookie for ${JSON.stringify(headers)}`);
    }
    const own = await form({ origin: server.app.endpoint, 'sec-fetch-site': 'same-origin' });
    assert.equal(own.status, 303);
    assert.match(own.headers.get('set-cookie')!, /^mw_console_token=/);
  });

  test('"operator" in the credentials file must be true or false', () => {
    assert.throws(() => parseCredentials(JSON.stringify([{ ...TENANT, operator: 'yes' }]), 'keys.json'), /"operator" must be true or false/);
  });
});

describe('a 500 is logged at error', () => {
  test('the request log line of an unexpected failure survives --log-level warn', async () => {
    const lines: Record<string, unknown>[] = [];
    const sink = new Writable({ write(chunk, _encoding, done) { lines.push(JSON.parse(String(chunk)) as Record<string, unknown>); done(); } });
    const logging = serviceLogging(pino({ level: 'warn' }, sink));
    const server = createHttpServer({
      api: async () => { throw new TypeError('the cause of the 500'); },
      control: async () => undefined,
      log: logging.log,
    });
    const running = await listen(server, '127.0.0.1', 0);
    try {
      const response = await fetch(`http://127.0.0.1:${running.port}/`, { method: 'POST', headers: { 'x-amz-target': 'AmazonSSM.ListCommands' }, body: '{}' });
      assert.equal(response.status, 500);
      assert.equal(((await response.json()) as { __type: string }).__type, 'InternalServerError');
      const failure = lines.find((line) => line.msg === 'request failed');
      assert.ok(failure, `the failure was logged at warn level: ${JSON.stringify(lines)}`);
      assert.equal(failure.level, 50, 'pino level 50 is error');
      assert.match(String(failure.error), /TypeError: the cause of the 500/);
    } finally {
      await running.close();
    }
  });
});
