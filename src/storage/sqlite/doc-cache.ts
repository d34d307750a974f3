// Parsed records kept between reads, so a hot read (the same window, the same page of a finished task's
// invocations) costs a lookup instead of a JSON.parse of its row. Private to the SQLite engine: callers
// see only the port's types. Safe because this process is the database's only writer through this
// connection: every write of a cached table drops what it wrote, nothing is filled while a transaction is
// open (its rows may still roll back), and a change committed by another connection (PRAGMA data_version
// moves) empties every cache. Every reader gets the same object, which is why the ports type these reads
// `Shared` (read-only, service/ports/keyed.ts); entries are deep-frozen so that a caller breaking that
// rule throws here, on the default engine, instead of corrupting the next reader's record.

export class DocCache<T extends object> {
  private readonly entries = new Map<string, T>();
  private readonly max: number;

  constructor(max: number) {
    this.max = max;
  }

  get(key: string): T | undefined {
    return this.entries.get(key);
  }

  /** Keeps `doc` (frozen) under `key`, dropping the oldest entry past the bound; returns the frozen doc. */
  fill(key: string, doc: T): T {
    if (this.entries.size >= this.max) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(key, deepFreeze(doc));
    return doc;
  }

  drop(key: string): void {
    this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const member of Object.values(value)) deepFreeze(member);
  }
  return value;
}

/** One page of a keyset listing: each row's key and id, in order. */
export interface ListedKey {
  seq: number;
  id: string;
  /** The record's key in its doc cache, made once with the page (50 keys built per read cost ~17 µs). */
  key: string;
}

/**
 * The ids on pages of keyset listings (a Region's windows, a task execution's invocations), per group. A
 * listing's membership changes only when a row joins or leaves the group, so those writes bump the
 * group's generation and every page remembered under an older one is ignored. Same safety rules as DocCache.
 */
export class ListingCache {
  private readonly generations = new Map<string, number>();
  private readonly pages = new Map<string, { generation: number; rows: ListedKey[] }>();
  private readonly max: number;
  private nextGeneration = 1;

  constructor(max: number) {
    this.max = max;
  }

  get(group: string, afterKey: number, limit: number): ListedKey[] | undefined {
    const page = this.pages.get(`${group}|${afterKey}|${limit}`);
    return page && page.generation === this.generations.get(group) ? page.rows : undefined;
  }

  fill(group: string, afterKey: number, limit: number, rows: ListedKey[]): void {
    let generation = this.generations.get(group);
    if (generation === undefined) {
      generation = this.nextGeneration++;
      if (this.generations.size >= this.max) this.generations.delete(this.generations.keys().next().value!);
      this.generations.set(group, generation);
    }
    if (this.pages.size >= this.max) this.pages.delete(this.pages.keys().next().value!);
    this.pages.set(`${group}|${afterKey}|${limit}`, { generation, rows });
  }

  /** Rows joined or left the group: its remembered pages no longer hold. */
  changed(group: string): void {
    // A group without a generation has no valid page; its next fill gets a new one.
    this.generations.delete(group);
  }

  clear(): void {
    this.generations.clear();
    this.pages.clear();
  }
}
