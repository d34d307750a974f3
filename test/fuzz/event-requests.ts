// The event routes (wire/event-routes.ts) and operation names from Object.prototype:
// - /_mw/event-targets: targets added with bodies of the wrong shape and URLs that are not http(s), listed
//   and deleted from their own and other scopes, deleted by prototype names; a valid target points at the
//   run's own sink (runner.ts) under a path naming its account and Region, so a listing can tell whose it is.
// - /_mw/events: the live stream, opened with garbage detail-types, window ids, `after` and Last-Event-ID,
//   read for a moment and closed by the client.
// - POST / with X-Amz-Target `AmazonSSM.constructor`, `toString`, `__proto__` and the like: the operation
//   does not exist, whatever JavaScript objects happen to have.

import { DETAIL_TYPES } from '../../src/domain/events.ts';
import { jsonText, nested } from './json-text.ts';
import type { Expect } from './mutations.ts';
import type { Scope } from './pools.ts';
import type { Prng } from './prng.ts';

export interface EventCase {
  kind: 'events';
  label: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
  expect: Expect;
  /** The scope the query names (undefined when the query is not a valid one). */
  scope?: Scope;
  /** GET /_mw/events: read what comes for a moment, then close. */
  stream: boolean;
}

export interface TargetNameCase {
  kind: 'target-name';
  target: string;
  body: string;
}

/** Event targets the run added, with the scope each was added in (runner.ts fills it from the answers). */
export interface EventTargetPool {
  sink: string;
  added: { scope: Scope; id: string }[];
}

const DEFAULT_SCOPE: Scope = { account: '000000000000', region: 'us-east-1' };
const SCOPES: Scope[] = [{ account: '222222222222', region: 'us-east-1' }, { account: '333333333333', region: 'eu-west-1' }, { account: '444444444444', region: 'us-east-1' }];
const BAD_QUERIES = ['account=12', 'account=abc', 'account=%ZZ', 'account=', 'region=', 'region=us-east-1x', 'region=%F0%9F', `region=${'r'.repeat(3000)}`, 'account=__proto__'];
const PROTOTYPE_NAMES = ['__proto__', 'constructor', 'toString', 'valueOf', 'hasOwnProperty', 'isPrototypeOf', 'propertyIsEnumerable', 'toLocaleString', '__defineGetter__', '__lookupSetter__'];
const BAD_IDS = ['%ZZ', '%E0%A4%A', '%00', '%2F', '..', 'a%20b', 'n'.repeat(300), 'webhook-0123456789abcdef', 'eventbridge-', ''];
const NOT_OBJECTS = ['[]', '"x"', '1', 'null', 'true', '{', '{"kind":', '\ufeff{}', '{"a":1}x', nested(5000, 'array').text];

/** The scope a query names, and the query text; now and then a query that names no valid scope. */
function query(prng: Prng): { text: string; scope?: Scope } {
  if (prng.chance(0.12)) return { text: `?${prng.pick(BAD_QUERIES)}` };
  if (prng.chance(0.2)) return { text: '', scope: DEFAULT_SCOPE };
  const scope = prng.pick(SCOPES);
  return { text: `?account=${scope.account}&region=${scope.region}`, scope };
}

/** The sink URL of a target added in `scope`: the path says whose it is. */
export function sinkUrl(sink: string, scope: Scope, n: number): string {
  return `${sink}/${scope.account}/${scope.region}/${n}`;
}

