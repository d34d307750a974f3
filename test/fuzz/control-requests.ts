// The service's own routes under /_mw/ (control.ts): fire, clock, nodes, outcomes, each with bodies of the
// wrong shape, values beyond their bounds, bad percent-escapes in ids and garbage account/Region queries.
// The clock is moved only on a server of its own (`server: 'clock'`); everything here that writes goes to
// fuzz accounts, never the baseline's.

import { jsonText, nested, raw, RawJson } from './json-text.ts';
import type { Expect } from './mutations.ts';
import type { ScopePool } from './pools.ts';
import type { Prng } from './prng.ts';

export interface ControlCase {
  kind: 'control';
  server: 'main' | 'clock';
  method: string;
  path: string;
  body: string;
  expect: Expect;
  label: string;
}

const ACCOUNTS = ['222222222222', '333333333333', '444444444444'];
const BAD_QUERIES = ['account=12', 'account=abc', 'account=%ZZ', 'account=', 'account=0000000000000', 'region=', 'region=us-east-1x', 'region=%F0%9F', `region=${'r'.repeat(5000)}`];
const BAD_IDS = ['%ZZ', '%E0%A4%A', '%', '%00', '%2F', '%2e%2e', '..', 'a%20b', `${'n'.repeat(200)}`, '%F0%9F%98%80', '__proto__', 'constructor', '-x', 'mw-0123456789abcdef0'];
const NOT_OBJECTS = ['[]', '"x"', '1', 'null', 'true', '{', '{"a":', '\ufeff{}', '{"a":1}x', nested(5000, 'array').text];

/** The documented node id rule (README: 1-128 letters, digits, '.', '_', ':' or '-'). */
// A declared node's id follows the model's InstanceId pattern (src/wire/control-decode.ts decodeNode).
const NODE_ID = /(^i-(\w{8}|\w{17})$)|(^mi-\w{17}$)/;

