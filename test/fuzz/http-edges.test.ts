// What the fuzzer found at the HTTP layer, pinned down one by one: bad percent-escapes in control paths
// are the caller's error, not a 500.

import assert from 'node:assert/strict';
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
});
