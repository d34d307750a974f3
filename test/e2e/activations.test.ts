// Hybrid activations (issue 9, item 1) through the real SDK: CreateActivation answers an id and a code,
// DescribeActivations lists them with their limits, counts, expiry and tags (filters, pages),
// DeleteActivation removes one, and the model's errors come back for what does not exist.

import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { afterEach, beforeEach, describe, test } from 'node:test';
import {
  CreateActivationCommand, DeleteActivationCommand, DeregisterManagedInstanceCommand, DescribeActivationsCommand, DescribeInstanceInformationCommand,
  paginateDescribeActivations, SendCommandCommand,
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

  /** What `amazon-ssm-agent -register` sends: one unsigned JSON 1.1 call (../shared/ssm-agent/README.md). */
  async function register(body: Record<string, unknown>) {
    const response = await fetch(server.app.endpoint, {
      method: 'POST', body: JSON.stringify(body), signal: AbortSignal.timeout(10_000),
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AmazonSSM.RegisterManagedInstance' },
    });
    return { status: response.status, body: await response.json() as Record<string, string> };
  }
  const publicKey = () => generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ format: 'der', type: 'spki' }).toString('base64');

  test('RegisterManagedInstance: a valid activation gives an mi- node with its name and tags, up to RegistrationLimit', async () => {
    const { ActivationId, ActivationCode } = await send(new CreateActivationCommand({ IamRole: 'r', DefaultInstanceName: 'lab-box', RegistrationLimit: 2, Tags: [{ Key: 'Env', Value: 'lab' }] }));
    const request = { ActivationId, ActivationCode, PublicKeyType: 'Rsa', Fingerprint: 'f1' };
    const first = await register({ ...request, PublicKey: publicKey() });
    assert.equal(first.status, 200);
    assert.match(first.body.InstanceId, /^mi-[0-9a-f]{17}$/);
    const second = await register({ ...request, PublicKey: publicKey(), Fingerprint: 'f2' });
    assert.equal(second.status, 200);
    const third = await register({ ...request, PublicKey: publicKey(), Fingerprint: 'f3' });
    assert.deepEqual([third.status, third.body.__type], [400, 'InvalidActivation'], 'the limit of 2 is spent');
    assert.equal((await send(new DescribeActivationsCommand({}))).ActivationList[0].RegistrationsCount, 2);

    const nodes = (await send(new DescribeInstanceInformationCommand({}))).InstanceInformationList;
    const mine = nodes.find((n: { InstanceId: string }) => n.InstanceId === first.body.InstanceId);
    assert.deepEqual([mine.ResourceType, mine.Name, mine.SourceType], ['ManagedInstance', 'lab-box', 'AWS::SSM::ManagedInstance']);
    const byTag = await send(new SendCommandCommand({ DocumentName: 'AWS-RunShellScript', Parameters: { commands: ['uptime'] }, Targets: [{ Key: 'tag:Env', Values: ['lab'] }] }));
    assert.equal(byTag.Command.TargetCount, 2, "the activation's tags became the nodes' tags");

    await send(new DeregisterManagedInstanceCommand({ InstanceId: first.body.InstanceId }));
    assert.equal((await send(new DescribeInstanceInformationCommand({}))).InstanceInformationList.some((n: { InstanceId: string }) => n.InstanceId === first.body.InstanceId), false);
  });

  test('RegisterManagedInstance refuses a wrong code, an expired or deleted activation, a bad key, missing members', async () => {
    const { ActivationId, ActivationCode } = await send(new CreateActivationCommand({ IamRole: 'r', ExpirationDate: new Date(T0 + 3_600_000) }));
    const good = { ActivationId, ActivationCode, PublicKeyType: 'Rsa', Fingerprint: 'f', PublicKey: publicKey() };
    assert.equal((await register({ ...good, ActivationCode: 'x'.repeat(20) })).body.__type, 'InvalidActivation');
    assert.equal((await register({ ...good, ActivationId: '00000000-0000-0000-0000-000000000000' })).body.__type, 'InvalidActivation');
    assert.equal((await register({ ...good, PublicKey: Buffer.from('not a key').toString('base64') })).body.__type, 'ValidationException');
    const missing = await register({ ActivationId });
    assert.deepEqual([missing.status, missing.body.__type], [400, 'ValidationException']);
    assert.match(missing.body.message, /^4 validation errors detected: Value null at 'activationCode' failed to satisfy constraint: Member must not be null; /);
    await setClock(server, T0 + 3_600_000);
    assert.equal((await register(good)).body.__type, 'InvalidActivation', 'expired');
    assert.equal((await send(new DescribeActivationsCommand({}))).ActivationList[0].RegistrationsCount, 0);
  });
});
