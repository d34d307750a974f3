// A clock that moves only when told to (`--clock manual`): schedules, run times and timeouts follow it,
// so a week of schedules can be tested in a second.

import type { Clock } from './ports.ts';

export class ManualClock implements Clock {
  private current: number;

  constructor(startMs: number) {
    this.current = startMs;
  }

  now(): number {
    return this.current;
  }

  /** Moves the clock to `ms`; time never goes backwards. */
  set(ms: number): void {
    if (ms < this.current) throw new RangeError('the manual clock cannot move backwards');
    this.current = ms;
  }
}
