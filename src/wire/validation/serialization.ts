// Phase 1 of input checking: does every present member have the JSON type its shape needs?
// A mismatch is what the AWS JSON deserializer rejects with a 400 SerializationException before any
// constraint is looked at. It stops at the first mismatch, in document order (the order of the keys in
// the request body), like a streaming parser. JSON null counts as absent; unknown members are ignored;
// null list elements and map values pass here and are reported by the constraint phase.
//
// Message forms, and where each came from (real service responses unless marked [I]):
// [R1] Athena (awsJson1.1) probed 2026-09-23, quoted in an emulator's wire tests:
//      {"MaxResults":"1"} → "STRING_VALUE can not be converted to an Integer";
//      {"MaxResults":true} → "TRUE_VALUE can not be converted to an Integer";
//      {"NextToken":1} → "NUMBER_VALUE can not be converted to a String";
//      {"NextToken":true} → "TRUE_VALUE can not be converted to a String";
//      [1] where a list of strings is expected → "NUMBER_VALUE can not be converted to a String";
//      a list where a scalar is expected → "Start of list found where not expected";
//      an object where a scalar is expected → "Start of structure or map found where not expected." (with the dot);
//      a scalar where a list is expected → "Expected list or null";
//      a scalar where a structure is expected → "Expected null";
//      a body that is a JSON array → "Start of list found where not expected"; a body that is null, a
//      string or a number → SerializationException with no message at all.
// [R2] Lambda, real response quoted in aarondfrancis/sidecar#148: "NUMBER_VALUE can not be converted to a String".
// [R3] SES v2 probe quoted in an emulator's tests: 0 where a boolean is expected →
//      "NUMBER_VALUE can not be converted to a Boolean".
// [R4] Kinesis (older framework wording, kinesalite's tests against AWS): a scalar where a map is expected →
//      "Expected map or null"; base64 errors "Base64 encoded length is expected a multiple of 4 bytes but
//      found: 5", "Invalid Base64 character: '='", "Invalid last non-pad Base64 character dectected" (sic).
//      The newer DynamoDB wording (dynalite) drops the "'<value>' can not be converted to a Blob: " prefix;
//      we use the prefix-less form, which also never echoes a (possibly sensitive) value.
// [I]  by analogy with the forms above: FALSE_VALUE (as TRUE_VALUE); DECIMAL_VALUE for a non-integral number
//      (token name from DynamoDB's "DECIMAL_VALUE cannot be converted to Boolean"); "... to a Blob",
//      "... to a Long", "... to a Timestamp"; "STRING_VALUE can not be converted to a Boolean" — note the SES v2
//      probe saw the service coerce any string to true instead; we reject it so handlers get real booleans.
//      A non-integral number for an integer member is rejected (the service may truncate it) so handlers
//      only ever see integers.
import type { ShapeDef, ShapeName } from '../generated/shapes.ts';
import { memoized } from './memoized.ts';

export type TypeCheck = (value: unknown) => string | undefined;

const LIST_START = 'Start of list found where not expected';
const OBJECT_START = 'Start of structure or map found where not expected.';

/** The token name the AWS deserializer reports for a JSON value that is not an array or object. */
function token(v: unknown): string {
  switch (typeof v) {
    case 'string':
      return 'STRING_VALUE';
    case 'boolean':
      return v ? 'TRUE_VALUE' : 'FALSE_VALUE';
    case 'number':
      return Number.isInteger(v) ? 'NUMBER_VALUE' : 'DECIMAL_VALUE';
    default:
      return 'UNKNOWN_VALUE';
  }
}

function containerMismatch(v: unknown): string | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  return Array.isArray(v) ? LIST_START : OBJECT_START;
}

const TARGET_NAME: Record<string, string> = {
  string: 'a String',
  integer: 'an Integer',
  long: 'a Long',
  float: 'a Float',
  double: 'a Double',
  boolean: 'a Boolean',
  timestamp: 'a Timestamp',
  blob: 'a Blob',
};

const B64 = new Uint8Array(128).fill(255);
'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'.split('').forEach((c, i) => (B64[c.charCodeAt(0)] = i));

