// The HTTP front door. `POST /` with `X-Amz-Target: AmazonSSM.<Operation>` is the AWS API; paths under
// `/_mw/` are this service's own control routes. Every answer is JSON with a request id, whatever went
// wrong: bodies over the limit are refused before they are buffered, and nothing unexpected escapes.

import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { errorResponse, toErrorResponse, type ErrorResponse } from './errors.ts';
import { answerBytes } from './json-text.ts';

// node:http is taken with process.getBuiltinModule, not `import`: an ESM import builds the module's namespace,
// which reads node:http's WebSocket, CloseEvent and MessageEvent getters and so loads undici (tens of ms at
// start, for classes nothing here uses). node:https (and TLS) is loaded only when --tls asks for it.
const { createServer, STATUS_CODES } = process.getBuiltinModule('node:http');

export const AWS_JSON_CONTENT_TYPE = 'application/x-amz-json-1.1';
/** Request bodies above this many bytes are refused with 413. */
export const MAX_BODY_BYTES = 1024 * 1024;

export interface ApiRequest {
  target: string | undefined;
  authorization: string | undefined;
  method: string;
  /** Path and query as received (a presigned request carries its signature there). */
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
  requestId: string;
}

/** Answers one AWS API call: a JSON value for 200, or an error response. */
export type ApiHandler = (request: ApiRequest) => Promise<unknown>;

export interface ControlRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  /** As received, for authentication (a signature covers the path, the query and the headers). */
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
  requestId: string;
}

export interface ControlResponse {
  status: number;
  body: unknown;
  /** A streamed answer (server-sent events): given the response, it writes the head and the stream itself. */
  stream?: (res: ServerResponse) => void;
}

/** Answers a `/_mw/...` route, or undefined when no route matches. */
export type ControlHandler = (request: ControlRequest) => Promise<ControlResponse | undefined>;

/** One answered request, for metrics and the request log. */
export interface RequestRecord {
  requestId: string;
  /** The operation (`GetMaintenanceWindow`, `GetMessages`), `control /_mw/<route>`, or `metrics`. */
  operation: string;
  status: number;
  /** The error's __type, when the answer is an error. */
  code?: string;
  seconds: number;
}

/** A page of the web console (or its script and style), or undefined when no page matches. */
export type PageHandler = (request: { method: string; path: string; query: URLSearchParams; headers: IncomingMessage['headers']; body: string }) =>
  Promise<{ status: number; contentType: string; body: string; headers?: Record<string, string> } | undefined>;

export interface HttpServerOptions {
  api: ApiHandler;
  control: ControlHandler;
  /** GET /console/...: the web console. */
  pages?: PageHandler;
  /** GET /metrics: the Prometheus text exposition (or the refusal of a caller without the right key). */
  metrics?: (request: Omit<ControlRequest, 'path' | 'query'>) => Promise<{ status: number; contentType: string; body: string }>;
  /** Told of every request once its answer is sent. */
  onAnswered?: (record: RequestRecord) => void;
  log: (message: string, fields?: Record<string, unknown>, level?: 'info' | 'warn' | 'error') => void;
  /** The ssmmessages endpoints under /v1/ (wire/mgs-routes.ts): their POSTs and their WebSocket upgrades. */
  mgs?: {
    handles(url: string): boolean;
    post(request: { method: string; url: string; headers: IncomingMessage['headers']; body: string }): Promise<{ status: number; contentType: string; body: string }>;
    upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  };
  /** Serve HTTPS with this certificate and key (PEM) instead of HTTP. */
  tls?: { cert: Buffer; key: Buffer };
}

export interface RunningServer {
  server: Server;
  port: number;
  host: string;
  close(): Promise<void>;
}

class BodyTooLarge extends Error {}

/** Node's reasons for refusing bytes that are not an HTTP/1.1 request (parser errors), as an answer. */
function protocolError(code: string | undefined): ErrorResponse {
  if (code === 'HPE_HEADER_OVERFLOW') return errorResponse('RequestHeaderFieldsTooLarge', 'The request line and headers are too large.', 431);
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT' || code === 'ERR_HTTP_REQUEST_HEADERS_TIMEOUT') return errorResponse('RequestTimeout', 'The request did not arrive in time.', 408);
  return errorResponse('BadRequest', 'The request is not valid HTTP/1.1.', 400);
}

/** A whole answer written straight to a socket that has no response object (the parser gave up on it). */
function rawAnswer(error: ErrorResponse, requestId: string): string {
  const payload = JSON.stringify(error.body);
  return `HTTP/1.1 ${error.status} ${STATUS_CODES[error.status]}\r\ncontent-type: ${AWS_JSON_CONTENT_TYPE}\r\n`
    + `content-length: ${Buffer.byteLength(payload)}\r\nx-amzn-requestid: ${requestId}\r\nconnection: close\r\n\r\n${payload}`;
}

interface InFlight {
  req: IncomingMessage;
  res: ServerResponse;
  requestId: string;
  contentType: string;
}

