// The SigV4 verifier on its own (issue 28, findings 1 and 2): what binds a signature to the request it
// came with. Requests are signed by @smithy/signature-v4, the JS SDK's signer, as a client signs them.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import { SignatureV4 } from '@smithy/signature-v4';
import type { HttpRequest } from '@smithy/types';
import { Sha256, SignatureVerifier, type SignedRequest } from '../../src/wire/sigv4.ts';

const KEY = { accessKeyId: 'AKIAUNIT000000000001', secretAccessKey: 'unit-secret', accountId: '123456789012' };
const HOST = 'ssm.example.test:4100';
const NOW = Date.UTC(2026, 0, 2, 3, 4, 5);
const verifier = new SignatureVerifier({ find: (id) => (id === KEY.accessKeyId ? KEY : undefined) }, { now: () => NOW });
const signer = new SignatureV4({ service: 'ssm', region: 'us-east-1', credentials: KEY, sha256: Sha256 });
const MISMATCH = /^The request signature we calculated does not match the signature you provided/;

function request(body: string, headers: Record<string, string> = {}, target = 'AmazonSSM.ListCommands'): HttpRequest {
  return {
    method: 'POST', protocol: 'http:', hostname: 'ssm.example.test', port: 4100, path: '/', query: {}, body,
    headers: { host: HOST, 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': target, ...headers },
  };
}

/** The signed request as the service receives it: its headers (lower-case), the path and query, a body. */
function received(signed: HttpRequest, body = String(signed.body)): SignedRequest {
  const headers = Object.fromEntries(Object.entries(signed.headers).map(([k, v]) => [k.toLowerCase(), v]));
  const query = new URLSearchParams(signed.query as Record<string, string>).toString();
  return { method: signed.method, url: query ? `/?${query}` : '/', headers, body };
}

async function refusal(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  const error = await promise.then(() => undefined, (e: { code: string; message: string }) => e);
  assert.ok(error, 'expected a refusal, the request was accepted');
  return { code: error.code, message: error.message };
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

describe('SigV4 verifier', () => {
  test('a signed request is accepted as it was signed', async () => {
    const signed = await signer.sign(request('{"MaxResults":5}'), { signingDate: new Date(NOW) });
    assert.equal((await verifier.verify(received(signed))).account, KEY.accountId);
  });

  test('the body is hashed as received: a signed x-amz-content-sha256 does not vouch for another body', async () => {
    const signed = await signer.sign(request('{"Comment":"echo benign-command"}'), { signingDate: new Date(NOW) });
    assert.equal(signed.headers['x-amz-content-sha256'], sha256('{"Comment":"echo benign-command"}'), 'the JS SDK signer sends the header');
    const swapped = '{"Comment":"rm -rf /important!!"}';
    const { code, message } = await refusal(verifier.verify(received(signed, swapped)));
    assert.equal(code, 'InvalidSignatureException');
    assert.match(message, MISMATCH);
    assert.ok(message.includes(`\n${sha256(swapped)}'`), 'the canonical request AWS would show ends with the hash of the body received');
  });

  test('an unsigned x-amz-content-sha256 that is the body\'s hash is accepted, as the stock agent\'s RSA signer sends it', async () => {
    // agent/ssm/rsaauth/v4.go adds X-Amz-Content-Sha256 after SignedHeaders is computed: AWS accepts that.
    const body = '{"Fingerprint":"abc"}';
    const signed = await signer.sign(request(body), { signingDate: new Date(NOW), unsignableHeaders: new Set(['x-amz-content-sha256']) });
    assert.doesNotMatch(String(signed.headers.authorization), /x-amz-content-sha256/, 'left out of SignedHeaders');
    assert.equal((await verifier.verify(received({ ...signed, headers: { ...signed.headers, 'x-amz-content-sha256': sha256(body) } }))).account, KEY.accountId);
    const { code } = await refusal(verifier.verify(received({ ...signed, headers: { ...signed.headers, 'x-amz-content-sha256': sha256(body) } }, '{"Fingerprint":"xyz"}')));
    assert.equal(code, 'InvalidSignatureException', 'and still bound to the body');
  });

  test('an x-amz-content-sha256 that is not the body\'s hash, UNSIGNED-PAYLOAD included, is refused', async () => {
    for (const claimed of ['UNSIGNED-PAYLOAD', sha256('something else')]) {
      const signed = await signer.sign(request('{}', { 'x-amz-content-sha256': claimed }), { signingDate: new Date(NOW) });
      const { code, message } = await refusal(verifier.verify(received(signed)));
      assert.equal(code, 'InvalidSignatureException', claimed);
      assert.match(message, MISMATCH);
    }
  });

  test('host must be signed', async () => {
    const signed = await signer.sign(request('{}'), { signingDate: new Date(NOW), unsignableHeaders: new Set(['host']) });
    assert.deepEqual(await refusal(verifier.verify(received(signed))), {
      code: 'IncompleteSignatureException', message: "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.",
    });
  });

  test('every x-amz-* header sent must be signed: an unsigned X-Amz-Target cannot pick the operation', async () => {
    const signed = await signer.sign(request('{}', {}, 'AmazonSSM.DescribeActivations'), { signingDate: new Date(NOW), unsignableHeaders: new Set(['x-amz-target']) });
    const replay = received(signed);
    replay.headers['x-amz-target'] = 'AmazonSSM.ListCommands';
    assert.deepEqual(await refusal(verifier.verify(replay)), {
      code: 'IncompleteSignatureException', message: 'There were headers present in the request which were not signed. HeadersNotSigned: x-amz-target',
    });
  });

  test('a header SignedHeaders names must be present, also one named like an Object.prototype member', async () => {
    const signed = await signer.sign(request('{}', { 'x-custom': 'one' }), { signingDate: new Date(NOW) });
    const without = received(signed);
    delete without.headers['x-custom'];
    assert.equal((await refusal(verifier.verify(without))).code, 'InvalidSignatureException');
    const named = await signer.sign(request('{}', { constructor: 'x' }), { signingDate: new Date(NOW) });
    const lacking = received(named);
    Reflect.deleteProperty(lacking.headers, 'constructor');
    assert.equal((await refusal(verifier.verify(lacking))).code, 'InvalidSignatureException');
  });

  test('presigned X-Amz-Expires: an integer 1..604800, else AWS\'s own words', async () => {
    const presign = (expiresIn: unknown, signingDate = new Date(NOW)) =>
      signer.presign(request('{}'), { signingDate, expiresIn: expiresIn as number });
    assert.equal((await verifier.verify(received(await presign(604_800)))).account, KEY.accountId);
    // The signer refuses to write more than a week itself; this value compares as 1 and prints as 99999999.
    const tooLong = { valueOf: () => 1, toString: () => '99999999' };
    const cases: [unknown, string, string | RegExp][] = [
      ['abc', 'IncompleteSignatureException', 'X-Amz-Expires should be a number'],
      ['1.5', 'IncompleteSignatureException', 'X-Amz-Expires should be a number'],
      [-1, 'IncompleteSignatureException', 'X-Amz-Expires must be non-negative'],
      [tooLong, 'IncompleteSignatureException', 'X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires must be less than 604800 seconds'],
      [0, 'InvalidSignatureException', /^Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z \(\d{8}T\d{6}Z - 0 sec\.\)$/],
    ];
    for (const [expires, code, message] of cases) {
      const refused = await refusal(verifier.verify(received(await presign(expires))));
      assert.equal(refused.code, code, String(expires));
      if (typeof message === 'string') assert.equal(refused.message, message);
      else assert.match(refused.message, message);
    }
    const old = await refusal(verifier.verify(received(await presign(60, new Date(NOW - 120_000)))));
    assert.match(old.message, /^Signature expired: .* - 60 sec\.\)$/);
  });

  test('a presigned request\'s hoisted X-Amz-Target is signed in the query; a different header is not', async () => {
    const presigned = await signer.presign(request('{}', {}, 'AmazonSSM.DescribeActivations'), { signingDate: new Date(NOW), expiresIn: 300 });
    assert.equal((presigned.query as Record<string, string>)['x-amz-target'], 'AmazonSSM.DescribeActivations');
    const same = received(presigned);
    same.headers['x-amz-target'] = 'AmazonSSM.DescribeActivations';
    assert.equal((await verifier.verify(same)).account, KEY.accountId);
    const other = received(presigned);
    other.headers['x-amz-target'] = 'AmazonSSM.ListCommands';
    assert.equal((await refusal(verifier.verify(other))).code, 'IncompleteSignatureException');
  });
});
