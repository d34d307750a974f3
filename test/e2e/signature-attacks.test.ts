// Attacks on what a signature covers (issue 28, findings 1-3), end to end on a service started with
// --credentials: a captured request replayed with a swapped body of the same length (on the API, the
// agent's ssm and ec2messages calls, and the control routes), a signature that leaves out host or
// X-Amz-Target, presigned X-Amz-Expires out of range, and X-Amz-Target names from Object.prototype.

import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  CreateActivationCommand, DescribeInstanceInformationCommand, ListCommandsCommand, SendCommandCommand, SSMClient,
} from '@aws-sdk/client-ssm';
import { SignatureV4 } from '@smithy/signature-v4';
import type { HttpRequest } from '@smithy/types';
import { AgentTransport, type AgentReply, SimulatedAgent, successReply } from '../../bench/simulated-agent.ts';
import { controlToken } from '../../src/wire/control-auth.ts';
import { Sha256 } from '../../src/wire/sigv4.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const ALICE = { accessKeyId: 'AKIAALICE0000000000A', secretAccessKey: 'alice-secret', accountId: '111111111111' };
const MISMATCH = 'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';
const JSON_TYPE = 'application/x-amz-json-1.1';
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

interface Answer { status: number; body: Record<string, unknown> }

/** The agent's HTTP side, keeping a copy of each request it sends (headers as signed, body). */
class CapturingTransport extends AgentTransport {
  sent: { headers: Record<string, string>; body: string }[] = [];
  /** Keep the next requests instead of sending them (answered 200 {}). */
  hold = false;
  override request(headers: Record<string, string>, body: string, timeoutMs: number, onSent?: () => void): Promise<AgentReply> {
    this.sent.push({ headers: { ...headers }, body });
    if (this.hold) return Promise.resolve({ status: 200, body: {} });
    return super.request(headers, body, timeoutMs, onSent);
  }
}

/** `text` with `from` replaced by `to`, which must be as long: the Content-Length stays what was signed. */
function swap(text: string, from: string, to: string): string {
  assert.equal(from.length, to.length);
  assert.ok(text.includes(from), `${from} not in ${text.slice(0, 200)}`);
  return text.replaceAll(from, to);
}

