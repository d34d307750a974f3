// The transcript writer (src/runtime/transcript-writer.ts) on manual timers and a fake store: batches by
// time and by size, one write in flight per session in order, the end flushed, the memory bound with its
// marker, failures logged and not thrown, the scope looked up once, and the retention sweep on its timer.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Scope } from '../../src/domain/model.ts';
import { lostMarker, type TranscriptTimers, TranscriptWriter, type TranscriptWriterOptions } from '../../src/runtime/transcript-writer.ts';

const SCOPE: Scope = { account: '111111111111', region: 'us-east-1' };
const DAY = 86_400_000;

class ManualTimers implements TranscriptTimers {
  now = 0;
  #due: { at: number; run: () => void; live: boolean }[] = [];
  set(run: () => void, ms: number): { cancel(): void } {
    const t = { at: this.now + ms, run, live: true };
    this.#due.push(t);
    return { cancel: () => { t.live = false; } };
  }
  get pending(): number { return this.#due.filter((t) => t.live).length; }
  async advance(ms: number): Promise<void> {
    const end = this.now + ms;
    for (;;) {
      const next = this.#due.filter((t) => t.live && t.at <= end).sort((a, b) => a.at - b.at)[0];
      if (!next) break;
      this.now = next.at;
      next.live = false;
      next.run();
      await settle();
    }
    this.now = end;
    await settle();
  }
}

const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A store whose writes finish when the test says (`hold`), or at once. */
class FakeStore {
  writes: { sessionId: string; text: string; at: number }[] = [];
  lookups = 0;
  failNext = 0;
  hold = false;
  #held: (() => void)[] = [];
  sweeps: number[] = [];
  async locateSession(sessionId: string): Promise<Scope | undefined> {
    this.lookups++;
    return sessionId === 'unknown' ? undefined : SCOPE;
  }
  async appendTranscript(_scope: Scope, sessionId: string, chunks: readonly Buffer[], at: number): Promise<void> {
    if (this.hold) await new Promise<void>((resolve) => this.#held.push(resolve));
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error('database is down');
    }
    this.writes.push({ sessionId, text: Buffer.concat(chunks).toString(), at });
  }
  async deleteTranscriptsEndedBefore(cutoff: number): Promise<number> {
    this.sweeps.push(cutoff);
    return 2;
  }
  release(): void {
    this.hold = false;
    for (const r of this.#held.splice(0)) r();
  }
}

function writer(overrides: Partial<TranscriptWriterOptions> = {}) {
  const timers = new ManualTimers();
  const store = new FakeStore();
  const logs: { message: string; fields?: Record<string, unknown> }[] = [];
  const w = new TranscriptWriter({ store, clock: { now: () => timers.now }, log: (message, fields) => logs.push({ message, fields }), timers, ...overrides });
  return { w, timers, store, logs };
}

const text = (s: string) => Buffer.from(s);

describe('transcript writer', () => {
  test('output waits for the flush interval and goes as one batch; nothing is written on the relay\'s call', async () => {
    const { w, timers, store } = writer();
    w.append('s1', text('$ who'));
    w.append('s1', text('ami\r\n'));
    await settle();
    assert.equal(store.writes.length, 0);
    await timers.advance(249);
    assert.equal(store.writes.length, 0);
    await timers.advance(1);
    assert.deepEqual(store.writes, [{ sessionId: 's1', text: '$ whoami\r\n', at: 250 }]);
    assert.equal(store.lookups, 1);
    w.append('s1', text('root\r\n'));
    await timers.advance(250);
    assert.equal(store.writes.at(-1)?.text, 'root\r\n');
    assert.equal(store.lookups, 1, 'the scope is looked up once per session');
    assert.equal(w.heldBytes, 0);
    await w.close();
  });

  test('past the size threshold a batch goes at once; one write in flight per session keeps the order', async () => {
    const { w, timers, store } = writer({ flushBytes: 10 });
    store.hold = true;
    w.append('s1', text('0123456789'));
    w.append('s1', text('abc'));
    w.append('s1', text('defghijklm'));
    await settle();
    assert.equal(store.writes.length, 0);
    store.release();
    await settle();
    await settle();
    assert.deepEqual(store.writes.map((x) => x.text), ['0123456789', 'abcdefghijklm']);
    assert.equal(timers.pending, 1, 'only the sweep is armed');
    await w.close();
  });

  test('the end writes what is buffered at once and forgets the session', async () => {
    const { w, store } = writer();
    w.append('s1', text('exit\r\n'));
    w.append('s2', text('other'));
    w.ended('s1');
    await settle();
    assert.deepEqual(store.writes.map((x) => x.text), ['exit\r\n']);
    w.ended('never-seen');
    await w.close();
    assert.deepEqual(store.writes.map((x) => x.text), ['exit\r\n', 'other'], 'close writes the rest');
  });

  test('memory is bounded across sessions: output past the bound is dropped and a marker says how much', async () => {
    const { w, timers, store } = writer({ maxBufferedBytes: 8, flushBytes: 100 });
    w.append('s1', text('12345'));
    w.append('s2', text('678'));
    w.append('s1', text('lost!'));
    w.append('s2', text('x'));
    assert.equal(w.heldBytes, 8);
    await timers.advance(250);
    assert.deepEqual(store.writes.map((x) => [x.sessionId, x.text]), [
      ['s1', `12345${lostMarker(5).toString()}`],
      ['s2', `678${lostMarker(1).toString()}`],
    ]);
    assert.equal(w.heldBytes, 0);
    w.append('s1', text('again'));
    await timers.advance(250);
    assert.equal(store.writes.at(-1)?.text, 'again');
    await w.close();
  });

  test('a failed write is logged, not thrown, and later output is still written', async () => {
    const { w, timers, store, logs } = writer();
    store.failNext = 1;
    w.append('s1', text('first'));
    await timers.advance(250);
    assert.equal(logs.filter((l) => l.message === 'session transcript not written').length, 1);
    assert.equal(logs[0].fields?.sessionId, 's1');
    w.append('s1', text('second'));
    await timers.advance(250);
    assert.deepEqual(store.writes.map((x) => x.text), ['second']);
    assert.equal(w.heldBytes, 0);
    w.append('unknown', text('x'));
    w.ended('unknown');
    await settle();
    assert.ok(logs.some((l) => l.message === 'session transcript dropped: no such session'));
    await w.close();
  });

  test('the sweep runs every hour with the retention (30 days) behind the clock, and stops with close', async () => {
    const { w, timers, store } = writer();
    await timers.advance(3_600_000 - 1);
    assert.deepEqual(store.sweeps, []);
    await timers.advance(1);
    assert.deepEqual(store.sweeps, [3_600_000 - 30 * DAY]);
    await timers.advance(3_600_000);
    assert.equal(store.sweeps.length, 2);
    await w.close();
    assert.equal(timers.pending, 0);
    await timers.advance(10 * 3_600_000);
    assert.equal(store.sweeps.length, 2);
    w.append('s1', text('after close'));
    assert.equal(w.heldBytes, 0);
  });
});
