// Phase 2 of input checking: the model's constraints (required, min/max, pattern, enum), rendered in the
// AWS service framework's own words. Runs only on input that passed phase 1, so every present value has
// the JSON type its shape needs. Everything is compiled once into closures; a check only allocates when
// it reports something.
//
// Walk: structure members in model order, depth first. Per member: not-null, length (or value) min,
// length (or value) max, pattern, enum; then the members inside it.
// Paths: lowerCamelCase member names joined with '.'; a list element is `<list>.<n>.member` (1-based) and
// a map entry `<map>.<key>.member` — but only where the element is (or holds) a structure. Elements that
// are plain values are checked the way the service does it (real responses: ACM `Value '[ccc]' at
// 'subjectAlternativeNames' failed to satisfy constraint: Member must satisfy constraint: [Member must have
// length less than or equal to 253, Member must have length greater than or equal to 1, Member must satisfy
// regular expression pattern: ...]`; EventBridge `... Map keys must satisfy constraint: [...]`; DynamoDB/
// Cognito `... Map value must satisfy constraint: [...]`): one item at the list (map) itself, with the whole
// value, listing every constraint of the element shape (length max, length min, pattern, enum — the order
// seen in those responses), reported once however many elements break it; map keys before map values.
// A null element of such a list (a null map value) breaks it too; when the element shape has no constraint
// the list reads `[Member must not be null]` [I]. A null structure element is `Value null at
// '<list>.<n>.member' ... Member must not be null` [I].
// Sensitive values (shape or member marked sensitive, anything inside one, or a rendered list/map/structure
// holding one) are reported without the value: `Value at 'description' failed to satisfy constraint: ...`
// (real Cognito responses for the sensitive password/username members: `Value at 'password' failed to
// satisfy constraint: Member must have length greater than or equal to 6`). Null is still `Value null at`.
// An integer beyond Java's int range is reported with the value the service's int field holds, the
// nearest end of the range (real Kinesis response to ShardCount 100000000000: `Value '2147483647' at
// 'shardCount' failed to satisfy constraint`, recorded by kinesalite's tests; issue 26 asks for this form).
// Athena was once seen leaving the value out (`Value at 'maxResults' ...` for 99999999999): frameworks
// differ, and the value names what was refused.
// String length counts Unicode code points (Smithy's definition of the length trait) [I].
import type { ShapeDef, ShapeName } from '../generated/shapes.ts';
import { renderValue, lowerFirst } from './render.ts';
import { memoized } from './memoized.ts';
import { base64ByteLength } from './serialization.ts';

/** The service lists at most this many items, and then says "10 validation errors detected" (real:
 * Bedrock `10 validation errors detected: Value null at 'toolConfig.tools.1.member.toolSpec.name' ...`;
 * DynamoDB and Kinesis responses recorded in dynalite/kinesalite tests stop at 10 as well). */
export const MAX_ITEMS = 10;

/** Checks a present (non-null) value, appending message items to `sink` (never beyond MAX_ITEMS). */
export type ConstraintCheck = (value: unknown, path: string, sink: string[]) => void;

type Shapes = Readonly<Record<ShapeName, ShapeDef>>;

const INT_MAX = 2147483647;

function codePointLength(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length - 1; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n--;
        i++;
      }
    }
  }
  return n;
}

export function nullItem(path: string): string {
  return `Value null at '${path}' failed to satisfy constraint: Member must not be null`;
}

function join(path: string, name: string): string {
  return path ? `${path}.${name}` : name;
}

