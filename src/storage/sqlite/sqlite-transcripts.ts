// The session transcripts port on SQLite: chunks in the order written, base64 text (migration 17 says why).

import type { TranscriptsPort } from '../../service/ports.ts';
import type { Row } from '../row-mappers.ts';
import type { SqliteDatabase } from './sqlite-database.ts';
import { joinedChunks } from '../transcript-chunks.ts';

const statements = {
  append: 'INSERT INTO session_transcripts (account, region, session_id, at, chunk) VALUES (?, ?, ?, ?, ?)',
  read: 'SELECT chunk FROM session_transcripts WHERE account = ? AND region = ? AND session_id = ? ORDER BY seq',
  // The session's end is in its document only: json_extract reads it (the sessions port keeps no column).
  deleteEnded: `DELETE FROM session_transcripts WHERE EXISTS (
    SELECT 1 FROM sessions s WHERE s.account = session_transcripts.account AND s.region = session_transcripts.region
      AND s.id = session_transcripts.session_id AND s.status IN ('Terminated', 'Failed') AND json_extract(s.doc, '$.endedAt') < ?)`,
};

export function sqliteTranscripts(db: SqliteDatabase): TranscriptsPort {
  const sql = db.prepare(statements);
  return {
    async appendTranscript(scope, sessionId, chunks, at) {
      // One row per batch: the writer hands over what it buffered, already small.
      if (chunks.length === 0) return;
      sql.append.run(scope.account, scope.region, sessionId, at, Buffer.concat(chunks).toString('base64'));
    },

    async readTranscript(scope, sessionId) {
      return joinedChunks(sql.read.all(scope.account, scope.region, sessionId) as Row[]);
    },

    async deleteTranscriptsEndedBefore(cutoff) {
      return Number(sql.deleteEnded.run(cutoff).changes);
    },
  };
}