/** Hands `done` the body as text, or BodyTooLarge, or the stream's error: once, without a promise per request. */
function readBody(req: IncomingMessage, done: (error: unknown, body: string) => void): void {
  const declared = Number(req.headers['content-length']);
  if (declared > MAX_BODY_BYTES) {
    done(new BodyTooLarge(), '');
    return;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  let settled = false;
  req.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) {
      req.removeAllListeners('data');
      settled = true;
      done(new BodyTooLarge(), '');
      return;
    }
    chunks.push(chunk);
  });
  req.on('end', () => {
    if (settled) return;
    settled = true;
    done(undefined, chunks.length === 1 ? chunks[0].toString('utf8') : Buffer.concat(chunks).toString('utf8'));
  });
  req.on('error', (error) => {
    if (settled) return;
    settled = true;
    done(error, '');
  });
}

function send(res: ServerResponse, status: number, contentType: string, requestId: string, payload: string | Buffer, close = false): void {
  const headers: Record<string, string | number> = {
    'content-type': contentType,
    'content-length': typeof payload === 'string' ? Buffer.byteLength(payload) : payload.length,
    'x-amzn-requestid': requestId,
  };
  if (close) headers.connection = 'close';
  res.writeHead(status, headers);
  res.end(payload);
}

/** The error code each error answer carried, for the request's record. */
const errorCodes = new WeakMap<ServerResponse, string>();

function sendError(res: ServerResponse, requestId: string, error: ErrorResponse, contentType: string, close = false): void {
  const code = (error.body as { __type?: unknown }).__type;
  if (typeof code === 'string') errorCodes.set(res, code);
  send(res, error.status, contentType, requestId, JSON.stringify(error.body), close);
}

/** A request's operation for metrics and logs: few distinct values (no ids from paths). */
function operationOf(req: IncomingMessage): string {
  const target = req.headers['x-amz-target'];
  if (typeof target === 'string') return target.slice(target.lastIndexOf('.') + 1) || target;
  const path = (req.url ?? '/').split('?')[0];
  if (path === '/metrics') return 'metrics';
  if (path === '/console' || path.startsWith('/console/')) return 'console';
  if (path.startsWith('/_mw/')) return `control ${req.method} /_mw/${path.split('/')[2] ?? ''}`;
  if (path.startsWith('/v1/control-channel/')) return 'CreateControlChannel';
  if (path.startsWith('/v1/data-channel/')) return 'CreateDataChannel';
  return 'unknown';
}