export function compileConstraints(shapes: Shapes): (name: ShapeName) => ConstraintCheck {
  const regexes = new Map<string, RegExp>();
  const regexOf = (s: ShapeDef): RegExp | undefined => {
    if (s.jsPattern === undefined) return undefined;
    let re = regexes.get(s.jsPattern);
    if (!re) regexes.set(s.jsPattern, (re = new RegExp(s.jsPattern, 'u')));
    return re;
  };

  const memo = new Map<string, boolean>();
  /** Does the shape hold (at any depth) a shape matching `test`? */
  const holds = (name: ShapeName, test: (s: ShapeDef) => boolean, tag: string, seen = new Set<ShapeName>()): boolean => {
    const key = `${tag}:${name}`;
    const known = memo.get(key);
    if (known !== undefined) return known;
    if (seen.has(name)) return false;
    seen.add(name);
    const s = shapes[name];
    const refs = [s.member, s.key, s.value, ...Object.values(s.members ?? {})].filter((r) => r !== undefined);
    const result = test(s) || refs.some((r) => (tag === 'sensitive' && r.sensitive) || holds(r.shape, test, tag, seen));
    memo.set(key, result);
    return result;
  };
  const holdsSensitive = (name: ShapeName) => holds(name, (s) => s.sensitive === true, 'sensitive');
  const holdsStructure = (name: ShapeName) => holds(name, (s) => s.type === 'structure', 'structure');

  /** The element-constraint list of a plain (structure-free) shape, as printed inside `[...]`. */
  const describe = (name: ShapeName): string[] => {
    const s = shapes[name];
    const out: string[] = [];
    const unit = s.type === 'integer' || s.type === 'long' || s.type === 'float' || s.type === 'double' ? 'value' : 'length';
    if (s.max !== undefined) out.push(`Member must have ${unit} less than or equal to ${s.max}`);
    if (s.min !== undefined) out.push(`Member must have ${unit} greater than or equal to ${s.min}`);
    if (s.pattern !== undefined) out.push(`Member must satisfy regular expression pattern: ${s.pattern}`);
    if (s.enum !== undefined) out.push(`Member must satisfy enum value set: [${s.enum.join(', ')}]`);
    if (s.type === 'list') {
      const inner = describe(s.member!.shape);
      if (inner.length) out.push(`Member must satisfy constraint: [${inner.join(', ')}]`);
    }
    if (s.type === 'map') {
      const keys = describe(s.key!.shape);
      const values = describe(s.value!.shape);
      if (keys.length) out.push(`Map keys must satisfy constraint: [${keys.join(', ')}]`);
      if (values.length) out.push(`Map value must satisfy constraint: [${values.join(', ')}]`);
    }
    return out;
  };
  const bracket = (name: ShapeName): string => {
    const d = describe(name);
    return `[${d.length ? d.join(', ') : 'Member must not be null'}]`;
  };

  /** Silent check of a plain (structure-free) shape: does the value satisfy every constraint? */
  const passCache = new Map<ShapeName, (v: unknown) => boolean>();
  const passes = (name: ShapeName): ((v: unknown) => boolean) => {
    let fn = passCache.get(name);
    if (fn) return fn;
    const s = shapes[name];
    const { min, max } = s;
    const re = regexOf(s);
    const en = s.enum ? new Set(s.enum) : undefined;
    const inRange = (n: number) => (min === undefined || n >= min) && (max === undefined || n <= max);
    switch (s.type) {
      case 'string':
        fn = (v) => {
          const str = v as string;
          return inRange(codePointLength(str)) && (!re || re.test(str)) && (!en || en.has(str));
        };
        break;
      case 'blob':
        fn = (v) => inRange(base64ByteLength(v as string));
        break;
      case 'list': {
        const el = passes(s.member!.shape);
        fn = (v) => inRange((v as unknown[]).length) && (v as unknown[]).every((x) => x !== null && el(x));
        break;
      }
      case 'map': {
        const k = passes(s.key!.shape);
        const val = passes(s.value!.shape);
        fn = (v) => {
          const o = v as Record<string, unknown>;
          const keys = Object.keys(o);
          return inRange(keys.length) && keys.every((key) => k(key) && o[key] !== null && val(o[key]));
        };
        break;
      }
      case 'boolean':
      case 'timestamp':
        fn = () => true;
        break;
      default:
        fn = (v) => inRange(v as number);
    }
    passCache.set(name, fn);
    return fn;
  };

  const compiled = memoized<ConstraintCheck>((key) => {
    const [name, inSensitive] = key.split('|');
    return build(name as ShapeName, inSensitive === 'true');
  });
  /** `inSensitive`: the value sits inside a sensitive member or shape, so it is never rendered. */
  const node = (name: ShapeName, inSensitive: boolean): ConstraintCheck => compiled(`${name}|${inSensitive}`);

  const build = (name: ShapeName, inSensitive: boolean): ConstraintCheck => {
    const s = shapes[name];
    const sensitive = inSensitive || s.sensitive === true;
    const hide = sensitive || holdsSensitive(name);
    const item = (v: unknown, path: string, rule: string): string =>
      hide
        ? `Value at '${path}' failed to satisfy constraint: ${rule}`
        : `Value '${renderValue(shapes, name, v)}' at '${path}' failed to satisfy constraint: ${rule}`;
    const { min, max } = s;
    const lenMin = `Member must have length greater than or equal to ${min}`;
    const lenMax = `Member must have length less than or equal to ${max}`;
    const sizeChecks = (v: unknown, n: number, path: string, sink: string[]): void => {
      if (min !== undefined && n < min && sink.length < MAX_ITEMS) sink.push(item(v, path, lenMin));
      if (max !== undefined && n > max && sink.length < MAX_ITEMS) sink.push(item(v, path, lenMax));
    };

    switch (s.type) {
      case 'structure': {
        const required = new Set(s.required ?? []);
        const members = Object.entries(s.members ?? {}).map(([m, ref]) => ({
          key: m,
          path: lowerFirst(m),
          required: required.has(m),
          check: node(ref.shape, sensitive || ref.sensitive === true),
        }));
        return (v, path, sink) => {
          const o = v as Record<string, unknown>;
          for (const m of members) {
            if (sink.length >= MAX_ITEMS) return;
            const x = Object.hasOwn(o, m.key) ? o[m.key] : undefined;
            if (x === null || x === undefined) {
              if (m.required) sink.push(nullItem(join(path, m.path)));
            } else m.check(x, join(path, m.path), sink);
          }
        };
      }
      case 'string': {
        const re = regexOf(s);
        const en = s.enum ? new Set(s.enum) : undefined;
        const patternRule = `Member must satisfy regular expression pattern: ${s.pattern}`;
        const enumRule = `Member must satisfy enum value set: [${(s.enum ?? []).join(', ')}]`;
        const hasLength = min !== undefined || max !== undefined;
        return (v, path, sink) => {
          const str = v as string;
          if (hasLength) {
            const len = str.length; // UTF-16 units: an upper bound of the code point count, at most twice it
            const cheap = (max === undefined || len <= max) && (min === undefined || (len + 1) >> 1 >= min);
            if (!cheap) sizeChecks(v, codePointLength(str), path, sink);
          }
          if (re && !re.test(str) && sink.length < MAX_ITEMS) sink.push(item(v, path, patternRule));
          if (en && !en.has(str) && sink.length < MAX_ITEMS) sink.push(item(v, path, enumRule));
        };
      }
      case 'integer':
      case 'long':
      case 'float':
      case 'double': {
        if (min === undefined && max === undefined) return () => {};
        // An int beyond its range is held at the nearest end (projection.ts), and named so.
        const shown = (n: number) => (s.type === 'integer' ? Math.min(INT_MAX, Math.max(-INT_MAX - 1, n)) : n);
        const valueItem = (n: number, path: string, rule: string): string =>
          hide
            ? `Value at '${path}' failed to satisfy constraint: ${rule}`
            : `Value '${shown(n)}' at '${path}' failed to satisfy constraint: ${rule}`;
        return (v, path, sink) => {
          const n = v as number;
          if (min !== undefined && n < min && sink.length < MAX_ITEMS)
            sink.push(valueItem(n, path, `Member must have value greater than or equal to ${min}`));
          if (max !== undefined && n > max && sink.length < MAX_ITEMS)
            sink.push(valueItem(n, path, `Member must have value less than or equal to ${max}`));
        };
      }
      case 'blob':
        if (min === undefined && max === undefined) return () => {};
        return (v, path, sink) => sizeChecks(v, base64ByteLength(v as string), path, sink);
      case 'boolean':
      case 'timestamp':
        return () => {};
      case 'list': {
        const el = s.member!.shape;
        const inner = sensitive || s.member!.sensitive === true;
        if (!holdsStructure(el)) {
          const ok = passes(el);
          const rule = `Member must satisfy constraint: ${bracket(el)}`;
          return (v, path, sink) => {
            const a = v as unknown[];
            sizeChecks(v, a.length, path, sink);
            if (sink.length < MAX_ITEMS && !a.every((x) => x !== null && ok(x))) sink.push(item(v, path, rule));
          };
        }
        const check = node(el, inner);
        return (v, path, sink) => {
          const a = v as unknown[];
          sizeChecks(v, a.length, path, sink);
          for (let i = 0; i < a.length && sink.length < MAX_ITEMS; i++) {
            const p = `${path}.${i + 1}.member`;
            if (a[i] === null) sink.push(nullItem(p));
            else check(a[i], p, sink);
          }
        };
      }
      case 'map': {
        const keyShape = s.key!.shape;
        const valShape = s.value!.shape;
        const keyOk = describe(keyShape).length ? passes(keyShape) : undefined;
        const keyRule = `Map keys must satisfy constraint: ${bracket(keyShape)}`;
        const plainValues = !holdsStructure(valShape);
        const valOk = plainValues ? passes(valShape) : undefined;
        const valRule = `Map value must satisfy constraint: ${bracket(valShape)}`;
        const valCheck = plainValues ? undefined : node(valShape, sensitive || s.value!.sensitive === true);
        return (v, path, sink) => {
          const o = v as Record<string, unknown>;
          const keys = Object.keys(o);
          sizeChecks(v, keys.length, path, sink);
          if (keyOk && sink.length < MAX_ITEMS && !keys.every(keyOk)) sink.push(item(v, path, keyRule));
          if (valOk) {
            if (sink.length < MAX_ITEMS && !keys.every((k) => o[k] !== null && valOk(o[k]))) sink.push(item(v, path, valRule));
            return;
          }
          for (const k of keys) {
            if (sink.length >= MAX_ITEMS) return;
            const p = `${path}.${k}.member`;
            if (o[k] === null) sink.push(nullItem(p));
            else valCheck!(o[k], p, sink);
          }
        };
      }
    }
  };

  return (name) => node(name, false);
}
