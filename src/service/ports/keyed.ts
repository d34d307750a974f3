// What the store's reads return: rows with their keyset position, and records with their version.

/** A row with its keyset position: pages continue strictly after the last key they returned. */
export interface Keyed<T> {
  key: number;
  item: T;
}

/**
 * A record as the store holds it (windows, window executions, task executions, invocations), with the
 * version of its document: 1 when inserted, one more after each write of the document (updateWindow,
 * update*Executions, updateInvocations), on every engine, committed with the write. The scheduler's and
 * the engine's own columns beside the document (next fire time, leases, a task's plan) are not part of
 * the record and leave the version alone. Ids are never reused within a store, so (kind, scope, id,
 * version) names one content for as long as the store lives: what the wire's answer memo is keyed on.
 * A caller that changes a record writes a new object; the store ignores the `version` member of what it
 * is given to write (the column is the store's).
 */
export type Stored<T> = T & { readonly version: number };

/**
 * A stored record that an engine may hand to every reader as the same object (the SQLite read caches
 * do, for the reads the port types with it): read-only to callers. Reads typed `Stored` give the
 * caller an object of its own.
 */
export type Shared<T> = Readonly<Stored<T>>;
