// Model-driven AWS API calls: a valid request for the operation, then a few mutations of its members
// (mutations.ts) and, sometimes, of the JSON text itself. Mutating operations go only to the fuzz
// scopes, never to the baseline's account, so the baseline can be compared before and after.

import { operationNames, operations, shapes, type OperationName } from '../../src/wire/generated/shapes.ts';
import { MAX_BODY_BYTES } from '../../src/wire/http-server.ts';
import { jsonText, nested } from './json-text.ts';
import { mutate, sites, type Expect } from './mutations.ts';
import type { ScopePool, Scope } from './pools.ts';
import type { Prng } from './prng.ts';
import { fixRelations, validValue, type Gen } from './valid-values.ts';

/** Operations that may change stored state. */
export const MUTATING = new Set<OperationName>(operationNames.filter((op) => !/^(Get|Describe|List)/.test(op)));

export interface ApiCase {
  kind: 'api';
  operation: OperationName;
  scope: Scope;
  body: string | Buffer;
  contentType: string | undefined;
  expect: Expect;
  /** What was done to the valid request, for the report. */
  notes: string[];
  /** The object sent, when the body is exactly its JSON text (follow-up checks read it). */
  input?: Record<string, unknown>;
}

/** The SigV4 Authorization header of a scope (the signature is not checked; the scope is read from it). */
export function authorization(scope: Scope): string {
  const key = /^\d{12}$/.test(scope.account) && scope.account !== '000000000000' ? scope.account : 'AKIDEXAMPLE';
  return `AWS4-HMAC-SHA256 Credential=${key}/20260101/${scope.region}/ssm/aws4_request, SignedHeaders=content-type;host;x-amz-target, Signature=${'0'.repeat(64)}`;
}

function combine(a: Expect, b: Expect): Expect {
  if (a === 'reject' || b === 'reject') return 'reject';
  return a === 'accept' && b === 'accept' ? 'accept' : 'any';
}

const TOP_LEVEL_UNKNOWN = ['Unknown', 'windowId', 'WINDOWID', '__proto__', 'constructor', 'toString', 'Ⅻ', '', ' ', 'a'.repeat(5000)];

interface BodyVariant {
  body: string | Buffer;
  expect?: Expect;
  label: string;
}

