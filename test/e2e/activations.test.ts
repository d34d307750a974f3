// Hybrid activations (issue 9, item 1) through the real SDK: CreateActivation answers an id and a code,
// DescribeActivations lists them with their limits, counts, expiry and tags (filters, pages),
// DeleteActivation removes one, and the model's errors come back for what does not exist.

import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import {
  CreateActivationCommand, DeleteActivationCommand, DeregisterManagedInstanceCommand, DescribeActivationsCommand, paginateDescribeActivations,
} from '@aws-sdk/client-ssm';
import { setClock } from '../support/control.ts';
import { rejectsWith } from '../support/errors.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const T0 = Date.parse('2026-10-01T00:00:00Z');
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('hybrid activations', () => {
  let server: TestServer;
  beforeEach(async () => {
    server = await startTestServer({ clockMode: 'manual', manualClockStart: T0 });
  });
  afterEach(() => server.stop());
  const send = (command: any): Promise<any> => server.client.send(command);

  test('CreateActivation: an id and a 20-character code; DescribeActivations shows it with its defaults', async () => {
    const created = await send(new CreateActivationCommand({ IamRole: 'SSMServiceRole', Description: 'lab machines', DefaultInstanceName: 'lab', Tags: [{ Key: 'Env', Value: 'lab' }] }));
    assert.match(created.ActivationId, UUID);
    assert.match(created.ActivationCode, /^[A-Za-z0-9]{20}$/);
    const { ActivationList } = await send(new DescribeActivationsCommand({}));
    assert.deepEqual(ActivationList, [{
      ActivationId: created.ActivationId, Description: 'lab machines', DefaultInstanceName: 'lab', IamRole: 'SSMServiceRole',
      RegistrationLimit: 1, RegistrationsCount: 0, ExpirationDate: new Date(T0 + 24 * 3_600_000), Expired: false,
      CreatedDate: new Date(T0), Tags: [{ Key: 'Env', Value: 'lab' }],
    }]);
    assert.equal(JSON.stringify(ActivationList).includes(created.ActivationCode), false, 'the code is never listed');
  });

  test('ExpirationDate and RegistrationLimit as given; Expired once the clock passes the date; past or beyond 30 days refused', async () => {
    const expires = new Date(T0 + 3 * 24 * 3_600_000);
    const { ActivationId } = await send(new CreateActivationCommand({ IamRole: 'r', RegistrationLimit: 10, ExpirationDate: expires }));
    const [activation] = (await send(new DescribeActivationsCommand({}))).ActivationList;
    assert.deepEqual([activation.ActivationId, activation.RegistrationLimit, activation.ExpirationDate, activation.Expired], [ActivationId, 10, expires, false]);
    await setClock(server, expires.getTime());
    assert.equal((await send(new DescribeActivationsCommand({}))).ActivationList[0].Expired, true);
    await rejectsWith(send(new CreateActivationCommand({ IamRole: 'r', ExpirationDate: new Date(T0) })), 'InvalidParameters');
    await rejectsWith(send(new CreateActivationCommand({ IamRole: 'r', ExpirationDate: new Date(expires.getTime() + 31 * 24 * 3_600_000) })), 'InvalidParameters');
    await rejectsWith(send(new CreateActivationCommand({ IamRole: 'r', RegistrationLimit: 1001 })), 'ValidationException', /registrationLimit/);
  });

  test('filters by ActivationIds, DefaultInstanceName and IamRole; the paginator sees every activation once', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) {
      ids.push((await send(new CreateActivationCommand({ IamRole: i % 2 ? 'odd-role' : 'even-role', DefaultInstanceName: `node-${i}` }))).ActivationId);
    }
    const idsOf = async (Filters: object[]) => (await send(new DescribeActivationsCommand({ Filters }))).ActivationList.map((a: { ActivationId: string }) => a.ActivationId);
    assert.deepEqual(await idsOf([{ FilterKey: 'ActivationIds', FilterValues: [ids[3], ids[7]] }]), [ids[3], ids[7]]);
    assert.deepEqual(await idsOf([{ FilterKey: 'DefaultInstanceName', FilterValues: ['node-5'] }]), [ids[5]]);
    assert.deepEqual((await idsOf([{ FilterKey: 'IamRole', FilterValues: ['odd-role'] }])).length, 6);
    assert.deepEqual(await idsOf([{ FilterKey: 'IamRole', FilterValues: ['odd-role'] }, { FilterKey: 'DefaultInstanceName', FilterValues: ['node-2', 'node-3'] }]), [ids[3]]);
    const seen: string[] = [];
    for await (const page of paginateDescribeActivations({ client: server.client, pageSize: 5 }, {})) seen.push(...page.ActivationList!.map((a) => a.ActivationId!));
    assert.deepEqual(seen, ids);
  });

  test('DeleteActivation removes it; unknown ids get the model\'s exceptions', async () => {
    const { ActivationId } = await send(new CreateActivationCommand({ IamRole: 'r' }));
    await send(new DeleteActivationCommand({ ActivationId }));
    assert.deepEqual((await send(new DescribeActivationsCommand({}))).ActivationList, []);
    await rejectsWith(send(new DeleteActivationCommand({ ActivationId })), 'InvalidActivationId');
    await rejectsWith(send(new DeleteActivationCommand({ ActivationId: 'not-an-id' })), 'ValidationException');
    await rejectsWith(send(new DeregisterManagedInstanceCommand({ InstanceId: 'mi-0123456789abcdef0' })), 'InvalidInstanceId');
  });

  test('activations are per account and Region', async () => {
    await send(new CreateActivationCommand({ IamRole: 'r' }));
    const other = server.clientFor({ account: '123456789012' });
    assert.deepEqual((await other.send(new DescribeActivationsCommand({}))).ActivationList, []);
  });
});
