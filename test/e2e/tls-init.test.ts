// `tls init DIR` (issue 24): a private CA and a server certificate it signed, so the stock SSM Agent (which
// speaks only https:// and wss:// to Session Manager) can trust the service. The files are checked by
// Node's and OpenSSL's verifiers, then served: the SDK and the aws CLI trusting only ca.pem get answers, a
// client that does not trust it is refused.

import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, unlinkSync } from 'node:fs';
import { Agent } from 'node:https';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, describe, test } from 'node:test';
import { CreateMaintenanceWindowCommand, DescribeMaintenanceWindowsCommand, SSMClient } from '@aws-sdk/client-ssm';
import { initTls } from '../../src/cli/tls-init.ts';
import { startTestServer } from '../support/server.ts';

const run = promisify(execFile);
const node = process.execPath;
const hasOpenssl = spawnSync('openssl', ['version'], { stdio: 'ignore' }).status === 0;
const hasAws = spawnSync('aws', ['--version'], { stdio: 'ignore' }).status === 0;
const DAY_MS = 24 * 60 * 60 * 1000;

const root = mkdtempSync(join(tmpdir(), 'mw-tls-init-'));

/** The CLI as a user runs it; resolves with its exit status and output instead of throwing. */
function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return run(node, ['src/cli/main.ts', 'tls', ...args], { timeout: 30_000 }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );
}

const mode = (file: string) => statSync(file).mode & 0o777;
const cert = (file: string) => new X509Certificate(readFileSync(file));

function client(endpoint: string, ca?: Buffer): SSMClient {
  return new SSMClient({
    endpoint, region: 'us-east-1', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'x' }, maxAttempts: 1,
    requestHandler: { httpsAgent: new Agent(ca ? { ca } : {}) },
  });
}