/** Checks a base64 blob string; [R4] wording. */
export function base64Problem(s: string): string | undefined {
  if (s.length % 4 !== 0) return `Base64 encoded length is expected a multiple of 4 bytes but found: ${s.length}`;
  let end = s.length;
  if (end > 0 && s.charCodeAt(end - 1) === 61) end--;
  if (end > 0 && end === s.length - 1 && s.charCodeAt(end - 1) === 61) end--;
  const pad = s.length - end;
  if (pad > 0) {
    // The unused low bits of the last data character must be zero (canonical encoding).
    const last = s.charCodeAt(end - 1);
    const bits = last < 128 ? B64[last] : 255;
    if (bits !== 255 && (bits & (pad === 2 ? 0x0f : 0x03)) !== 0) return 'Invalid last non-pad Base64 character dectected';
  }
  for (let i = 0; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c >= 128 || B64[c] === 255) return `Invalid Base64 character: '${s[i]}'`;
  }
  return undefined;
}

/** Number of bytes a valid base64 string decodes to. */
export function base64ByteLength(s: string): number {
  const n = s.length;
  if (n === 0) return 0;
  const pad = s.charCodeAt(n - 1) === 61 ? (s.charCodeAt(n - 2) === 61 ? 2 : 1) : 0;
  return (n / 4) * 3 - pad;
}

/** Builds (once) a type checker per shape. */
export function compileTypeChecks(shapes: Readonly<Record<ShapeName, ShapeDef>>): (name: ShapeName) => TypeCheck {
  const get = memoized<TypeCheck>((name) => build(shapes[name as ShapeName]));

  const build = (s: ShapeDef): TypeCheck => {
    switch (s.type) {
      case 'structure': {
        const members = new Map<string, TypeCheck>();
        for (const [m, ref] of Object.entries(s.members ?? {})) members.set(m, get(ref.shape));
        return (v) => {
          if (typeof v !== 'object' || v === null) return 'Expected null';
          if (Array.isArray(v)) return LIST_START;
          const o = v as Record<string, unknown>;
          for (const k in o) {
            const x = o[k];
            if (x === null || x === undefined) continue;
            const check = members.get(k);
            if (!check) continue; // unknown members are ignored
            const problem = check(x);
            if (problem) return problem;
          }
          return undefined;
        };
      }
      case 'list': {
        const element = get(s.member!.shape);
        return (v) => {
          if (!Array.isArray(v)) return typeof v === 'object' && v !== null ? OBJECT_START : 'Expected list or null';
          for (const x of v) {
            if (x === null) continue;
            const problem = element(x);
            if (problem) return problem;
          }
          return undefined;
        };
      }
      case 'map': {
        const value = get(s.value!.shape);
        return (v) => {
          if (typeof v !== 'object' || v === null) return 'Expected map or null';
          if (Array.isArray(v)) return LIST_START;
          const o = v as Record<string, unknown>;
          for (const k in o) {
            const x = o[k];
            if (x === null) continue;
            const problem = value(x);
            if (problem) return problem;
          }
          return undefined;
        };
      }
      case 'string':
        return (v) => (typeof v === 'string' ? undefined : (containerMismatch(v) ?? `${token(v)} can not be converted to a String`));
      case 'blob':
        return (v) => (typeof v === 'string' ? base64Problem(v) : (containerMismatch(v) ?? `${token(v)} can not be converted to a Blob`));
      case 'boolean':
        return (v) => (typeof v === 'boolean' ? undefined : (containerMismatch(v) ?? `${token(v)} can not be converted to a Boolean`));
      case 'integer':
      case 'long':
        return (v) =>
          Number.isInteger(v) ? undefined : (containerMismatch(v) ?? `${token(v)} can not be converted to ${TARGET_NAME[s.type]}`);
      case 'float':
      case 'double':
      case 'timestamp':
        return (v) =>
          typeof v === 'number' ? undefined : (containerMismatch(v) ?? `${token(v)} can not be converted to ${TARGET_NAME[s.type]}`);
    }
  };
  return get;
}

/** Phase-1 message for a request body that is not a JSON object ([R1]); '' means "no message member". */
export function bodyProblem(body: unknown): string | undefined {
  if (typeof body === 'object' && body !== null) return Array.isArray(body) ? LIST_START : undefined;
  return '';
}
