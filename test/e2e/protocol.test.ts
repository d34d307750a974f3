// The wire protocol where the SDK cannot go: malformed requests must get AWS-shaped JSON errors, never an
// HTML page, a crash or a hung connection. Raw HTTP is used here on purpose; everything else uses the SDK.

import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { GetMaintenanceWindowCommand } from '@aws-sdk/client-ssm';
import { startTestServer, type TestServer } from '../support/server.ts';

interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: any;
}

async function call(server: TestServer, target: string | undefined, body: string | Buffer, extraHeaders: Record<string, string> = {}, path = '/', method = 'POST'): Promise<RawAnswer> {
  const headers: Record<string, string> = { 'content-type': 'application/x-amz-json-1.1', ...extraHeaders };
  if (target) headers['x-amz-target'] = target;
  const response = await fetch(`${server.app.endpoint}${path}`, { method, headers, body: method === "GET" ? undefined : (body as BodyInit), signal: AbortSignal.timeout(10_000) });
  const text = await response.text();
  return { status: response.status, headers: Object.fromEntries(response.headers), body: JSON.parse(text) };
}

describe('AWS JSON 1.1 protocol edges', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.stop());

  test('unknown operation and missing target', async () => {
    const unknown = await call(server, 'AmazonSSM.NoSuchOperation', '{}');
    assert.equal(unknown.status, 400);
    assert.equal(unknown.body.__type, 'UnknownOperationException');
    const foreign = await call(server, 'AmazonEC2.GetMaintenanceWindow', '{}');
    assert.equal(foreign.body.__type, 'UnknownOperationException');
    const missing = await call(server, undefined, '{}');
    assert.equal(missing.status, 400);
    assert.equal(missing.body.__type, 'UnknownOperationException');
  });

  test('malformed JSON and wrong JSON types are SerializationException', async () => {
    for (const body of ['{not json', '[1,2]', '"text"', '{"WindowId": 7}', '{"Name":"abc","Schedule":"rate(1 day)","Duration":"3","Cutoff":1,"AllowUnassociatedTargets":false}', '{"Filters": {"Key": "Name"}}']) {
      const target = body.includes('Schedule') ? 'AmazonSSM.CreateMaintenanceWindow' : body.includes('Filters') ? 'AmazonSSM.DescribeMaintenanceWindows' : 'AmazonSSM.GetMaintenanceWindow';
      const answer = await call(server, target, body);
      assert.equal(answer.status, 400, body);
      assert.equal(answer.body.__type, 'SerializationException', body);
      assert.ok(answer.body.message === undefined || typeof answer.body.message === "string");
    }
  });

  test('responses carry the AWS content type and a request id the SDK sees', async () => {
    const answer = await call(server, 'AmazonSSM.DescribeMaintenanceWindows', '{}');
    assert.equal(answer.status, 200);
    assert.equal(answer.headers['content-type'], 'application/x-amz-json-1.1');
    assert.match(String(answer.headers['x-amzn-requestid']), /^[0-9a-f-]{36}$/);
    assert.deepEqual(answer.body, { WindowIdentities: [] });
    try {
      await server.client.send(new GetMaintenanceWindowCommand({ WindowId: 'mw-00000000000000000' }));
      assert.fail('expected DoesNotExistException');
    } catch (error: any) {
      assert.match(error.$metadata.requestId, /^[0-9a-f-]{36}$/);
    }
  });

  test('an empty body counts as an empty object', async () => {
    const answer = await call(server, 'AmazonSSM.DescribeMaintenanceWindows', '');
    assert.equal(answer.status, 200);
  });

  test('a body over 1 MiB is refused without being read', async () => {
    const huge = Buffer.alloc(2 * 1024 * 1024, 0x20);
    const answer = await call(server, 'AmazonSSM.DescribeMaintenanceWindows', huge);
    assert.equal(answer.status, 413);
    assert.equal(answer.body.__type, 'RequestEntityTooLargeException');

    // A chunked body that grows past the limit is cut off too, and the server keeps answering.
    const chunked = await new Promise<number>((resolve, reject) => {
      const req = request(`${server.app.endpoint}/`, { method: 'POST', headers: { 'x-amz-target': 'AmazonSSM.DescribeMaintenanceWindows' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      let sent = 0;
      const pump = () => {
        while (sent < 40 && req.write(chunk)) sent++;
        if (sent < 40) req.once('drain', pump);
        else req.end();
      };
      pump();
    });
    assert.equal(chunked, 413);
    const still = await call(server, 'AmazonSSM.DescribeMaintenanceWindows', '{}');
    assert.equal(still.status, 200);
  });

  test('other paths and methods answer JSON, and the health route answers when ready', async () => {
    const get = await call(server, undefined, '', {}, '/', 'GET');
    assert.equal(get.status, 404);
    assert.equal(get.body.__type, 'UnknownOperationException');
    const health = await call(server, undefined, '', {}, '/_mw/health', 'GET');
    assert.equal(health.status, 200);
    assert.equal(health.body.status, 'ok');
    const nowhere = await call(server, undefined, '', {}, '/_mw/nowhere', 'GET');
    assert.equal(nowhere.status, 404);
  });

  test('history operations validate ids before looking anything up', async () => {
    const invalid = await call(server, 'AmazonSSM.GetMaintenanceWindowExecution', '{"WindowExecutionId":"x"}');
    assert.equal(invalid.body.__type, 'ValidationException');
    const unknown = await call(server, 'AmazonSSM.GetMaintenanceWindowExecution', '{"WindowExecutionId":"00000000-0000-4000-8000-000000000000"}');
    assert.equal(unknown.body.__type, 'DoesNotExistException');
    assert.equal(unknown.body.Message, 'Maintenance window execution 00000000-0000-4000-8000-000000000000 does not exist');
  });
});
