// The HTTP front door. `POST /` with `X-Amz-Target: AmazonSSM.<Operation>` is the AWS API; paths under
// `/_mw/` are this service's own control routes. Every answer is JSON with a request id, whatever went
// wrong: bodies over the limit are refused before they are buffered, and nothing unexpected escapes.

import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { errorResponse, toErrorResponse, type ErrorResponse } from './errors.ts';

export const AWS_JSON_CONTENT_TYPE = 'application/x-amz-json-1.1';
/** Request bodies above this many bytes are refused with 413. */
export const MAX_BODY_BYTES = 1024 * 1024;

export interface ApiRequest {
  target: string | undefined;
  authorization: string | undefined;
  body: string;
  requestId: string;
}

/** Answers one AWS API call: a JSON value for 200, or an error response. */
export type ApiHandler = (request: ApiRequest) => Promise<unknown>;

export interface ControlRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  body: string;
  requestId: string;
}

export interface ControlResponse {
  status: number;
  body: unknown;
}

/** Answers a `/_mw/...` route, or undefined when no route matches. */
export type ControlHandler = (request: ControlRequest) => Promise<ControlResponse | undefined>;

export interface HttpServerOptions {
  api: ApiHandler;
  control: ControlHandler;
  log: (message: string, fields?: Record<string, unknown>) => void;
}

export interface RunningServer {
  server: Server;
  port: number;
  host: string;
  close(): Promise<void>;
}

class BodyTooLarge extends Error {}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (declared > MAX_BODY_BYTES) {
      reject(new BodyTooLarge());
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        req.removeAllListeners('data');
        reject(new BodyTooLarge());
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(chunks.length === 1 ? chunks[0].toString('utf8') : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, contentType: string, requestId: string, payload: string, close = false): void {
  const headers: Record<string, string | number> = {
    'content-type': contentType,
    'content-length': Buffer.byteLength(payload),
    'x-amzn-requestid': requestId,
  };
  if (close) headers.connection = 'close';
  res.writeHead(status, headers);
  res.end(payload);
}

function sendError(res: ServerResponse, requestId: string, error: ErrorResponse, contentType: string, close = false): void {
  send(res, error.status, contentType, requestId, JSON.stringify(error.body), close);
}

export function createHttpServer(options: HttpServerOptions): Server {
  const { api, control, log } = options;

  function fail(res: ServerResponse, requestId: string, contentType: string, error: unknown): void {
    const answer = toErrorResponse(error, (e) => log('request failed', { requestId, error: String((e as Error)?.stack ?? e) }));
    if (!res.headersSent) sendError(res, requestId, answer, contentType);
    else res.destroy();
  }

  async function handle(req: IncomingMessage, res: ServerResponse, requestId: string): Promise<void> {
    const url = req.url ?? '/';
    const isControl = url.startsWith('/_mw/');
    const contentType = isControl ? 'application/json' : AWS_JSON_CONTENT_TYPE;
    let body: string;
    try {
      body = await readBody(req);
    } catch (error) {
      if (error instanceof BodyTooLarge) {
        sendError(res, requestId, errorResponse('RequestEntityTooLargeException', `Request body must not exceed ${MAX_BODY_BYTES} bytes.`, 413), contentType, true);
        // Stop reading what the client still sends; the connection closes after the answer.
        req.pause();
        res.on('finish', () => req.destroy());
        return;
      }
      throw error;
    }

    if (isControl) {
      const parsed = new URL(url, 'http://localhost');
      const answer = await control({ method: req.method ?? 'GET', path: parsed.pathname, query: parsed.searchParams, body, requestId });
      if (answer) send(res, answer.status, contentType, requestId, JSON.stringify(answer.body));
      else sendError(res, requestId, errorResponse('NotFound', `No route for ${req.method} ${parsed.pathname}`, 404), contentType);
      return;
    }

    if (req.method !== 'POST' || (url !== '/' && !url.startsWith('/?'))) {
      sendError(res, requestId, errorResponse('UnknownOperationException', 'Requests must be POST / with an X-Amz-Target header.', 404), contentType);
      return;
    }
    const target = req.headers['x-amz-target'];
    const output = await api({
      target: Array.isArray(target) ? target[0] : target,
      authorization: req.headers.authorization,
      body,
      requestId,
    });
    send(res, 200, contentType, requestId, JSON.stringify(output));
  }

  return createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
    const requestId = randomUUID();
    handle(req, res, requestId).catch((error: unknown) => {
      const contentType = req.url?.startsWith('/_mw/') ? 'application/json' : AWS_JSON_CONTENT_TYPE;
      fail(res, requestId, contentType, error);
    });
  });
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