function decoded(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

function query(prng: Prng): { text: string; bad: boolean } {
  if (prng.chance(0.15)) return { text: `?${prng.pick(BAD_QUERIES)}`, bad: true };
  if (prng.chance(0.2)) return { text: '', bad: false };
  const region = prng.pick(['us-east-1', 'eu-west-1', 'ap-southeast-2']);
  return { text: `?account=${prng.pick(ACCOUNTS)}&region=${region}`, bad: false };
}

function clockBody(prng: Prng): { body: string; expect: Expect } {
  const advance = prng.pick<unknown>([0, 1, 60, 3600, 86_400, 0.001, -1, -0.5, 1e9, 1e15, 1e20, 1e308, 'x', '10', null, true, [], {}, raw('1e400'), raw('-0')]);
  const setTo = prng.pick<unknown>(['2030-01-01T00:00:00Z', '2026-01-01', 'garbage', '', '+275760-09-13T00:00:00.000Z', '-000001-01-01T00:00:00Z', '9999-12-31T23:59:59Z', 'Tue, 01 Dec 2026 00:00:00 GMT', '2026-02-30T00:00:00Z', 1e20, 0, null, ['2030-01-01T00:00:00Z']]);
  switch (prng.int(0, 4)) {
    case 0: {
      const n = advance instanceof RawJson ? JSON.parse(advance.text) : advance;
      const ok = typeof n === 'number' && n >= 0 && Number.isFinite(n);
      return { body: jsonText({ advanceSeconds: advance }), expect: ok ? 'any' : 'reject' };
    }
    case 1:
      return { body: jsonText({ setTo }), expect: typeof setTo === 'string' && !Number.isNaN(Date.parse(setTo)) ? 'any' : 'reject' };
    case 2:
      return { body: jsonText({ advanceSeconds: 1, setTo: '2030-01-01T00:00:00Z' }), expect: 'reject' };
    case 3:
      return { body: prng.pick(['{}', '{"advance":1}']), expect: 'reject' };
    default:
      return { body: prng.pick(NOT_OBJECTS), expect: 'reject' };
  }
}

function nodeBody(prng: Prng): { body: string; expect: Expect } {
  const good = { tags: { Env: 'prod' }, resourceGroups: ['web'] };
  const bad = prng.pick<[unknown, Expect]>([
    [good, 'any'], [{}, 'any'], [{ tags: [] }, 'reject'], [{ tags: { a: 1 } }, 'reject'], [{ tags: { a: null } }, 'reject'], [{ tags: 'x' }, 'reject'],
    [{ resourceGroups: 'web' }, 'reject'], [{ resourceGroups: [1] }, 'reject'], [{ resourceGroups: [''] }, 'reject'], [{ resourceGroups: [null] }, 'reject'],
    [{ resourceGroups: Array(prng.int(1000, 20_000)).fill('g') }, 'any'], [{ tags: Object.fromEntries(Array.from({ length: prng.int(100, 5000) }, (_, i) => [`k${i}`, 'v'])) }, 'any'],
    [{ tags: { '': '', '\ud800': '\udfff', 'a\u0000': 'b' } }, 'any'], [{ tags: null, resourceGroups: null }, 'any'], [{ tags: { a: 'x'.repeat(300_000) } }, 'any'],
    [{ extra: nested(3000, 'object') }, 'any'],
  ]);
  if (prng.chance(0.1)) return { body: prng.pick(NOT_OBJECTS.filter((b) => b !== 'null')), expect: 'reject' };
  const body = jsonText(bad[0]);
  return { body: prng.chance(0.05) ? body.replace('{', '{"tags":{"__proto__":"x"},') : body, expect: bad[1] };
}

function ruleBody(prng: Prng): { body: string; expect: Expect } {
  const rule = (): [unknown, Expect] =>
    prng.pick<[unknown, Expect]>([
      [{ status: 'FAILED' }, 'accept'], [{ status: 'SUCCESS', durationSeconds: 5, times: 2, statusDetails: 'x' }, 'accept'],
      [{ match: { windowId: 'mw-0123456789abcdef0' }, status: 'TIMED_OUT' }, 'accept'], [{ status: 'failed' }, 'reject'], [{}, 'reject'], [null, 'reject'],
      [{ status: 'FAILED', match: { nope: 'x' } }, 'reject'], [{ status: 'FAILED', match: { windowId: 1 } }, 'reject'], [{ status: 'FAILED', match: { windowId: '' } }, 'reject'],
      [{ status: 'FAILED', match: [] }, 'reject'], [{ status: 'FAILED', durationSeconds: -1 }, 'reject'], [{ status: 'FAILED', durationSeconds: 1e20 }, 'reject'],
      [{ status: 'FAILED', durationSeconds: 'x' }, 'reject'], [{ status: 'FAILED', times: 0 }, 'reject'], [{ status: 'FAILED', times: 1.5 }, 'reject'],
      [{ status: 'FAILED', times: 1e20 }, 'any'], [{ status: 'FAILED', statusDetails: 'x'.repeat(251) }, 'reject'], [{ status: 'FAILED', statusDetails: 7 }, 'reject'],
      [{ status: 'FAILED', match: { __proto__: 'x' } }, 'any'], [{ status: 'FAILED', durationSeconds: raw('1e400') }, 'reject'],
    ]);
  // ('[]' is not among them: an empty list of rules is valid.)
  if (prng.chance(0.1)) return { body: prng.pick(NOT_OBJECTS.filter((b) => b !== '[]')), expect: 'reject' };
  const rules: unknown[] = [];
  const expects: Expect[] = [];
  for (let i = prng.pick([0, 1, 1, 2, 3]); i > 0; i--) {
    const [r, e] = rule();
    rules.push(r);
    expects.push(e);
  }
  const expect: Expect = expects.includes('reject') ? 'reject' : expects.includes('any') ? 'any' : 'accept';
  if (prng.chance(0.05)) return { body: jsonText(Array(prng.int(1000, 10_000)).fill({ status: 'FAILED' })), expect: 'any' };
  return { body: jsonText(prng.chance(0.3) ? { rules } : rules), expect };
}

export function controlCase(prng: Prng, pools: ScopePool[]): ControlCase {
  const q = query(prng);
  const badId = prng.chance(0.3);
  const windows = pools.flatMap((p) => p.windows);
  const windowId = badId ? prng.pick(BAD_IDS) : windows.length && prng.chance(0.8) ? prng.pick(windows) : `mw-${prng.hex(17)}`;
  const nodeId = badId ? prng.pick(BAD_IDS) : prng.pick(['i-0123456789abcdef0', `mi-${prng.hex(17)}`, `i-${prng.hex(8)}`, 'node.1:x', 'n_2', 'i-0aaa']);
  const odd = (e: Expect): Expect => (q.bad ? 'reject' : e);
  const pick = prng.int(0, 11);
  switch (pick) {
    case 0:
      return { kind: 'control', server: 'main', method: 'POST', path: `/_mw/windows/${windowId}/executions${q.text}`, body: '', expect: odd('any'), label: 'fire a window' };
    case 1:
      return { kind: 'control', server: prng.pick(['main', 'clock']), method: 'GET', path: `/_mw/clock${q.text}`, body: '', expect: 'accept', label: 'read the clock' };
    case 2:
    case 3: {
      const { body, expect } = clockBody(prng);
      return { kind: 'control', server: 'clock', method: 'POST', path: '/_mw/clock', body, expect, label: 'move the clock' };
    }
    case 4:
    case 5: {
      const { body, expect } = nodeBody(prng);
      const idBad = !NODE_ID.test(decoded(nodeId) ?? '');
      return { kind: 'control', server: 'main', method: 'PUT', path: `/_mw/nodes/${nodeId}${q.text}`, body, expect: odd(idBad ? 'reject' : expect), label: 'put a node' };
    }
    case 6:
      return { kind: 'control', server: 'main', method: prng.pick(['GET', 'DELETE']), path: prng.pick([`/_mw/nodes${q.text}`, `/_mw/nodes/${nodeId}${q.text}`]), body: '', expect: odd('any'), label: 'list or delete nodes' };
    case 7:
    case 8: {
      const { body, expect } = ruleBody(prng);
      return { kind: 'control', server: 'main', method: 'PUT', path: `/_mw/outcomes${q.text}`, body, expect: odd(expect), label: 'set outcome rules' };
    }
    case 9:
      return { kind: 'control', server: 'main', method: prng.pick(['GET', 'DELETE']), path: `/_mw/outcomes${q.text}`, body: '', expect: odd('accept'), label: 'read or clear outcome rules' };
    case 10:
      {
        const [method, path] = prng.pick([['PATCH', '/_mw/health'], ['POST', '/_mw/outcomes'], ['OPTIONS', '/_mw/nodes'], ['DELETE', `/_mw/windows/${windowId}/executions`], ['PUT', '/_mw/clock'], ['POST', '/_mw/nodes']]);
        return { kind: 'control', server: 'main', method, path, body: '{}', expect: 'reject', label: 'method not allowed' };
      }
    default:
      return { kind: 'control', server: 'main', method: 'GET', path: prng.pick(['/_mw/health', '/_mw/nope', '/_mw/nodes/', '/_mw/windows/x', `/_mw/health${q.text}`]), body: '', expect: 'any', label: 'other paths' };
  }
}
