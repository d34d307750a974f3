// A transcript's rows (base64 chunks in the order written) as the port's StoredTranscript, on both engines.

import type { StoredTranscript } from '../service/ports.ts';
import type { Row } from './row-mappers.ts';

export function joinedChunks(rows: Row[]): StoredTranscript | undefined {
  if (rows.length === 0) return undefined;
  const bytes = Buffer.concat(rows.map((row) => Buffer.from(String(row.chunk), 'base64')));
  return { bytes, size: bytes.length };
}
