// The service's log lines (cli/logger.ts): on a terminal one readable line per request, with the same
// facts the JSON lines carry (issue 26: pino-pretty printed 6-7 lines per request, and a polling agent
// scrolled the screen every 15 s).

import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { createLogger, serviceLogging } from '../../src/cli/logger.ts';

function sink(): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  return { stream: new Writable({ write(chunk, _encoding, done) { chunks.push(String(chunk)); done(); } }), text: () => chunks.join('') };
}

const REQUEST = { requestId: 'b6c1f0a2-1111-4222-8333-944445555666', operation: 'GetMessages', status: 200, seconds: 0.0123 };

test('on a terminal a request is one line that names its id, operation, status and duration', async () => {
  const out = sink();
  const logging = serviceLogging(createLogger('info', true, out.stream));
  logging.onAnswered(REQUEST);
  logging.onAnswered({ ...REQUEST, operation: 'SendCommand', status: 400, code: 'InvalidInstanceId' });
  await logging.flush();
  const lines = out.text().trimEnd().split('\n');
  assert.equal(lines.length, 2, out.text());
  assert.match(lines[0], /INFO.*request.*"requestId":"b6c1f0a2-1111-4222-8333-944445555666".*"operation":"GetMessages".*"status":200.*"durationMs":12\.3/);
  assert.match(lines[1], /"operation":"SendCommand".*"status":400.*"code":"InvalidInstanceId"/);
});

test('off a terminal the same request is one JSON object with the same facts', async () => {
  const out = sink();
  const logging = serviceLogging(createLogger('info', false, out.stream));
  logging.onAnswered(REQUEST);
  await logging.flush();
  const line = JSON.parse(out.text()) as Record<string, unknown>;
  assert.deepEqual(
    { msg: line.msg, requestId: line.requestId, operation: line.operation, status: line.status, durationMs: line.durationMs, level: line.level },
    { msg: 'request', requestId: REQUEST.requestId, operation: 'GetMessages', status: 200, durationMs: 12.3, level: 30 },
  );
});
