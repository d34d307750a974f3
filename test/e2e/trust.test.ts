// Trust (issue 12): with --credentials every AWS API request must carry a valid SigV4 signature of a
// configured key, and the errors are AWS's; two keys of two accounts see nothing of each other; with
// --tls-cert/--tls-key the same port speaks HTTPS; a non-loopback address needs credentials.

import assert from 'node:assert/strict';
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Agent } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { CreateMaintenanceWindowCommand, DescribeMaintenanceWindowsCommand, SSMClient } from '@aws-sdk/client-ssm';
import { SignatureV4 } from '@smithy/signature-v4';
import { Sha256 } from '../../src/wire/sigv4.ts';
import { StartupError } from '../../src/app.ts';
import { controlToken } from '../../src/wire/control-auth.ts';
import { rejectsWith } from '../support/errors.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const run = promisify(execFile);
const hasAws = spawnSync('aws', ['--version'], { stdio: 'ignore' }).status === 0;
const hasBoto3 = spawnSync('python3', ['-c', 'import boto3'], { stdio: 'ignore' }).status === 0;

const ALICE = { accessKeyId: 'AKIAALICE0000000000A', secretAccessKey: 'alice-secret', accountId: '111111111111' };
const BOB = { accessKeyId: 'AKIABOB00000000000B0', secretAccessKey: 'bob-secret', accountId: '222222222222' };
const TEMP = { accessKeyId: 'ASIATEMP0000000000T0', secretAccessKey: 'temp-secret', accountId: '111111111111', sessionToken: 'the-session-token' };
const MISMATCH = 'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';

function client(endpoint: string, key: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }, extra: Record<string, unknown> = {}): SSMClient {
  return new SSMClient({ endpoint, region: 'us-east-1', credentials: key, maxAttempts: 1, ...extra });
}