function targetBody(prng: Prng, sink: string, scope: Scope | undefined): { body: string; expect: Expect; label: string } {
  const url = sinkUrl(sink, scope ?? DEFAULT_SCOPE, prng.int(0, 3));
  const [value, label, expect] = prng.pick<[unknown, string, Expect]>([
    [{ kind: 'webhook', url }, 'webhook', 'accept'], [{ kind: 'webhook', url }, 'webhook', 'accept'],
    [{ kind: 'eventbridge', url, eventBusName: prng.pick(['default', 'fuzz-bus']) }, 'eventbridge', 'accept'],
    [{ kind: 'webhook', url, extra: nested(500, 'object') }, 'unknown member', 'any'],
    [{ kind: 'Webhook', url }, 'kind Webhook', 'reject'], [{ kind: '__proto__', url }, 'kind __proto__', 'reject'], [{ kind: 1, url }, 'kind 1', 'reject'], [{ url }, 'no kind', 'reject'],
    [{ kind: 'webhook' }, 'no url', 'reject'], [{ kind: 'webhook', url: prng.pick(['ftp://127.0.0.1/', 'http://', 'javascript:alert(1)', 'file:///etc/passwd', '//127.0.0.1/', '', 'http:/x']) }, 'url not http(s)', 'reject'],
    [{ kind: 'webhook', url: prng.pick([1, null, [], {}]) }, 'url of another type', 'reject'],
    [{ kind: 'eventbridge', url, eventBusName: prng.pick<unknown>([{}, [], 7, '', 'b'.repeat(300), '__proto__']) }, 'odd eventBusName', 'any'],
    [{ kind: 'webhook', url: `${url}/${'p'.repeat(prng.int(1000, 60_000))}` }, 'long url', 'any'],
  ]);
  if (prng.chance(0.1)) return { body: prng.pick(NOT_OBJECTS), expect: 'reject', label: 'body not an object' };
  if (prng.chance(0.05)) return { body: '', expect: 'reject', label: 'empty body' };
  return { body: jsonText(value), expect, label };
}

function eventsQuery(prng: Prng, q: { text: string; scope?: Scope }): { text: string; headers: Record<string, string>; expect: Expect; label: string } {
  const parts: string[] = q.text ? [q.text.slice(1)] : [];
  const labels: string[] = [];
  let expect: Expect = q.scope ? 'accept' : 'reject';
  const headers: Record<string, string> = {};
  let afterBad = false;
  for (let i = prng.pick([0, 1, 1, 2]); i > 0; i--) {
    const [part, label, e] = prng.pick<[string, string, Expect]>([
      [`detail-type=${encodeURIComponent(prng.pick(DETAIL_TYPES))}`, 'detail-type', 'accept'],
      [`detail-type=${prng.pick(['nope', '', '__proto__', 'constructor', '%ZZ', 'x'.repeat(5000), 'EC2%20Command%20Status-change%20Notification%00'])}`, 'unknown detail-type', 'reject'],
      [`window-id=${prng.pick(['mw-0123456789abcdef0', '', '__proto__', '%ZZ', '%00', 'w'.repeat(5000)])}`, 'window-id', 'any'],
      [`after=${prng.pick(['0', '1', '-1', '9007199254740991'])}`, 'after', 'accept'],
      [`after=${prng.pick(['abc', '1e400', '1.5', 'NaN', '9007199254740993', '-Infinity'])}`, 'after not an event id', 'reject'],
      [`after=${prng.pick(['', '0x10', '%205', '1e3', '%ZZ'])}`, 'odd after', 'any'],
    ]);
    parts.push(part);
    labels.push(label);
    if (label === 'after not an event id') afterBad = true;
    expect = expect === 'reject' || e === 'reject' ? 'reject' : expect === 'any' || e === 'any' ? 'any' : 'accept';
  }
  if (prng.chance(0.2)) {
    const [value, e] = prng.pick<[string, Expect]>([['0', 'accept'], ['5', 'accept'], ['abc', 'reject'], ['1e400', 'reject'], ['', 'any'], ['-1', 'any'], ['99999999999999999999', 'reject'], ['1.5', 'reject']]);
    headers['last-event-id'] = value;
    labels.push(`Last-Event-ID ${JSON.stringify(value)}`);
    // The header is where a reconnecting client says where it stopped: it may stand in for `after`, bad or not.
    if (afterBad && expect === 'reject' && q.scope && !labels.includes('unknown detail-type')) expect = 'any';
    expect = expect === 'reject' || e === 'reject' ? 'reject' : expect === 'any' || e === 'any' ? 'any' : 'accept';
  }
  return { text: parts.length ? `?${parts.join('&')}` : '', headers, expect, label: labels.join(', ') };
}

