// Contract: transactions commit everything on success and nothing when the work throws, and concurrent
// transactions neither lose writes nor run one ClientToken's check-then-create twice.

import assert from 'node:assert/strict';
import type { StoreOperations } from '../../src/service/ports.ts';
import { A, B, invocation, T0, target, taskExecution, unversioned, window, windowExecution } from './fixtures.ts';
import type { StoreTest } from './store-contract.ts';

const w1 = 'mw-00000000000000001';

export function transactionContract(it: StoreTest): void {
  it('commits every write of the work and returns its result; the work reads its own writes', async (store) => {
    const result = await store.transaction(async (tx) => {
      await tx.insertWindow(A, window(w1), T0);
      await tx.insertTarget(A, target(w1, 't-1'));
      await tx.setTags(A, 'MaintenanceWindow', w1, [{ key: 'k', value: 'v' }]);
      await tx.insertWindowExecution(A, windowExecution(w1, 'e-1'));
      await new Promise((resolve) => setTimeout(resolve, 5));
      assert.equal((await tx.getWindow(A, w1))?.id, w1);
      assert.equal(await tx.countTargets(A, w1), 1);
      return 'done';
    });
    assert.equal(result, 'done');
    assert.deepEqual(unversioned(await store.getWindow(A, w1)), window(w1));
    assert.equal(await store.countTargets(A, w1), 1);
    assert.deepEqual(await store.getTags(A, 'MaintenanceWindow', w1), [{ key: 'k', value: 'v' }]);
    assert.ok(await store.getWindowExecution(A, 'e-1'));
  });

  it('rolls back everything when the work throws, and rethrows the same error', async (store) => {
    await store.insertWindow(A, window(w1), T0);
    await store.insertTarget(A, target(w1, 't-1'));
    await store.putSettingIfAbsent('kept', 'before');
    const failure = new Error('the work failed');
    await assert.rejects(
      store.transaction(async (tx) => {
        await tx.insertWindow(A, window('mw-00000000000000002'), T0);
        await tx.updateWindow(A, window(w1, { name: 'changed' }), T0 + 5);
        await tx.setNextFire(A, w1, T0 + 1);
        await tx.deleteTarget(A, w1, 't-1');
        await tx.setTags(A, 'MaintenanceWindow', w1, [{ key: 'k', value: 'v' }]);
        await tx.putSettingIfAbsent('new', 'value');
        await tx.putIdempotencyRecord(A, 'Op', 'tok', { fingerprint: 'f', result: 'r', createdAt: T0 });
        await tx.insertWindowExecution(A, windowExecution(w1, 'e-1'));
        await tx.insertTaskExecutions(A, [taskExecution('e-1', 'te-1')]);
        await tx.insertInvocations(A, [invocation('te-1', 'inv-1')]);
        await tx.putNode(A, { id: 'i-1', tags: {}, resourceGroups: [] });
        await tx.setOutcomeRules(A, [{ match: {}, status: 'FAILED' }]);
        throw failure;
      }),
      (error) => error === failure,
    );
    assert.equal(await store.countWindows(A), 1);
    assert.deepEqual(unversioned(await store.getWindow(A, w1)), window(w1));
    assert.equal(await store.earliestFireTime(), T0);
    assert.equal(await store.countTargets(A, w1), 1);
    assert.deepEqual(await store.getTags(A, 'MaintenanceWindow', w1), []);
    assert.equal(await store.getSetting('new'), undefined);
    assert.equal(await store.getSetting('kept'), 'before');
    assert.equal(await store.getIdempotencyRecord(A, 'Op', 'tok'), undefined);
    assert.equal(await store.getWindowExecution(A, 'e-1'), undefined);
    assert.equal(await store.getTaskExecution(A, 'te-1'), undefined);
    assert.equal(await store.getInvocation(A, 'inv-1'), undefined);
    assert.deepEqual(await store.listNodes(A), []);
    assert.deepEqual(await store.getOutcomeRules(A), []);
  });

  it('a failed statement inside the work rolls back the whole transaction; the store stays usable', async (store) => {
    await store.insertWindow(A, window(w1), undefined);
    await assert.rejects(store.transaction(async (tx) => {
      await tx.insertWindow(A, window('mw-00000000000000002'), undefined);
      await tx.insertWindow(A, window(w1), undefined);
    }));
    assert.equal(await store.countWindows(A), 1);
    await store.transaction(async (tx) => tx.insertWindow(A, window('mw-00000000000000003'), undefined));
    assert.equal(await store.countWindows(A), 2);
  });

  it('a deleteWindow rolled back leaves the window and its history in place', async (store) => {
    await store.insertWindow(A, window(w1), T0);
    await store.insertTarget(A, target(w1, 't-1'));
    await store.insertWindowExecution(A, windowExecution(w1, 'e-1'));
    await store.insertTaskExecutions(A, [taskExecution('e-1', 'te-1')]);
    await store.insertInvocations(A, [invocation('te-1', 'inv-1')]);
    await assert.rejects(store.transaction(async (tx) => {
      assert.equal(await tx.deleteWindow(A, w1), true);
      assert.equal(await tx.getInvocation(A, 'inv-1'), undefined);
      throw new Error('undo');
    }));
    assert.ok(await store.getWindow(A, w1));
    assert.equal(await store.countTargets(A, w1), 1);
    assert.ok(await store.getInvocation(A, 'inv-1'));
  });

  it('concurrent transactions all commit, none of their writes lost', async (store) => {
    const ids = Array.from({ length: 8 }, (_, i) => `mw-0000000000000001${i}`);
    await Promise.all(ids.map((id, i) => store.transaction(async (tx) => {
      await tx.insertWindow(i % 2 ? A : B, window(id), T0 + i);
      await new Promise((resolve) => setTimeout(resolve, 1));
      await tx.insertTarget(i % 2 ? A : B, target(id, 't-1'));
    })));
    assert.equal((await store.countWindows(A)) + (await store.countWindows(B)), 8);
    assert.equal((await store.listAllWindows()).length, 8);
    assert.equal(await store.earliestFireTime(), T0);
  });

  it('one ClientToken\'s check-then-create runs once, however many transactions race for it', async (store) => {
    const createOnce = (candidate: string) => store.transaction(async (tx: StoreOperations) => {
      const previous = await tx.getIdempotencyRecord(A, 'CreateMaintenanceWindow', 'token-1');
      if (previous) return previous.result;
      await new Promise((resolve) => setTimeout(resolve, 10));
      await tx.insertWindow(A, window(candidate), undefined);
      await tx.putIdempotencyRecord(A, 'CreateMaintenanceWindow', 'token-1', { fingerprint: 'f', result: candidate, createdAt: T0 });
      return candidate;
    });
    const results = await Promise.all(['mw-00000000000000021', 'mw-00000000000000022', 'mw-00000000000000023'].map(createOnce));
    assert.equal(new Set(results).size, 1, `every caller gets the one window: ${results.join(', ')}`);
    assert.equal(await store.countWindows(A), 1);
  });
}
