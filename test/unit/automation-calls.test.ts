// Automation's calls to services, the parts that need no endpoint: outputs chosen by JSONPath Selectors and
// converted to their Types, PropertySelector against DesiredValues, the endpoint each service namespace
// reads, operation names, and the wait's bounds (its limit, a step that no longer waits, a stop).

import assert from 'node:assert/strict';
import { createServer, type AddressInfo } from 'node:net';
import { describe, test } from 'node:test';
import { pollUntil } from '../../src/runtime/automation-calls/polling.ts';
import { convert, holds, outputsOf, propertyValues, SelectorError } from '../../src/runtime/automation-calls/selectors.ts';
import { operationName, ServiceCallError, ServiceCalls } from '../../src/runtime/automation-calls/service-calls.ts';
import { endpointFor } from '../../src/service/aws-endpoints.ts';

const ANSWER = {
  Reservations: [{ Instances: [
    { InstanceId: 'i-1', AmiLaunchIndex: 0, EbsOptimized: false, State: { Name: 'running', Code: 16 }, Tags: [{ Key: 'a', Value: '1' }] },
    { InstanceId: 'i-2', AmiLaunchIndex: 1, EbsOptimized: true, State: { Name: 'stopped', Code: 80 }, Tags: [] },
  ] }],
};

describe('selectors', () => {
  test('each Type converts what its Selector chose; nothing chosen leaves the output out', () => {
    const outputs = outputsOf(ANSWER, [
      { name: 'State', selector: '$.Reservations[0].Instances[0].State.Name', type: 'String' },
      { name: 'Code', selector: '$.Reservations[0].Instances[0].State.Code', type: 'Integer' },
      { name: 'Optimized', selector: '$.Reservations[0].Instances[1].EbsOptimized', type: 'Boolean' },
      { name: 'Ids', selector: '$..InstanceId', type: 'StringList' },
      { name: 'Instances', selector: '$.Reservations[0].Instances', type: 'MapList' },
      { name: 'StateMap', selector: '$.Reservations[0].Instances[1].State', type: 'StringMap' },
      { name: 'Stopped', selector: "$.Reservations[0].Instances[?(@.State.Name == 'stopped')].InstanceId", type: 'String' },
      { name: 'AsText', selector: '$.Reservations[0].Instances[0].State', type: 'String' },
      { name: 'Nothing', selector: '$.Nope', type: 'String' },
    ]);
    assert.deepEqual(outputs, {
      State: 'running', Code: 16, Optimized: true, Ids: ['i-1', 'i-2'], Instances: ANSWER.Reservations[0].Instances,
      StateMap: { Name: 'stopped', Code: 80 }, Stopped: 'i-2', AsText: '{"Name":"running","Code":16}',
    });
  });

  test('a value that is not of its Type, several values for one, an unknown Type: SelectorError', () => {
    assert.throws(() => convert(['running'], 'Integer', 'X'), (e: Error) => e instanceof SelectorError && e.message === 'Output X: running is not a Integer.');
    assert.throws(() => convert(['i-1', 'i-2'], 'String', 'X'), /matched 2 values; a String takes one/);
    assert.throws(() => convert(['yes'], 'Boolean', 'X'), SelectorError);
    assert.throws(() => convert(['a'], 'StringMap', 'X'), SelectorError);
    assert.throws(() => convert(['a'], 'Float', 'X'), /the types are String, Integer, Boolean, StringList, StringMap and MapList/);
    assert.equal(convert(['42'], 'Integer', 'X'), 42);
    assert.equal(convert(['false'], 'Boolean', 'X'), false);
  });

  test('a property holds when something was chosen and every value chosen is desired', () => {
    assert.deepEqual(propertyValues(ANSWER, '$.Reservations[0].Instances[*].State.Name'), ['running', 'stopped']);
    assert.equal(holds(propertyValues(ANSWER, '$.Reservations[0].Instances[*].State.Name'), ['stopped']), false);
    assert.equal(holds(['stopped', 'stopped'], ['stopped', 'terminated']), true);
    assert.equal(holds([], ['stopped']), false);
    assert.deepEqual(propertyValues(ANSWER, '$.Reservations[0].Instances[0].State.Code'), ['16']);
  });
});

