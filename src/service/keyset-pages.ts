// Walks a keyset-ordered listing and fills one page of items that pass a predicate. Filters are pure
// domain predicates, so the store only needs "items after key K, in order"; rows that fail the filter are
// skipped batch by batch, and the token resumes right after the last row examined.

import type { Keyed } from './ports.ts';

export interface Page<T> {
  items: T[];
  /** The key to continue after, when more rows may follow. */
  nextKey?: number;
}

export async function collectPage<T>(
  fetch: (afterKey: number, limit: number) => Promise<Keyed<T>[]>,
  startAfter: number,
  pageSize: number,
  accept: (item: T) => boolean,
): Promise<Page<T>> {
  const items: T[] = [];
  let after = startAfter;
  // Fetch one row more than needed so we know whether a next page exists without an extra query.
  const batch = Math.max(pageSize + 1, 50);
  for (;;) {
    const rows = await fetch(after, batch);
    for (const row of rows) {
      if (!accept(row.item)) {
        after = row.key;
        continue;
      }
      if (items.length === pageSize) return { items, nextKey: after };
      items.push(row.item);
      after = row.key;
    }
    if (rows.length < batch) return { items };
  }
}
