// Contract: the state-change event outbox. Events are kept in the order recorded, concurrent writers' events come out in commit order (a reader that saw seq N never later
// finds a smaller seq), pruning keeps the newest; targets keep their progress, and only the holder of a
// target's lease records progress until it lapses or is released. Targets belong to one account and
// Region (or to the operator): listed and deleted only by their owner; events are read by account and Region.

import assert from 'node:assert/strict';
import { envelope, eventTargetId, type RecordedEvent } from '../../src/domain/events.ts';
import type { Scope } from '../../src/domain/model.ts';
import { A, B, C, T0 } from './fixtures.ts';
import type { StoreTest } from './store-contract.ts';

const event = (name: string, windowId?: string, scope: Scope = A): RecordedEvent => ({
  windowId,
  event: envelope(scope, 'Maintenance Window State-change Notification', T0, [], { 'window-id': windowId ?? 'mw-0', status: name }, [name]),
});
const target = { id: 'webhook-0000000000000001', kind: 'webhook' as const, url: 'http://127.0.0.1:9/hook' };

export function eventContract(it: StoreTest): void {
  it('events come out in the order recorded, with seqs and as recorded', async (store) => {
    assert.equal(await store.lastEventSeq(), 0);
    assert.equal(await store.firstEventSeq(), undefined);
    await store.transaction((tx) => tx.appendEvents([event('a', 'mw-1'), event('b')]));
    await store.transaction((tx) => tx.appendEvents([event('c', 'mw-2')]));
    const all = await store.readEvents(0, 10);
    assert.deepEqual(all.map((e) => [e.event.detail.status, e.windowId]), [['a', 'mw-1'], ['b', undefined], ['c', 'mw-2']]);
    assert.ok(all[0].seq < all[1].seq && all[1].seq < all[2].seq);
    assert.deepEqual((await store.readEvents(all[0].seq, 1)).map((e) => e.event.detail.status), ['b']);
    assert.equal(await store.lastEventSeq(), all[2].seq);
    assert.deepEqual(all[2].event, event('c', 'mw-2').event, 'the envelope as recorded');
  });

  it('a rolled-back transaction leaves no event', async (store) => {
    await assert.rejects(store.transaction(async (tx) => {
      await tx.appendEvents([event('lost')]);
      throw new Error('rollback');
    }));
    assert.deepEqual(await store.readEvents(0, 10), []);
  });

  it('concurrent writers: seq order is commit order, so a reader never misses an event behind one it saw', async (store) => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => { release = resolve; });
    let firstAppended!: () => void;
    const appended = new Promise<void>((resolve) => { firstAppended = resolve; });
    const slow = store.transaction(async (tx) => {
      await tx.appendEvents([event('slow')]);
      firstAppended();
      await held;
    });
    await appended;
    const fast = store.transaction((tx) => tx.appendEvents([event('fast')]));
    // A writer either waits for the open one (SQLite's single writer) or commits first and comes first
    // (PostgreSQL inserts a transaction's events at its commit, so its events lock is taken last): either
    // way seq order is commit order, and nothing uncommitted is ever behind a visible event.
    // (Given a moment to commit on its own; a busy machine may take longer, which the checks allow.)
    await Promise.race([fast, new Promise((r) => setTimeout(r, 200))]);
    let visible: string[];
    try {
      visible = (await store.readEvents(0, 10)).map((e) => String(e.event.detail.status));
    } finally {
      release();
    }
    await Promise.all([slow, fast]);
    const all = (await store.readEvents(0, 10)).map((e) => String(e.event.detail.status));
    assert.deepEqual([...all].sort(), ['fast', 'slow'], 'both committed, once each');
    // What a reader saw while slow was open is where the final order starts: nothing came in before it later.
    assert.deepEqual(all.slice(0, visible.length), visible, `seen ${JSON.stringify(visible)} while slow was open, then ${JSON.stringify(all)}`);
    if (visible.includes('fast')) assert.deepEqual(all, ['fast', 'slow'], 'fast committed while slow was open, so slow comes after');
  });

  it('pruning keeps the newest events', async (store) => {
    await store.transaction((tx) => tx.appendEvents(['1', '2', '3', '4', '5'].map((n) => event(n))));
    assert.equal(await store.pruneEvents(2), 3);
    assert.deepEqual((await store.readEvents(0, 10)).map((e) => e.event.detail.status), ['4', '5']);
    assert.equal(await store.firstEventSeq(), (await store.readEvents(0, 1))[0].seq);
  });

  it('targets: added once with their starting point; one holder of the lease records progress', async (store) => {
    await store.addEventTarget(target, 7);
    await store.addEventTarget({ ...target, url: 'http://elsewhere' }, 99);
    assert.deepEqual(await store.listEventTargets(), [{ target, deliveredSeq: 7, failures: 0, lastError: undefined }]);
    assert.equal(await store.claimEventTarget(target.id, 'r1', T0, T0 + 1000), true);
    assert.equal(await store.claimEventTarget(target.id, 'r2', T0 + 500, T0 + 1500), false, 'r1 holds it');
    assert.equal(await store.saveEventTargetProgress(target.id, 'r2', { deliveredSeq: 100, failures: 0 }), false);
    assert.equal(await store.saveEventTargetProgress(target.id, 'r1', { deliveredSeq: 8, failures: 2, lastError: 'HTTP 503' }), true);
    assert.deepEqual((await store.listEventTargets())[0], { target, deliveredSeq: 8, failures: 2, lastError: 'HTTP 503' });
    assert.equal(await store.claimEventTarget(target.id, 'r2', T0 + 1001, T0 + 2000), true, 'the lease lapsed');
    await store.releaseEventTarget(target.id, 'r1');
    assert.equal(await store.claimEventTarget(target.id, 'r1', T0 + 1002, T0 + 2000), false, "r1's release does not end r2's lease");
    await store.releaseEventTarget(target.id, 'r2');
    assert.equal(await store.claimEventTarget(target.id, 'r1', T0 + 1003, T0 + 2000), true, 'released: taken at once');
    assert.equal(await store.deleteEventTarget(target.id), true);
    assert.equal(await store.deleteEventTarget(target.id), false);
  });

  it("events are read by account and Region: a scope's reader sees only its own, in order, after a seq", async (store) => {
    await store.transaction((tx) => tx.appendEvents([event('a1'), event('b1', undefined, B), event('c1', undefined, C), event('a2', 'mw-1')]));
    const all = await store.readEvents(0, 10);
    assert.deepEqual(all.map((e) => e.event.detail.status), ['a1', 'b1', 'c1', 'a2']);
    assert.deepEqual((await store.readEvents(0, 10, A)).map((e) => [e.event.detail.status, e.seq, e.windowId]), [['a1', all[0].seq, undefined], ['a2', all[3].seq, 'mw-1']]);
    assert.deepEqual((await store.readEvents(all[0].seq, 10, A)).map((e) => e.event.detail.status), ['a2'], 'after a seq, skipping the others');
    assert.deepEqual((await store.readEvents(0, 1, A)).map((e) => e.event.detail.status), ['a1'], 'limited');
    assert.deepEqual((await store.readEvents(0, 10, B)).map((e) => e.event.detail.status), ['b1']);
    assert.deepEqual((await store.readEvents(0, 10, C)).map((e) => e.event.detail.status), ['c1'], 'same account, another Region');
    assert.deepEqual(await store.readEvents(0, 10, { account: '333333333333', region: 'us-east-1' }), []);
  });

  it("targets belong to an account and Region, or to the operator: each owner lists and deletes only its own", async (store) => {
    const url = 'http://127.0.0.1:9/hook';
    const ofA = { id: eventTargetId('webhook', url, undefined, A), kind: 'webhook' as const, url, scope: A };
    const ofB = { id: eventTargetId('webhook', url, undefined, B), kind: 'webhook' as const, url, scope: B };
    const ofC = { id: eventTargetId('webhook', url, undefined, C), kind: 'webhook' as const, url, scope: C };
    const operators = { id: eventTargetId('webhook', url), kind: 'webhook' as const, url };
    assert.equal(new Set([ofA.id, ofB.id, ofC.id, operators.id]).size, 4, 'one URL, four owners: four targets');
    for (const t of [ofA, ofB, ofC, operators]) await store.addEventTarget(t, 3);
    const ids = (states: { target: { id: string } }[]) => states.map((s) => s.target.id).sort();
    assert.deepEqual(await store.listEventTargets(A), [{ target: ofA, deliveredSeq: 3, failures: 0, lastError: undefined }]);
    assert.deepEqual(ids(await store.listEventTargets(B)), [ofB.id]);
    assert.deepEqual(ids(await store.listEventTargets(C)), [ofC.id]);
    assert.deepEqual(await store.listEventTargets(null), [{ target: operators, deliveredSeq: 3, failures: 0, lastError: undefined }]);
    assert.deepEqual(ids(await store.listEventTargets()), ids([ofA, ofB, ofC, operators].map((target) => ({ target }))), 'all, for the delivery');
    assert.equal(await store.deleteEventTarget(ofA.id, B), false, "B cannot delete A's");
    assert.equal(await store.deleteEventTarget(ofA.id, C), false, "A's other Region cannot either");
    assert.equal(await store.deleteEventTarget(operators.id, A), false, "nor an account the operator's");
    assert.equal(await store.deleteEventTarget(ofA.id, null), false, "nor the operator's route an account's");
    assert.equal(await store.deleteEventTarget(ofA.id, A), true);
    assert.equal(await store.deleteEventTarget(operators.id, null), true);
    assert.deepEqual(ids(await store.listEventTargets()), ids([ofB, ofC].map((target) => ({ target }))));
  });

  it('a target added again keeps its progress and takes the owner given (a flag target from before owners is the operator\'s again)', async (store) => {
    const url = 'http://127.0.0.1:9/flag';
    const operators = { id: eventTargetId('webhook', url), kind: 'webhook' as const, url };
    // As migration 11 leaves a target made before owners existed: the default account's.
    await store.addEventTarget({ ...operators, scope: { account: '000000000000', region: 'us-east-1' } }, 5);
    assert.equal(await store.claimEventTarget(operators.id, 'r1', T0, T0 + 1000), true);
    assert.equal(await store.saveEventTargetProgress(operators.id, 'r1', { deliveredSeq: 9, failures: 0 }), true);
    await store.addEventTarget(operators, 42);
    assert.deepEqual(await store.listEventTargets(null), [{ target: operators, deliveredSeq: 9, failures: 0, lastError: undefined }]);
    assert.deepEqual(await store.listEventTargets({ account: '000000000000', region: 'us-east-1' }), []);
  });
}
