// The production id source: UUIDv7 ids from a pool of random bytes must still be well formed, distinct,
// and ordered by the millisecond they were made in.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { randomIds } from '../../src/service/system.ts';

const V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

test('ordered ids are UUIDv7, distinct across several refills of the pool, and carry the time they were made', () => {
  const before = Date.now();
  const ids = Array.from({ length: 5_000 }, () => randomIds.orderedUuid());
  const after = Date.now();
  assert.equal(new Set(ids).size, ids.length);
  for (const id of ids) {
    assert.match(id, V7);
    const ms = parseInt(id.replace(/-/g, '').slice(0, 12), 16);
    assert.ok(ms >= before && ms <= after, `${id} carries ${ms}, not within [${before}, ${after}]`);
  }
  // The random part differs from one id to the next (not the same pool bytes twice).
  const randomParts = new Set(ids.map((id) => id.replace(/-/g, '').slice(13)));
  assert.equal(randomParts.size, ids.length);
});