describe('service calls', () => {
  test('each namespace reads its own endpoint variable, else AWS_ENDPOINT_URL, none when told to ignore them', () => {
    assert.equal(endpointFor({ AWS_ENDPOINT_URL_EC2: 'http://ec2', AWS_ENDPOINT_URL: 'http://all' }, 'EC2'), 'http://ec2');
    assert.equal(endpointFor({ AWS_ENDPOINT_URL: 'http://all' }, 'EC2'), 'http://all');
    assert.equal(endpointFor({ AWS_ENDPOINT_URL_EC2: 'http://ec2', AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'true' }, 'EC2'), undefined);
    const calls = new ServiceCalls({ AWS_ENDPOINT_URL_SFN: 'http://sfn', AWS_ENDPOINT_URL_EC2: 'http://ec2' }, () => undefined);
    assert.equal(calls.endpoint('stepfunctions'), 'http://sfn');
    assert.equal(calls.endpoint('ec2'), 'http://ec2');
    assert.equal(calls.endpoint('lambda'), undefined);
  });

  test('boto3 method names name the same operation', () => {
    assert.equal(operationName('describe_instances'), 'DescribeInstances');
    assert.equal(operationName('DescribeInstances'), 'DescribeInstances');
  });

  test('a service without an endpoint, a namespace that is not one, ssm before its handlers: refused, nothing sent', async () => {
    const calls = new ServiceCalls({}, () => undefined);
    const scope = { account: '111122223333', region: 'us-east-1' };
    await assert.rejects(calls.call(scope, 'ec2', 'DescribeInstances', {}), (e: Error) => e instanceof ServiceCallError && e.message.startsWith('Service ec2 is not reached by this service: no endpoint is configured for it (AWS_ENDPOINT_URL_EC2 or AWS_ENDPOINT_URL)'));
    await assert.rejects(calls.call(scope, '../x', 'Get', {}), /is not the namespace of an AWS service/);
    await assert.rejects(calls.call(scope, 'ssm', 'DescribeDocument', {}), /not reachable from its engine yet/);
    const notInstalled = new ServiceCalls({ AWS_ENDPOINT_URL: 'http://127.0.0.1:9' }, () => undefined);
    await assert.rejects(notInstalled.call(scope, 'no-such-service', 'List', {}), /its AWS SDK for JavaScript client is not installed here/);
  });

  test('an endpoint that does not answer: boto3\'s words for it, after the bounded attempts', async () => {
    const closed = await new Promise<string>((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const { port } = server.address() as AddressInfo;
        server.close(() => resolve(`http://127.0.0.1:${port}`));
      });
    });
    const calls = new ServiceCalls({ AWS_ENDPOINT_URL_EC2: closed, AWS_MAX_ATTEMPTS: '1' }, () => undefined);
    // The SDK's credential chain reads this process's environment when it calls.
    const saved = { ...process.env };
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' });
    try {
      await assert.rejects(calls.call({ account: '111122223333', region: 'us-east-1' }, 'ec2', 'DescribeInstances', {}),
        (e: Error) => e instanceof ServiceCallError && e.message.startsWith(`Could not connect to the endpoint URL: "${closed}" (ECONNREFUSED`));
    } finally {
      calls.destroy();
      for (const name of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY']) if (saved[name] === undefined) delete process.env[name]; else process.env[name] = saved[name];
    }
  });
});

describe('waits', () => {
  test('done at the first check that gives a value; unwanted when the step stopped waiting; a stop rejects', async () => {
    const signal = new AbortController().signal;
    assert.deepEqual(await pollUntil({ limitSeconds: 60, signal, wanted: async () => true }, async () => 'now'), { kind: 'done', value: 'now' });
    let checks = 0;
    const unwanted = await pollUntil({ limitSeconds: 60, signal, wanted: async () => false }, async () => { checks++; return undefined; });
    assert.deepEqual([unwanted, checks], [{ kind: 'unwanted' }, 1]);
    assert.deepEqual(await pollUntil({ limitSeconds: 0, signal, wanted: async () => true }, async () => undefined), { kind: 'timed-out' });
    const stopping = new AbortController();
    const waiting = pollUntil({ limitSeconds: 60, signal: stopping.signal, wanted: async () => true }, async () => undefined);
    stopping.abort(new Error('stopped'));
    await assert.rejects(waiting, /stopped/);
  });
});