/** Changes to the JSON text: cut, padded, broken tokens, other top-level types, bytes that are not UTF-8. */
function bodyVariant(prng: Prng, text: string): BodyVariant {
  const firstKey = /^\{"([^"]*)"/.exec(text)?.[1];
  const variants: (() => BodyVariant)[] = [
    () => ({ body: text.slice(0, prng.int(1, Math.max(1, text.length - 1))), expect: 'reject', label: 'truncated JSON' }),
    () => ({ body: text + prng.pick(['x', '}', ',', '{}', '\u0000', ']']), expect: 'reject', label: 'trailing garbage' }),
    () => ({ body: text + ' \n\t\r ', label: 'trailing whitespace' }),
    () => ({ body: prng.pick(['[]', '[{}]', '"x"', '1', '-0', 'null', 'true', 'false', '1e400']), expect: 'reject', label: 'not an object' }),
    () => ({ body: prng.pick(['{"a":NaN}', '{"a":Infinity}', "{'a':1}", '{"a":1,}', '{/*c*/}', '{"a":01}', '{"a":.5}', '{"a":"\\x"}', '{"a":"\u0001"}', '{"a"}', '{:1}', '{"a":1 "b":2}', '{"\\ud800":1']), expect: 'reject', label: 'invalid JSON token' }),
    () => ({ body: '\ufeff' + text, expect: 'any', label: 'byte order mark' }),
    () => ({ body: firstKey !== undefined ? `{"${firstKey}":123,${text.slice(1)}` : text, expect: 'any', label: 'duplicate key (wrong type first)' }),
    () => ({ body: firstKey !== undefined ? `${text.slice(0, -1)},"${firstKey}":null}` : text, expect: 'any', label: 'duplicate key (null last)' }),
    () => {
      const bytes = Buffer.from(text, 'utf8');
      const at = bytes.indexOf(0x22, 2) + 1;
      return { body: Buffer.concat([bytes.subarray(0, at), Buffer.from(prng.pick([[0xff], [0xc3], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80]])), bytes.subarray(at)]), expect: 'any', label: 'invalid UTF-8 bytes' };
    },
    () => ({ body: text.length > 2 ? `{"Deep":${nested(prng.int(100, 5000), prng.pick(['array', 'object'] as const)).text},${text.slice(1)}` : text, expect: 'any', label: 'deeply nested unknown member' }),
    () => ({ body: nested(prng.int(100_000, 400_000), 'array').text, expect: 'reject', label: 'extremely deep nesting' }),
    () => ({ body: ' '.repeat(prng.int(10_000, 500_000)) + text, label: 'leading whitespace' }),
    () => ({ body: text + ' '.repeat(MAX_BODY_BYTES + 1 - Buffer.byteLength(text) + prng.int(0, 1000)), expect: 'reject', label: 'body over the size limit' }),
    () => ({ body: text.replace(/"([A-Z])/, (_, c: string) => `"\\u00${c.charCodeAt(0).toString(16)}`), label: 'escaped key characters' }),
  ];
  return prng.pick(variants)();
}

const CONTENT_TYPES = ['application/x-amz-json-1.1', 'application/x-amz-json-1.1', 'application/x-amz-json-1.1', 'application/json', 'text/plain', '', 'application/x-amz-json-1.0', 'a/b; charset=utf-16', undefined];

export function apiCase(prng: Prng, scopes: { fuzz: Scope[]; baseline: Scope }, poolOf: (s: Scope) => ScopePool): ApiCase {
  const operation = prng.pick(operationNames);
  const mutating = MUTATING.has(operation);
  const scope = !mutating && prng.chance(0.3) ? scopes.baseline : prng.pick(scopes.fuzz);
  const pool = poolOf(scope);
  const g: Gen = { prng, chain: pool.chain(prng), pool, operation };
  const shape = operations[operation].input;
  const input = validValue(g, shape) as Record<string, unknown>;
  fixRelations(operation, input, g);
  const notes: string[] = [];
  let expect: Expect = 'accept';

  const count = prng.pick([0, 0, 1, 1, 1, 1, 2, 2, 3]);
  const taken: string[] = [];
  for (let i = 0; i < count; i++) {
    const free = sites(input, shape).filter((s) => !taken.some((t) => s.path === t || s.path.startsWith(`${t}.`) || s.path.startsWith(`${t}[`) || s.path.startsWith(`${t}{`) || t.startsWith(s.path)));
    if (free.length === 0) break;
    const m = mutate(prng, prng.pick(free));
    taken.push(m.path);
    notes.push(`${m.path}: ${m.label}`);
    expect = combine(expect, m.expect);
  }
  if (prng.chance(0.1)) {
    const name = prng.pick(TOP_LEVEL_UNKNOWN);
    if (!Object.hasOwn(shapes[shape].members ?? {}, name)) {
      Object.defineProperty(input, name, { value: prng.pick<unknown>(['x', 1, null, [], { a: [null] }]), enumerable: true, configurable: true, writable: true });
      notes.push(`unknown top-level member ${JSON.stringify(name.slice(0, 20))}`);
    }
  }

  const text = jsonText(input);
  let body: string | Buffer = text;
  let sentInput: Record<string, unknown> | undefined = input;
  if (prng.chance(0.12)) {
    const variant = bodyVariant(prng, text);
    body = variant.body;
    // A variant that may change what the body means (a duplicate key whose last value wins, a BOM, bytes
    // that are not UTF-8) leaves any answer possible, whatever the mutations above expected.
    if (variant.expect) expect = variant.expect === 'accept' ? combine(expect, 'accept') : variant.expect;
    notes.push(`body: ${variant.label}`);
    sentInput = undefined;
  }
  const contentType = prng.chance(0.15) ? prng.pick(CONTENT_TYPES) : 'application/x-amz-json-1.1';
  if (contentType !== 'application/x-amz-json-1.1') notes.push(`content-type ${JSON.stringify(contentType)}`);
  return { kind: 'api', operation, scope, body, contentType, expect, notes, input: sentInput };
}
