// Breaking a valid request in one place at a time, guided by the model: wrong JSON types, nulls, values
// just outside (and on) each bound, huge and odd strings, numbers Java cannot hold, unknown members.
// Each mutation says whether the model forbids the result ('reject': the server must answer with a
// ValidationException or SerializationException before any handler runs) or allows it ('accept'/'any').

import { shapes, type ShapeName } from '../../src/wire/generated/shapes.ts';
import { nested, raw } from './json-text.ts';
import type { Prng } from './prng.ts';

export type Expect = 'reject' | 'accept' | 'any';

export interface Site {
  container: Record<string, unknown> | unknown[];
  key: string | number;
  shape: ShapeName;
  kind: 'member' | 'element' | 'map-value' | 'map-key';
  required: boolean;
  path: string;
}

export interface Mutation {
  path: string;
  label: string;
  expect: Expect;
}

const INT_MIN = -2147483648;
const INT_MAX = 2147483647;
/** Strings a fuzzer should always try: controls, separators, surrogates (paired and lone), RTL, emoji. */
const ODD_STRINGS = ['\u0000', '\u0001\u001f', 'a\nb', '\t', ' ', '\u2028\u2029', '\ud800', '\udfff', 'x\udc00y', '\ud83d\ude00', '\u202eabc', 'e\u0301', '\ufeff', '\uffff', "'\"\\", '%00%ZZ', '<script>', '${x}', '{{RESOURCE_ID}}', 'null'];

/** Every place in `value` (of `shape`) a mutation may go, absent optional members included. */
export function sites(value: unknown, shape: ShapeName, path = ''): Site[] {
  const s = shapes[shape];
  const out: Site[] = [];
  if (s.type === 'structure' && typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const o = value as Record<string, unknown>;
    for (const [name, ref] of Object.entries(s.members ?? {})) {
      const p = path ? `${path}.${name}` : name;
      out.push({ container: o, key: name, shape: ref.shape, kind: 'member', required: !!s.required?.includes(name), path: p });
      if (o[name] !== undefined) out.push(...sites(o[name], ref.shape, p));
    }
  } else if (s.type === 'list' && Array.isArray(value)) {
    value.forEach((v, i) => {
      out.push({ container: value, key: i, shape: s.member!.shape, kind: 'element', required: true, path: `${path}[${i}]` });
      out.push(...sites(v, s.member!.shape, `${path}[${i}]`));
    });
  } else if (s.type === 'map' && typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      out.push({ container: value as Record<string, unknown>, key: k, shape: s.key!.shape, kind: 'map-key', required: true, path: `${path}{${k}}` });
      out.push({ container: value as Record<string, unknown>, key: k, shape: s.value!.shape, kind: 'map-value', required: true, path: `${path}.${k}` });
      out.push(...sites(v, s.value!.shape, `${path}.${k}`));
    }
  }
  return out;
}

function codePoints(v: string): number {
  return [...v].length;
}

/** What the model says about a string value of `shape`. */
function stringExpect(shape: ShapeName, v: string): Expect {
  const s = shapes[shape];
  const n = codePoints(v);
  if (s.min !== undefined && n < s.min) return 'reject';
  if (s.max !== undefined && n > s.max) return 'reject';
  if (s.enum && !s.enum.includes(v)) return 'reject';
  if (s.jsPattern && !new RegExp(s.jsPattern, 'u').test(v)) return 'reject';
  return 'accept';
}

/**
 * What the model says about a JSON number for an integer `shape`. A non-integral number is refused; an
 * integer beyond Java's int range is held to it (as AWS's deserializer does, see
 * src/wire/validation/projection.ts) and then checked against the bounds.
 */
function integerExpect(shape: ShapeName, v: number): Expect {
  const s = shapes[shape];
  if (!Number.isInteger(v)) return 'reject';
  const held = Math.min(INT_MAX, Math.max(INT_MIN, v));
  if ((s.min !== undefined && held < s.min) || (s.max !== undefined && held > s.max)) return 'reject';
  return 'accept';
}

type Candidate = { value: unknown; expect: Expect; label: string };

