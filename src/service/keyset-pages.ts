// Walks a keyset-ordered listing and fills one page of items that pass a predicate. Filters are pure
// domain predicates, so the store only needs "items after key K, in order"; rows that fail the filter are
// skipped batch by batch, and the token resumes right after the last row examined.

import { InvalidNextToken, ValidationException } from '../domain/errors.ts';
import type { PageTokens } from './page-tokens.ts';
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

/**
 * One page of a Describe listing: decodes the caller's NextToken for `listing` (refusing one from another
 * listing), collects the page, and signs the token of the next one. Ascending keys from 0.
 */
export async function listingPage<T>(
  tokens: PageTokens,
  listing: string,
  request: { nextToken?: string; pageSize: number },
  fetch: (afterKey: number, limit: number) => Promise<Keyed<T>[]>,
  accept: (item: T) => boolean = () => true,
): Promise<{ items: T[]; nextToken?: string }> {
  const after = request.nextToken === undefined ? 0 : Number(tokens.decode(listing, request.nextToken));
  const page = await collectPage(fetch, after, request.pageSize, accept);
  return { items: page.items, nextToken: page.nextKey === undefined ? undefined : tokens.encode(listing, page.nextKey) };
}

/**
 * One page of a listing that walks its keys downwards (newest first: ListCommands, ListCommandInvocations,
 * DescribeAutomationExecutions): `fetch` gives rows with keys below `beforeKey`; the token keeps the store's
 * key of where to go on.
 */
export async function descendingPage<T>(
  tokens: PageTokens,
  listing: string,
  request: { nextToken?: string; pageSize: number },
  fetch: (beforeKey: number, limit: number) => Promise<Keyed<T>[]>,
  accept: (item: T) => boolean = () => true,
): Promise<{ items: T[]; nextToken?: string }> {
  const before = request.nextToken === undefined ? Number.MAX_SAFE_INTEGER : Number(tokens.decode(listing, request.nextToken));
  const page = await collectPage(
    async (after, limit) => (await fetch(-after, limit)).map((row) => ({ key: -row.key, item: row.item })),
    -before, request.pageSize, accept,
  );
  return { items: page.items, nextToken: page.nextKey === undefined ? undefined : tokens.encode(listing, -page.nextKey) };
}

/** For listings whose model names InvalidNextToken for a bad token: the tokens' ValidationException as that. */
export async function withInvalidNextToken<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if (error instanceof ValidationException && error.message === 'The specified NextToken is not valid.') throw new InvalidNextToken();
    throw error;
  }
}
