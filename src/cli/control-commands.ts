// CLI subcommands for the control API of a running service: fire, clock, nodes, outcomes.
// Each prints the service's JSON answer; a 4xx/5xx answer prints it to stderr and exits 1.

import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { UsageError } from './options.ts';

export const controlHelp = `Control commands (talk to a running service):
  fire WINDOW_ID                     start an execution of the window now
  clock                              show the clock
  clock advance SECONDS              manual clock: move forward, running everything due on the way
  clock set ISO_TIME                 manual clock: move to a time (never backwards)
  nodes list                         list the managed-node inventory
  nodes put NODE_ID [--tag K=V]... [--group NAME]...
  nodes delete NODE_ID
  outcomes get | outcomes set FILE.json | outcomes clear

Options for all of them:
  --endpoint URL      MW_ENDPOINT   http://127.0.0.1:4100
  --account ID        12 digits     000000000000
  --region NAME                     us-east-1
`;

interface Target {
  endpoint: string;
  query: string;
}

async function call(target: Target, method: string, path: string, body?: unknown): Promise<void> {
  const response = await fetch(`${target.endpoint}${path}${target.query}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(600_000),
  });
  const text = await response.text();
  if (!response.ok) {
    process.stderr.write(`${response.status} ${text}\n`);
    process.exitCode = 1;
    return;
  }
  process.stdout.write(`${JSON.stringify(JSON.parse(text), null, 2)}\n`);
}

function need(value: string | undefined, what: string): string {
  if (!value) throw new UsageError(`missing ${what}. Try --help.`);
  return value;
}

export async function runControlCommand(command: string, argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
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
    endpoint: (values.endpoint ?? process.env.MW_ENDPOINT ?? 'http://127.0.0.1:4100').replace(/\/$/, ''),
    query: params.size > 0 ? `?${params}` : '',
  };
  const [action, arg] = positionals;
  switch (command) {
    case 'fire':
      return call(target, 'POST', `/_mw/windows/${encodeURIComponent(need(action, 'WINDOW_ID'))}/executions`);
    case 'clock':
      if (action === undefined) return call(target, 'GET', '/_mw/clock');
      if (action === 'advance') return call(target, 'POST', '/_mw/clock', { advanceSeconds: Number(need(arg, 'SECONDS')) });
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
      if (action === 'set') return call(target, 'PUT', '/_mw/outcomes', JSON.parse(await readFile(need(arg, 'FILE'), 'utf8')));
      break;
  }
  throw new UsageError(`unknown ${command} action '${action ?? ''}'. Try --help.`);
}
