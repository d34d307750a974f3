// CLI subcommands for the control API of a running service: fire, clock, nodes, outcomes.
// Each prints the service's JSON answer. An endpoint that cannot be reached, an answer that is not JSON,
// or a 4xx/5xx answer is thrown as an EndpointError (facts only), printed by main.ts as one line, exit 1.

import { readFile } from 'node:fs/promises';
import { Sha256 } from '../wire/sigv4.ts';
import { EndpointError } from './endpoint-error.ts';
import { parseCommandLine, UsageError } from './options.ts';

export const controlHelp = `Control commands (talk to a running service):
  fire WINDOW_ID                     start an execution of the window now
  clock                              show the clock
  clock advance SECONDS              manual clock: move forward, running everything due on the way
  clock set ISO_TIME                 manual clock: move to a time (never backwards)
  nodes list                         list the managed-node inventory
  nodes put NODE_ID [--tag K=V]... [--group NAME]...
                                     NODE_ID as Run Command takes it: i-0123456789abcdef0, i-0123abcd, mi-0123456789abcdef0
  nodes delete NODE_ID
  outcomes get | outcomes set FILE.json | outcomes clear

Options for all of them:
  --endpoint URL      MW_ENDPOINT   http://127.0.0.1:4100
  --account ID        12 digits     000000000000
  --region NAME                     us-east-1 (AWS_REGION / AWS_DEFAULT_REGION when set)

When AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN) are set, every call is
SigV4-signed with them, as a service started with --credentials requires.
`;

interface Target {
  endpoint: string;
  query: string;
}

/** How long a control call may wait without a byte of answer: `clock advance` over a long span runs
 * everything due on the way before it answers. */
const CALL_TIMEOUT_SECONDS = 600;

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

interface Answer {
  status: number;
  contentType: string;
  text: string;
}

/**
 * One HTTP exchange with node:http, not fetch: fetch refuses the "bad ports" of the Fetch standard (1,
 * 6000, 6665-6669, ...) that a service may well listen on, and hides the socket's errno behind "fetch failed".
 */
/** The headers of a control call, SigV4-signed when the environment holds AWS keys. */
async function headersFor(url: URL, method: string, body: string | undefined): Promise<Record<string, string>> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  const { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey, AWS_SESSION_TOKEN: sessionToken } = process.env;
  if (!accessKeyId || !secretAccessKey) return headers;
  const region = url.searchParams.get('region') ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1';
  // Loaded here, not at the top: `serve` loads this module too (for the help text and EndpointError).
  const { SignatureV4 } = await import('@smithy/signature-v4');
  const signer = new SignatureV4({ service: 'ssm', region, credentials: { accessKeyId, secretAccessKey, sessionToken }, sha256: Sha256 });
  const signed = await signer.sign({
    method, protocol: url.protocol, hostname: url.hostname, port: url.port ? Number(url.port) : undefined, path: url.pathname,
    query: Object.fromEntries(url.searchParams), headers: { ...headers, host: url.host }, body,
  });
  return signed.headers as Record<string, string>;
}

async function exchange(url: URL, method: string, body: string | undefined): Promise<Answer> {
  const headers = await headersFor(url, method, body);
  return new Promise((resolve, reject) => {
    // node:http(s) through process.getBuiltinModule: an ESM import of node:http loads undici (see wire/http-server.ts).
    const send = url.protocol === 'https:' ? process.getBuiltinModule('node:https').request : process.getBuiltinModule('node:http').request;
    const request = send(url, {
      method,
      headers: { ...headers, ...(body === undefined ? {} : { 'content-length': String(Buffer.byteLength(body)) }) },
      timeout: CALL_TIMEOUT_SECONDS * 1000,
    });
    request.once('timeout', () => request.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT', timedOut: true })));
    request.once('error', reject);
    request.once('response', (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.once('error', reject);
      response.once('end', () => resolve({
        status: response.statusCode ?? 0,
        contentType: response.headers['content-type'] ?? '',
        text: Buffer.concat(chunks).toString('utf8'),
      }));
    });
    request.end(body);
  });
}

async function call(target: Target, method: string, path: string, body?: unknown): Promise<void> {
  const request = { endpoint: target.endpoint, method, url: `${target.endpoint}${path}${target.query}` };
  let answer: Answer;
  try {
    answer = await exchange(new URL(request.url), method, body === undefined ? undefined : JSON.stringify(body));
  } catch (cause) {
    if ((cause as { timedOut?: boolean }).timedOut) throw new EndpointError(request, { kind: 'timeout', seconds: CALL_TIMEOUT_SECONDS });
    throw new EndpointError(request, { kind: 'unreachable', cause });
  }
  const { status, contentType, text } = answer;
  const json = parseJson(text);
  if (status >= 400) {
    // The service's errors are {"__type", "message"}; anything else is told by its status alone.
    const fields = json.ok && json.value !== null && typeof json.value === 'object' ? (json.value as Record<string, unknown>) : {};
    const message = fields.message ?? fields.Message;
    throw new EndpointError(request, {
      kind: 'error-answer',
      status,
      type: typeof fields.__type === 'string' ? fields.__type : undefined,
      message: typeof message === 'string' ? message.split('\n')[0] : undefined,
    });
  }
  if (!json.ok) throw new EndpointError(request, { kind: 'not-json', status, contentType });
  process.stdout.write(`${JSON.stringify(json.value, null, 2)}\n`);
}

function seconds(text: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value)) throw new UsageError(`SECONDS must be a number, got '${text}'`);
  return value;
}

