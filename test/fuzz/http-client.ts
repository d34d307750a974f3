// Two ways to talk to the server under test: `send` (node:http, one keep-alive agent, any method, headers
// and body bytes) for requests HTTP can express, and `sendRaw` (a bare socket) for bytes HTTP clients
// refuse to write. Both give up after a bounded time and report that as an outcome, never by hanging.

import { Agent, request } from 'node:http';
import { connect } from 'node:net';

export interface Answer {
  /** 0 when no HTTP answer arrived (connection closed or reset, or timed out). */
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** Why there is no answer, when status is 0. */
  failure?: 'timeout' | 'closed' | string;
  ms: number;
}

export interface Outgoing {
  method: string;
  path: string;
  headers: Record<string, string | number | string[]>;
  body?: string | Buffer;
}

const newAgent = () => new Agent({ keepAlive: true, maxSockets: 4 });
let agent = newAgent();

/** Closes the pooled connections (at the end of a run; a later send opens new ones). */
export function closeAgent(): void {
  agent.destroy();
  agent = newAgent();
}

export function send(port: number, out: Outgoing, timeoutMs: number): Promise<Answer> {
  const started = performance.now();
  return new Promise((resolve) => {
    let settled = false;
    const done = (answer: Omit<Answer, 'ms'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ ...answer, ms: performance.now() - started });
    };
    // Framed explicitly: Node writes no Content-Length for some methods (OPTIONS), and the server would
    // then read the body as the next request.
    const headers = out.body === undefined ? out.headers : { 'content-length': Buffer.byteLength(out.body), ...out.headers };
    const req = request({ host: '127.0.0.1', port, method: out.method, path: out.path, headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => done({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', (e) => done({ status: 0, headers: {}, body: '', failure: e.message }));
    });
    const timer = setTimeout(() => {
      done({ status: 0, headers: {}, body: '', failure: 'timeout' });
      req.destroy();
    }, timeoutMs);
    req.on('error', (e) => done({ status: 0, headers: {}, body: '', failure: e.message }));
    req.end(out.body);
  });
}

export interface RawPlan {
  /** Pieces written in order, with a pause (ms) before each. */
  pieces: { bytes: Buffer; delayMs: number }[];
  /** Half-close after the last piece (the client says it has nothing more). */
  endAfter?: boolean;
  /** Give up waiting for an answer this long after the last piece, then close. */
  waitMs: number;
  /** The answer has headers only (a HEAD request): done once they are in. */
  headersOnly?: boolean;
}

/** Writes raw bytes on a fresh connection and parses the first HTTP answer, if one comes. */
export function sendRaw(port: number, plan: RawPlan): Promise<Answer> {
  const started = performance.now();
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let received = Buffer.alloc(0);
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    const finish = (failure?: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      const parsed = parseAnswer(received);
      resolve(parsed ? { ...parsed, ms: performance.now() - started } : { status: 0, headers: {}, body: '', failure: failure ?? 'closed', ms: performance.now() - started });
    };
    socket.on('data', (d: Buffer) => {
      received = Buffer.concat([received, d]);
      if (parseAnswer(received, !plan.headersOnly)) finish();
    });
    socket.on('error', (e) => finish(e.message));
    socket.on('close', () => finish('closed'));
    const write = (i: number) => {
      if (settled) return;
      if (i === plan.pieces.length) {
        if (plan.endAfter) socket.end();
        timer = setTimeout(() => finish('timeout'), plan.waitMs);
        return;
      }
      const piece = plan.pieces[i];
      const go = () => {
        if (settled) return;
        socket.write(piece.bytes, () => write(i + 1));
      };
      if (piece.delayMs > 0) timer = setTimeout(go, piece.delayMs);
      else go();
    };
    socket.once('connect', () => write(0));
  });
}

/** The first HTTP/1.1 answer in `bytes`; with `complete`, only once its whole body (Content-Length) is there. */
function parseAnswer(bytes: Buffer, complete = false): Omit<Answer, 'ms'> | undefined {
  const end = bytes.indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  const lines = bytes.subarray(0, end).toString('latin1').split('\r\n');
  const status = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0]);
  if (!status) return undefined;
  const headers: Record<string, string> = {};
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const length = Number(headers['content-length'] ?? 0);
  const body = bytes.subarray(end + 4);
  // An interim 100 Continue is not the answer.
  if (status[1] === '100') return parseAnswer(body, complete);
  if (complete && body.length < length) return undefined;
  return { status: Number(status[1]), headers, body: body.subarray(0, length).toString('utf8') };
}

/** One HTTP/1.x request as bytes; `connection: close` unless `keepAlive`, so the answer ends the exchange. */
export function httpBytes(method: string, path: string, headers: [string, string][], body: string | Buffer = '', options: { version?: string; keepAlive?: boolean; contentLength?: boolean } = {}): Buffer {
  const lines = [`${method} ${path} ${options.version ?? 'HTTP/1.1'}`, 'Host: 127.0.0.1'];
  if (!options.keepAlive) lines.push('Connection: close');
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  if (options.contentLength !== false && !headers.some(([k]) => /^(content-length|transfer-encoding)$/i.test(k))) lines.push(`Content-Length: ${bytes.length}`);
  for (const [k, v] of headers) lines.push(`${k}: ${v}`);
  return Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'), bytes]);
}

/**
 * A request whose answer may be a stream that never ends (GET /_mw/events): what arrives within `readMs`
 * of the headers (or the whole body, when it ends sooner), then the client closes the connection itself.
 * A connection of its own, so closing it leaves the pooled ones alone.
 */
export function openStream(port: number, out: Outgoing, readMs: number, timeoutMs: number): Promise<Answer> {
  const started = performance.now();
  return new Promise((resolve) => {
    let settled = false;
    let reading: NodeJS.Timeout | undefined;
    const done = (answer: Omit<Answer, 'ms'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(reading);
      req.destroy();
      resolve({ ...answer, ms: performance.now() - started });
    };
    const req = request({ host: '127.0.0.1', port, method: out.method, path: out.path, headers: out.headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      const answer = () => ({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') });
      reading = setTimeout(() => done(answer()), readMs);
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => done(answer()));
      res.on('error', () => done(answer()));
    });
    const timer = setTimeout(() => done({ status: 0, headers: {}, body: '', failure: 'timeout' }), timeoutMs);
    req.on('error', (e) => done({ status: 0, headers: {}, body: '', failure: e.message }));
    req.end(out.body);
  });
}
