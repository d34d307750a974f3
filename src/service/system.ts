// The production clock and id source. Date.now() and randomness live here and nowhere else.

import { randomBytes, randomUUID } from 'node:crypto';
import type { Clock, IdGenerator } from './ports.ts';

export const systemClock: Clock = { now: () => Date.now() };

export const randomIds: IdGenerator = {
  // 17 hex digits: 9 random bytes give 18, and the first is dropped.
  windowId: () => `mw-${randomBytes(9).toString('hex').slice(1)}`,
  uuid: () => randomUUID(),
};
