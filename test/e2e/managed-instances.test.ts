// Managed nodes as AWS shows them (issue 8, item 3): DescribeInstanceInformation over the inventory (the
// fields a node declares, defaults, both filter forms with AWS's errors, signed pagination), and the
// nodes' tags set the AWS way (ResourceType ManagedInstance), which window tag targets resolve against.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import {
  AddTagsToResourceCommand,
  CreateMaintenanceWindowCommand,
  DescribeInstanceInformationCommand,
  type DescribeInstanceInformationCommandInput,
  GetCommandInvocationCommand,
  type InstanceInformation,
  ListTagsForResourceCommand,
  paginateDescribeInstanceInformation,
  RegisterTargetWithMaintenanceWindowCommand,
  RegisterTaskWithMaintenanceWindowCommand,
  RemoveTagsFromResourceCommand,
} from '@aws-sdk/client-ssm';
import { StartupError } from '../../src/app.ts';
import { advance, control, executionTree, fire, listNodes, putNode } from '../support/control.ts';
import { rejectsWith } from '../support/errors.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const T0 = Date.parse('2026-03-01T00:00:00Z');
const EC2 = 'i-0123456789abcdef0';
const HYBRID = 'mi-0123456789abcdef0';

describe('managed nodes: DescribeInstanceInformation and ManagedInstance tags', () => {
  let server: TestServer;
  const send = (command: any): Promise<any> => server.client.send(command);
  const describeNodes = async (input: DescribeInstanceInformationCommandInput = {}): Promise<InstanceInformation[]> =>
    (await send(new DescribeInstanceInformationCommand(input))).InstanceInformationList;
  const ids = (list: InstanceInformation[]): string[] => list.map((i) => i.InstanceId!);
  const declare = (id: string, body: Record<string, unknown>) => control(server, 'PUT', `/_mw/nodes/${id}`, { body });

  beforeEach(async () => {
    server = await startTestServer({ clockMode: 'manual', manualClockStart: T0, invocationSeconds: 30 });
  });
  afterEach(() => server.stop());

  test('every declared field is shown; what is not declared gets its default or is omitted', async () => {
    await putNode(server, EC2, { tags: { Env: 'prod' } }); // an old-style body stays valid
    const full = {
      tags: { Env: 'dev' }, resourceGroups: ['web'], platformType: 'Windows', platformName: 'Microsoft Windows Server 2022 Datacenter',
      platformVersion: '10.0.20348', computerName: 'WIN-01.corp.example', ipAddress: '10.0.0.12', agentVersion: '3.3.418.0', name: 'build-agent',
    };
    assert.deepEqual(await declare(HYBRID, full), { id: HYBRID, ...full }, 'the PUT answers with the node as stored');
    await declare('mi-00000000000000001', { platformType: 'MacOS', agentVersion: '3.2.582.0', ipAddress: 'fe80::1', name: 'mac-mini' });
    await advance(server, 90);

    const list = await describeNodes();
    const ping = new Date(T0 + 90_000);
    assert.deepEqual(list, [
      {
        InstanceId: EC2, PingStatus: 'Online', LastPingDateTime: ping, AgentVersion: '3.3.418.0', IsLatestVersion: true,
        PlatformType: 'Linux', ResourceType: 'EC2Instance', ComputerName: EC2, SourceId: EC2, SourceType: 'AWS::EC2::Instance',
      },
      {
        InstanceId: 'mi-00000000000000001', PingStatus: 'Online', LastPingDateTime: ping, AgentVersion: '3.2.582.0', IsLatestVersion: false,
        PlatformType: 'MacOS', ResourceType: 'ManagedInstance', Name: 'mac-mini', IPAddress: 'fe80::1', ComputerName: 'mi-00000000000000001',
        SourceId: 'mi-00000000000000001', SourceType: 'AWS::SSM::ManagedInstance',
      },
      {
        InstanceId: HYBRID, PingStatus: 'Online', LastPingDateTime: ping, AgentVersion: '3.3.418.0',
        IsLatestVersion: false, // AWS does not tell for Windows nodes
        PlatformType: 'Windows', PlatformName: 'Microsoft Windows Server 2022 Datacenter', PlatformVersion: '10.0.20348',
        ResourceType: 'ManagedInstance', Name: 'build-agent', IPAddress: '10.0.0.12', ComputerName: 'WIN-01.corp.example',
        SourceId: HYBRID, SourceType: 'AWS::SSM::ManagedInstance',
      },
    ]);
    assert.deepEqual((await listNodes(server)).find((n) => n.id === EC2), { id: EC2, tags: { Env: 'prod' }, resourceGroups: [] });
  });

  test('the control API refuses a bad field with a ValidationException naming it, and keeps the node unchanged', async () => {
    await putNode(server, EC2, { tags: { Env: 'prod' } });
    const cases: [Record<string, unknown>, string][] = [
      [{ platformType: 'linux' }, 'platformType must be one of Linux, Windows, MacOS.'],
      [{ platformName: 7 }, 'platformName must be a string of 1 to 255 characters.'],
      [{ computerName: '' }, 'computerName must be a string of 1 to 255 characters.'],
      [{ computerName: 'x'.repeat(256) }, 'computerName must be a string of 1 to 255 characters.'],
      [{ ipAddress: '10.0.0.256' }, 'ipAddress 10.0.0.256 is not an IPv4 or IPv6 address.'],
      [{ agentVersion: '3.x' }, "agentVersion 3.x is not valid: 3 or 4 numbers of 1-6 digits separated by '.', such as 3.3.418.0."],
      [{ name: ['a'] }, 'name must be a string of 1 to 255 characters.'],
    ];
    for (const [body, message] of cases) {
      const refused = await control(server, 'PUT', `/_mw/nodes/${EC2}`, { body, expect: 400 });
      assert.deepEqual(refused, { __type: 'ValidationException', message }, JSON.stringify(body));
    }
    assert.deepEqual(await listNodes(server), [{ id: EC2, tags: { Env: 'prod' }, resourceGroups: [] }]);
  });

  test('a node is declared only with an id Run Command can address (issue 26, item 4): the 400 names the pattern', async () => {
    const pattern = '(^i-(\\w{8}|\\w{17})$)|(^mi-\\w{17}$)';
    for (const id of ['i-0aaa', 'i-1', 'node-1', 'i-0123456789abcdef', 'mi-0123456789abcdef', 'i-0123456789abcdef0-x', 'i-0123-567']) {
      const refused = await control(server, 'PUT', `/_mw/nodes/${encodeURIComponent(id)}`, { body: {}, expect: 400 });
      assert.deepEqual(refused, {
        __type: 'ValidationException',
        message: `1 validation error detected: Value '${id}' at 'nodeId' failed to satisfy constraint: Member must satisfy regular expression pattern: ${pattern}`,
      }, id);
    }
    for (const id of ['i-0123abcd', 'i-0123456789abcdef0', 'mi-0123456789abcdef0']) await putNode(server, id);
    assert.deepEqual((await listNodes(server)).map((n) => n.id), ['i-0123456789abcdef0', 'i-0123abcd', 'mi-0123456789abcdef0']);
    // Every declared node is one GetCommandInvocation accepts (it checks the same pattern).
    for (const id of ['i-0123abcd', 'i-0123456789abcdef0', 'mi-0123456789abcdef0']) {
      await rejectsWith(send(new GetCommandInvocationCommand({ CommandId: '00000000-0000-4000-8000-000000000000', InstanceId: id })), 'InvocationDoesNotExist');
    }
  });

  test('filters: the legacy list and Filters, ANDed across keys and ORed within one, tags in Filters only', async () => {
    await declare('i-00000000000000001', { tags: { Env: 'prod', Role: 'web' } });
    await declare('i-00000000000000002', { tags: { Env: 'dev' }, platformType: 'Windows', agentVersion: '3.1.0.0' });
    await declare('mi-00000000000000003', { tags: { Role: 'db' }, platformType: 'Linux' });
    await declare('mi-00000000000000004', { platformType: 'MacOS' });

    const legacy = (key: string, valueSet: string[]) => describeNodes({ InstanceInformationFilterList: [{ key: key as any, valueSet }] });
    const filters = (...pairs: [string, string[]][]) => describeNodes({ Filters: pairs.map(([Key, Values]) => ({ Key, Values })) });

    assert.deepEqual(ids(await legacy('InstanceIds', ['mi-00000000000000004', 'i-00000000000000001'])), ['i-00000000000000001', 'mi-00000000000000004']);
    assert.deepEqual(ids(await legacy('PlatformTypes', ['Windows', 'MacOS'])), ['i-00000000000000002', 'mi-00000000000000004']);
    assert.deepEqual(ids(await legacy('ResourceType', ['ManagedInstance'])), ['mi-00000000000000003', 'mi-00000000000000004']);
    assert.deepEqual(ids(await legacy('AgentVersion', ['3.1.0.0'])), ['i-00000000000000002']);
    assert.equal((await legacy('PingStatus', ['Online'])).length, 4);
    assert.deepEqual(await legacy('PingStatus', ['ConnectionLost']), []);
    for (const key of ['IamRole', 'ActivationIds']) assert.deepEqual(await legacy(key, ['x']), [], `${key}: simulated nodes have none`);
    assert.deepEqual(await legacy('AssociationStatus', ['Success']), [], 'no associations exist here');

    assert.deepEqual(ids(await filters(['tag:Env', ['prod', 'dev']])), ['i-00000000000000001', 'i-00000000000000002']);
    assert.deepEqual(ids(await filters(['tag:Env', ['prod']], ['tag:Role', ['web', 'db']])), ['i-00000000000000001'], 'tag filters AND');
    assert.deepEqual(ids(await filters(['tag-key', ['Role']])), ['i-00000000000000001', 'mi-00000000000000003']);
    assert.deepEqual(ids(await filters(['PlatformTypes', ['Linux']], ['ResourceType', ['EC2Instance']])), ['i-00000000000000001']);
    assert.deepEqual(ids(await filters(['InstanceIds', ['mi-00000000000000003', 'i-00000000000000002']], ['PlatformTypes', ['Linux']])), ['mi-00000000000000003']);
    assert.deepEqual(ids(await filters(['SourceTypes', ['AWS::EC2::Instance']])), ['i-00000000000000001', 'i-00000000000000002']);
    assert.deepEqual(ids(await filters(['SourceIds', ['mi-00000000000000004']])), ['mi-00000000000000004']);
    assert.deepEqual(await filters(['tag:Env', ['staging']]), []);
  });

  test('filter errors as AWS names them', async () => {
    await declare(EC2, { tags: { Env: 'prod' } });
    const legacy = (key: string, valueSet: string[]) => send(new DescribeInstanceInformationCommand({ InstanceInformationFilterList: [{ key: key as any, valueSet }] }));
    const filters = (...pairs: [string, string[]][]) => send(new DescribeInstanceInformationCommand({ Filters: pairs.map(([Key, Values]) => ({ Key, Values })) }));

    await rejectsWith(legacy('ResourceType', ['ManagedInstance', 'EC2Instance']), 'InvalidInstanceInformationFilterValue', 'ResourceType filter may contain only one value.');
    await rejectsWith(filters(['ResourceType', ['Document']]), 'InvalidInstanceInformationFilterValue', 'ResourceType filter is invalid, valid values are EC2Instance, ManagedInstance');
    await rejectsWith(filters(['PlatformTypes', ['Solaris']]), 'InvalidInstanceInformationFilterValue', 'PlatformTypes filter is invalid, valid values are Windows, Linux, MacOS');
    await rejectsWith(legacy('PingStatus', ['online']), 'InvalidInstanceInformationFilterValue', 'PingStatus filter is invalid, valid values are Online, ConnectionLost, Inactive');
    await rejectsWith(filters(['Name', ['x']]), 'InvalidFilterKey');
    await rejectsWith(filters(['tag:', ['x']]), 'InvalidFilterKey');
    await rejectsWith(filters(['tag:Env', ['prod']], ['PlatformTypes', ['Linux']]), 'ValidationException', 'Cannot mix tag or inventory filter with any other filter.');
    await rejectsWith(send(new DescribeInstanceInformationCommand({
      InstanceInformationFilterList: [{ key: 'PingStatus', valueSet: ['Online'] }], Filters: [{ Key: 'PingStatus', Values: ['Online'] }],
    })), 'ValidationException', 'InstanceInformationFilterList and Filters cannot be used together; use Filters.');
    await rejectsWith(legacy('InstanceIds', [EC2, 'i-0ffffffffffffffff']), 'InvalidInstanceId', 'Instances [[i-0ffffffffffffffff]] not in a valid state for account 000000000000');
    await rejectsWith(filters(['InstanceIds', ['mi-0ffffffffffffffff']]), 'InvalidInstanceId');
    // Constraints of the model, checked before the handler.
    await rejectsWith(legacy('Color', ['x']), 'ValidationException', /Member must satisfy enum value set/);
    await rejectsWith(filters(['PingStatus', []]), 'ValidationException', /Member must have length greater than or equal to 1/);
    await rejectsWith(send(new DescribeInstanceInformationCommand({ MaxResults: 4 })), 'ValidationException', /Member must have value greater than or equal to 5/);
    await rejectsWith(send(new DescribeInstanceInformationCommand({ MaxResults: 51 })), 'ValidationException', /Member must have value less than or equal to 50/);
  });

  test('pagination: MaxResults pages in id order without a duplicate or a gap, 10 by default, tokens bound to their query', async () => {
    const all = Array.from({ length: 23 }, (_, i) => `i-${String(i).padStart(17, '0')}`);
    for (const [n, id] of all.entries()) await declare(id, { tags: { Parity: n % 2 === 0 ? 'even' : 'odd' } });

    const first = await send(new DescribeInstanceInformationCommand({}));
    assert.equal(first.InstanceInformationList.length, 10, 'AWS: "The default value is 10 items"');
    assert.ok(first.NextToken);

    const seen: string[] = [];
    const sizes: number[] = [];
    for await (const page of paginateDescribeInstanceInformation({ client: server.client, pageSize: 5 }, {})) {
      sizes.push(page.InstanceInformationList!.length);
      seen.push(...ids(page.InstanceInformationList!));
    }
    assert.deepEqual(sizes, [5, 5, 5, 5, 3]);
    assert.deepEqual(seen, all);

    const even: string[] = [];
    for await (const page of paginateDescribeInstanceInformation({ client: server.client, pageSize: 5 }, { Filters: [{ Key: 'tag:Parity', Values: ['even'] }] })) {
      even.push(...ids(page.InstanceInformationList!));
    }
    assert.deepEqual(even, all.filter((_, i) => i % 2 === 0));

    // A node added behind the position is not repeated; one added ahead of it appears once.
    const page1 = await send(new DescribeInstanceInformationCommand({ MaxResults: 5 }));
    await declare('i-00000000', {}); // (the 8-character form: sorts before every 17-character id)
    await declare('i-99999999999999999', {});
    const rest: string[] = [];
    let token: string | undefined = page1.NextToken;
    while (token) {
      const page = await send(new DescribeInstanceInformationCommand({ MaxResults: 50, NextToken: token }));
      rest.push(...ids(page.InstanceInformationList));
      token = page.NextToken;
    }
    assert.deepEqual([...ids(page1.InstanceInformationList), ...rest], [...all, 'i-99999999999999999']);

    await rejectsWith(send(new DescribeInstanceInformationCommand({ NextToken: 'not-a-token' })), 'InvalidNextToken', 'The specified token is not valid.');
    await rejectsWith(send(new DescribeInstanceInformationCommand({ NextToken: first.NextToken, Filters: [{ Key: 'tag:Parity', Values: ['odd'] }] })),
      'InvalidNextToken', undefined);
    const other = server.clientFor({ account: '111122223333' });
    await rejectsWith(other.send(new DescribeInstanceInformationCommand({ NextToken: first.NextToken })), 'InvalidNextToken');
    assert.deepEqual((await other.send(new DescribeInstanceInformationCommand({}))).InstanceInformationList, [], 'another account has its own inventory');
  });

  test('ManagedInstance tags: add, list, remove on the node itself; unknown node, quota, and concurrent additions', async () => {
    await putNode(server, HYBRID, { tags: { Env: 'dev' }, resourceGroups: ['web'] });
    const tagsOf = async (id: string) => (await send(new ListTagsForResourceCommand({ ResourceType: 'ManagedInstance', ResourceId: id }))).TagList;

    assert.deepEqual(await tagsOf(HYBRID), [{ Key: 'Env', Value: 'dev' }], 'tags declared through the control API are the node tags');
    await send(new AddTagsToResourceCommand({ ResourceType: 'ManagedInstance', ResourceId: HYBRID, Tags: [{ Key: 'Env', Value: 'prod' }, { Key: 'Team', Value: 'ops' }] }));
    assert.deepEqual(await tagsOf(HYBRID), [{ Key: 'Env', Value: 'prod' }, { Key: 'Team', Value: 'ops' }]);
    assert.deepEqual(await listNodes(server), [{ id: HYBRID, tags: { Env: 'prod', Team: 'ops' }, resourceGroups: ['web'] }], 'the inventory sees them');
    assert.deepEqual(ids(await describeNodes({ Filters: [{ Key: 'tag:Team', Values: ['ops'] }] })), [HYBRID]);
    await send(new RemoveTagsFromResourceCommand({ ResourceType: 'ManagedInstance', ResourceId: HYBRID, TagKeys: ['Env', 'Absent'] }));
    assert.deepEqual(await tagsOf(HYBRID), [{ Key: 'Team', Value: 'ops' }]);

    const missing = 'mi-0ffffffffffffffff';
    const invalidId = 'The resource ID is not valid. Verify that you entered the correct ID and try again.';
    await rejectsWith(tagsOf(missing), 'InvalidResourceId', invalidId);
    await rejectsWith(send(new AddTagsToResourceCommand({ ResourceType: 'ManagedInstance', ResourceId: missing, Tags: [{ Key: 'a', Value: 'b' }] })), 'InvalidResourceId', invalidId);
    await rejectsWith(send(new RemoveTagsFromResourceCommand({ ResourceType: 'ManagedInstance', ResourceId: missing, TagKeys: ['a'] })), 'InvalidResourceId', invalidId);
    await rejectsWith(server.clientFor({ region: 'eu-west-1' }).send(new ListTagsForResourceCommand({ ResourceType: 'ManagedInstance', ResourceId: HYBRID })), 'InvalidResourceId');

    const many = (from: number, n: number) => Array.from({ length: n }, (_, i) => ({ Key: `k${from + i}`, Value: 'v' }));
    await send(new AddTagsToResourceCommand({ ResourceType: 'ManagedInstance', ResourceId: HYBRID, Tags: many(0, 49) }));
    await rejectsWith(send(new AddTagsToResourceCommand({ ResourceType: 'ManagedInstance', ResourceId: HYBRID, Tags: many(49, 1).concat(many(100, 1)) })),
      'TooManyTagsError', 'The resource can have at most 50 tags.');
    assert.equal((await tagsOf(HYBRID)).length, 50, 'a refused addition changes nothing');
    await send(new AddTagsToResourceCommand({ ResourceType: 'ManagedInstance', ResourceId: HYBRID, Tags: [{ Key: 'k0', Value: 'overwritten' }] }));
    assert.equal((await tagsOf(HYBRID)).length, 50, 'overwriting a key does not count again');

    await putNode(server, EC2, {});
    await Promise.all(Array.from({ length: 20 }, (_, i) =>
      send(new AddTagsToResourceCommand({ ResourceType: 'ManagedInstance', ResourceId: EC2, Tags: [{ Key: `c${i}`, Value: String(i) }] }))));
    assert.equal((await tagsOf(EC2)).length, 20, 'no concurrent addition is lost');
    const results = await Promise.allSettled(Array.from({ length: 40 }, (_, i) =>
      send(new AddTagsToResourceCommand({ ResourceType: 'ManagedInstance', ResourceId: EC2, Tags: [{ Key: `q${i}`, Value: 'v' }] }))));
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 30, 'exactly the 30 that fit under the quota of 50');
    assert.equal((await tagsOf(EC2)).length, 50);

    await rejectsWith(send(new ListTagsForResourceCommand({ ResourceType: 'Parameter', ResourceId: 'some-parameter' })), 'InvalidResourceType');
  });

  test('a window task targeting tag:Env reaches a node tagged through AddTagsToResource', async () => {
    await putNode(server, 'i-00000000000000001', { tags: { Env: 'dev' } });
    await putNode(server, 'i-00000000000000002', {});
    await putNode(server, HYBRID, {});
    for (const id of ['i-00000000000000002', HYBRID]) {
      await send(new AddTagsToResourceCommand({ ResourceType: 'ManagedInstance', ResourceId: id, Tags: [{ Key: 'Env', Value: 'prod' }] }));
    }
    const windowId = (await send(new CreateMaintenanceWindowCommand({ Name: 'tagged', Schedule: 'rate(1 day)', Duration: 2, Cutoff: 1, AllowUnassociatedTargets: false }))).WindowId;
    const targetId = (await send(new RegisterTargetWithMaintenanceWindowCommand({ WindowId: windowId, ResourceType: 'INSTANCE', Targets: [{ Key: 'tag:Env', Values: ['prod'] }] }))).WindowTargetId;
    await send(new RegisterTaskWithMaintenanceWindowCommand({
      WindowId: windowId, TaskArn: 'AWS-RestartEC2Instance', TaskType: 'AUTOMATION', Priority: 0, MaxConcurrency: '10', MaxErrors: '0',
      Targets: [{ Key: 'WindowTargetIds', Values: [targetId] }],
      TaskInvocationParameters: { Automation: { Parameters: { InstanceId: ['{{RESOURCE_ID}}'] } } },
    }));
    const executionId = await fire(server, windowId);
    await advance(server, 120);
    const { execution, tasks: [task] } = await executionTree(server.client, executionId);
    assert.equal(execution.Status, 'SUCCESS');
    const reached = task.invocations.map((i) => JSON.parse(i.Parameters!).parameters.InstanceId[0]).sort();
    assert.deepEqual(reached, ['i-00000000000000002', HYBRID]);
  });
});

