// Contract: read-modify-write transactions on one window take turns. The service reads a window (and what
// hangs off it: targets, tasks, tags) inside a transaction, changes it and writes it back; a second
// transaction doing the same at the same time must see the first one's write, or one acknowledged change
// is silently lost. Every use case starts such a transaction with tx.getWindow, which holds the window
// until commit (ports.ts). Each test yields between the read and the write, so on an engine where
// transactions really run side by side (PostgreSQL) the reads overlap, and fails if anything is lost.

import assert from 'node:assert/strict';
import type { Tag } from '../../src/domain/model.ts';
import type { Store } from '../../src/service/ports.ts';
import { A, target, task, T0, window } from './fixtures.ts';
import type { StoreTest } from './store-contract.ts';

const w1 = 'mw-00000000000000001';

/** Gives every other transaction in flight the chance to reach the same point. */
const pause = () => new Promise((resolve) => setTimeout(resolve, 5));

async function readModifyWriteWindow(store: Store, change: (name: string) => { name?: string; description?: string }): Promise<void> {
  await store.transaction(async (tx) => {
    const current = await tx.getWindow(A, w1);
    assert.ok(current);
    await pause();
    await tx.updateWindow(A, { ...current, ...change(current.name) }, T0);
  });
}

export function concurrencyContract(it: StoreTest): void {
  it('two concurrent partial updates of different members of one window both survive', async (store) => {
    await store.insertWindow(A, window(w1, { name: 'before', description: 'before' }), T0);
    for (let round = 0; round < 5; round++) {
      await Promise.all([
        readModifyWriteWindow(store, () => ({ name: `name-${round}` })),
        readModifyWriteWindow(store, () => ({ description: `description-${round}` })),
      ]);
      const after = await store.getWindow(A, w1);
      assert.equal(after?.name, `name-${round}`, `round ${round}: the Name update was lost`);
      assert.equal(after?.description, `description-${round}`, `round ${round}: the Description update was lost`);
    }
  });

  it('concurrent updates of different members of one target, and of one task, all survive', async (store) => {
    await store.insertWindow(A, window(w1), T0);
    await store.insertTarget(A, target(w1, 't-1'));
    await store.insertTask(A, task(w1, 'k-1'));
    const updateTarget = (member: 'name' | 'description', value: string) => store.transaction(async (tx) => {
      assert.ok(await tx.getWindow(A, w1));
      const current = await tx.getTarget(A, w1, 't-1');
      await pause();
      await tx.updateTarget(A, { ...current!, [member]: value });
    });
    const updateTask = (member: 'name' | 'description', value: string) => store.transaction(async (tx) => {
      assert.ok(await tx.getWindow(A, w1));
      const current = await tx.getTask(A, w1, 'k-1');
      await pause();
      await tx.updateTask(A, { ...current!, [member]: value });
    });
    await Promise.all([updateTarget('name', 'n'), updateTarget('description', 'd'), updateTask('name', 'n'), updateTask('description', 'd')]);
    const [t, k] = [await store.getTarget(A, w1, 't-1'), await store.getTask(A, w1, 'k-1')];
    assert.deepEqual([t?.name, t?.description], ['n', 'd']);
    assert.deepEqual([k?.name, k?.description], ['n', 'd']);
  });

  it('20 concurrent tag additions with distinct keys keep all 20, and a tag quota holds under 70 of them', async (store) => {
    await store.insertWindow(A, window(w1), T0);
    const addTag = (key: string, limit: number) => store.transaction(async (tx) => {
      assert.ok(await tx.getWindow(A, w1));
      const tags: Tag[] = await tx.getTags(A, 'MaintenanceWindow', w1);
      await pause();
      if (tags.length >= limit) throw new Error('quota');
      await tx.setTags(A, 'MaintenanceWindow', w1, [...tags, { key, value: key }]);
    });
    await Promise.all(Array.from({ length: 20 }, (_, i) => addTag(`k${i}`, 1000)));
    assert.equal((await store.getTags(A, 'MaintenanceWindow', w1)).length, 20);

    const results = await Promise.allSettled(Array.from({ length: 70 }, (_, i) => addTag(`q${i}`, 50)));
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 30, 'exactly the 30 that fit under 50 succeed');
    assert.equal((await store.getTags(A, 'MaintenanceWindow', w1)).length, 50);
  });

  it('a check that no task references a target cannot race a task registered against it', async (store) => {
    await store.insertWindow(A, window(w1), T0);
    await store.insertTarget(A, target(w1, 't-1'));
    const safeDeregister = () => store.transaction(async (tx) => {
      assert.ok(await tx.getWindow(A, w1));
      const tasks = await tx.listTasks(A, w1, 0, 100);
      await pause();
      if (tasks.some((row) => row.item.targets.some((t) => t.values.includes('t-1')))) throw new Error('TargetInUse');
      await tx.deleteTarget(A, w1, 't-1');
    });
    const registerTask = () => store.transaction(async (tx) => {
      assert.ok(await tx.getWindow(A, w1));
      const exists = await tx.getTarget(A, w1, 't-1');
      await pause();
      if (!exists) throw new Error('no such target');
      await tx.insertTask(A, { ...task(w1, 'k-1'), targets: [{ key: 'WindowTargetIds', values: ['t-1'] }] });
    });
    const [deregistered, registered] = await Promise.allSettled([safeDeregister(), registerTask()]);
    assert.equal([deregistered, registered].filter((r) => r.status === 'fulfilled').length, 1, 'exactly one of the two wins');
    const taskLeft = await store.getTask(A, w1, 'k-1');
    const targetLeft = await store.getTarget(A, w1, 't-1');
    assert.ok(!taskLeft || targetLeft, 'no task may reference a target that no longer exists');
  });
}
