// Answers built from pieces whose JSON is already known. A page of 50 finished invocations is the same
// text request after request: the memo below serializes each stored record once per version (the store's
// contract: service/ports/keyed.ts) and serializeAnswer joins the texts, a fraction of JSON.stringify over
// fresh objects. Anything that serializes such an answer another way still gets the same JSON.

import type { Scope } from '../domain/model.ts';

declare const shape: unique symbol;

/** The JSON text of a value of the wire shape `Shape` (the type only records what the text encodes). */
export class JsonText<Shape> {
  declare readonly [shape]?: Shape;
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }
  /** For any JSON.stringify that is not serializeAnswer: the same value, the slow way. */
  toJSON(): unknown {
    return JSON.parse(this.text);
  }
}

/** A list member of an answer may be a list of texts of its item shape. */
type TextList<Member> = NonNullable<Member> extends readonly (infer Item)[] ? JsonText<Item>[] : never;

/** What a handler may answer for an output shape: the value, its whole text, or the value with lists as texts. */
export type Answer<Output> = Output | JsonText<Output> | { [Name in keyof Output]: Output[Name] | TextList<Output[Name]> };

/** The record a memoized text is about: its id and the version the store gave it. */
export interface VersionedRecord {
  readonly id: string;
  readonly version: number;
}

/** How many texts the process keeps (an invocation item is about 550 bytes: some 15 MB at the bound). */
export const ANSWER_TEXTS_KEPT = 20_000;

/** Texts by key, at most `max`, the least recently used dropped first (a Map keeps insertion order). */
export class TextLru {
  private readonly entries = new Map<string, { variant: string | undefined; text: string }>();
  private readonly max: number;

  constructor(max: number) {
    this.max = max;
  }

  get(key: string, variant: string | undefined): string | undefined {
    const known = this.entries.get(key);
    if (!known || known.variant !== variant) return undefined;
    this.entries.delete(key);
    this.entries.set(key, known);
    return known.text;
  }

  set(key: string, variant: string | undefined, text: string): void {
    this.entries.delete(key);
    if (this.entries.size >= this.max) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(key, { variant, text });
  }

  get size(): number {
    return this.entries.size;
  }
}

/** Every memo's texts: one bound for the process. */
const processTexts = new TextLru(ANSWER_TEXTS_KEPT);
let memos = 0;

/**
 * Texts of stored records keyed on (record kind, scope, id, version), with a `variant` for what the text
 * also depends on beyond the record (a window's NextExecutionTime). Each memo (one per handler set, so per
 * store) keys its entries apart from the others', since two stores in one process (tests, the fuzzer's
 * replays) may hold the same id at the same version with different contents; all share one LRU.
 */
export class AnswerMemo {
  private readonly owner = ++memos;
  private readonly texts: TextLru;

  constructor(texts: TextLru = processTexts) {
    this.texts = texts;
  }

  /** The text of `build()` for this record at this version: built once, then looked up. */
  text<Shape>(kind: string, scope: Scope, record: VersionedRecord, build: () => Shape, variant?: string): JsonText<Shape> {
    const key = `${this.owner}|${kind}|${scope.account}|${scope.region}|${record.id}|${record.version}`;
    let text = this.texts.get(key, variant);
    if (text === undefined) {
      text = JSON.stringify(build());
      this.texts.set(key, variant, text);
    }
    return new JsonText<Shape>(text);
  }
}

function isTextList(value: unknown): value is JsonText<unknown>[] {
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