export function eventCase(prng: Prng, targets: EventTargetPool): EventCase {
  const q = query(prng);
  const base = { kind: 'events' as const, headers: { 'content-type': 'application/json' }, scope: q.scope, stream: false };
  const bad = (e: Expect): Expect => (q.scope ? e : 'reject');
  switch (prng.int(0, 6)) {
    case 0:
    case 1: {
      const { body, expect, label } = targetBody(prng, targets.sink, q.scope);
      return { ...base, label: `add an event target: ${label}`, method: 'POST', path: `/_mw/event-targets${q.text}`, body, expect: bad(expect) };
    }
    case 2:
      return { ...base, label: 'list event targets', method: 'GET', path: `/_mw/event-targets${q.text}`, body: '', expect: bad('accept') };
    case 3: {
      // A target of this scope (any answer), of another scope (must stay: 404), or an id no target has.
      const own = targets.added.filter((t) => q.scope && t.scope.account === q.scope.account && t.scope.region === q.scope.region);
      const others = targets.added.filter((t) => !own.includes(t));
      const roll = prng.int(0, 5);
      if (roll <= 1 && own.length) return { ...base, label: 'delete an own event target', method: 'DELETE', path: `/_mw/event-targets/${encodeURIComponent(prng.pick(own).id)}${q.text}`, body: '', expect: bad('any') };
      if (roll <= 3 && others.length) return { ...base, label: 'delete another scope\'s event target', method: 'DELETE', path: `/_mw/event-targets/${encodeURIComponent(prng.pick(others).id)}${q.text}`, body: '', expect: 'reject' };
      const id = prng.chance(0.5) ? prng.pick(PROTOTYPE_NAMES) : prng.pick(BAD_IDS);
      return { ...base, label: 'delete an event target by an odd id', method: 'DELETE', path: `/_mw/event-targets/${id}${q.text}`, body: '', expect: 'reject' };
    }
    case 4: {
      const [method, path] = prng.pick([['PUT', '/_mw/event-targets'], ['PATCH', '/_mw/event-targets'], ['DELETE', '/_mw/event-targets'], ['POST', '/_mw/events'], ['GET', '/_mw/event-targets/x'], ['POST', `/_mw/event-targets/${prng.pick(PROTOTYPE_NAMES)}`], ['GET', `/_mw/events/${prng.pick(PROTOTYPE_NAMES)}`]]);
      return { ...base, label: 'method or path not served', method, path: `${path}${q.text}`, body: '{}', expect: 'reject' };
    }
    default: {
      const e = eventsQuery(prng, q);
      return { ...base, label: `open the event stream${e.label ? ` (${e.label})` : ''}`, method: 'GET', path: `/_mw/events${e.text}`, headers: e.headers, body: '', expect: e.expect, stream: true };
    }
  }
}

const TARGET_NAMES = [
  ...PROTOTYPE_NAMES.map((n) => `AmazonSSM.${n}`), ...PROTOTYPE_NAMES, ...PROTOTYPE_NAMES.map((n) => `EC2WindowsMessageDeliveryService.${n}`),
  'AmazonSSM.', 'AmazonSSM', 'EC2WindowsMessageDeliveryService.', '.', 'AmazonSSM.constructor.name', 'AmazonSSM.__proto__.toString', 'prototype', 'AmazonSSM.prototype',
];

export function targetNameCase(prng: Prng): TargetNameCase {
  return { kind: 'target-name', target: prng.pick(TARGET_NAMES), body: prng.pick(['{}', '{}', '{"a":1}', '', '[]', 'null', '{"constructor":{"name":"x"}}']) };
}
