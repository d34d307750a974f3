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

/** How many texts one RecordTexts keeps at most (an invocation item is about 550 bytes: some 6 MB). */
export const RECORD_TEXTS_KEPT = 10_000;

interface Entry<Shape> {
  account: string;
  region: string;
  version: number;
  variant: string | undefined;
  json: JsonText<Shape>;
}

/**
 * The texts of one kind of answer about stored records (a GetMaintenanceWindow answer, an invocation
 * item), keyed on (scope, id, version) with a `variant` for what the text also depends on beyond the record
 * (a window's NextExecutionTime). Each handler set makes its own, so a store's texts never serve another
 * store that holds the same id at the same version (tests, the fuzzer's replays). A hit is one Map lookup
 * by the record's own id string and four comparisons; nothing is allocated.
 *
 * Bounded at `max` texts, least recently used first out, approximately: two generations of at most max/2
 * each; a hit in the older one moves the text to the newer, and when the newer is full the older is
 * dropped whole.
 */
export class RecordTexts<Shape> {
  private newer = new Map<string, Entry<Shape>>();
  private older = new Map<string, Entry<Shape>>();
  private readonly half: number;

  constructor(max = RECORD_TEXTS_KEPT) {
    this.half = Math.max(1, Math.floor(max / 2));
  }

  /** The text of `build()` for this record at this version (and variant): built once, then looked up. */
  text(scope: Scope, record: VersionedRecord, build: () => Shape, variant?: string): JsonText<Shape> {
    let entry = this.newer.get(record.id);
    if (entry === undefined) {
      entry = this.older.get(record.id);
      if (entry !== undefined) this.keep(record.id, entry);
    }
    if (entry !== undefined && entry.version === record.version && entry.variant === variant
      && entry.account === scope.account && entry.region === scope.region) {
      return entry.json;
    }
    const fresh: Entry<Shape> = {
      account: scope.account, region: scope.region, version: record.version, variant, json: new JsonText<Shape>(JSON.stringify(build())),
    };
    this.keep(record.id, fresh);
    return fresh.json;
  }

  /** How many texts are kept. */
  get size(): number {
    let n = this.newer.size;
    for (const id of this.older.keys()) if (!this.newer.has(id)) n += 1;
    return n;
  }

  private keep(id: string, entry: Entry<Shape>): void {
    if (!this.newer.has(id) && this.newer.size >= this.half) {
      this.older = this.newer;
      this.newer = new Map();
    }
    this.newer.set(id, entry);
  }
}

/** How many whole answers holding lists of texts are kept as bytes (a page of 50 invocations: ~28 KB). */
export const LIST_ANSWERS_KEPT = 64;

interface ListAnswer {
  /** The answer's members with each list of texts left as a hole: must match for a hit. */
  frame: string;
  lists: JsonText<unknown>[][];
  bytes: Buffer;
}

/** Keyed by the first text of the answer's first list; oldest out first. */
const listAnswers = new Map<JsonText<unknown>, ListAnswer>();

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

/**
 * The bytes of serializeAnswer(output), for the HTTP answer. A page read again holds the very same text
 * objects (one per record version), so an answer whose lists are those objects in that order, and whose
 * other members read the same, is the same bytes: kept, they are written without joining, encoding or
 * garbage. Nothing is trusted but what this request read, so a write shows at once.
 */
export function answerBytes(output: unknown): string | Buffer {
  if (output === null || typeof output !== 'object' || output instanceof JsonText || Array.isArray(output)) return serializeAnswer(output);
  let frame = '';
  let lists: JsonText<unknown>[][] | undefined;
  for (const name in output) {
    const value = (output as Record<string, unknown>)[name];
    if (value === undefined) continue;
    if (isTextList(value)) {
      (lists ??= []).push(value);
      frame += `${name}\n`;
    } else frame += `${name}:${value instanceof JsonText ? value.text : JSON.stringify(value)}\n`;
  }
  if (lists === undefined) return serializeAnswer(output);
  const key = lists[0][0];
  const kept = listAnswers.get(key);
  if (kept !== undefined && kept.frame === frame && sameLists(kept.lists, lists)) return kept.bytes;
  const bytes = Buffer.from(serializeAnswer(output));
  if (kept === undefined && listAnswers.size >= LIST_ANSWERS_KEPT) listAnswers.delete(listAnswers.keys().next().value!);
  listAnswers.set(key, { frame, lists, bytes });
  return bytes;
}

function sameLists(a: JsonText<unknown>[][], b: JsonText<unknown>[][]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (x.length !== y.length) return false;
    for (let j = 0; j < x.length; j++) if (x[j] !== y[j]) return false;
  }
  return true;
}
