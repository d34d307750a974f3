// Answers built from pieces whose JSON is already known. A page of 50 finished invocations is the same
// text request after request; serializing each record once (per record object: the store hands out the
// same frozen object while it stays unchanged) and joining the texts costs a fraction of JSON.stringify
// over fresh objects. Anything that serializes such an answer another way still gets the same JSON.

export class JsonText {
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }
  /** For any JSON.stringify that is not serializeAnswer: the same value, the slow way. */
  toJSON(): unknown {
    return JSON.parse(this.text);
  }
}

/** `toWire(record)` serialized once per record object. */
export function memoizedJson<T extends object>(toWire: (record: T) => unknown): (record: T) => JsonText {
  const known = new WeakMap<T, JsonText>();
  return (record) => {
    let text = known.get(record);
    if (!text) {
      text = new JsonText(JSON.stringify(toWire(record)));
      known.set(record, text);
    }
    return text;
  };
}

function isTextList(value: unknown): value is JsonText[] {
  return Array.isArray(value) && value.length > 0 && value[0] instanceof JsonText;
}

/** The JSON of an operation's answer: JSON.stringify, except that JsonText members (or lists of them) are spliced in. */
export function serializeAnswer(output: unknown): string {
  if (output instanceof JsonText) return output.text;
  if (output === null || typeof output !== 'object' || Array.isArray(output)) return JSON.stringify(output);
  const members = Object.entries(output);
  if (!members.some(([, v]) => v instanceof JsonText || isTextList(v))) return JSON.stringify(output);
  const parts: string[] = [];
  for (const [name, value] of members) {
    if (value === undefined) continue;
    const json = value instanceof JsonText ? value.text
      : isTextList(value) ? `[${value.map((item) => item.text).join(',')}]`
        : JSON.stringify(value);
    parts.push(`${JSON.stringify(name)}:${json}`);
  }
  return `{${parts.join(',')}}`;
}