test('a --nodes file with an id Run Command cannot address stops the start, naming the id and the pattern', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mw-nodes-'));
  const file = join(dir, 'nodes.json');
  writeFileSync(file, JSON.stringify([{ id: 'i-0123456789abcdef0' }, { id: 'i-0aaa', tags: { Env: 'prod' } }]));
  try {
    const refused = await startTestServer({ nodesFile: file, dataDir: dir }).then((s) => s.stop().then(() => assert.fail('the service started')), (error: unknown) => error);
    assert.ok(refused instanceof StartupError, String(refused));
    assert.equal(refused.failed.step, 'nodes');
    assert.equal(refused.message,
      "could not start (nodes): 1 validation error detected: Value 'i-0aaa' at 'nodeId' failed to satisfy constraint: Member must satisfy regular expression pattern: (^i-(\\w{8}|\\w{17})$)|(^mi-\\w{17}$)");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a --nodes file carries the same fields as PUT /_mw/nodes', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mw-nodes-'));
  const file = join(dir, 'nodes.json');
  writeFileSync(file, JSON.stringify([{ id: 'mi-0123456789abcdef0', platformType: 'Windows', computerName: 'win-1', tags: { Env: 'prod' } }]));
  const server = await startTestServer({ nodesFile: file });
  try {
    const listed = await server.client.send(new DescribeInstanceInformationCommand({}));
    assert.deepEqual(listed.InstanceInformationList?.map((n) => [n.InstanceId, n.PlatformType, n.ComputerName, n.ResourceType]),
      [['mi-0123456789abcdef0', 'Windows', 'win-1', 'ManagedInstance']]);
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