function wrongTypes(type: string): Candidate[] {
  const all: [string, unknown][] = [['string', 'x'], ['number', 7], ['decimal', 1.5], ['true', true], ['false', false], ['list', ['x']], ['empty list', []], ['object', { a: 1 }], ['empty object', {}]];
  const fits: Record<string, string[]> = {
    string: ['string'], blob: [], integer: ['number'], long: ['number'], boolean: ['true', 'false'],
    list: ['list', 'empty list'], structure: ['object', 'empty object'], map: ['object', 'empty object'],
    // The JSON protocol's timestamps are epoch seconds, fractions allowed (the SDKs send 1.5 for 1.5 s).
    timestamp: ['number', 'decimal'],
  };
  // A blob is a base64 string: 'x' is a string but not valid base64, so it is wrong as well.
  return all.filter(([name]) => !(fits[type] ?? []).includes(name)).map(([name, value]) => ({ value, expect: 'reject', label: `wrong type: ${name}` }));
}

function stringCandidates(prng: Prng, shape: ShapeName, current: unknown): Candidate[] {
  const s = shapes[shape];
  const out: Candidate[] = [];
  const add = (value: string, label: string) => out.push({ value, expect: stringExpect(shape, value), label });
  const base = typeof current === 'string' && current.length > 0 ? current : 'abc';
  if (s.min !== undefined && s.min > 0) add('a'.repeat(s.min - 1), `length min-1 (${s.min - 1})`);
  if (s.min !== undefined) add('a'.repeat(s.min), `length min (${s.min})`);
  if (s.max !== undefined) {
    add('a'.repeat(s.max), `length max (${s.max})`);
    add('a'.repeat(s.max + 1), `length max+1 (${s.max + 1})`);
  }
  add('a'.repeat(prng.int(100_000, 300_000)), 'huge string');
  add('', 'empty string');
  const odd = prng.pick(ODD_STRINGS);
  add(odd, `odd string ${JSON.stringify(odd)}`);
  add(base.slice(0, -1) + odd, `odd character at the end ${JSON.stringify(odd)}`);
  add(base.slice(0, 1) + '#' + base.slice(2), 'one character outside the pattern');
  add(base.toLowerCase() === base ? base.toUpperCase() : base.toLowerCase(), 'other letter case');
  add(` ${base} `, 'padded with spaces');
  return out;
}

function integerCandidates(shape: ShapeName): Candidate[] {
  const s = shapes[shape];
  const out: Candidate[] = [];
  const add = (value: number, label: string) => out.push({ value, expect: integerExpect(shape, value), label });
  if (s.min !== undefined) (add(s.min - 1, 'min-1'), add(s.min, 'min'));
  if (s.max !== undefined) (add(s.max + 1, 'max+1'), add(s.max, 'max'));
  add(INT_MAX + 1, '2^31');
  add(INT_MIN - 1, '-2^31-1');
  add(1e20, '1e20');
  add(2.5, 'non-integer 2.5');
  add(-1, '-1');
  out.push({ value: raw('-0'), expect: integerExpect(shape, 0), label: '-0' });
  out.push({ value: raw('1e400'), expect: 'reject', label: '1e400 (overflows a double)' });
  out.push({ value: raw('123456789012345678901234567890'), expect: integerExpect(shape, 1.2345678901234568e29), label: 'a 30-digit integer' });
  out.push({ value: raw('9007199254740993'), expect: integerExpect(shape, 9007199254740993), label: '2^53+1' });
  out.push({ value: raw('2.0'), expect: 'any', label: '2.0' });
  out.push({ value: raw('1E1'), expect: 'any', label: '1E1' });
  return out;
}

