// The production clock and id source. Date.now() and randomness live here and nowhere else.

import { randomBytes, randomFillSync, randomUUID } from 'node:crypto';
import type { Clock, IdGenerator } from './ports.ts';

export const systemClock: Clock = { now: () => Date.now() };

export const randomIds: IdGenerator = {
  // 17 hex digits: 9 random bytes give 18, and the first is dropped.
  windowId: () => `mw-${randomBytes(9).toString('hex').slice(1)}`,
  uuid: () => randomUUID(),
  orderedUuid,
};

/**
 * Random bytes taken from a pool refilled 4 KB at a time: one call into the system's randomness per 409
 * ids instead of one per id (an engine step makes thousands; randomBytes(16) each was 7% of its time).
 */
const pool = Buffer.alloc(4096);
let poolAt = pool.length;

/** UUIDv7 layout: 48 bits of epoch milliseconds, version 7, variant bits, the rest random. */
function orderedUuid(): string {
  if (poolAt + 10 > pool.length) {
    randomFillSync(pool);
    poolAt = 0;
  }
  const bytes = Buffer.allocUnsafe(16);
  bytes.writeUIntBE(Date.now(), 0, 6);
  pool.copy(bytes, 6, poolAt, poolAt + 10);
  poolAt += 10;
  bytes[6] = (bytes[6] & 0x0f) | 0x70;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
