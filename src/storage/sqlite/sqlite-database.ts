// The SQLite connection every port of the engine shares: opening, migrations, named prepared statements,
// the read caches and serialized transactions.

import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import type { Keyed, Stored } from '../../service/ports.ts';
import { keyedStored, type Row, stored } from '../row-mappers.ts';
import { DocCache, ListingCache } from './doc-cache.ts';
import { migrationsFor } from '../migrations.ts';
import { systemClock } from '../../service/system.ts';

const migrations = migrationsFor('sqlite');

export interface SqliteStoreOptions {
  /** Database file path, or ':memory:'. */
  path: string;
}

/** A port's statements, each prepared once under its name; values are always bound, never pasted. */
export type Statements<Names extends string> = { readonly [N in Names]: StatementSync };

/** The key of a row in a doc cache: its scope and id. */
export function cacheKey(scope: { account: string; region: string }, id: string): string {
  return `${scope.account}/${scope.region}/${id}`;
}

export class SqliteDatabase {
  private readonly db: DatabaseSync;
  // Transactions are serialized: an awaited step inside one must never interleave with another's writes.
  private queue: Promise<unknown> = Promise.resolve();
  /** True while a transaction is open on the connection: its reads may see rows that will roll back. */
  private inTransaction = false;
  private dataVersion: unknown;
  private versionChecked = false;
  private readonly caches: { clear(): void }[] = [];
  private readonly readDataVersion: StatementSync;

  constructor(options: SqliteStoreOptions) {
    if (options.path !== ':memory:') mkdirSync(dirname(options.path), { recursive: true });
    this.db = new DatabaseSync(options.path);
    // WAL + NORMAL: a committed transaction survives the process being killed (it is in the WAL file);
    // only an operating-system crash could lose the last transactions.
    // busy_timeout first: switching to WAL takes a lock, and another process opening the file at the same
    // moment must be waited for, not answered "database is locked".
    this.db.exec('PRAGMA busy_timeout = 5000; PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;');
    this.migrate();
    this.readDataVersion = this.db.prepare('PRAGMA data_version');
  }

  private migrate(): void {
    this.db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)');
    const applied = new Set(
      (this.db.prepare('SELECT version FROM schema_migrations').all() as Row[]).map((r) => Number(r.version)),
    );
    const record = this.db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)');
    for (const migration of migrations) {
      if (applied.has(migration.version)) continue;
      this.db.exec('BEGIN IMMEDIATE');
      try {
        this.db.exec(migration.sql);
        record.run(migration.version, systemClock.now()); // when it was applied: real time, whatever the engine's clock
        this.db.exec('COMMIT');
      } catch (error) {
        this.db.exec('ROLLBACK');
        throw error;
      }
    }
  }

  /** Prepares a port's statements once (the tables exist: the migrations ran when the database opened). */
  prepare<const Sql extends Record<string, string>>(sql: Sql): Statements<keyof Sql & string> {
    return Object.fromEntries(Object.entries(sql).map(([name, text]) => [name, this.db.prepare(text)])) as Statements<keyof Sql & string>;
  }

  /** A cache of parsed documents of one table, emptied with the others when another connection commits. */
  docCache<T extends object>(max: number): DocCache<T> {
    const cache = new DocCache<T>(max);
    this.caches.push(cache);
    return cache;
  }

  listingCache(max: number): ListingCache {
    const cache = new ListingCache(max);
    this.caches.push(cache);
    return cache;
  }

  /** One document by id: from `docs` when it holds it and caches may be used, else from `read` (filling `docs`). */
  cachedDoc<T extends object>(docs: DocCache<T>, key: string, read: () => T | undefined): T | undefined {
    const cacheable = this.cacheable();
    const cached = cacheable ? docs.get(key) : undefined;
    if (cached) return cached;
    const doc = read();
    return doc && cacheable ? docs.fill(key, doc) : doc;
  }

  /**
   * A page of a keyset listing: the ids from `listings` when it remembers the page, else from `query`
   * (rows of `seq, id, doc, version`, run only then); each record from `docs`, or read once from its row
   * (`docOf(id)` for a remembered page's record that `docs` no longer holds).
   */
  cachedListing<T extends object>(
    listings: ListingCache, docs: DocCache<Stored<T>>, scope: { account: string; region: string }, group: string, afterKey: number, limit: number,
    query: () => Row[], docOf: (id: string) => Row | undefined,
  ): Keyed<Stored<T>>[] {
    if (!this.cacheable()) return keyedStored<T>(query());
    const remembered = listings.get(group, afterKey, limit);
    if (!remembered) {
      const rows = query();
      listings.fill(group, afterKey, limit, rows.map((row) => ({ seq: Number(row.seq), id: String(row.id), key: cacheKey(scope, String(row.id)) })));
      return this.cachedDocs(docs, scope, rows);
    }
    const out: Keyed<Stored<T>>[] = [];
    for (const row of remembered) {
      const key = row.key;
      let item = docs.get(key);
      if (!item) {
        const found = docOf(row.id);
        // Gone since the page was remembered (the caches should have been told): ask the table itself.
        if (!found) {
          listings.changed(group);
          return this.cachedDocs(docs, scope, query());
        }
        item = docs.fill(key, stored<T>(found));
      }
      out.push({ key: row.seq, item });
    }
    return out;
  }

  /**
   * Whether a read may use and fill the caches now: not inside a transaction, and only once every cache
   * has been emptied if another connection committed since the last look.
   */
  private cacheable(): boolean {
    if (this.inTransaction) return false;
    // Once per turn of the event loop: reads within one turn are as if made at one instant.
    if (!this.versionChecked) {
      this.versionChecked = true;
      setImmediate(() => { this.versionChecked = false; });
      const version = (this.readDataVersion.get() as Row).data_version;
      if (version !== this.dataVersion) {
        this.dataVersion = version;
        this.clearCaches();
      }
    }
    return true;
  }

  /** Rows of `seq, id, doc, version` as keyed records, each parsed only when the cache does not hold it already. */
  private cachedDocs<T extends object>(cache: DocCache<Stored<T>>, scope: { account: string; region: string }, rows: Row[]): Keyed<Stored<T>>[] {
    if (!this.cacheable()) return keyedStored<T>(rows);
    return rows.map((row) => {
      const key = cacheKey(scope, String(row.id));
      return { key: Number(row.seq), item: cache.get(key) ?? cache.fill(key, stored<T>(row)) };
    });
  }

  clearCaches(): void {
    for (const cache of this.caches) cache.clear();
  }

  /** Runs `work` between BEGIN IMMEDIATE and COMMIT (ROLLBACK on a throw), one transaction at a time. */
  async transaction<T>(work: () => Promise<T>): Promise<T> {
    const run = async (): Promise<T> => {
      this.db.exec('BEGIN IMMEDIATE');
      this.inTransaction = true;
      try {
        const result = await work();
        this.db.exec('COMMIT');
        return result;
      } catch (error) {
        this.db.exec('ROLLBACK');
        throw error;
      } finally {
        this.inTransaction = false;
      }
    };
    const next = this.queue.then(run, run);
    this.queue = next.catch(() => undefined);
    return next;
  }

  async close(): Promise<void> {
    await this.queue;
    this.db.close();
  }
}