describe('trust: verified signatures, isolated accounts, TLS', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mw-trust-'));
  const credentialsFile = join(dir, 'credentials.json');
  let server: TestServer;
  const clients: SSMClient[] = [];
  const make = (key: Parameters<typeof client>[1], extra: Record<string, unknown> = {}) => {
    const c = client(server.app.endpoint, key, extra);
    clients.push(c);
    return c;
  };
  before(async () => {
    writeFileSync(credentialsFile, JSON.stringify([ALICE, BOB, TEMP]));
    server = await startTestServer({ credentialsFile });
  });
  after(async () => {
    for (const c of clients) c.destroy();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('the right keys work, and two accounts see nothing of each other', async () => {
    const alice = make(ALICE);
    const bob = make(BOB);
    const { WindowId } = await alice.send(new CreateMaintenanceWindowCommand({ Name: 'alice-window', Schedule: 'rate(1 day)', Duration: 2, Cutoff: 1, AllowUnassociatedTargets: true }));
    await bob.send(new CreateMaintenanceWindowCommand({ Name: 'bob-window', Schedule: 'rate(1 day)', Duration: 2, Cutoff: 1, AllowUnassociatedTargets: true }));
    const names = async (c: SSMClient) => (await c.send(new DescribeMaintenanceWindowsCommand({}))).WindowIdentities!.map((w) => w.Name);
    assert.deepEqual(await names(alice), ['alice-window']);
    assert.deepEqual(await names(bob), ['bob-window']);
    assert.deepEqual(await names(make(TEMP)), ['alice-window'], "a session key of Alice's account sees Alice's windows");
    assert.match(WindowId!, /^mw-/);
  });

  test('a wrong secret is InvalidSignatureException with the canonical request AWS computed', async () => {
    const wrong = make({ ...ALICE, secretAccessKey: 'not-the-secret' });
    const error = await wrong.send(new DescribeMaintenanceWindowsCommand({})).then(() => undefined, (e: any) => e);
    assert.equal(error?.name, 'InvalidSignatureException');
    assert.equal(error.$metadata.httpStatusCode, 400);
    assert.ok(error.message.startsWith(`${MISMATCH}\n\nThe Canonical String for this request should have been\n'POST\n/\n\n`), error.message);
    assert.match(error.message, /\n\nThe String-to-Sign should have been\n'AWS4-HMAC-SHA256\n\d{8}T\d{6}Z\n\d{8}\/us-east-1\/ssm\/aws4_request\n[0-9a-f]{64}'\n$/);
  });

  test('an unknown key, or a session key without its token, is UnrecognizedClientException', async () => {
    await rejectsWith(make({ accessKeyId: 'AKIANOBODY0000000000', secretAccessKey: 'x' }).send(new DescribeMaintenanceWindowsCommand({})),
      'UnrecognizedClientException', 'The security token included in the request is invalid.');
    const { sessionToken: _, ...withoutToken } = TEMP;
    await rejectsWith(make(withoutToken).send(new DescribeMaintenanceWindowsCommand({})), 'UnrecognizedClientException', 'The security token included in the request is invalid.');
    await rejectsWith(make({ ...TEMP, sessionToken: 'another' }).send(new DescribeMaintenanceWindowsCommand({})), 'UnrecognizedClientException');
  });

  test('a clock 10 minutes off either way: Signature expired / not yet current', async () => {
    await rejectsWith(make(ALICE, { systemClockOffset: -10 * 60_000 }).send(new DescribeMaintenanceWindowsCommand({})), 'InvalidSignatureException',
      /^Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z \(\d{8}T\d{6}Z - 5 min\.\)$/);
    await rejectsWith(make(ALICE, { systemClockOffset: 10 * 60_000 }).send(new DescribeMaintenanceWindowsCommand({})), 'InvalidSignatureException',
      /^Signature not yet current: \d{8}T\d{6}Z is still later than \d{8}T\d{6}Z \(\d{8}T\d{6}Z \+ 5 min\.\)$/);
  });

  test('no signature, and an incomplete Authorization header, on the wire', async () => {
    const post = (headers: Record<string, string>) => fetch(server.app.endpoint, {
      method: 'POST', body: '{}', signal: AbortSignal.timeout(10_000),
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AmazonSSM.DescribeMaintenanceWindows', ...headers },
    }).then(async (r) => ({ status: r.status, body: await r.json() as { __type: string; message: string } }));
    assert.deepEqual(await post({}), { status: 400, body: { __type: 'MissingAuthenticationTokenException', message: 'Request is missing Authentication Token' } });
    const auth = 'AWS4-HMAC-SHA256 Credential=AKIAALICE0000000000A/20260101/us-east-1/ssm/aws4_request';
    assert.deepEqual(await post({ authorization: auth }), {
      status: 400,
      body: {
        __type: 'IncompleteSignatureException',
        message: "Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. "
          + "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=" + auth,
      },
    });
  });

  test('a presigned request (signature in the query) is accepted, and refused once tampered with', async () => {
    const url = new URL(server.app.endpoint);
    const body = JSON.stringify({ MaxResults: 10 });
    const signer = new SignatureV4({ service: 'ssm', region: 'us-east-1', credentials: BOB, sha256: Sha256 });
    const presigned = await signer.presign({
      method: 'POST', protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: '/', query: {},
      headers: { host: url.host, 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AmazonSSM.DescribeMaintenanceWindows' }, body,
    }, { expiresIn: 300 });
    const query = new URLSearchParams(presigned.query as Record<string, string>).toString();
    const send = (text: string) => fetch(`${server.app.endpoint}/?${query}`, {
      method: 'POST', body: text, signal: AbortSignal.timeout(10_000),
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AmazonSSM.DescribeMaintenanceWindows' },
    });
    const ok = await send(body);
    assert.equal(ok.status, 200);
    assert.deepEqual(((await ok.json()) as { WindowIdentities: { Name: string }[] }).WindowIdentities.map((w) => w.Name), ['bob-window']);
    const tampered = await send(JSON.stringify({ MaxResults: 11 }));
    assert.equal(tampered.status, 400);
    assert.equal(((await tampered.json()) as { __type: string }).__type, 'InvalidSignatureException');
  });

  test('boto3 and the aws CLI sign as AWS expects; a wrong secret gets the same error', { skip: (!hasAws || !hasBoto3) && 'boto3 or the aws CLI not installed' }, async () => {
    const env = { ...process.env, AWS_DEFAULT_REGION: 'us-east-1', AWS_PAGER: '', AWS_ACCESS_KEY_ID: BOB.accessKeyId, AWS_SECRET_ACCESS_KEY: BOB.secretAccessKey };
    const { stdout } = await run('aws', ['ssm', 'describe-maintenance-windows', '--endpoint-url', server.app.endpoint, '--output', 'json'], { env, timeout: 60_000 });
    assert.deepEqual(JSON.parse(stdout).WindowIdentities.map((w: { Name: string }) => w.Name), ['bob-window']);
    const wrong = await run('aws', ['ssm', 'describe-maintenance-windows', '--endpoint-url', server.app.endpoint], { env: { ...env, AWS_SECRET_ACCESS_KEY: 'wrong' }, timeout: 60_000 })
      .then(() => '', (e: { stderr: string }) => e.stderr);
    assert.match(wrong, /InvalidSignatureException/);
    const script = `
import boto3, sys
from botocore.config import Config
c = boto3.client('ssm', endpoint_url=sys.argv[1], aws_access_key_id=sys.argv[2], aws_secret_access_key=sys.argv[3], config=Config(retries={'max_attempts': 1}))
print(','.join(w['Name'] for w in c.describe_maintenance_windows()['WindowIdentities']))
`;
    const boto = await run('python3', ['-c', script, server.app.endpoint, ALICE.accessKeyId, ALICE.secretAccessKey], { env, timeout: 60_000 });
    assert.equal(boto.stdout.trim(), 'alice-window');
  });

  test('control routes need a key too: a SigV4 signature (the CLI signs) or a bearer token; health stays open', async () => {
    const get = (path: string, headers: Record<string, string> = {}) => fetch(`${server.app.endpoint}${path}`, { headers, signal: AbortSignal.timeout(10_000) })
      .then(async (r) => ({ status: r.status, body: await r.json() as Record<string, unknown> }));
    assert.equal((await get('/_mw/health')).status, 200);
    const anonymous = await get('/_mw/nodes');
    assert.deepEqual([anonymous.status, anonymous.body.__type], [401, 'MissingAuthenticationTokenException']);
    const bob = { authorization: `Bearer ${controlToken(BOB)}` };
    assert.deepEqual(await get('/_mw/nodes', bob), { status: 200, body: { nodes: [] } });
    const forged = await get('/_mw/nodes', { authorization: `Bearer ${controlToken({ ...BOB, secretAccessKey: 'guess' })}` });
    assert.deepEqual([forged.status, forged.body.__type], [403, 'UnrecognizedClientException']);
    const otherAccount = await get(`/_mw/nodes?account=${ALICE.accountId}`, bob);
    assert.deepEqual([otherAccount.status, otherAccount.body.__type], [403, 'AccessDeniedException'], "Bob's key cannot act in Alice's account");

    const cli = (env: Record<string, string>) => run(process.execPath, ['src/cli/main.ts', 'nodes', 'put', 'i-0aaaaaaaaaaaaaaa1', '--tag', 'Env=prod', '--endpoint', server.app.endpoint], {
      env: { ...process.env, AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '', ...env }, timeout: 30_000,
    }).then((r) => ({ code: 0, out: r.stdout }), (e: { code: number; stderr: string }) => ({ code: e.code, out: e.stderr }));
    const signed = await cli({ AWS_ACCESS_KEY_ID: ALICE.accessKeyId, AWS_SECRET_ACCESS_KEY: ALICE.secretAccessKey });
    assert.equal(signed.code, 0, signed.out);
    const unsigned = await cli({});
    assert.equal(unsigned.code, 1);
    assert.match(unsigned.out, /MissingAuthenticationTokenException/);
    const aliceNodes = await get('/_mw/nodes', { authorization: `Bearer ${controlToken(ALICE)}` });
    assert.deepEqual((aliceNodes.body.nodes as { id: string }[]).map((n) => n.id), ['i-0aaaaaaaaaaaaaaa1'], "the signed CLI call acted in Alice's account");
    assert.deepEqual((await get('/_mw/nodes', bob)).body, { nodes: [] });
  });

  test('the keys are read again on reload: a removed key stops working, an added one starts', async () => {
    writeFileSync(credentialsFile, JSON.stringify([ALICE, { ...BOB, secretAccessKey: 'bob-new-secret' }, TEMP]));
    server.app.reloadCredentials!();
    await rejectsWith(make(BOB).send(new DescribeMaintenanceWindowsCommand({})), 'InvalidSignatureException');
    assert.equal((await make({ ...BOB, secretAccessKey: 'bob-new-secret' }).send(new DescribeMaintenanceWindowsCommand({}))).WindowIdentities!.length, 1);
    writeFileSync(credentialsFile, '[{"accessKeyId": "broken"');
    assert.throws(() => server.app.reloadCredentials!(), /not JSON/);
    assert.equal((await make(ALICE).send(new DescribeMaintenanceWindowsCommand({}))).WindowIdentities!.length, 1, 'a broken file keeps the keys in use');
  });
});

describe('trust: TLS and exposure', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mw-tls-'));
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  before(() => {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1',
      '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost'], { stdio: 'ignore' });
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('--tls-cert/--tls-key: the SDK, boto3 and the aws CLI work over HTTPS on the same port', async () => {
    const server = await startTestServer({ tlsCertFile: cert, tlsKeyFile: key });
    const sdk = client(server.app.endpoint, ALICE, { requestHandler: { httpsAgent: new Agent({ ca: execFileSync('cat', [cert]) }) } });
    try {
      assert.match(server.app.endpoint, /^https:\/\/127\.0\.0\.1:\d+$/);
      await sdk.send(new CreateMaintenanceWindowCommand({ Name: 'over-tls', Schedule: 'rate(1 day)', Duration: 2, Cutoff: 1, AllowUnassociatedTargets: true }));
      if (hasAws) {
        const env = { ...process.env, AWS_DEFAULT_REGION: 'us-east-1', AWS_PAGER: '', AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'x' };
        const { stdout } = await run('aws', ['ssm', 'describe-maintenance-windows', '--endpoint-url', server.app.endpoint, '--ca-bundle', cert, '--output', 'json'], { env, timeout: 60_000 });
        assert.deepEqual(JSON.parse(stdout).WindowIdentities.map((w: { Name: string }) => w.Name), ['over-tls']);
      }
      const plain = await fetch(server.app.endpoint.replace('https:', 'http:'), { signal: AbortSignal.timeout(5_000) }).then(() => 'answered', () => 'refused');
      assert.equal(plain, 'refused', 'plain HTTP is not served on a TLS port');
    } finally {
      sdk.destroy();
      await server.stop();
    }
  });

  test('a non-loopback address without --credentials is refused, with the reason; --insecure-open accepts it', async () => {
    const refused = await startTestServer({ host: '0.0.0.0' }).then(() => undefined, (e: unknown) => e);
    assert.ok(refused instanceof StartupError, String(refused));
    assert.equal(refused.failed.step, 'exposure');
    const open = await startTestServer({ host: '0.0.0.0', insecureOpen: true });
    await open.stop();
  });
});
