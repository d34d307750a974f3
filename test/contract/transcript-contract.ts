// Contract: session transcripts (--session-transcripts): chunks read back concatenated in the order
// appended, every byte value intact, per scope; the retention sweep deletes the transcripts of sessions
// that ended before the cutoff, in every scope, and keeps those of sessions ended later or not ended.

import assert from 'node:assert/strict';
import type { Session } from '../../src/domain/sessions.ts';
import { A, AWKWARD, B, C, T0 } from './fixtures.ts';
import type { StoreTest } from './store-contract.ts';

function session(id: string, overrides: Partial<Session> = {}): Session {
  return {
    id, target: 'mi-00000000000000001', status: 'Connected', startedAt: T0, documentName: 'SSM-SessionManagerRunShell',
    sessionType: 'Standard_Stream', owner: 'arn:aws:iam::111111111111:root', reason: AWKWARD, accessType: 'Standard',
    parameters: {}, tokenHash: 'ab'.repeat(32), tokenSpent: true, delivered: true, ...overrides,
  };
}

const EVERY_BYTE = Buffer.from(Array.from({ length: 256 }, (_, i) => i));

export function transcriptContract(it: StoreTest): void {
  it('a transcript reads back as its chunks in the order appended, every byte intact, per scope', async (store) => {
    await store.insertSession(A, session('root-1'));
    await store.appendTranscript(A, 'root-1', [Buffer.from('$ whoami\r\n'), EVERY_BYTE], T0);
    await store.appendTranscript(A, 'root-1', [], T0 + 1);
    await store.appendTranscript(A, 'root-1', [Buffer.from(`${AWKWARD}\r\n`, 'utf8')], T0 + 2);
    const expected = Buffer.concat([Buffer.from('$ whoami\r\n'), EVERY_BYTE, Buffer.from(`${AWKWARD}\r\n`, 'utf8')]);
    const read = await store.readTranscript(A, 'root-1');
    assert.ok(read);
    assert.equal(read.size, expected.length);
    assert.ok(read.bytes.equals(expected));
    assert.equal(await store.readTranscript(B, 'root-1'), undefined);
    assert.equal(await store.readTranscript(C, 'root-1'), undefined);
    assert.equal(await store.readTranscript(A, 'root-2'), undefined);
  });

  it('appends inside a transaction are read in it and kept after it', async (store) => {
    await store.insertSession(A, session('root-1'));
    await store.transaction(async (tx) => {
      await tx.appendTranscript(A, 'root-1', [Buffer.from('one ')], T0);
      await tx.appendTranscript(A, 'root-1', [Buffer.from('two')], T0);
      assert.equal((await tx.readTranscript(A, 'root-1'))?.bytes.toString(), 'one two');
    });
    assert.equal((await store.readTranscript(A, 'root-1'))?.bytes.toString(), 'one two');
  });

  it('the sweep deletes the transcripts of sessions ended before the cutoff, in every scope, and no others', async (store) => {
    const cutoff = T0 + 1_000;
    await store.insertSession(A, session('old-terminated', { status: 'Terminated', endedAt: cutoff - 1 }));
    await store.insertSession(B, session('old-failed', { status: 'Failed', endedAt: T0 }));
    await store.insertSession(A, session('recent', { status: 'Terminated', endedAt: cutoff }));
    await store.insertSession(C, session('active', { status: 'Connected' }));
    // A parameter named like the member must not be taken for the session's end.
    await store.insertSession(A, session('decoy', { status: 'Terminated', endedAt: cutoff + 5, parameters: { endedAt: ['1'] }, details: '"endedAt":1' }));
    for (const [scope, id] of [[A, 'old-terminated'], [B, 'old-failed'], [A, 'recent'], [C, 'active'], [A, 'decoy']] as const) {
      await store.appendTranscript(scope, id, [Buffer.from('a')], T0);
      await store.appendTranscript(scope, id, [Buffer.from('b')], T0);
    }
    assert.equal(await store.deleteTranscriptsEndedBefore(cutoff), 4);
    assert.equal(await store.readTranscript(A, 'old-terminated'), undefined);
    assert.equal(await store.readTranscript(B, 'old-failed'), undefined);
    assert.equal((await store.readTranscript(A, 'recent'))?.bytes.toString(), 'ab');
    assert.equal((await store.readTranscript(C, 'active'))?.bytes.toString(), 'ab');
    assert.equal((await store.readTranscript(A, 'decoy'))?.bytes.toString(), 'ab');
    assert.equal(await store.deleteTranscriptsEndedBefore(cutoff), 0);
  });
}
