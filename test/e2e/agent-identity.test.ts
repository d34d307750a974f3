// The agent's identity without a real agent (issue 9, item 2): a node proves itself with its RSA key
// (RSA-PSS SHA-256 over the SigV4 string to sign) to get credentials, and every later call signed with
// them can act only for that node. Forged and borrowed signatures are refused with AWS's error names.

import assert from 'node:assert/strict';
import { generateKeyPairSync, type KeyObject, randomUUID, sign } from 'node:crypto';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { CreateActivationCommand, DescribeInstanceInformationCommand } from '@aws-sdk/client-ssm';
import { getCanonicalHeaders, SignatureV4 } from '@smithy/signature-v4';
import type { HttpRequest } from '@smithy/types';
import { Sha256 } from '../../src/wire/sigv4.ts';
import { advance } from '../support/control.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

/** Signs as the agent's rsaauth does: the SigV4 string to sign, RSA-PSS SHA-256, base64. */
class RsaSigner extends SignatureV4 {
  constructor() {
    super({ service: 'ssm', region: 'us-east-1', credentials: { accessKeyId: '', secretAccessKey: '' }, sha256: Sha256, applyChecksum: false });
  }
  async headers(request: HttpRequest, nodeId: string, key: KeyObject): Promise<Record<string, string>> {
    const longDate = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
    request.headers['x-amz-date'] = longDate;
    const signed = new Set(['content-type', 'host', 'x-amz-date', 'x-amz-target']);
    const canonical = this.createCanonicalRequest(request, getCanonicalHeaders(request, undefined, signed), await hashOf(String(request.body)));
    const scope = `${longDate.slice(0, 8)}/us-east-1/ssm/aws4_request`;
    const stringToSign = await this.createStringToSign(longDate, scope, canonical, 'AWS4-HMAC-SHA256');
    const signature = sign('sha256', Buffer.from(stringToSign), { key, padding: 6 /* RSA_PKCS1_PSS_PADDING */ }).toString('base64');
    return { ...request.headers, authorization: `AWS4-HMAC-SHA256 Credential=${nodeId}/${scope}, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=${signature}` };
  }
}
async function hashOf(text: string): Promise<string> {
  const hash = new Sha256();
  hash.update(text);
  return Buffer.from(await hash.digest()).toString('hex');
}

