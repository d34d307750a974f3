// Request bodies as exact JSON text. JSON.stringify cannot write some of what a fuzzer needs (-0, 1e400,
// integers beyond 2^53, duplicate keys), so a value tree may hold `RawJson` fragments that are written
// verbatim. Lone surrogates need nothing special: JSON.stringify escapes them as \udXXX, which JSON.parse
// turns back into the same lone surrogate on the server.

export class RawJson {
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }
}

export const raw = (text: string): RawJson => new RawJson(text);

/** Writes `value` as JSON text; RawJson fragments go in unchanged, undefined members are left out. */
export function jsonText(value: unknown): string {
  if (value instanceof RawJson) return value.text;
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : jsonText(v))).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const parts: string[] = [];
    for (const [k, v] of Object.entries(value)) if (v !== undefined) parts.push(`${JSON.stringify(k)}:${jsonText(v)}`);
    return `{${parts.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** Deep nesting without recursion: `depth` levels of `[` or `{"a":` around a leaf. */
export function nested(depth: number, kind: 'array' | 'object', leaf = '1'): RawJson {
  const open = kind === 'array' ? '[' : '{"a":';
  const close = kind === 'array' ? ']' : '}';
  return raw(open.repeat(depth) + leaf + close.repeat(depth));
}

/** A short, printable form of a body for reports: long runs are elided, so a 1 MB body stays one line. */
export function preview(text: string, limit = 600): string {
  const squeezed = text.replace(/(.)\1{40,}/gsu, (run, c: string) => `${c.repeat(8)}…(${run.length}×)`);
  return squeezed.length > limit ? `${squeezed.slice(0, limit)}…(${text.length} chars)` : squeezed;
}
