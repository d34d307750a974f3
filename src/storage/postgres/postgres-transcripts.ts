// The session transcripts port on PostgreSQL: chunks in the order written, base64 text (migration 17 says
// why). Appends take no lock: one replica's relay writes a session, and seq keeps its order.

import type { TranscriptsPort } from '../../service/ports.ts';
import { joinedChunks } from '../transcript-chunks.ts';
import { type Session as DbSession, statement } from './postgres-database.ts';

const append = statement('append_transcript', 'INSERT INTO session_transcripts (account, region, session_id, at, chunk) VALUES ($1, $2, $3, $4, $5)');
const read = statement('read_transcript', 'SELECT chunk FROM session_transcripts WHERE account = $1 AND region = $2 AND session_id = $3 ORDER BY seq');
// The session's end is in its document only. Read with a pattern, not doc::jsonb: jsonb refuses a document
// holding \u0000, and one such session would stop the sweep for all. JSON.stringify escapes every quote
// inside strings, so an unescaped "endedAt": is the member itself.
const deleteEnded = statement('delete_transcripts_ended_before', `
  DELETE FROM session_transcripts t USING sessions s
  WHERE s.account = t.account AND s.region = t.region AND s.id = t.session_id AND s.status IN ('Terminated', 'Failed')
    AND substring(s.doc from '"endedAt":([0-9]+)')::bigint < $1`);

export function postgresTranscripts(session: DbSession): TranscriptsPort {
  return {
    async appendTranscript(scope, sessionId, chunks, at) {
      if (chunks.length === 0) return;
      await append(session, [scope.account, scope.region, sessionId, at, Buffer.concat(chunks).toString('base64')]);
    },

    async readTranscript(scope, sessionId) {
      return joinedChunks((await read(session, [scope.account, scope.region, sessionId])).rows);
    },

    async deleteTranscriptsEndedBefore(cutoff) {
      return (await deleteEnded(session, [cutoff])).rowCount ?? 0;
    },
  };
}
