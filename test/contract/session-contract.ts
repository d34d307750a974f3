// Contract: Session Manager sessions (per scope, newest first within a State's statuses, a node's active
// ones, located by id alone, counted while active) and the signals waiting for a node's agent (in the
// order queued, handed out once, a session's pending ones dropped, never those already handed out).

import assert from 'node:assert/strict';
import type { Session } from '../../src/domain/sessions.ts';
import { A, AWKWARD, B, C, T0 } from './fixtures.ts';
import type { StoreTest } from './store-contract.ts';

const ACTIVE = ['Connecting', 'Connected', 'Disconnected', 'Terminating'] as const;
const HISTORY = ['Terminated', 'Failed'] as const;

function session(id: string, overrides: Partial<Session> = {}): Session {
  return {
    id, target: 'mi-00000000000000001', status: 'Connecting', startedAt: T0, documentName: 'SSM-SessionManagerRunShell',
    sessionType: 'Standard_Stream', owner: 'arn:aws:iam::111111111111:root', reason: AWKWARD, accessType: 'Standard',
    parameters: { p: [AWKWARD] }, tokenHash: 'ab'.repeat(32), tokenSpent: false, delivered: false, ...overrides,
  };
}

export function sessionContract(it: StoreTest): void {
  it('sessions round-trip per scope, listed newest first by State, located by id alone', async (store) => {
    await store.transaction(async (tx) => {
      await tx.insertSession(A, session('root-1'));
      await tx.insertSession(A, session('root-2', { status: 'Terminated', endedAt: T0 + 1 }));
      await tx.insertSession(A, session('root-3', { status: 'Disconnected' }));
      await tx.insertSession(C, session('root-4'));
    });
    assert.equal((await store.getSession(A, 'root-1'))?.reason, AWKWARD);
    assert.equal(await store.getSession(B, 'root-1'), undefined);
    assert.deepEqual(await store.locateSession('root-4'), C);
    assert.equal(await store.locateSession('nope'), undefined);
    const active = await store.listSessions(A, ACTIVE, Number.MAX_SAFE_INTEGER, 10);
    assert.deepEqual(active.map((r) => r.item.id), ['root-3', 'root-1']);
    assert.deepEqual((await store.listSessions(A, ACTIVE, active[0].key, 1)).map((r) => r.item.id), ['root-1']);
    assert.deepEqual((await store.listSessions(A, HISTORY, Number.MAX_SAFE_INTEGER, 10)).map((r) => r.item.id), ['root-2']);
    assert.equal(await store.countActiveSessions(), 3);
  });

  it('an update moves a session between States and out of its node\'s active ones', async (store) => {
    await store.insertSession(A, session('root-1'));
    await store.insertSession(A, session('root-2', { target: 'mi-00000000000000002' }));
    assert.deepEqual((await store.listActiveSessionsOfNode(A, 'mi-00000000000000001')).map((s) => s.id), ['root-1']);
    await store.transaction(async (tx) => {
      const s = await tx.getSession(A, 'root-1');
      await tx.updateSession(A, { ...s!, status: 'Failed', endedAt: T0 + 5, details: AWKWARD });
    });
    assert.deepEqual(await store.listActiveSessionsOfNode(A, 'mi-00000000000000001'), []);
    assert.deepEqual((await store.listSessions(A, HISTORY, Number.MAX_SAFE_INTEGER, 10)).map((r) => r.item.details), [AWKWARD]);
    assert.equal(await store.countActiveSessions(), 1);
  });

  it('the sessions still Connecting, of every scope, oldest first', async (store) => {
    await store.insertSession(A, session('root-1'));
    await store.insertSession(C, session('root-2'));
    await store.insertSession(A, session('root-3', { status: 'Connected' }));
    await store.insertSession(A, session('root-4', { status: 'Terminated', endedAt: T0 + 1 }));
    assert.deepEqual((await store.listConnectingSessions(10)).map((r) => [r.scope, r.session.id]), [[A, 'root-1'], [C, 'root-2']]);
    assert.deepEqual((await store.listConnectingSessions(1)).map((r) => r.session.id), ['root-1']);
  });

  it('signals are handed out once, in the order queued, per node and scope; only pending ones are dropped', async (store) => {
    const node = 'mi-00000000000000001';
    const start = { kind: 'start' as const, sessionId: 's-1', documentName: 'D', sessionType: 'Port', documentContent: { note: AWKWARD }, parameters: {}, owner: 'o', createdAt: T0 };
    await store.queueSessionSignal(A, node, start, T0);
    await store.queueSessionSignal(A, node, { kind: 'terminate', sessionId: 's-0' }, T0);
    await store.queueSessionSignal(C, node, { kind: 'terminate', sessionId: 's-9' }, T0);
    assert.deepEqual(await store.transaction((tx) => tx.takeSessionSignals(A, node, T0 + 1)), [start, { kind: 'terminate', sessionId: 's-0' }]);
    assert.deepEqual(await store.takeSessionSignals(A, node, T0 + 2), []);
    await store.queueSessionSignal(A, node, { kind: 'terminate', sessionId: 's-1' }, T0 + 3);
    await store.queueSessionSignal(A, node, { kind: 'terminate', sessionId: 's-2' }, T0 + 3);
    await store.dropSessionSignals(A, 's-1');
    assert.deepEqual(await store.takeSessionSignals(A, node, T0 + 4), [{ kind: 'terminate', sessionId: 's-2' }]);
    assert.deepEqual(await store.takeSessionSignals(C, node, T0 + 4), [{ kind: 'terminate', sessionId: 's-9' }]);
  });
}