describe('signature attacks: a swapped body, unsigned headers, presigned expiry, prototype names', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mw-sigattack-'));
  const credentialsFile = join(dir, 'credentials.json');
  let server: TestServer;
  let alice: SSMClient;
  let url: URL;
  const sockets = new Agent({ keepAlive: true });

  before(async () => {
    writeFileSync(credentialsFile, JSON.stringify([ALICE]));
    server = await startTestServer({ credentialsFile });
    alice = new SSMClient({ endpoint: server.app.endpoint, region: 'us-east-1', credentials: ALICE, maxAttempts: 1 });
    url = new URL(server.app.endpoint);
  });
  after(async () => {
    alice.destroy();
    sockets.destroy();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  async function post(headers: Record<string, string>, body: string, path = '/', method = 'POST'): Promise<Answer> {
    const { host: _host, 'content-length': _length, ...rest } = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
    const response = await fetch(`${server.app.endpoint}${path}`, { method, headers: rest, body, signal: AbortSignal.timeout(20_000) });
    return { status: response.status, body: await response.json() as Record<string, unknown> };
  }

  function signed(target: string, body: string): HttpRequest {
    return {
      method: 'POST', protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: '/', query: {}, body,
      headers: { host: url.host, 'content-type': JSON_TYPE, 'x-amz-target': target },
    };
  }
  const signer = () => new SignatureV4({ service: 'ssm', region: 'us-east-1', credentials: ALICE, sha256: Sha256 });

  test('finding 1: a captured JS SDK SendCommand replayed with a same-length body is refused; only the benign command exists', async () => {
    let captured: { headers: Record<string, string>; body: string } | undefined;
    // The deserialize step runs after signing: the request as it goes on the wire.
    alice.middlewareStack.add((next) => async (args) => {
      const request = args.request as HttpRequest;
      captured = { headers: { ...request.headers } as Record<string, string>, body: String(request.body) };
      return next(args);
    }, { step: 'deserialize', name: 'captureSignedRequest' });
    try {
      await alice.send(new SendCommandCommand({ DocumentName: 'AWS-RunShellScript', Parameters: { commands: ['echo benign-command'] }, Targets: [{ Key: 'tag:Env', Values: ['prod'] }] }));
    } finally {
      alice.middlewareStack.remove('captureSignedRequest');
    }
    assert.ok(captured);
    assert.equal(captured.headers['x-amz-content-sha256'], sha256(captured.body), 'the SDK signs the body hash as a header');
    const forged = swap(captured.body, 'echo benign-command', 'rm -rf /important!!');
    const replay = await post(captured.headers, forged);
    assert.equal(replay.status, 400, JSON.stringify(replay.body));
    assert.equal(replay.body.__type, 'InvalidSignatureException');
    const message = String(replay.body.message);
    assert.ok(message.startsWith(`${MISMATCH}\n\nThe Canonical String for this request should have been\n`), message);
    assert.ok(message.includes(`\n${sha256(forged)}'\n`), 'the canonical request is computed from the body received');

    const { Commands } = await alice.send(new ListCommandsCommand({}));
    assert.deepEqual(Commands!.map((c) => c.Parameters?.commands), [['echo benign-command']]);
  });

  test('finding 1: the agent\'s ssm and ec2messages calls replayed with a swapped body are refused', async () => {
    const { ActivationId, ActivationCode } = await alice.send(new CreateActivationCommand({ IamRole: 'SSMServiceRole', RegistrationLimit: 1 }));
    const transport = new CapturingTransport(server.app.endpoint, sockets, 'us-east-1');
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const agent = await SimulatedAgent.register(transport, { ActivationId: ActivationId!, ActivationCode: ActivationCode! },
      publicKey.export({ format: 'der', type: 'spki' }).toString('base64'), privateKey, 'sigattack-agent');

    // ssm: RequestManagedInstanceRoleToken (RSA-signed) and UpdateInstanceInformation (signed with the issued key).
    const [, tokenRequest, heartbeat] = transport.sent;
    assert.equal(tokenRequest.headers['x-amz-target'], 'AmazonSSM.RequestManagedInstanceRoleToken');
    const token = await transport.request(tokenRequest.headers, swap(tokenRequest.body, 'sigattack-agent', 'sigattack-agenX'), 10_000);
    assert.deepEqual([token.status, token.body.__type], [400, 'InvalidSignatureException']);
    assert.equal(heartbeat.headers['x-amz-target'], 'AmazonSSM.UpdateInstanceInformation');
    const forgedHeartbeat = await transport.request(heartbeat.headers, swap(heartbeat.body, 'Debian GNU/Linux', 'Forged GNU/Linux'), 10_000);
    assert.deepEqual([forgedHeartbeat.status, forgedHeartbeat.body.__type], [400, 'InvalidSignatureException']);
    const { InstanceInformationList } = await alice.send(new DescribeInstanceInformationCommand({ Filters: [{ Key: 'InstanceIds', Values: [agent.nodeId] }] }));
    assert.equal(InstanceInformationList![0].PlatformName, 'Debian GNU/Linux');

    // ec2messages: the reply that would end an invocation, signed by the agent but held back (so this does
    // not depend on a delivery), then sent with other output of the same length.
    transport.hold = true;
    await agent.call('ec2messages', 'EC2WindowsMessageDeliveryService.SendReply', {
      MessageId: `aws.ssm.${randomUUID()}.${agent.nodeId}`, ReplyId: randomUUID(), Payload: JSON.stringify(successReply('aws:runShellScript', 'benign-output', new Date())),
    });
    transport.hold = false;
    const reply = transport.sent.at(-1)!;
    assert.equal(reply.headers['x-amz-target'], 'EC2WindowsMessageDeliveryService.SendReply');
    const forgedReply = await transport.request(reply.headers, swap(reply.body, 'benign-output', 'forged-output'), 10_000);
    assert.deepEqual([forgedReply.status, forgedReply.body.__type], [400, 'InvalidSignatureException']);
    assert.match(String(forgedReply.body.message), /^The request signature we calculated does not match/);
  });

  test('finding 1: a signed control request replayed with a swapped body is refused', async () => {
    const path = '/_mw/nodes/i-0aaaaaaaaaaaaaaa1';
    const body = JSON.stringify({ tags: { Env: 'prod' } });
    const request = await signer().sign({
      method: 'PUT', protocol: 'http:', hostname: url.hostname, port: Number(url.port), path, query: {}, body,
      headers: { host: url.host, 'content-type': 'application/json' },
    });
    const replay = await post(request.headers as Record<string, string>, swap(body, 'prod', 'evil'), path, 'PUT');
    assert.deepEqual([replay.status, replay.body.__type], [403, 'InvalidSignatureException']);
    const nodes = await fetch(`${server.app.endpoint}/_mw/nodes`, { headers: { authorization: `Bearer ${controlToken(ALICE)}` } });
    const ids = ((await nodes.json()) as { nodes: { id: string }[] }).nodes.map((n) => n.id);
    assert.ok(!ids.includes('i-0aaaaaaaaaaaaaaa1'), 'nothing was stored');
  });

  test('finding 2: a signature must cover host, and every x-amz-* header sent (a DescribeActivations is not a ListCommands)', async () => {
    const noHost = await signer().sign(signed('AmazonSSM.DescribeActivations', '{}'), { unsignableHeaders: new Set(['host']) });
    assert.deepEqual(await post(noHost.headers as Record<string, string>, '{}'), {
      status: 400, body: { __type: 'IncompleteSignatureException', message: "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization." },
    });

    const noTarget = await signer().sign(signed('AmazonSSM.DescribeActivations', '{}'), { unsignableHeaders: new Set(['x-amz-target']) });
    const asListCommands = { ...noTarget.headers as Record<string, string>, 'x-amz-target': 'AmazonSSM.ListCommands' };
    assert.deepEqual(await post(asListCommands, '{}'), {
      status: 400, body: { __type: 'IncompleteSignatureException', message: 'There were headers present in the request which were not signed. HeadersNotSigned: x-amz-target' },
    });

    // Signed, as every SDK signs it: the changed target no longer matches the signature.
    const withTarget = await signer().sign(signed('AmazonSSM.DescribeActivations', '{}'));
    const retargeted = await post({ ...withTarget.headers as Record<string, string>, 'x-amz-target': 'AmazonSSM.ListCommands' }, '{}');
    assert.deepEqual([retargeted.status, retargeted.body.__type], [400, 'InvalidSignatureException']);
    assert.equal((await post(withTarget.headers as Record<string, string>, '{}')).status, 200, 'the request as signed is served');
  });

  test('finding 2: presigned X-Amz-Expires must be a whole number of seconds, at most a week, and expires on the real clock', async () => {
    const presigned = async (expiresIn: unknown, signingDate = new Date()) => {
      const request = await signer().presign(signed('AmazonSSM.DescribeActivations', '{}'), { expiresIn: expiresIn as number, signingDate });
      return post({ 'content-type': JSON_TYPE, 'x-amz-target': 'AmazonSSM.DescribeActivations' }, '{}',
        `/?${new URLSearchParams(request.query as Record<string, string>)}`);
    };
    assert.equal((await presigned(300)).status, 200);
    // The signer will not write more than a week itself: this value compares as 1 and prints as 99999999.
    const tooLong = { valueOf: () => 1, toString: () => '99999999' };
    const incomplete = (message: string) => ({ status: 400, body: { __type: 'IncompleteSignatureException', message } });
    assert.deepEqual(await presigned('abc'), incomplete('X-Amz-Expires should be a number'));
    assert.deepEqual(await presigned(-5), incomplete('X-Amz-Expires must be non-negative'));
    assert.deepEqual(await presigned(tooLong),
      incomplete('X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires must be less than 604800 seconds'));
    const zero = await presigned(0);
    assert.deepEqual([zero.status, zero.body.__type], [400, 'InvalidSignatureException']);
    assert.match(String(zero.body.message), /^Signature expired: .* - 0 sec\.\)$/);
    const lapsed = await presigned(60, new Date(Date.now() - 120_000));
    assert.match(String(lapsed.body.message), /^Signature expired: .* - 60 sec\.\)$/);
  });

  test('finding 3: X-Amz-Target names from Object.prototype are unknown operations, after authentication', async () => {
    const names = ['constructor', 'toString', '__proto__', 'valueOf', 'hasOwnProperty',
      'AmazonSSM.constructor', 'AmazonSSM.toString', 'AmazonSSM.__proto__', 'AmazonSSM.valueOf', 'AmazonSSM.hasOwnProperty',
      'EC2WindowsMessageDeliveryService.constructor'];
    for (const target of names) {
      const anonymous = await post({ 'content-type': JSON_TYPE, 'x-amz-target': target }, '{"probe":"echo me"}');
      assert.deepEqual(anonymous, { status: 400, body: { __type: 'MissingAuthenticationTokenException', message: 'Request is missing Authentication Token' } }, target);
      const request = await signer().sign(signed(target, '{}'));
      assert.deepEqual(await post(request.headers as Record<string, string>, '{}'),
        { status: 400, body: { __type: 'UnknownOperationException', message: `Unknown operation ${target}.` } }, target);
    }
  });
});
