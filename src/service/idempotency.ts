// ClientToken handling: the same token with the same request returns the first answer and creates
// nothing; the same token with a different request is IdempotentParameterMismatch. Tokens are kept
// 24 hours at least (the sweep in the runtime removes older ones).

import { createHash } from 'node:crypto';
import { IdempotentParameterMismatch } from '../domain/errors.ts';
import type { Scope } from '../domain/model.ts';
import type { StoreOperations } from './ports.ts';

export const IDEMPOTENCY_RETENTION_MS = 24 * 60 * 60 * 1000;

function fingerprint(request: unknown): string {
  return createHash('sha256').update(stableJson(request)).digest('hex');
}

/** JSON with object keys sorted, so equal requests give equal fingerprints whatever their key order. */
export function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * Runs `create` once per (scope, operation, token). Must be called inside a transaction so that the
 * check and the record are atomic with the creation itself.
 */
export async function oncePerToken(
  tx: StoreOperations,
  scope: Scope,
  operation: string,
  token: string | undefined,
  request: unknown,
  now: number,
  create: () => Promise<string>,
): Promise<string> {
  if (token === undefined) return create();
  const print = fingerprint(request);
  const previous = await tx.getIdempotencyRecord(scope, operation, token);
  if (previous && previous.createdAt >= now - IDEMPOTENCY_RETENTION_MS) {
    if (previous.fingerprint !== print) throw new IdempotentParameterMismatch();
    return previous.result;
  }
  const result = await create();
  await tx.putIdempotencyRecord(scope, operation, token, { fingerprint: print, result, createdAt: now });
  return result;
}
