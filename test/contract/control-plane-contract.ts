// Contract: windows, targets, tasks, tags and idempotency records — round-trips, keyset pages in
// creation order, counts, scoping by account and Region, and deleteWindow's cascade.

import assert from 'node:assert/strict';
import type { Store } from '../../src/service/ports.ts';
import { A, B, C, invocation, items, keys, node, T0, target, task, taskExecution, unversioned, window, windowExecution } from './fixtures.ts';
import type { StoreTest } from './store-contract.ts';

export function controlPlaneContract(it: StoreTest): void {
  it('a window round-trips exactly; unknown ids read as undefined', async (store) => {
    const w = window('mw-0000000000000000a');
    await store.insertWindow(A, w, T0);
    assert.deepEqual(unversioned(await store.getWindow(A, w.id)), w);
    assert.equal(await store.getWindow(A, 'mw-ffffffffffffffff0'), undefined);
    const minimal = window('mw-0000000000000000b', { description: undefined, timeZone: undefined, offsetDays: undefined, startDate: undefined });
    await store.insertWindow(A, minimal, undefined);
    const back = await store.getWindow(A, minimal.id);
    assert.deepEqual(unversioned(back), JSON.parse(JSON.stringify(minimal)));
    assert.ok(back && !('description' in back), 'absent members stay absent');
  });

  it('updateWindow replaces the document; inserting an existing id fails', async (store) => {
    const w = window('mw-0000000000000000a');
    await store.insertWindow(A, w, T0);
    const changed = { ...w, name: 'renamed', enabled: false, endDate: '2031-01-01T00:00:00Z' };
    await store.updateWindow(A, changed, undefined);
    assert.deepEqual(unversioned(await store.getWindow(A, w.id)), changed);
    await assert.rejects(store.insertWindow(A, w, T0));
    assert.equal(await store.countWindows(A), 1);
  });

  it('listWindows pages in creation order after a key, up to the limit; countWindows counts', async (store) => {
    // Ids in descending order: the listing must follow creation, not the id.
    const ids = ['mw-00000000000000009', 'mw-00000000000000005', 'mw-00000000000000007', 'mw-00000000000000001', 'mw-00000000000000003'];
    for (const id of ids) await store.insertWindow(A, window(id), undefined);
    const all = await store.listWindows(A, 0, 100);
    assert.deepEqual(all.map((r) => r.item.id), ids);
    const k = keys(all);
    assert.deepEqual([...k].sort((x, y) => x - y), k, 'keys ascend');
    assert.equal(new Set(k).size, k.length, 'keys are distinct');
    assert.ok(k.every((key) => Number.isSafeInteger(key) && key > 0), 'keys are positive integers');

    const first = await store.listWindows(A, 0, 2);
    assert.deepEqual(first.map((r) => r.item.id), ids.slice(0, 2));
    const second = await store.listWindows(A, first[1].key, 2);
    assert.deepEqual(second.map((r) => r.item.id), ids.slice(2, 4));
    const third = await store.listWindows(A, second[1].key, 2);
    assert.deepEqual(third.map((r) => r.item.id), ids.slice(4));
    assert.deepEqual(await store.listWindows(A, third[0].key, 2), []);
    assert.deepEqual(await store.listWindows(A, 0, 0), []);
    assert.deepEqual(await store.listWindows(A, 0, Number.MAX_SAFE_INTEGER), all);
    assert.equal(await store.countWindows(A), 5);
    assert.equal(await store.countWindows(B), 0);
  });

  it('a deleted window leaves a gap: later keys do not move and new ones come after', async (store) => {
    for (const id of ['mw-00000000000000001', 'mw-00000000000000002', 'mw-00000000000000003']) await store.insertWindow(A, window(id), undefined);
    const before = await store.listWindows(A, 0, 10);
    assert.equal(await store.deleteWindow(A, 'mw-00000000000000002'), true);
    await store.insertWindow(A, window('mw-00000000000000002'), undefined);
    const after = await store.listWindows(A, 0, 10);
    assert.deepEqual(after.map((r) => r.item.id), ['mw-00000000000000001', 'mw-00000000000000003', 'mw-00000000000000002']);
    assert.equal(after[1].key, before[2].key);
    assert.ok(after[2].key > before[2].key);
  });

  it('nothing leaks across accounts or Regions', async (store) => {
    const id = 'mw-0000000000000000a';
    await store.insertWindow(A, window(id, { name: 'in A' }), T0);
    await store.insertWindow(B, window(id, { name: 'in B' }), T0);
    await store.insertTarget(A, target(id, 't-a'));
    await store.insertTask(A, task(id, 'k-a'));
    await store.setTags(A, 'MaintenanceWindow', id, [{ key: 'k', value: 'v' }]);
    await store.putIdempotencyRecord(A, 'Op', 'tok', { fingerprint: 'f', result: 'r', createdAt: T0 });
    await store.putNode(A, node('i-1'));
    await store.insertWindowExecution(A, windowExecution(id, 'e-a'));
    await store.insertTaskExecutions(A, [taskExecution('e-a', 'te-a')]);
    await store.insertInvocations(A, [invocation('te-a', 'inv-a')]);

    assert.equal((await store.getWindow(B, id))?.name, 'in B');
    for (const other of [B, C]) {
      assert.equal(await store.countTargets(other, id), 0);
      assert.equal(await store.getTarget(other, id, 't-a'), undefined);
      assert.deepEqual(await store.listTargets(other, id, 0, 10), []);
      assert.equal(await store.countTasks(other, id), 0);
      assert.equal(await store.getTask(other, id, 'k-a'), undefined);
      assert.deepEqual(await store.listTasks(other, id, 0, 10), []);
      assert.deepEqual(await store.getTags(other, 'MaintenanceWindow', id), []);
      assert.equal(await store.getIdempotencyRecord(other, 'Op', 'tok'), undefined);
      assert.deepEqual(await store.listNodes(other), []);
      assert.equal(await store.getWindowExecution(other, 'e-a'), undefined);
      assert.deepEqual(await store.listWindowExecutions(other, id, Number.MAX_SAFE_INTEGER, 10), []);
      assert.equal(await store.latestWindowExecution(other, id), undefined);
      assert.equal(await store.getTaskExecution(other, 'te-a'), undefined);
      assert.deepEqual(await store.listTaskExecutions(other, 'e-a', 0, 10), []);
      assert.equal(await store.getInvocation(other, 'inv-a'), undefined);
      assert.deepEqual(await store.listInvocations(other, 'te-a', 0, 10), []);
    }
    assert.equal(await store.countWindows(C), 0);
    assert.deepEqual(await store.listWindows(C, 0, 10), []);

    // Deleting B's window of the same id leaves A's with everything it has.
    assert.equal(await store.deleteWindow(B, id), true);
    assert.equal(await store.deleteWindow(C, id), false);
    assert.equal((await store.getWindow(A, id))?.name, 'in A');
    assert.equal(await store.countTargets(A, id), 1);
    assert.equal(await store.countTasks(A, id), 1);
    assert.equal((await store.getTags(A, 'MaintenanceWindow', id)).length, 1);
    assert.ok(await store.getInvocation(A, 'inv-a'));
  });

  it('targets and tasks round-trip, update, delete, count and page per window in creation order', async (store) => {
    const [w1, w2] = ['mw-00000000000000001', 'mw-00000000000000002'];
    await store.insertWindow(A, window(w1), undefined);
    await store.insertWindow(A, window(w2), undefined);
    const targetIds = ['t-c', 't-a', 't-b'];
    const taskIds = ['k-c', 'k-a', 'k-b'];
    for (let i = 0; i < 3; i += 1) {
      await store.insertTarget(A, target(w1, targetIds[i]));
      await store.insertTarget(A, target(w2, `${targetIds[i]}-2`));
      await store.insertTask(A, task(w1, taskIds[i]));
      await store.insertTask(A, task(w2, `${taskIds[i]}-2`));
    }
    assert.deepEqual(await store.getTarget(A, w1, 't-a'), target(w1, 't-a'));
    assert.deepEqual(await store.getTask(A, w1, 'k-a'), task(w1, 'k-a'));
    assert.equal(await store.getTarget(A, w2, 't-a'), undefined, 'a target belongs to its window');
    assert.equal(await store.getTask(A, w2, 'k-a'), undefined, 'a task belongs to its window');
    await assert.rejects(store.insertTarget(A, target(w1, 't-a')));
    await assert.rejects(store.insertTask(A, task(w1, 'k-a')));

    const targets = await store.listTargets(A, w1, 0, 10);
    assert.deepEqual(items(targets).map((t) => t.id), targetIds);
    assert.deepEqual(items(await store.listTargets(A, w1, targets[0].key, 1)).map((t) => t.id), ['t-a']);
    const tasks = await store.listTasks(A, w1, 0, 10);
    assert.deepEqual(items(tasks).map((t) => t.id), taskIds);
    assert.deepEqual(items(await store.listTasks(A, w1, tasks[1].key, 10)).map((t) => t.id), ['k-b']);
    assert.equal(await store.countTargets(A, w1), 3);
    assert.equal(await store.countTasks(A, w2), 3);

    const t = { ...target(w1, 't-a'), name: 'renamed', ownerInformation: undefined };
    await store.updateTarget(A, t);
    assert.deepEqual(await store.getTarget(A, w1, 't-a'), JSON.parse(JSON.stringify(t)));
    const k = { ...task(w1, 'k-a'), priority: 9, invocationParameters: { Lambda: { Payload: 'aGVsbG8=' } } };
    await store.updateTask(A, k);
    assert.deepEqual(await store.getTask(A, w1, 'k-a'), k);
    assert.deepEqual(items(await store.listTasks(A, w1, 0, 10)).map((x) => x.id), taskIds, 'an update keeps the position');

    await store.deleteTarget(A, w1, 't-a');
    await store.deleteTask(A, w1, 'k-a');
    await store.deleteTarget(A, w1, 't-unknown');
    assert.equal(await store.getTarget(A, w1, 't-a'), undefined);
    assert.equal(await store.getTask(A, w1, 'k-a'), undefined);
    assert.equal(await store.countTargets(A, w1), 2);
    assert.equal(await store.countTasks(A, w1), 2);
    assert.equal(await store.countTargets(A, w2), 3, 'the other window is untouched');
  });

  it('tags: absent reads as []; set replaces; an empty list removes them; per resource type and id', async (store) => {
    const id = 'mw-0000000000000000a';
    assert.deepEqual(await store.getTags(A, 'MaintenanceWindow', id), []);
    const tags = [{ key: 'z', value: '' }, { key: 'a', value: 'ünï "q"' }, { key: 'm', value: 'x' }];
    await store.setTags(A, 'MaintenanceWindow', id, tags);
    assert.deepEqual(await store.getTags(A, 'MaintenanceWindow', id), tags, 'order is kept as set');
    assert.deepEqual(await store.getTags(A, 'Document', id), []);
    await store.setTags(A, 'Document', id, [{ key: 'd', value: 'd' }]);
    await store.setTags(A, 'MaintenanceWindow', id, [{ key: 'only', value: '1' }]);
    assert.deepEqual(await store.getTags(A, 'MaintenanceWindow', id), [{ key: 'only', value: '1' }]);
    await store.setTags(A, 'MaintenanceWindow', id, []);
    assert.deepEqual(await store.getTags(A, 'MaintenanceWindow', id), []);
    assert.deepEqual(await store.getTags(A, 'Document', id), [{ key: 'd', value: 'd' }]);
    await store.setTags(A, 'MaintenanceWindow', 'mw-never-tagged', []);
  });

  it('deleteWindow removes the window with its targets, tasks, tags and execution history; false when absent', async (store) => {
    const [gone, kept] = ['mw-00000000000000001', 'mw-00000000000000002'];
    for (const id of [gone, kept]) {
      await store.insertWindow(A, window(id), T0);
      await store.insertTarget(A, target(id, `t-${id}`));
      await store.insertTask(A, task(id, `k-${id}`));
      await store.setTags(A, 'MaintenanceWindow', id, [{ key: 'k', value: id }]);
      await store.insertWindowExecution(A, windowExecution(id, `e-${id}`));
      await store.insertTaskExecutions(A, [taskExecution(`e-${id}`, `te-${id}`)]);
      await store.insertInvocations(A, [invocation(`te-${id}`, `inv-${id}`)]);
    }
    await store.setTags(A, 'Document', gone, [{ key: 'other', value: 'type' }]);

    assert.equal(await store.deleteWindow(A, gone), true);
    assert.equal(await store.getWindow(A, gone), undefined);
    assert.equal(await store.countTargets(A, gone), 0);
    assert.equal(await store.getTarget(A, gone, `t-${gone}`), undefined);
    assert.equal(await store.countTasks(A, gone), 0);
    assert.equal(await store.getTask(A, gone, `k-${gone}`), undefined);
    assert.deepEqual(await store.getTags(A, 'MaintenanceWindow', gone), []);
    assert.equal(await store.getWindowExecution(A, `e-${gone}`), undefined);
    assert.equal(await store.latestWindowExecution(A, gone), undefined);
    assert.deepEqual(await store.listWindowExecutions(A, gone, Number.MAX_SAFE_INTEGER, 10), []);
    assert.equal(await store.getTaskExecution(A, `te-${gone}`), undefined);
    assert.deepEqual(await store.listTaskExecutions(A, `e-${gone}`, 0, 10), []);
    assert.equal(await store.getInvocation(A, `inv-${gone}`), undefined);
    assert.deepEqual(await store.listInvocations(A, `te-${gone}`, 0, 10), []);
    assert.deepEqual((await store.listAllWindows()).map((w) => w.window.id), [kept]);
    assert.deepEqual(await store.getTags(A, 'Document', gone), [{ key: 'other', value: 'type' }], 'only the window\'s own tags go');

    assert.ok(await store.getWindow(A, kept));
    assert.equal(await store.countTargets(A, kept), 1);
    assert.equal(await store.countTasks(A, kept), 1);
    assert.equal((await store.getTags(A, 'MaintenanceWindow', kept)).length, 1);
    assert.ok(await store.getWindowExecution(A, `e-${kept}`));
    assert.ok(await store.getTaskExecution(A, `te-${kept}`));
    assert.ok(await store.getInvocation(A, `inv-${kept}`));

    assert.equal(await store.deleteWindow(A, gone), false);
    assert.equal(await store.countWindows(A), 1);
  });

  it('idempotency records: round-trip, replace, scoped by operation and token, swept by age', async (store: Store) => {
    assert.equal(await store.getIdempotencyRecord(A, 'CreateMaintenanceWindow', 'tok'), undefined);
    const first = { fingerprint: 'a'.repeat(64), result: 'mw-0000000000000000a', createdAt: T0 };
    await store.putIdempotencyRecord(A, 'CreateMaintenanceWindow', 'tok', first);
    assert.deepEqual(await store.getIdempotencyRecord(A, 'CreateMaintenanceWindow', 'tok'), first);
    assert.equal(await store.getIdempotencyRecord(A, 'RegisterTargetWithMaintenanceWindow', 'tok'), undefined);
    assert.equal(await store.getIdempotencyRecord(A, 'CreateMaintenanceWindow', 'other'), undefined);

    const replaced = { fingerprint: 'b'.repeat(64), result: 'mw-0000000000000000b', createdAt: T0 + 10 };
    await store.putIdempotencyRecord(A, 'CreateMaintenanceWindow', 'tok', replaced);
    assert.deepEqual(await store.getIdempotencyRecord(A, 'CreateMaintenanceWindow', 'tok'), replaced);

    await store.putIdempotencyRecord(B, 'CreateMaintenanceWindow', 'old', { fingerprint: 'f', result: 'r', createdAt: T0 + 9 });
    await store.putIdempotencyRecord(C, 'CreateMaintenanceWindow', 'edge', { fingerprint: 'f', result: 'r', createdAt: T0 + 10 });
    await store.deleteIdempotencyRecordsBefore(T0 + 10);
    assert.equal(await store.getIdempotencyRecord(B, 'CreateMaintenanceWindow', 'old'), undefined, 'older ones go, in every scope');
    assert.ok(await store.getIdempotencyRecord(C, 'CreateMaintenanceWindow', 'edge'), 'the bound itself is kept');
    assert.deepEqual(await store.getIdempotencyRecord(A, 'CreateMaintenanceWindow', 'tok'), replaced);
  });
}