describe('agent identity: RSA-signed token requests and per-node credentials', () => {
  let server: TestServer;
  // The manual clock, and a 3 s ping timeout (a message poll is then held at most 1 s).
  beforeEach(async () => {
    server = await startTestServer({ clockMode: 'manual', pingTimeoutSeconds: 3 });
  });
  afterEach(() => server.stop());

  async function call(target: string, body: object, headers: Record<string, string> = {}) {
    const response = await fetch(server.app.endpoint, {
      method: 'POST', body: JSON.stringify(body), signal: AbortSignal.timeout(20_000),
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': target, ...headers },
    });
    return { status: response.status, body: await response.json() as Record<string, unknown> };
  }
  async function registeredNode(activation: { ActivationId?: string; ActivationCode?: string }, fingerprint: string) {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const answer = await call('AmazonSSM.RegisterManagedInstance', {
      ActivationId: activation.ActivationId, ActivationCode: activation.ActivationCode, Fingerprint: fingerprint, PublicKeyType: 'Rsa',
      PublicKey: publicKey.export({ format: 'der', type: 'spki' }).toString('base64'),
    });
    return { nodeId: answer.body.InstanceId as string, privateKey, fingerprint };
  }
  async function tokenRequest(nodeId: string, key: KeyObject, fingerprint: string) {
    const url = new URL(server.app.endpoint);
    const body = JSON.stringify({ Fingerprint: fingerprint });
    const headers = await new RsaSigner().headers({
      method: 'POST', protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: '/', query: {}, body,
      headers: { 'content-type': 'application/x-amz-json-1.1', host: url.host, 'x-amz-target': 'AmazonSSM.RequestManagedInstanceRoleToken' },
    }, nodeId, key);
    return call('AmazonSSM.RequestManagedInstanceRoleToken', { Fingerprint: fingerprint }, headers);
  }
  /** A call as the agent signs it after it has credentials: SigV4 with the issued keys, for `service`. */
  async function signedCall(credentials: Record<string, unknown>, target: string, input: object, service = 'ssm') {
    const url = new URL(server.app.endpoint);
    const body = JSON.stringify(input);
    const signer = new SignatureV4({ service, region: 'us-east-1', sha256: Sha256, credentials: {
      accessKeyId: credentials.AccessKeyId as string, secretAccessKey: credentials.SecretAccessKey as string, sessionToken: credentials.SessionToken as string,
    } });
    const signed = await signer.sign({ method: 'POST', protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: '/', query: {}, body,
      headers: { 'content-type': 'application/x-amz-json-1.1', host: url.host, 'x-amz-target': target } });
    const response = await fetch(server.app.endpoint, { method: 'POST', body, headers: signed.headers as Record<string, string>, signal: AbortSignal.timeout(20_000) });
    return { status: response.status, body: await response.json() as Record<string, unknown> };
  }
  /** UpdateInstanceInformation as the agent sends it. */
  const report = (credentials: Record<string, unknown>, instanceId: string) =>
    signedCall(credentials, 'AmazonSSM.UpdateInstanceInformation', { InstanceId: instanceId, AgentVersion: '3.3.0.0', AgentStatus: 'Active', PlatformType: 'Linux' });

  test('the node\'s own key gets credentials; a forged signature, another key or another fingerprint does not', async () => {
    const activation = await server.client.send(new CreateActivationCommand({ IamRole: 'r', RegistrationLimit: 2 }));
    const a = await registeredNode(activation, 'machine-a');
    const b = await registeredNode(activation, 'machine-b');
    const good = await tokenRequest(a.nodeId, a.privateKey, a.fingerprint);
    assert.equal(good.status, 200, JSON.stringify(good.body));
    assert.match(good.body.AccessKeyId as string, /^ASIA[A-Z2-7]{16}$/);
    assert.equal(typeof good.body.SecretAccessKey, 'string');
    assert.ok((good.body.TokenExpirationDate as number) * 1000 > Date.now() + 50 * 60_000, 'about an hour');
    const forged = await tokenRequest(a.nodeId, b.privateKey, a.fingerprint);
    assert.deepEqual([forged.status, forged.body.__type], [400, 'InvalidSignatureException'], "b's key cannot speak for a");
    const unknown = await tokenRequest('mi-0123456789abcdef0', a.privateKey, a.fingerprint);
    assert.deepEqual([unknown.status, unknown.body.__type], [400, 'UnrecognizedClientException']);
    const copied = await tokenRequest(a.nodeId, a.privateKey, 'another-machine');
    assert.deepEqual([copied.status, copied.body.__type], [400, 'InvalidInstanceId'], 'a copied key on another machine');
  });

  test('issued credentials act for their node only; its report makes it Online', async () => {
    const activation = await server.client.send(new CreateActivationCommand({ IamRole: 'r', RegistrationLimit: 2 }));
    const a = await registeredNode(activation, 'machine-a');
    const b = await registeredNode(activation, 'machine-b');
    const credentials = (await tokenRequest(a.nodeId, a.privateKey, a.fingerprint)).body;
    const statusOf = async (id: string) => (await server.client.send(new DescribeInstanceInformationCommand({}))).InstanceInformationList!.find((n) => n.InstanceId === id)!.PingStatus;
    assert.equal(await statusOf(a.nodeId), 'ConnectionLost', 'registered, but its agent never reported');
    const borrowed = await report(credentials, b.nodeId);
    assert.deepEqual([borrowed.status, borrowed.body.__type], [400, 'AccessDeniedException'], "a's credentials cannot report for b");
    assert.equal(await statusOf(b.nodeId), 'ConnectionLost', 'nothing was recorded for b');
    const own = await report(credentials, a.nodeId);
    assert.equal(own.status, 200, JSON.stringify(own.body));
    assert.equal(await statusOf(a.nodeId), 'Online');
    const wrongSecret = await report({ ...credentials, SecretAccessKey: 'guess' }, a.nodeId);
    assert.deepEqual([wrongSecret.status, wrongSecret.body.__type], [400, 'InvalidSignatureException']);
  });

  test('a message poll is a sign of life too; silence past the ping timeout is ConnectionLost; hybrid fields and the agent\'s association call', async () => {
    const activation = await server.client.send(new CreateActivationCommand({ IamRole: 'SSMServiceRole', RegistrationLimit: 1 }));
    const a = await registeredNode(activation, 'machine-a');
    const credentials = (await tokenRequest(a.nodeId, a.privateKey, a.fingerprint)).body;
    const describeNode = async (status?: string) => (await server.client.send(new DescribeInstanceInformationCommand(
      status ? { Filters: [{ Key: 'PingStatus', Values: [status] }] } : {}))).InstanceInformationList!;
    assert.equal((await report(credentials, a.nodeId)).status, 200);
    const [online] = await describeNode('Online');
    assert.deepEqual([online.InstanceId, online.ActivationId, online.IamRole], [a.nodeId, activation.ActivationId, 'SSMServiceRole']);
    assert.ok(online.RegistrationDate instanceof Date);
    assert.deepEqual(await describeNode('ConnectionLost'), []);

    await advance(server, 4);
    assert.deepEqual((await describeNode('ConnectionLost')).map((n) => n.InstanceId), [a.nodeId], '4 s of silence with a 3 s timeout');
    assert.deepEqual(await describeNode('Online'), []);
    const poll = await signedCall(credentials, 'EC2WindowsMessageDeliveryService.GetMessages', { Destination: a.nodeId, MessagesRequestId: randomUUID() }, 'ec2messages');
    assert.deepEqual([poll.status, poll.body.Messages], [200, []]);
    assert.deepEqual((await describeNode('Online')).map((n) => n.InstanceId), [a.nodeId], 'the poll brought it back');

    const associations = await signedCall(credentials, 'AmazonSSM.ListInstanceAssociations', { InstanceId: a.nodeId, MaxResults: 20 });
    assert.deepEqual([associations.status, associations.body], [200, { Associations: [] }]);
    const other = await signedCall(credentials, 'AmazonSSM.ListInstanceAssociations', { InstanceId: 'mi-0123456789abcdef0' });
    assert.deepEqual([other.status, other.body.__type], [400, 'AccessDeniedException']);
  });
});
