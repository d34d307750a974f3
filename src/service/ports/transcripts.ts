// The session transcripts port (--session-transcripts): a session's output as the relay saw it, kept in
// the store in the order written so that any replica's console can show it. Chunks are appended by the
// replica whose relay carries the session; reads and the retention sweep may run anywhere.

import type { Scope } from '../../domain/model.ts';

/** A session's transcript: every chunk written, concatenated in the order written. */
export interface StoredTranscript {
  bytes: Buffer;
  /** bytes.length: the size the console reports. */
  size: number;
}

export interface TranscriptsPort {
  /** Appends `chunks` (in order, after what is stored) to the session's transcript, written at `at`. */
  appendTranscript(scope: Scope, sessionId: string, chunks: readonly Buffer[], at: number): Promise<void>;
  /** The session's transcript; undefined when nothing was written for it. */
  readTranscript(scope: Scope, sessionId: string): Promise<StoredTranscript | undefined>;
  /**
   * Deletes the transcripts of every scope's sessions that ended (Terminated or Failed) before `cutoff`;
   * returns how many chunks went. Sessions not ended keep theirs, however old.
   */
  deleteTranscriptsEndedBefore(cutoff: number): Promise<number>;
}
