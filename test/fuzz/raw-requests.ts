// Requests at the HTTP level, written byte by byte: odd methods and paths, missing or garbage
// X-Amz-Target, Content-Length that lies, broken chunked encoding, oversized and malformed headers, bodies
// that trickle in or stop half-way. These go to the default account (or a fuzz account), never the
// baseline's. Every case is bounded in time: a stalled client gives up after `waitMs`.

import { MAX_BODY_BYTES } from '../../src/wire/http-server.ts';
import { authorization } from './api-requests.ts';
import { httpBytes, type RawPlan } from './http-client.ts';
import type { Prng } from './prng.ts';

export interface RawCase {
  kind: 'raw';
  label: string;
  plan: RawPlan;
  /** An HTTP answer must come (false when the client itself broke off and an answer is optional). */
  needsAnswer: boolean;
  /** The request line went to a control route (`/_mw/...`): its JSON errors are the control API's. */
  control: boolean;
  /** Printable request bytes, for the report. */
  text: string;
}

const FUZZ_AUTH = authorization({ account: '222222222222', region: 'us-east-1' });
const BODIES = ['{}', '{"WindowId":"mw-0123456789abcdef0"}', '{"MaxResults":10}', '{"Name":"raw-fuzz","Schedule":"rate(1 day)","Duration":2,"Cutoff":1,"AllowUnassociatedTargets":true}'];
const TARGETS = ['AmazonSSM.DescribeMaintenanceWindows', 'AmazonSSM.GetMaintenanceWindow', 'AmazonSSM.CreateMaintenanceWindow'];
const ODD_TARGETS = ['', 'AmazonSSM.', 'AmazonSSM', 'amazonssm.DescribeMaintenanceWindows', 'AmazonSSM.describeMaintenanceWindows', 'AmazonSSM.__proto__', 'AmazonSSM.constructor', 'AmazonSSM.toString', 'AmazonSSM.hasOwnProperty', 'AmazonSSM.DescribeMaintenanceWindows, AmazonSSM.DeleteMaintenanceWindow', `AmazonSSM.${'A'.repeat(8000)}`, 'AmazonSSM.SendCommand', 'AmazonEC2.DescribeInstances', 'AmazonSSM.DescribeMaintenanceWindows\u00e9', ' AmazonSSM.DescribeMaintenanceWindows'];
const METHODS = ['GET', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD', 'TRACE', 'PROPFIND', 'MKCOL', 'LOCK', 'SEARCH', 'PURGE', 'M-SEARCH', 'NOTIFY', 'SUBSCRIBE', 'LINK', 'QUERY', 'CONNECT', 'FOO', 'get', 'POST/'];
const PATHS = ['/', '/?x=1', '//', '/%ZZ', '/..', '/../../etc/passwd', '*', 'http://127.0.0.1/', `/${'a'.repeat(9000)}`, '/_mw', '/_mw/', '/_mw/unknown', '/_mw/health/', '/_MW/health', '/_mw/%2e%2e/health', '/_mw/health?%ZZ', '/_mw/nodes?account=%ZZ', '/_mw/nodes/%ZZ', '/_mw/nodes/%E0%A4%A', '/_mw/windows//executions', '/_mw/windows/%ZZ/executions', '/_mw/nodes/%00', `/_mw/nodes/${'n'.repeat(20000)}`, '/_mw/outcomes?account=%F0%9F%98%80', '/_mw/clock?region=%'];

const whole = (bytes: Buffer, waitMs = 2000): RawPlan => ({ pieces: [{ bytes, delayMs: 0 }], waitMs });

/** Splits `bytes` into `n` pieces sent `delayMs` apart (a client on a slow link). */
function trickle(bytes: Buffer, n: number, delayMs: number): RawPlan {
  const size = Math.ceil(bytes.length / n);
  const pieces = [];
  for (let i = 0; i < bytes.length; i += size) pieces.push({ bytes: bytes.subarray(i, i + size), delayMs: i === 0 ? 0 : delayMs });
  return { pieces, waitMs: 2000 };
}

function chunked(body: string): string {
  return `${Buffer.byteLength(body).toString(16)}\r\n${body}\r\n0\r\n\r\n`;
}

export function rawCase(prng: Prng): RawCase {
  const body = prng.pick(BODIES);
  const target = prng.pick(TARGETS);
  const api: [string, string][] = [['X-Amz-Target', target], ['Content-Type', 'application/x-amz-json-1.1'], ['Authorization', FUZZ_AUTH]];
  const cases: (() => Omit<RawCase, 'kind' | 'text'>)[] = [
    () => {
      const method = prng.pick(METHODS);
      const path = prng.pick(PATHS.slice(0, 3).concat(PATHS[prng.int(0, PATHS.length - 1)]));
      const plan = whole(httpBytes(method, path, api, method === 'GET' || method === 'HEAD' ? '' : body));
      return { label: `method ${method} ${path.slice(0, 40)}`, plan: { ...plan, headersOnly: method === 'HEAD' }, needsAnswer: true, control: path.startsWith('/_mw/') };
    },
    () => {
      const path = prng.pick(PATHS);
      return { label: `path ${path.slice(0, 60)}`, plan: whole(httpBytes(prng.pick(['GET', 'POST', 'PUT', 'DELETE']), path, api, body)), needsAnswer: true, control: path.startsWith('/_mw/') };
    },
    () => {
      const odd = prng.pick(ODD_TARGETS);
      const headers: [string, string][] = [['X-Amz-Target', odd], ['Content-Type', 'application/x-amz-json-1.1']];
      if (prng.chance(0.3)) headers.push(['X-Amz-Target', target]);
      if (prng.chance(0.2)) headers.shift();
      return { label: `X-Amz-Target ${JSON.stringify(odd.slice(0, 50))}${headers.length > 2 ? ' (twice)' : ''}`, plan: whole(httpBytes('POST', '/', headers, body)), needsAnswer: true, control: false };
    },
    () => {
      const declared = prng.pick(['abc', '-1', '1.5', '0x10', '', ' 5', '99999999999999999999', `${MAX_BODY_BYTES + 1}`, '2, 3']);
      // Half-closed after the body: where the value parses as a length longer than the body (' 5'),
      // the end of the stream is what tells the server no more is coming.
      return { label: `Content-Length ${JSON.stringify(declared)}`, plan: { ...whole(httpBytes('POST', '/', [...api, ['Content-Length', declared]], body)), endAfter: true }, needsAnswer: true, control: false };
    },
    () => {
      const bytes = httpBytes('POST', '/', [...api, ['Content-Length', String(Buffer.byteLength(body) + prng.int(1, 50))]], body);
      // The client declares more than it sends, then says it is done: the server must not wait forever.
      return { label: 'Content-Length larger than the body, then half-close', plan: { pieces: [{ bytes, delayMs: 0 }], endAfter: true, waitMs: 2000 }, needsAnswer: true, control: false };
    },
    () => {
      const cut = prng.int(1, Math.max(1, Buffer.byteLength(body) - 1));
      return { label: `Content-Length smaller than the body (${cut})`, plan: whole(httpBytes('POST', '/', [...api, ['Content-Length', String(cut)]], body, { keepAlive: true })), needsAnswer: true, control: false };
    },
    () => {
      const variant = prng.pick([
        ['valid chunked', chunked(body)],
        ['bad chunk size', `ZZ\r\n${body}\r\n0\r\n\r\n`],
        ['chunk extension', `${Buffer.byteLength(body).toString(16)};x=y\r\n${body}\r\n0\r\n\r\n`],
        ['chunk size larger than the data', `ff\r\n${body}\r\n0\r\n\r\n`],
        ['huge chunk size', `ffffffffffffffff\r\n${body}`],
      ]);
      const te = prng.pick(['chunked', 'chunked', 'gzip, chunked', 'chunked, chunked', 'identity']);
      const headers: [string, string][] = [...api, ['Transfer-Encoding', te]];
      if (prng.chance(0.2)) headers.push(['Content-Length', '5']);
      return { label: `Transfer-Encoding ${te}: ${variant[0]}${headers.length > 4 ? ' (with Content-Length)' : ''}`, plan: { ...whole(httpBytes('POST', '/', headers, variant[1])), endAfter: true }, needsAnswer: true, control: false };
    },
    () => {
      const header = prng.pick<[string, string]>([
        ['X-Long', 'v'.repeat(prng.int(17_000, 70_000))], ['Authorization', `AWS4-HMAC-SHA256 Credential=${prng.pick(['', '/', '123456789012//', `AK/${'r'.repeat(3000)}/x/`, '123456789012/20260101/../ssm/aws4_request', '1/2/3/4', '\u00e9\u00ff/x/y/'])}`],
        ['Content-Type', 'application/x-amz-json-1.1; charset=utf-16'], ['Content-Encoding', 'gzip'], ['Expect', '100-continue'], ['Expect', 'something-else'],
        ['X-Amz-Date', 'garbage'], ['Upgrade', 'websocket'], ['Host', ''], ['X-Forwarded-For', '\u00ff'], ['Bad Name', 'x'], ['X-Null', 'a\u0000b'],
      ]);
      const headers: [string, string][] = [...api.filter(([k]) => k.toLowerCase() !== header[0].toLowerCase()), header];
      return { label: `header ${header[0]}: ${JSON.stringify(header[1].slice(0, 40))}`, plan: whole(httpBytes('POST', '/', headers, body)), needsAnswer: true, control: false };
    },
    () => {
      const many: [string, string][] = Array.from({ length: prng.int(100, 3000) }, (_, i) => [`X-H${i}`, 'v']);
      return { label: `${many.length} headers`, plan: whole(httpBytes('POST', '/', [...api, ...many], body)), needsAnswer: true, control: false };
    },
    () => {
      const line = prng.pick(['hello\r\n\r\n', 'GET /\r\n\r\n', 'POST / HTTP/2.0\r\nHost: x\r\n\r\n', 'POST / HTTP/1.1\r\nHost: x\r\n folded: line\r\n\r\n', 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', '\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03', '\r\n\r\n\r\n', 'POST / HTTP/1.1\nHost: x\nContent-Length: 2\n\n{}', 'POST  /  HTTP/1.1\r\nHost: x\r\n\r\n', `POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: ${target}\r\nContent-Length: 2\r\n\r\n{}POST / HTTP/1.1\r\n\r\n`]);
      // No answer is owed (some of these are just the start of a request): wait briefly, then hang up.
      return { label: `garbage ${JSON.stringify(line.slice(0, 30))}`, plan: { ...whole(Buffer.from(line, 'latin1'), 300), endAfter: prng.chance(0.5) }, needsAnswer: false, control: false };
    },
    () => ({ label: 'HTTP/1.0 request', plan: whole(httpBytes('POST', '/', api, body, { version: 'HTTP/1.0' })), needsAnswer: true, control: false }),
    () => {
      // A body that trickles in: the answer must still come, and be the same as for a fast client.
      const bytes = httpBytes('POST', '/', api, body);
      return { label: 'slow client (trickled request)', plan: trickle(bytes, prng.int(3, 8), prng.int(2, 20)), needsAnswer: true, control: false };
    },
    () => {
      const bytes = httpBytes('POST', '/', api, body);
      const cut = prng.int(1, bytes.length - 1);
      // The client stops mid-request and never comes back: no answer is owed; the server must go on.
      return { label: `client stops after ${cut} of ${bytes.length} bytes`, plan: { pieces: [{ bytes: bytes.subarray(0, cut), delayMs: 0 }], endAfter: prng.chance(0.5), waitMs: prng.int(30, 150) }, needsAnswer: false, control: false };
    },
    () => {
      // (The clock is fuzzed on a server of its own: moving this one's would fire the baseline's windows.)
      const [path, b] = prng.pick([['/_mw/nodes/i-00000000000000001', '{"tags":{"a":"b"}}'], ['/_mw/outcomes', '[{"status":"FAILED"}]']]);
      const bytes = httpBytes(prng.pick(['PUT', 'POST']), `${path}?account=444444444444`, [['Content-Type', 'application/json']], b);
      return { label: `control route ${path}, slow`, plan: trickle(bytes, prng.int(2, 6), prng.int(2, 20)), needsAnswer: true, control: true };
    },
  ];
  const made = prng.pick(cases)();
  const first = made.plan.pieces.map((p) => p.bytes).reduce((a, b) => Buffer.concat([a, b]), Buffer.alloc(0));
  return { kind: 'raw', ...made, text: first.toString('latin1').slice(0, 4000) };
}