function containerCandidates(prng: Prng, site: Site, current: unknown): Candidate[] {
  const s = shapes[site.shape];
  const out: Candidate[] = [];
  if (s.type === 'list') {
    const element = Array.isArray(current) && current.length ? current[0] : 'x';
    const size = (n: number) => ((s.min !== undefined && n < s.min) || (s.max !== undefined && n > s.max) ? 'reject' : 'any');
    if (s.max !== undefined) out.push({ value: Array(s.max + 1).fill(element), expect: 'reject', label: `max+1 (${s.max + 1}) elements` });
    if (s.min !== undefined && s.min > 0) out.push({ value: [], expect: 'reject', label: 'empty list below min' });
    const huge = prng.int(2000, 20_000);
    out.push({ value: Array(huge).fill(element), expect: size(huge), label: `huge list (${huge})` });
    out.push({ value: [null], expect: 'reject', label: 'null element' });
    out.push({ value: [element, null], expect: 'reject', label: 'null element after a valid one' });
    out.push({ value: [nested(prng.int(50, 3000), 'array')], expect: 'reject', label: 'deeply nested list element' });
  } else if (s.type === 'map') {
    const entry = typeof current === 'object' && current !== null ? (Object.values(current)[0] ?? 'x') : 'x';
    if (s.max !== undefined) out.push({ value: Object.fromEntries(Array.from({ length: s.max + 1 }, (_, i) => [`k${i}`, entry])), expect: 'reject', label: `max+1 (${s.max + 1}) entries` });
    if (s.min !== undefined && s.min > 0) out.push({ value: {}, expect: 'reject', label: 'empty map below min' });
    out.push({ value: { k: null }, expect: 'any', label: 'null map value' });
  } else if (s.type === 'structure') {
    const copy = { ...(current as Record<string, unknown>) };
    const name = prng.pick(['Unknown', 'windowId', '__proto__', 'constructor', 'Extra']);
    const value = prng.pick<unknown>(['x', 1, { deep: { er: [1] } }, null, nested(prng.int(10, 2000), 'object')]);
    Object.defineProperty(copy, name, { value, enumerable: true, configurable: true, writable: true });
    out.push({ value: copy, expect: 'accept', label: 'unknown nested member' });
  }
  return out;
}

/** Replaces (or adds) the value at `site`, returning what was done. */
export function mutate(prng: Prng, site: Site): Mutation {
  const s = shapes[site.shape];
  const current = Array.isArray(site.container) ? site.container[site.key as number] : (site.container as Record<string, unknown>)[site.key as string];
  if (site.kind === 'map-key') {
    const key = prng.pick(['', 'k'.repeat((s.max ?? 200) + 1), prng.pick(ODD_STRINGS), '__proto__']);
    const map = site.container as Record<string, unknown>;
    const value = map[site.key as string];
    delete map[site.key as string];
    // Defined as a property so '__proto__' is an own key on the wire, not the prototype.
    Object.defineProperty(map, key, { value, enumerable: true, configurable: true, writable: true });
    return { path: site.path, label: `map key ${JSON.stringify(key.length > 20 ? `${key.slice(0, 8)}…(${key.length})` : key)}`, expect: stringExpect(site.shape, key) === 'reject' ? 'reject' : 'any' };
  }
  const candidates: Candidate[] = [
    { value: null, expect: site.kind === 'element' || (site.kind === 'member' && site.required) ? 'reject' : site.kind === 'map-value' ? 'any' : 'accept', label: 'null' },
    ...wrongTypes(s.type),
  ];
  if (s.type === 'string') candidates.push(...stringCandidates(prng, site.shape, current));
  if (s.type === 'integer' || s.type === 'long') candidates.push(...integerCandidates(site.shape));
  if (s.type === 'blob') candidates.push({ value: 'abc', expect: 'reject', label: 'base64 of bad length' }, { value: '====', expect: 'reject', label: 'base64 padding only' }, { value: 'A'.repeat(8000), expect: 'reject', label: 'blob over max' });
  candidates.push(...containerCandidates(prng, site, current));
  // Wrong types are many but alike: give the model-specific candidates most of the draws. Values the
  // model allows (bounds, odd text, null, unknown members) get a share of their own: they are the ones
  // that reach handlers and storage.
  const typed = candidates.filter((c) => !c.label.startsWith('wrong type'));
  const allowed = candidates.filter((c) => c.expect !== 'reject' && !(c.value === null && site.kind !== 'member'));
  const roll = prng.float();
  const chosen = roll < 0.2 ? prng.pick(candidates) : roll < 0.55 && allowed.length ? prng.pick(allowed) : prng.pick(typed);
  if (Array.isArray(site.container)) site.container[site.key as number] = chosen.value;
  else site.container[site.key as string] = chosen.value;
  const expect = chosen.value === null && site.kind === 'member' && !site.required ? 'accept' : chosen.expect;
  return { path: site.path, label: chosen.label, expect };
}

