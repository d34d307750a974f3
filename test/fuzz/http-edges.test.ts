// What the fuzzer found at the HTTP layer, pinned down one by one: every answer is JSON with a request id
// even when Node's parser refuses the bytes, a client that breaks off is not logged as a server failure,
// and bad percent-escapes in control paths are the caller's error, not a 500.

import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { startTestServer, type TestServer } from '../support/server.ts';
import { httpBytes, sendRaw, type Answer } from './http-client.ts';

const API: [string, string][] = [['X-Amz-Target', 'AmazonSSM.DescribeMaintenanceWindows'], ['Content-Type', 'application/x-amz-json-1.1']];

function assertJsonError(answer: Answer, status: number, type: string): void {
  assert.equal(answer.status, status, `${answer.status} ${answer.failure ?? ''} ${answer.body}`);
  assert.match(String(answer.headers['content-type']), /json/);
  assert.match(String(answer.headers['x-amzn-requestid']), /^[0-9a-f-]{36}$/);
  const body = JSON.parse(answer.body);
  assert.equal(body.__type, type);
  assert.equal(typeof (body.message ?? body.Message), 'string');
}

describe('HTTP edges found by the fuzzer', () => {
  let server: TestServer;
  const logged: string[] = [];
  const raw = (bytes: Buffer | string, options: { endAfter?: boolean; waitMs?: number } = {}) =>
    sendRaw(server.app.port, { pieces: [{ bytes: Buffer.from(bytes as string, 'latin1'), delayMs: 0 }], endAfter: options.endAfter, waitMs: options.waitMs ?? 5000 });

  before(async () => {
    server = await startTestServer({ clockMode: 'manual', log: (message, fields) => logged.push(`${message} ${String(fields?.error ?? '')}`) });
  });
  after(() => server.stop());

  test('a bad percent-escape in a control path is a 400 ValidationException, not a 500', async () => {
    for (const [method, path] of [['PUT', '/_mw/nodes/%ZZ'], ['DELETE', '/_mw/nodes/%'], ['POST', '/_mw/windows/%E0%A4%A/executions']]) {
      const answer = await raw(httpBytes(method, path, [['Content-Type', 'application/json']], '{}'));
      assertJsonError(answer, 400, 'ValidationException');
    }
  });

  test('bytes Node cannot parse get a JSON 400 (and oversized headers a JSON 431)', async () => {
    assertJsonError(await raw('FOO / HTTP/1.1\r\nHost: x\r\n\r\n'), 400, 'BadRequest');
    assertJsonError(await raw(httpBytes('POST', '/', [...API, ['Content-Length', 'abc']], '{}')), 400, 'BadRequest');
    assertJsonError(await raw(httpBytes('POST', '/', [...API, ['Transfer-Encoding', 'chunked']], 'ZZ\r\n{}\r\n0\r\n\r\n')), 400, 'BadRequest');
    assertJsonError(await raw(httpBytes('POST', '/', [...API, ['X-Long', 'v'.repeat(20_000)]], '{}')), 431, 'RequestHeaderFieldsTooLarge');
  });

  test('a body shorter than its Content-Length, then a half-close, gets a JSON 400 and logs nothing', async () => {
    logged.length = 0;
    const answer = await raw(httpBytes('POST', '/', [...API, ['Content-Length', '40']], '{}'), { endAfter: true });
    assertJsonError(answer, 400, 'BadRequest');
    assert.deepEqual(logged, []);
  });

  test('a Content-Length shorter than the body: the request is answered first, then the rest refused', async () => {
    const bytes = httpBytes('POST', '/', [...API, ['Content-Length', '1']], '{}', { keepAlive: true });
    // Both answers off the one connection (sendRaw stops at the first); the server closes it after the second.
    const all = await new Promise<string>((resolve) => {
      let text = '';
      const socket = connect(server.app.port, '127.0.0.1', () => socket.write(bytes));
      const timer = setTimeout(() => socket.destroy(), 5000);
      socket.on('data', (d) => (text += d.toString('latin1')));
      socket.on('close', () => {
        clearTimeout(timer);
        resolve(text);
      });
    });
    const statuses = [...all.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((m) => m[1]);
    assert.deepEqual(statuses, ['400', '400'], all);
    assert.match(all, /SerializationException[\s\S]*BadRequest/, 'in order: the truncated JSON, then the garbage');
  });

  test('CONNECT and an unsupported Expect get JSON answers instead of a dropped connection or an empty 417', async () => {
    assertJsonError(await raw('CONNECT example.com:443 HTTP/1.1\r\nHost: example.com\r\n\r\n'), 405, 'MethodNotAllowed');
    assertJsonError(await raw(httpBytes('POST', '/', [...API, ['Expect', 'something-else']], '{}')), 417, 'ExpectationFailed');
  });

  test('a client that stops mid-body is not a server failure, and the service keeps answering', async () => {
    logged.length = 0;
    const bytes = httpBytes('POST', '/', API, '{"MaxResults":10}');
    const answer = await sendRaw(server.app.port, { pieces: [{ bytes: bytes.subarray(0, bytes.length - 5), delayMs: 0 }], waitMs: 50 });
    assert.equal(answer.status, 0, 'nothing is owed to a client that has not finished its request');
    const health = await fetch(`${server.app.endpoint}/_mw/health`, { signal: AbortSignal.timeout(5000) });
    assert.equal(health.status, 200);
    assert.deepEqual(logged, []);
  });
});