describe('tls init', () => {
  after(() => rmSync(root, { recursive: true, force: true }));
  test('writes a CA and a server certificate for every --name and --ip, keys 0600, and prints the next steps', async () => {
    const dir = join(root, 'named');
    const { code, stdout, stderr } = await cli('init', dir, '--name', 'mw.example.test', '--name', 'localhost', '--ip', '127.0.0.1', '--ip', '10.1.2.3', '--ip', 'fd00::42');
    assert.equal(code, 0, stderr);
    assert.equal(mode(join(dir, 'ca-key.pem')), 0o600);
    assert.equal(mode(join(dir, 'server-key.pem')), 0o600);
    assert.match(stdout, new RegExp(`npm start -- --tls-cert ${join(dir, 'server.pem')} --tls-key ${join(dir, 'server-key.pem')}`));
    assert.match(stdout, /\/usr\/local\/share\/ca-certificates\/mw-local\.crt && update-ca-certificates/);
    assert.match(stdout, /\/etc\/pki\/ca-trust\/source\/anchors\/.* && update-ca-trust/);
    assert.match(stdout, /--ca-bundle .*ca\.pem/);

    const ca = cert(join(dir, 'ca.pem'));
    const server = cert(join(dir, 'server.pem'));
    assert.equal(ca.ca, true);
    assert.ok(ca.verify(ca.publicKey), 'the CA is self-signed');
    assert.equal(server.ca, false);
    assert.ok(server.checkIssued(ca) && server.verify(ca.publicKey), 'the CA signed the server certificate');
    assert.equal(server.subjectAltName, 'DNS:mw.example.test, DNS:localhost, IP Address:127.0.0.1, IP Address:10.1.2.3, IP Address:FD00:0:0:0:0:0:0:42');
    assert.deepEqual(server.keyUsage, ['1.3.6.1.5.5.7.3.1']); // Node lists the extended key usage here: serverAuth
    const days = (Date.parse(server.validTo) - Date.parse(server.validFrom)) / DAY_MS;
    assert.ok(days > 365 && days <= 825, `server validity ${days} days: macOS and Go accept at most 825`);
    assert.ok(Date.parse(server.validFrom) <= Date.now() && Date.now() < Date.parse(server.validTo));
    assert.equal(server.publicKey.asymmetricKeyDetails?.namedCurve, 'prime256v1');
  });

  test('OpenSSL reads the certificates as meant and verifies the chain (also with -x509_strict)', { skip: !hasOpenssl && 'no openssl on this machine' }, async () => {
    const dir = join(root, 'named');
    const caText = (await run('openssl', ['x509', '-in', join(dir, 'ca.pem'), '-noout', '-text'])).stdout;
    assert.match(caText, /Basic Constraints: critical\s+CA:TRUE/);
    assert.match(caText, /Key Usage: critical\s+Certificate Sign, CRL Sign/);
    const serverText = (await run('openssl', ['x509', '-in', join(dir, 'server.pem'), '-noout', '-text'])).stdout;
    assert.match(serverText, /Basic Constraints: critical\s+CA:FALSE/);
    assert.match(serverText, /Extended Key Usage: \s+TLS Web Server Authentication/);
    assert.match(serverText, /DNS:mw\.example\.test, DNS:localhost, IP Address:127\.0\.0\.1, IP Address:10\.1\.2\.3, IP Address:FD00:0:0:0:0:0:0:42/);
    assert.match(serverText, /Signature Algorithm: ecdsa-with-SHA256/);
    for (const strict of [[], ['-x509_strict']]) {
      const { stdout } = await run('openssl', ['verify', ...strict, '-purpose', 'sslserver', '-CAfile', join(dir, 'ca.pem'), join(dir, 'server.pem')]);
      assert.equal(stdout.trim(), `${join(dir, 'server.pem')}: OK`);
    }
  });

  test('refuses to overwrite without --force; keeps the CA when re-issuing, so machines keep trusting it', async () => {
    const dir = join(root, 'reissue');
    assert.equal((await cli('init', dir)).code, 0);
    const before = { ca: readFileSync(join(dir, 'ca.pem')), caKey: readFileSync(join(dir, 'ca-key.pem')), server: readFileSync(join(dir, 'server.pem')) };

    const refused = await cli('init', dir, '--name', 'new.example.test');
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /refusing to overwrite .*server\.pem and .*server-key\.pem; pass --force/);
    assert.deepEqual(readFileSync(join(dir, 'server.pem')), before.server, 'nothing changed');

    const forced = await cli('init', dir, '--name', 'new.example.test', '--force');
    assert.equal(forced.code, 0, forced.stderr);
    assert.match(forced.stdout, /^Kept the CA/);
    assert.equal(mode(join(dir, 'server-key.pem')), 0o600);
    assert.deepEqual(readFileSync(join(dir, 'ca.pem')), before.ca);
    assert.deepEqual(readFileSync(join(dir, 'ca-key.pem')), before.caKey);
    assert.equal(cert(join(dir, 'server.pem')).subjectAltName, 'DNS:new.example.test, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1');

    // Only the server certificate missing: a new one from the same CA, no --force needed.
    unlinkSync(join(dir, 'server.pem'));
    unlinkSync(join(dir, 'server-key.pem'));
    const files = await initTls(dir, { names: ['third.example.test'] });
    assert.deepEqual(readFileSync(files.caCert), before.ca);
    assert.ok(cert(files.cert).checkIssued(cert(files.caCert)) && cert(files.cert).verify(cert(files.caCert).publicKey));

    const lone = join(root, 'lone-ca');
    await initTls(lone);
    unlinkSync(join(lone, 'ca-key.pem'));
    unlinkSync(join(lone, 'server.pem'));
    unlinkSync(join(lone, 'server-key.pem'));
    await assert.rejects(initTls(lone), /ca\.pem is there without .*ca-key\.pem/);
  });

  test('defaults: localhost and this machine\'s name, 127.0.0.1 and ::1; quick enough for every test to make its own', async () => {
    const started = performance.now();
    const files = await initTls(join(root, 'defaults'));
    assert.ok(performance.now() - started < 1000, `took ${performance.now() - started} ms`);
    const names = [...new Set(['localhost', hostname()])].map((n) => `DNS:${n}`).join(', ');
    assert.equal(cert(files.cert).subjectAltName, `${names}, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1`);
    assert.deepEqual(Object.keys(files), ['caCert', 'caKey', 'cert', 'key']);
  });

  test('usage errors exit 2 with the reason', async () => {
    for (const [args, message] of [
      [['init'], /usage: tls init DIR/],
      [['create', join(root, 'x')], /usage: tls init DIR/],
      [['init', join(root, 'x'), '--ip', '300.1.1.1'], /--ip must be an IPv4 or IPv6 address, got '300\.1\.1\.1'/],
      [['init', join(root, 'x'), '--name', 'bad name'], /--name must be a DNS name/],
    ] as const) {
      const { code, stderr } = await cli(...args);
      assert.equal(code, 2, stderr);
      assert.match(stderr, message);
    }
  });

  test('served: the SDK and the aws CLI trusting only ca.pem get answers; a client that does not trust it is refused', async (t) => {
    const files = await initTls(join(root, 'served'), { names: ['localhost'], ips: ['127.0.0.1'] });
    const ca = readFileSync(files.caCert);
    const server = await startTestServer({ tlsCertFile: files.cert, tlsKeyFile: files.key });
    const trusting = client(server.app.endpoint, ca);
    const untrusting = client(server.app.endpoint);
    try {
      assert.match(server.app.endpoint, /^https:\/\/127\.0\.0\.1:\d+$/);
      await trusting.send(new CreateMaintenanceWindowCommand({ Name: 'over-tls', Schedule: 'rate(1 day)', Duration: 2, Cutoff: 1, AllowUnassociatedTargets: true }));
      const { WindowIdentities } = await trusting.send(new DescribeMaintenanceWindowsCommand({}));
      assert.deepEqual(WindowIdentities?.map((w) => w.Name), ['over-tls']);

      const refused = await untrusting.send(new DescribeMaintenanceWindowsCommand({})).then(() => undefined, (e: unknown) => e);
      assert.equal((refused as { code?: string })?.code, 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', String(refused));

      if (hasAws) {
        // No AWS_CA_BUNDLE from outside (the CLI would trust that), and not an empty one: botocore takes '' as "do not verify".
        const { AWS_CA_BUNDLE: _, ...outside } = process.env;
        const env = { ...outside, AWS_DEFAULT_REGION: 'us-east-1', AWS_PAGER: '', AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'x', AWS_MAX_ATTEMPTS: '1' };
        const aws = (...extra: string[]) => run('aws', ['ssm', 'describe-maintenance-windows', '--endpoint-url', server.app.endpoint, '--output', 'json', ...extra], { env, timeout: 60_000 });
        const { stdout } = await aws('--ca-bundle', files.caCert);
        assert.deepEqual(JSON.parse(stdout).WindowIdentities.map((w: { Name: string }) => w.Name), ['over-tls']);
        const without = await aws().then(() => 'answered', (e: { stderr: string }) => e.stderr);
        assert.match(without, /SSL|certificate verify failed/, 'the aws CLI without --ca-bundle refuses the certificate');
      } else {
        t.diagnostic('aws CLI part skipped: no aws CLI on this machine');
      }
    } finally {
      trusting.destroy();
      untrusting.destroy();
      await server.stop();
    }
  });
});
