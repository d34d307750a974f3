// A seeded pseudo-random source (mulberry32), so a fuzz run is reproduced exactly from its seed. Not for
// anything secret; its only job is to make the same choices again.

export class Prng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** The next 32 random bits as an unsigned integer. */
  next32(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** A float in [0, 1). */
  float(): number {
    return this.next32() / 4294967296;
  }

  /** An integer in [min, max], both inclusive. */
  int(min: number, max: number): number {
    return min + Math.floor(this.float() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.float() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from an empty list');
    return items[this.int(0, items.length - 1)];
  }

  /** Lowercase hex digits. */
  hex(n: number): string {
    let s = '';
    for (let i = 0; i < n; i++) s += '0123456789abcdef'[this.int(0, 15)];
    return s;
  }

  /** A lowercase UUID-shaped string (version and variant digits are not enforced by the model). */
  uuid(): string {
    return `${this.hex(8)}-${this.hex(4)}-${this.hex(4)}-${this.hex(4)}-${this.hex(12)}`;
  }

  /** A child source: its own sequence, so one part of the run drawing more does not shift another part. */
  fork(): Prng {
    return new Prng(this.next32());
  }
}

/** An id source for the server under test, drawn from a seed: the same run hands out the same ids. */
export function seededIds(prng: Prng) {
  let counter = 0;
  return {
    windowId: () => `mw-${prng.hex(17)}`,
    uuid: () => prng.uuid(),
    // Time-ordered like UUIDv7 (a counter stands in for the time), so history inserts stay append-only.
    orderedUuid: () => {
      const head = (++counter).toString(16).padStart(12, '0');
      return `${head.slice(0, 8)}-${head.slice(8, 12)}-7${prng.hex(3)}-${'89ab'[prng.int(0, 3)]}${prng.hex(3)}-${prng.hex(12)}`;
    },
  };
}
