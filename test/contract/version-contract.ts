// Contract: the version of a stored record (service/ports/keyed.ts). Every read of a window, window
// execution, task execution or invocation carries the version of its document; every write of the
// document changes it, whichever read returns it (get, list, inside a transaction, after a rollback);
// the engine's own columns (next fire time, leases, plans) leave it alone. The wire's answer memo is keyed
// on it (wire/json-text.ts): a write that kept the version would serve the old text.

import assert from 'node:assert/strict';
import { A, B, invocation, orderedIds, T0, taskExecution, unversioned, window, windowExecution } from './fixtures.ts';
import type { StoreTest } from './store-contract.ts';

const MAX = Number.MAX_SAFE_INTEGER;

export function versionContract(it: StoreTest): void {
  it('a window starts at version 1 and every updateWindow changes it, in every read', async (store) => {
    const w = window('mw-0000000000000000a');
    await store.insertWindow(A, w, T0);
    const first = await store.getWindow(A, w.id);
    assert.equal(first?.version, 1);
    const seen = new Set([first!.version]);
    let current = first!;
    for (const name of ['one', 'two', 'three']) {
      // Spread from the read, as the service does: the store ignores the version it is given.
      await store.transaction((tx) => tx.updateWindow(A, { ...current, name }, T0));
      const read = await store.getWindow(A, w.id);
      assert.equal(read?.name, name);
      assert.ok(read && !seen.has(read.version), `a new version after writing ${name}`);
      assert.ok(read.version > current.version, 'versions grow');
      assert.equal((await store.listWindows(A, 0, 10))[0].item.version, read.version, 'listings carry the same version');
      assert.deepEqual(unversioned(read), { ...w, name }, 'the version is not part of the document');
      seen.add(read.version);
      current = read;
    }
    await store.setNextFire(A, w.id, T0 + 60_000);
    assert.equal((await store.getWindow(A, w.id))?.version, current.version, 'the fire time is the scheduler\'s, not the record\'s');
  });

  it('a write inside a transaction is seen with its version there, and a rollback keeps the old one', async (store) => {
    const w = window('mw-0000000000000000a');
    await store.insertWindow(A, w, T0);
    await assert.rejects(store.transaction(async (tx) => {
      await tx.updateWindow(A, { ...w, name: 'rolled back' }, T0);
      assert.equal((await tx.getWindow(A, w.id))?.version, 2);
      throw new Error('roll back');
    }), /roll back/);
    const after = await store.getWindow(A, w.id);
    assert.equal(after?.name, w.name);
    assert.equal(after?.version, 1);
    await store.transaction((tx) => tx.updateWindow(A, { ...after!, name: 'kept' }, T0));
    assert.equal((await store.getWindow(A, w.id))?.version, 2);
  });

  it('window executions: every update changes the version in get, list and latest; leases leave it', async (store) => {
    const w = 'mw-0000000000000000a';
    await store.insertWindowExecution(A, windowExecution(w, 'e-1', 'PENDING'));
    assert.equal((await store.getWindowExecution(A, 'e-1'))?.version, 1);
    let previous = 1;
    for (const status of ['IN_PROGRESS', 'IN_PROGRESS', 'SUCCESS'] as const) {
      await store.updateWindowExecution(A, { ...windowExecution(w, 'e-1', status), statusDetails: status });
      const read = await store.getWindowExecution(A, 'e-1');
      assert.ok(read && read.version > previous, `${status}: a new version even when the status is the same`);
      assert.equal((await store.listWindowExecutions(A, w, MAX, 10))[0].item.version, read.version);
      assert.equal((await store.latestWindowExecution(A, w))?.version, read.version);
      previous = read.version;
    }
    await store.insertWindowExecution(A, windowExecution(w, 'e-2', 'PENDING'));
    await store.claimExecutions({ owner: 'replica-1', until: T0 + 60_000 }, T0, 10);
    await store.renewLeases({ owner: 'replica-1', until: T0 + 120_000 });
    await store.releaseLeases('replica-1');
    assert.equal((await store.getWindowExecution(A, 'e-2'))?.version, 1, 'leases are the engine\'s, not the record\'s');
  });

  it('task executions: every batch update changes the version of each row it writes; plans leave it', async (store) => {
    await store.insertTaskExecutions(A, [taskExecution('e-1', 'te-1'), taskExecution('e-1', 'te-2')]);
    assert.deepEqual((await store.listTaskExecutions(A, 'e-1', 0, MAX)).map((r) => r.item.version), [1, 1]);
    await store.updateTaskExecutions(A, [taskExecution('e-1', 'te-1', 'IN_PROGRESS')]);
    const [one, two] = (await store.listTaskExecutions(A, 'e-1', 0, MAX)).map((r) => r.item.version);
    assert.ok(one > 1, 'the written row has a new version');
    assert.equal(two, 1, 'a row the batch did not write keeps its version');
    assert.equal((await store.getTaskExecution(A, 'te-1'))?.version, one);
    await store.updateTaskExecutions(A, [taskExecution('e-1', 'te-1', 'SUCCESS'), taskExecution('e-1', 'te-2', 'SUCCESS')]);
    const again = (await store.listTaskExecutions(A, 'e-1', 0, MAX, ['SUCCESS'])).map((r) => r.item.version);
    assert.ok(again[0] > one && again[1] > 1, 'both rows of the batch change');
    await store.saveTaskPlan(A, 'te-1', []);
    assert.equal((await store.getTaskExecution(A, 'te-1'))?.version, again[0], 'the plan is the engine\'s, not the record\'s');
  });

  it('invocations: every batch update changes the version in get and in every listing, per scope', async (store) => {
    const ids = orderedIds(3);
    await store.insertInvocations(A, ids.map((id) => invocation('te-1', id)));
    await store.insertInvocations(B, [invocation('te-1', ids[0])]);
    // Read first, so an engine that caches them must notice the writes below.
    assert.deepEqual((await store.listInvocations(A, 'te-1', 0, MAX)).map((r) => r.item.version), [1, 1, 1]);
    assert.equal((await store.getInvocation(A, ids[1]))?.version, 1);
    await store.updateInvocations(A, [{ ...invocation('te-1', ids[1]), status: 'SUCCESS' }]);
    const versions = (await store.listInvocations(A, 'te-1', 0, MAX)).map((r) => r.item.version);
    assert.equal(versions[0], 1);
    assert.ok(versions[1] > 1);
    assert.equal(versions[2], 1);
    assert.equal((await store.getInvocation(A, ids[1]))?.version, versions[1]);
    assert.equal((await store.listInvocations(A, 'te-1', 0, MAX, ['SUCCESS']))[0].item.version, versions[1]);
    await store.updateInvocations(A, [{ ...invocation('te-1', ids[1]), status: 'FAILED' }]);
    assert.ok((await store.getInvocation(A, ids[1]))!.version > versions[1], 'each write, not only the first');
    assert.equal((await store.getInvocation(B, ids[0]))?.version, 1, 'a write in one scope leaves the other\'s record');
  });
}
