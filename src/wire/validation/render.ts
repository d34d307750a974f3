// How a value appears inside a validation message (`Value '<here>' at '...'`): Java's toString of the
// deserialized value, as the AWS service framework prints it.
// - strings as is, numbers and booleans as Java prints them, null as `null`;
// - lists as java.util.List: `[a, b]` (real: SSM GetParameters `Value '[list, of, ten, items]' at 'names'`);
// - maps as java.util.Map: `{k=v, k2=v2}` in request order (real: EventBridge
//   `Value '{de onde?=$.detail.sourceIPAddress, ...}' at 'targets.1.member.inputTransformer.inputPathsMap'`);
// - structures as `ShapeName(lowerCamelMember=value, ...)` with every model member, absent ones as null
//   (real SSM SendCommand: `Value '[Target(key=tag:a, values=[1]), Target(key=tag:b, values=[2]), ...]' at
//   'targets' failed to satisfy constraint: Member must have length less than or equal to 5`);
// - blobs as java.nio.ByteBuffer's toString, `java.nio.HeapByteBuffer[pos=0 lim=N cap=N]` [I] (no
//   non-sensitive blob exists in this model subset).
// Sensitive values are not rendered at all (see constraints.ts).
import type { ShapeDef, ShapeName } from '../generated/shapes.ts';
import { base64ByteLength } from './serialization.ts';

export function lowerFirst(name: string): string {
  return name.charAt(0).toLowerCase() + name.slice(1);
}

export function renderValue(shapes: Readonly<Record<ShapeName, ShapeDef>>, name: ShapeName, v: unknown): string {
  if (v === null || v === undefined) return 'null';
  const s = shapes[name];
  switch (s.type) {
    case 'list':
      return Array.isArray(v) ? `[${v.map((x) => renderValue(shapes, s.member!.shape, x)).join(', ')}]` : String(v);
    case 'map': {
      const o = v as Record<string, unknown>;
      return `{${Object.keys(o)
        .map((k) => `${k}=${renderValue(shapes, s.value!.shape, o[k])}`)
        .join(', ')}}`;
    }
    case 'structure': {
      const o = v as Record<string, unknown>;
      return `${name}(${Object.entries(s.members ?? {})
        .map(([m, ref]) => `${lowerFirst(m)}=${renderValue(shapes, ref.shape, o[m])}`)
        .join(', ')})`;
    }
    case 'blob': {
      const n = base64ByteLength(String(v));
      return `java.nio.HeapByteBuffer[pos=0 lim=${n} cap=${n}]`;
    }
    default:
      return String(v);
  }
}
