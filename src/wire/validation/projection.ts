// Phase 3 of input checking: what the handler receives is the request as the AWS deserializer builds it
// from the model. A member the shape does not list is dropped at every depth (AWS ignores unknown members,
// so they are never stored or echoed), and a member whose value is JSON null is absent (the deserializer
// leaves the field unset: "Name": null on an update changes nothing), and an integer beyond Java's int
// range is held at the nearest end of it, as the service's int fields hold it (Kinesis, answering
// `ShardCount: 100000000000` with "Value '2147483647' at 'shardCount' failed to satisfy constraint",
// recorded by kinesalite's tests against the live service). Runs on input that passed phases 1
// and 2, so every value has its shape's JSON type. A value that needs no change is returned as it is, so
// the common request allocates nothing here.
import type { ShapeDef, ShapeName } from '../generated/shapes.ts';
import { memoized } from './memoized.ts';

export type Projection = (value: unknown) => unknown;

const identity: Projection = (v) => v;
const INT_MAX = 2_147_483_647;
const INT_MIN = -2_147_483_648;

/** Sets an own member, also for a key such as `__proto__` that JSON.parse makes an own member of a map. */
function put(o: Record<string, unknown>, k: string, v: unknown): void {
  Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
}

/** A copy of the members of `o` that come before `stop`. */
function copyBefore(o: Record<string, unknown>, stop: string): Record<string, unknown> {
  const copy: Record<string, unknown> = {};
  for (const k in o) {
    if (k === stop) break;
    put(copy, k, o[k]);
  }
  return copy;
}

export function compileProjections(shapes: Readonly<Record<ShapeName, ShapeDef>>): (name: ShapeName) => Projection {
  const get = memoized<Projection>((name) => build(shapes[name as ShapeName]));

  const build = (s: ShapeDef): Projection => {
    switch (s.type) {
      case 'structure': {
        const members = new Map<string, Projection>();
        for (const [m, ref] of Object.entries(s.members ?? {})) members.set(m, get(ref.shape));
        return (v) => {
          const o = v as Record<string, unknown>;
          let copy: Record<string, unknown> | undefined;
          for (const k in o) {
            const x = o[k];
            const project = members.get(k);
            const kept = project && x !== null && x !== undefined ? project(x) : undefined;
            if (kept === x && !copy) continue;
            // The first change: copy the members already passed unchanged.
            copy ??= copyBefore(o, k);
            if (kept !== undefined) put(copy, k, kept);
          }
          return copy ?? o;
        };
      }
      case 'list': {
        const element = get(s.member!.shape);
        if (element === identity) return identity;
        return (v) => {
          const a = v as unknown[];
          let copy: unknown[] | undefined;
          for (let i = 0; i < a.length; i++) {
            const x = a[i] === null ? null : element(a[i]);
            if (x !== a[i] && !copy) copy = a.slice(0, i);
            copy?.push(x);
          }
          return copy ?? a;
        };
      }
      case 'map': {
        const value = get(s.value!.shape);
        if (value === identity) return identity;
        return (v) => {
          const o = v as Record<string, unknown>;
          let copy: Record<string, unknown> | undefined;
          for (const k in o) {
            const x = o[k] === null ? null : value(o[k]);
            if (x !== o[k] && !copy) copy = copyBefore(o, k);
            if (copy) put(copy, k, x);
          }
          return copy ?? o;
        };
      }
      case 'integer':
        return (v) => Math.min(INT_MAX, Math.max(INT_MIN, v as number));
      default:
        return identity;
    }
  };
  return get;
}