/** The JSON content of a file named on the command line, or a UsageError saying why not. */
async function jsonFile(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${file}: ${(error as Error).message.replace(/, open .*$/, '')}`);
  }
  const json = parseJson(text);
  if (!json.ok) throw new UsageError(`${file} is not valid JSON`);
  return json.value;
}

function endpointOf(text: string): string {
  try {
    const url = new URL(text);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http');
  } catch {
    throw new UsageError(`--endpoint must be an http:// or https:// URL, got '${text}'`);
  }
  return text.replace(/\/$/, '');
}

function need(value: string | undefined, what: string): string {
  if (!value) throw new UsageError(`missing ${what}. Try --help.`);
  return value;
}

export async function runControlCommand(command: string, argv: string[]): Promise<void> {
  const { values, positionals } = parseCommandLine({
    args: argv,
    allowPositionals: true,
    options: {
      endpoint: { type: 'string' },
      account: { type: 'string' },
      region: { type: 'string' },
      tag: { type: 'string', multiple: true },
      group: { type: 'string', multiple: true },
    },
  });
  const params = new URLSearchParams();
  if (values.account) params.set('account', values.account);
  if (values.region) params.set('region', values.region);
  const target: Target = {
    endpoint: endpointOf(values.endpoint ?? process.env.MW_ENDPOINT ?? 'http://127.0.0.1:4100'),
    query: params.size > 0 ? `?${params}` : '',
  };
  const [action, arg] = positionals;
  switch (command) {
    case 'fire':
      return call(target, 'POST', `/_mw/windows/${encodeURIComponent(need(action, 'WINDOW_ID'))}/executions`);
    case 'clock':
      if (action === undefined) return call(target, 'GET', '/_mw/clock');
      if (action === 'advance') return call(target, 'POST', '/_mw/clock', { advanceSeconds: seconds(need(arg, 'SECONDS')) });
      if (action === 'set') return call(target, 'POST', '/_mw/clock', { setTo: need(arg, 'ISO_TIME') });
      break;
    case 'nodes':
      if (action === 'list') return call(target, 'GET', '/_mw/nodes');
      if (action === 'delete') return call(target, 'DELETE', `/_mw/nodes/${encodeURIComponent(need(arg, 'NODE_ID'))}`);
      if (action === 'put') {
        const tags = Object.fromEntries((values.tag ?? []).map((pair) => {
          const at = pair.indexOf('=');
          if (at <= 0) throw new UsageError(`--tag takes KEY=VALUE, got '${pair}'`);
          return [pair.slice(0, at), pair.slice(at + 1)];
        }));
        return call(target, 'PUT', `/_mw/nodes/${encodeURIComponent(need(arg, 'NODE_ID'))}`, { tags, resourceGroups: values.group ?? [] });
      }
      break;
    case 'outcomes':
      if (action === 'get') return call(target, 'GET', '/_mw/outcomes');
      if (action === 'clear') return call(target, 'DELETE', '/_mw/outcomes');
      if (action === 'set') return call(target, 'PUT', '/_mw/outcomes', await jsonFile(need(arg, 'FILE')));
      break;
  }
  throw new UsageError(`unknown ${command} action '${action ?? ''}'. Try --help.`);
}
