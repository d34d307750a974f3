// Real AWS JSON 1.1 requests, as the SDKs send them: `POST /`, `X-Amz-Target: AmazonSSM.<Op>`,
// `Content-Type: application/x-amz-json-1.1`, and a SigV4 `Authorization` header computed over the
// exact host, date, target and body (moto reads the service and Region from its credential scope; our
// service reads the Region from it). Plus a small keep-alive client for setup and sequential timing.

import { createHash, createHmac } from 'node:crypto';
import { Agent, request as httpRequest } from 'node:http';

export const ACCESS_KEY_ID = 'AKIDEXAMPLE';
const SECRET_ACCESS_KEY = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';
/** A fixed signing instant: the credential scope is AKIDEXAMPLE/20260101/<region>/ssm/aws4_request. */
const AMZ_DATE = '20260101T000000Z';
const DATE = AMZ_DATE.slice(0, 8);
export const CONTENT_TYPE = 'application/x-amz-json-1.1';

const sha256 = (data: string) => createHash('sha256').update(data).digest('hex');
const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data).digest();

const signingKeys = new Map<string, Buffer>();
function signingKey(region: string): Buffer {
  let key = signingKeys.get(region);
  if (!key) {
    key = hmac(hmac(hmac(hmac(`AWS4${SECRET_ACCESS_KEY}`, DATE), region), 'ssm'), 'aws4_request');
    signingKeys.set(region, key);
  }
  return key;
}

/** The headers of one signed SSM request. `host` is `127.0.0.1:PORT`, as the client will send it. */
export function signedHeaders(host: string, operation: string, body: string, region = 'us-east-1'): Record<string, string> {
  const target = `AmazonSSM.${operation}`;
  const names = 'content-type;host;x-amz-date;x-amz-target';
  const canonical = [
    'POST', '/', '',
    `content-type:${CONTENT_TYPE}`, `host:${host}`, `x-amz-date:${AMZ_DATE}`, `x-amz-target:${target}`, '',
    names, sha256(body),
  ].join('\n');
  const scope = `${DATE}/${region}/ssm/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', AMZ_DATE, scope, sha256(canonical)].join('\n');
  const signature = createHmac('sha256', signingKey(region)).update(stringToSign).digest('hex');
  return {
    'content-type': CONTENT_TYPE,
    'x-amz-date': AMZ_DATE,
    'x-amz-target': target,
    authorization: `AWS4-HMAC-SHA256 Credential=${ACCESS_KEY_ID}/${scope}, SignedHeaders=${names}, Signature=${signature}`,
  };
}

/** Everything autocannon (or the client below) needs to send one operation. */
export interface AwsCall {
  operation: string;
  region: string;
  body: string;
  headers: Record<string, string>;
}

export function awsCall(endpoint: string, operation: string, input: unknown, region = 'us-east-1'): AwsCall {
  const body = JSON.stringify(input);
  return { operation, region, body, headers: signedHeaders(new URL(endpoint).host, operation, body, region) };
}

export interface Answer {
  status: number;
  body: string;
  headers: Record<string, string | string[] | undefined>;
  /** Milliseconds from sending the request to the last byte of the answer. */
  ms: number;
}

/** A keep-alive HTTP/1.1 client for one endpoint: setup calls and sequential latency samples. */
export class AwsClient {
  readonly endpoint: string;
  private readonly url: URL;
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 64 });

  constructor(endpoint: string) {
    this.endpoint = endpoint;
    this.url = new URL(endpoint);
  }

  /** Sends a prepared call; never throws on an HTTP error status. */
  send(call: AwsCall): Promise<Answer> {
    return this.raw('POST', '/', call.headers, call.body);
  }

  /** Signs and sends `input`; throws unless the answer is 200, and returns the decoded output. */
  async call<T = Record<string, unknown>>(operation: string, input: unknown, region = 'us-east-1'): Promise<T> {
    const answer = await this.send(awsCall(this.endpoint, operation, input, region));
    if (answer.status !== 200) throw new Error(`${operation} answered ${answer.status}: ${answer.body.slice(0, 500)}`);
    return JSON.parse(answer.body) as T;
  }

  /** A control-API call (`/_mw/...`): JSON in and out; throws unless 2xx. */
  async control<T = Record<string, unknown>>(method: string, path: string, input?: unknown): Promise<T> {
    const body = input === undefined ? '' : JSON.stringify(input);
    const answer = await this.raw(method, path, { 'content-type': 'application/json' }, body);
    if (answer.status < 200 || answer.status > 299) throw new Error(`${method} ${path} answered ${answer.status}: ${answer.body.slice(0, 500)}`);
    return JSON.parse(answer.body) as T;
  }

  raw(method: string, path: string, headers: Record<string, string>, body: string): Promise<Answer> {
    return new Promise((resolve, reject) => {
      const started = process.hrtime.bigint();
      const req = httpRequest(
        {
          host: this.url.hostname,
          port: this.url.port,
          method,
          path,
          agent: this.agent,
          headers: { ...headers, 'content-length': Buffer.byteLength(body) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => resolve({
            status: res.statusCode ?? 0,
            body: Buffer.concat(chunks).toString('utf8'),
            headers: res.headers,
            ms: Number(process.hrtime.bigint() - started) / 1e6,
          }));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

/** Runs `work` over `items` with at most `limit` in flight; results keep the input order. */
export async function inParallel<T, R>(items: readonly T[], limit: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index], index);
    }
  });
  await Promise.all(lanes);
  return results;
}
