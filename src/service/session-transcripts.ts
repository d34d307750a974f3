// What the console reads of one session: its record and, with --session-transcripts, the output its relay
// wrote (runtime/transcript-writer.ts). The bytes are returned as stored; how they are shown is the page's.

import { ServiceError } from '../domain/errors.ts';
import type { Scope } from '../domain/model.ts';
import type { Session } from '../domain/sessions.ts';
import type { ServiceContext } from './context.ts';
import type { StoredTranscript } from './ports.ts';

export class SessionTranscriptService {
  private readonly ctx: ServiceContext;
  /** Whether this service records transcripts (--session-transcripts): the console says so when not. */
  readonly recording: boolean;

  constructor(ctx: ServiceContext, options: { recording: boolean }) {
    this.ctx = ctx;
    this.recording = options.recording;
  }

  /** The caller's session, any State; DoesNotExistException for none (another scope's included). */
  async session(scope: Scope, sessionId: string): Promise<Session> {
    const session = await this.ctx.store.getSession(scope, sessionId);
    // [I] DescribeSessions has no single-session read; the words follow the service's other misses.
    if (!session) throw new ServiceError('DoesNotExistException', `Session ${sessionId} does not exist.`);
    return session;
  }

  /** The session's transcript as stored, whatever the flag says now; undefined when nothing was written. */
  transcript(scope: Scope, sessionId: string): Promise<StoredTranscript | undefined> {
    return this.ctx.store.readTranscript(scope, sessionId);
  }
}
