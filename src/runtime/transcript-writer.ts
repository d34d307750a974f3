// --session-transcripts: the relay's TranscriptSink. The relay calls append on its hot path, so nothing
// here waits for the store: output is buffered per session and written in small batches (every FLUSH_MS,
// or at once past FLUSH_BYTES, and at the session's end), one write in flight per session so its chunks
// stay in order. Memory is bounded across sessions: past the bound, output is counted and dropped, and a
// marker saying how much went missing is written with the next batch. A failed write is logged, never
// thrown into the relay. The writer also runs the retention sweep (an hourly timer of its own).

import type { Scope } from '../domain/model.ts';
import type { Clock, Store } from '../service/ports.ts';

/** A timer that can be cancelled; the default ones do not keep the process up. */
export interface TranscriptTimers {
  set(run: () => void, ms: number): { cancel(): void };
}

const unrefTimers: TranscriptTimers = {
  set(run, ms) {
    const timer = setTimeout(run, ms);
    timer.unref();
    return { cancel: () => clearTimeout(timer) };
  },
};

const DAY_MS = 86_400_000;

export interface TranscriptWriterOptions {
  store: Pick<Store, 'appendTranscript' | 'locateSession' | 'deleteTranscriptsEndedBefore'>;
  clock: Clock;
  log: (message: string, fields?: Record<string, unknown>, level?: 'info' | 'warn' | 'error') => void;
  timers?: TranscriptTimers;
  /** How long output waits before it is written. Default 250 ms. */
  flushMs?: number;
  /** A session's buffered output past this is written at once. Default 16 KiB. */
  flushBytes?: number;
  /** Output buffered or being written, all sessions together, before more is dropped. Default 8 MiB. */
  maxBufferedBytes?: number;
  /**
   * How long after its end a session's transcript is kept. Default 30 days: AWS lists a session in
   * DescribeSessions' History for 30 days, and the console shows the transcript beside that record.
   */
  retentionMs?: number;
  /** How often the sweep runs. Default 1 hour (as the idempotency records' sweep). */
  sweepMs?: number;
}

export function lostMarker(bytes: number): Buffer {
  return Buffer.from(`\r\n[transcript: ${bytes} bytes not recorded: the store fell behind]\r\n`, 'utf8');
}

interface Pending {
  /** Where the session lives, looked up once (the relay knows only its id). */
  scope?: Promise<Scope | undefined>;
  chunks: Buffer[];
  bytes: number;
  /** Output dropped since the last batch (the memory bound). */
  lost: number;
  timer?: { cancel(): void };
  writing?: Promise<void>;
  ended: boolean;
}

export class TranscriptWriter {
  private readonly options: Required<Omit<TranscriptWriterOptions, 'store' | 'clock' | 'log'>> & Pick<TranscriptWriterOptions, 'store' | 'clock' | 'log'>;
  private readonly sessions = new Map<string, Pending>();
  /** Bytes held, buffered or in a write not finished, across sessions. */
  private held = 0;
  private sweepTimer?: { cancel(): void };
  private sweeping?: Promise<void>;
  private closed = false;

  constructor(options: TranscriptWriterOptions) {
    this.options = {
      timers: unrefTimers, flushMs: 250, flushBytes: 16_384, maxBufferedBytes: 8 * 1_048_576, retentionMs: 30 * DAY_MS, sweepMs: 3_600_000, ...options,
    };
    this.armSweep();
  }

  /** Bytes held in memory now (tests, and why a marker was written). */
  get heldBytes(): number {
    return this.held;
  }

  append(sessionId: string, chunk: Buffer): void {
    if (chunk.length === 0 || this.closed) return;
    const pending = this.pendingOf(sessionId);
    if (this.held + chunk.length > this.options.maxBufferedBytes) {
      pending.lost += chunk.length;
      return;
    }
    pending.chunks.push(chunk);
    pending.bytes += chunk.length;
    this.held += chunk.length;
    if (pending.bytes >= this.options.flushBytes) this.flush(sessionId, pending);
    else pending.timer ??= this.options.timers.set(() => this.flush(sessionId, pending), this.options.flushMs);
  }

  ended(sessionId: string): void {
    const pending = this.sessions.get(sessionId);
    if (!pending) return;
    pending.ended = true;
    this.flush(sessionId, pending);
  }

  /** Deletes the transcripts of sessions that ended longer ago than the retention. Never rejects. */
  sweep(): Promise<void> {
    this.sweeping ??= this.options.store.deleteTranscriptsEndedBefore(this.options.clock.now() - this.options.retentionMs).then(
      (deleted) => { if (deleted > 0) this.options.log('session transcripts past their retention deleted', { chunks: deleted }); },
      (error: unknown) => this.options.log('session transcript sweep failed', { error: String(error) }, 'warn'),
    ).finally(() => { this.sweeping = undefined; });
    return this.sweeping;
  }

  /** Stops the sweep, writes what is buffered and waits for every write (the service is stopping). */
  async close(): Promise<void> {
    this.closed = true;
    this.sweepTimer?.cancel();
    for (const [id, pending] of this.sessions) {
      pending.ended = true;
      this.flush(id, pending);
    }
    while (this.sessions.size > 0 || this.sweeping) {
      await Promise.all([...[...this.sessions.values()].map((p) => p.writing), this.sweeping]);
    }
  }

  private armSweep(): void {
    if (this.closed) return;
    this.sweepTimer = this.options.timers.set(() => void this.sweep().then(() => this.armSweep()), this.options.sweepMs);
  }

  private pendingOf(sessionId: string): Pending {
    let pending = this.sessions.get(sessionId);
    if (!pending) {
      pending = { chunks: [], bytes: 0, lost: 0, ended: false };
      this.sessions.set(sessionId, pending);
    }
    return pending;
  }

  /** Starts writing what `pending` holds, unless a write is in flight (its end comes back here). */
  private flush(sessionId: string, pending: Pending): void {
    pending.timer?.cancel();
    pending.timer = undefined;
    if (pending.writing) return;
    if (pending.bytes === 0 && pending.lost === 0) {
      if (pending.ended) this.sessions.delete(sessionId);
      return;
    }
    const chunks = pending.lost > 0 ? [...pending.chunks, lostMarker(pending.lost)] : pending.chunks;
    const bytes = pending.bytes;
    pending.chunks = [];
    pending.bytes = 0;
    pending.lost = 0;
    pending.writing = this.write(sessionId, pending, chunks).finally(() => {
      this.held -= bytes;
      pending.writing = undefined;
      // What came meanwhile: at once when the session is over or enough has gathered, else on the timer.
      if (pending.ended || pending.bytes >= this.options.flushBytes) this.flush(sessionId, pending);
      else if (pending.bytes > 0 || pending.lost > 0) pending.timer ??= this.options.timers.set(() => this.flush(sessionId, pending), this.options.flushMs);
    });
  }

  private async write(sessionId: string, pending: Pending, chunks: Buffer[]): Promise<void> {
    const bytes = chunks.reduce((n, c) => n + c.length, 0);
    try {
      pending.scope ??= this.options.store.locateSession(sessionId);
      const scope = await pending.scope.catch((error: unknown) => {
        pending.scope = undefined; // looked up again with the next batch
        throw error;
      });
      if (!scope) {
        this.options.log('session transcript dropped: no such session', { sessionId, bytes }, 'warn');
        return;
      }
      await this.options.store.appendTranscript(scope, sessionId, chunks, this.options.clock.now());
    } catch (error) {
      this.options.log('session transcript not written', { sessionId, bytes, error: String(error) }, 'warn');
    }
  }
}