export function createHttpServer(options: HttpServerOptions): Server {
  const { api, control, log, onAnswered } = options;

  function fail(res: ServerResponse, requestId: string, contentType: string, error: unknown): void {
    // A 500's cause is an error of ours: logged at error, so `--log-level warn` still shows it.
    const answer = toErrorResponse(error, (e) => log('request failed', { requestId, error: String((e as Error)?.stack ?? e) }, 'error'));
    if (!res.headersSent) sendError(res, requestId, answer, contentType);
    else res.destroy();
  }

  function handle(req: IncomingMessage, res: ServerResponse, requestId: string, contentType: string): void {
    readBody(req, (error, body) => {
      if (error === undefined) answer(req, res, requestId, contentType, body);
      else refuse(req, res, requestId, contentType, error);
    });
  }

  function refuse(req: IncomingMessage, res: ServerResponse, requestId: string, contentType: string, error: unknown): void {
    if (error instanceof BodyTooLarge) {
      sendError(res, requestId, errorResponse('RequestEntityTooLargeException', `Request body must not exceed ${MAX_BODY_BYTES} bytes.`, 413), contentType, true);
      // Stop reading what the client still sends; the connection closes after the answer.
      req.pause();
      res.on('finish', () => req.destroy());
      return;
    }
    // The body stream broke (client gone, bad chunked framing): not a fault of ours, so nothing is
    // logged; an answer, if the client is still there, comes from the clientError handler below.
    if (!res.headersSent) res.destroy();
  }

  function answer(req: IncomingMessage, res: ServerResponse, requestId: string, contentType: string, body: string): void {
    const url = req.url ?? '/';
    // The AWS API, the hot path: its promise straight to the answer, no async frame around it.
    if (req.method === 'POST' && (url === '/' || url.startsWith('/?')) && !options.mgs?.handles(url)) {
      const target = req.headers['x-amz-target'];
      let output: Promise<unknown>;
      try {
        output = api({
          target: Array.isArray(target) ? target[0] : target,
          authorization: req.headers.authorization,
          method: req.method,
          url,
          headers: req.headers,
          body,
          requestId,
        });
      } catch (error) {
        fail(res, requestId, contentType, error);
        return;
      }
      output.then((value) => {
        try {
          send(res, 200, contentType, requestId, answerBytes(value));
        } catch (error) {
          fail(res, requestId, contentType, error);
        }
      }, (error: unknown) => fail(res, requestId, contentType, error));
      return;
    }
    route(req, res, requestId, contentType, url, body).catch((error: unknown) => fail(res, requestId, contentType, error));
  }

  async function route(req: IncomingMessage, res: ServerResponse, requestId: string, contentType: string, url: string, body: string): Promise<void> {
    const isControl = url.startsWith('/_mw/');
    if (url === '/metrics' && req.method === 'GET' && options.metrics) {
      const answer = await options.metrics({ method: req.method, url, headers: req.headers, body, requestId });
      send(res, answer.status, answer.contentType, requestId, answer.body);
      return;
    }

    if (options.pages && (url === '/console' || url.startsWith('/console/') || url.startsWith('/console?'))) {
      const parsed = new URL(url, 'http://localhost');
      const page = await options.pages({ method: req.method ?? 'GET', path: parsed.pathname, query: parsed.searchParams, headers: req.headers, body });
      if (page) {
        res.writeHead(page.status, { 'content-type': page.contentType, 'content-length': Buffer.byteLength(page.body), 'x-amzn-requestid': requestId, ...page.headers });
        res.end(req.method === 'HEAD' ? undefined : page.body);
        return;
      }
    }

    if (isControl) {
      const parsed = new URL(url, 'http://localhost');
      const answer = await control({ method: req.method ?? 'GET', path: parsed.pathname, query: parsed.searchParams, url, headers: req.headers, body, requestId });
      if (answer?.stream) answer.stream(res);
      else if (answer) send(res, answer.status, contentType, requestId, JSON.stringify(answer.body));
      else sendError(res, requestId, errorResponse('NotFound', `No route for ${req.method} ${parsed.pathname}`, 404), contentType);
      return;
    }

    if (options.mgs?.handles(url)) {
      const answer = await options.mgs.post({ method: req.method ?? 'POST', url, headers: req.headers, body });
      send(res, answer.status, answer.contentType, requestId, answer.body);
      return;
    }

    sendError(res, requestId, errorResponse('UnknownOperationException', 'Requests must be POST / with an X-Amz-Target header.', 404), contentType);
  }

  // The request each connection is answering, so a parser error on that connection can tell whether it
  // broke this request's body (answer it with the error) or came after it (answer once it is done).
  const inFlight = new WeakMap<object, InFlight>();

  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    const requestId = randomUUID();
    const contentType = req.url?.startsWith('/_mw/') ? 'application/json' : AWS_JSON_CONTENT_TYPE;
    const socket = req.socket;
    inFlight.set(socket, { req, res, requestId, contentType });
    res.once('close', () => {
      if (inFlight.get(socket)?.res === res) inFlight.delete(socket);
    });
    if (onAnswered) {
      const started = performance.now();
      res.once('finish', () => onAnswered({
        requestId, operation: operationOf(req), status: res.statusCode, code: errorCodes.get(res), seconds: (performance.now() - started) / 1000,
      }));
    }
    handle(req, res, requestId, contentType);
  };
  const server: Server = options.tls
    ? process.getBuiltinModule('node:https').createServer({ keepAliveTimeout: 65_000, cert: options.tls.cert, key: options.tls.key }, onRequest)
    : createServer({ keepAliveTimeout: 65_000 }, onRequest);

  // Bytes Node cannot parse as a request (bad framing, oversized headers, unknown methods): Node's own answer
  // is a bare "400 Bad Request" without a body; this one is JSON with a request id like every other answer.
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    if (error.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const answer = protocolError(error.code);
    const pending = inFlight.get(socket);
    if (pending && !pending.res.headersSent && !pending.req.complete) {
      sendError(pending.res, pending.requestId, answer, pending.contentType, true);
      pending.res.once('finish', () => socket.destroy());
      return;
    }
    const write = () => {
      if (socket.writable) socket.end(rawAnswer(answer, randomUUID()), () => socket.destroy());
      else socket.destroy();
    };
    // A complete request is still being answered and the garbage came after it: answer in order.
    if (pending && !pending.res.writableFinished) pending.res.once('close', write);
    else write();
  });

  // An Expect header other than 100-continue: Node's own 417 has no body.
  server.on('checkExpectation', (req: IncomingMessage, res: ServerResponse) => {
    const contentType = req.url?.startsWith('/_mw/') ? 'application/json' : AWS_JSON_CONTENT_TYPE;
    sendError(res, randomUUID(), errorResponse('ExpectationFailed', `Expect: ${req.headers.expect} is not supported.`, 417), contentType, true);
  });

  // WebSockets: only the ssmmessages channels; any other upgrade is answered as the plain request it also is.
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (options.mgs?.handles(req.url ?? '/')) {
      options.mgs.upgrade(req, socket, head);
      return;
    }
    socket.end(rawAnswer(errorResponse('NotFound', `No WebSocket at ${req.url}`, 404), randomUUID()), () => socket.destroy());
  });

  // CONNECT (a proxy tunnel) is not for this server; without a listener Node drops the connection silently.
  server.on('connect', (_req: IncomingMessage, socket: Duplex) => {
    socket.end(rawAnswer(errorResponse('MethodNotAllowed', 'CONNECT is not supported.', 405), randomUUID()), () => socket.destroy());
  });
  return server;
}

export async function listen(server: Server, host: string, port: number): Promise<RunningServer> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  return {
    server,
    port: address.port,
    host,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}
