// Contract: the execution history — window executions newest first before a key, task executions and
// invocations in creation order after a key with optional status filters, updates, active executions.

import assert from 'node:assert/strict';
import type { ExecutionStatus } from '../../src/domain/execution.ts';
import { A, AWKWARD, B, C, invocation, items, keys, orderedIds, T0, taskExecution, unversioned, windowExecution } from './fixtures.ts';
import type { StoreTest } from './store-contract.ts';

const MAX = Number.MAX_SAFE_INTEGER;

export function historyContract(it: StoreTest): void {
  it('window executions round-trip and update; an existing id cannot be inserted again', async (store) => {
    const e = windowExecution('mw-00000000000000001', 'e-1', 'PENDING');
    await store.insertWindowExecution(A, e);
    assert.deepEqual(unversioned(await store.getWindowExecution(A, 'e-1')), e);
    assert.equal(await store.getWindowExecution(A, 'e-unknown'), undefined);
    const done = { ...e, status: 'SUCCESS' as const, statusDetails: undefined, endTime: T0 + 5 };
    await store.updateWindowExecution(A, done);
    assert.deepEqual(unversioned(await store.getWindowExecution(A, 'e-1')), JSON.parse(JSON.stringify(done)));
    await assert.rejects(store.insertWindowExecution(A, e));
  });

  it('listWindowExecutions is newest first, before a key, up to the limit, per window', async (store) => {
    const w = 'mw-00000000000000001';
    const ids = orderedIds(5);
    for (const [i, id] of ids.entries()) {
      await store.insertWindowExecution(A, windowExecution(w, id, 'SUCCESS', T0 + i));
      await store.insertWindowExecution(A, windowExecution('mw-00000000000000002', `other-${i}`));
    }
    const newestFirst = [...ids].reverse();
    const all = await store.listWindowExecutions(A, w, MAX, 100);
    assert.deepEqual(items(all).map((e) => e.id), newestFirst);
    const k = keys(all);
    assert.deepEqual([...k].sort((x, y) => y - x), k, 'keys descend');

    const page1 = await store.listWindowExecutions(A, w, MAX, 2);
    assert.deepEqual(items(page1).map((e) => e.id), newestFirst.slice(0, 2));
    const page2 = await store.listWindowExecutions(A, w, page1[1].key, 2);
    assert.deepEqual(items(page2).map((e) => e.id), newestFirst.slice(2, 4));
    const page3 = await store.listWindowExecutions(A, w, page2[1].key, 2);
    assert.deepEqual(items(page3).map((e) => e.id), newestFirst.slice(4));
    assert.deepEqual(await store.listWindowExecutions(A, w, page3[0].key, 2), []);
    assert.deepEqual(await store.listWindowExecutions(A, w, MAX, 0), []);

    assert.equal((await store.latestWindowExecution(A, w))?.id, ids[4]);
    assert.equal(await store.latestWindowExecution(A, 'mw-00000000000000009'), undefined);
  });

  it('latestWindowExecution is the last one created, whatever its start time', async (store) => {
    const w = 'mw-00000000000000001';
    await store.insertWindowExecution(A, windowExecution(w, 'e-late', 'SUCCESS', T0 + 1000));
    await store.insertWindowExecution(A, windowExecution(w, 'e-early', 'SUCCESS', T0));
    assert.equal((await store.latestWindowExecution(A, w))?.id, 'e-early');
  });

  it('claimExecutions takes the PENDING, IN_PROGRESS and CANCELLING ones of every scope, in creation order', async (store) => {
    // A lease that has already ended, so every call may take them all again.
    const claimAll = () => store.claimExecutions({ owner: 'contract', until: 0 }, 1, 100);
    const statuses: ExecutionStatus[] = ['PENDING', 'SUCCESS', 'IN_PROGRESS', 'FAILED', 'CANCELLING', 'TIMED_OUT', 'CANCELLED', 'SKIPPED_OVERLAPPING'];
    const scopes = [A, B, C];
    for (const [i, status] of statuses.entries()) {
      await store.insertWindowExecution(scopes[i % 3], windowExecution('mw-00000000000000001', `e-${i}`, status));
    }
    const active = await claimAll();
    assert.deepEqual(active.map((a) => [a.scope, a.execution.id, a.execution.status]), [
      [A, 'e-0', 'PENDING'], [C, 'e-2', 'IN_PROGRESS'], [B, 'e-4', 'CANCELLING'],
    ]);
    assert.deepEqual(active[0].execution, windowExecution('mw-00000000000000001', 'e-0', 'PENDING'));

    await store.updateWindowExecution(C, { ...windowExecution('mw-00000000000000001', 'e-2'), status: 'SUCCESS' });
    await store.updateWindowExecution(A, { ...windowExecution('mw-00000000000000001', 'e-1'), status: 'IN_PROGRESS' });
    assert.deepEqual((await claimAll()).map((a) => a.execution.id), ['e-0', 'e-4'], 'e-1 lives in B: an update in A does nothing');
    await store.updateWindowExecution(B, { ...windowExecution('mw-00000000000000001', 'e-1'), status: 'IN_PROGRESS' });
    assert.deepEqual((await claimAll()).map((a) => [a.scope, a.execution.id]), [[A, 'e-0'], [B, 'e-1'], [B, 'e-4']]);
    assert.equal((await store.getWindowExecution(B, 'e-1'))?.status, 'IN_PROGRESS');
  });

  it('task executions: batches keep their order; pages after a key; status filters; batch updates', async (store) => {
    const parent = 'e-1';
    const ids = orderedIds(6).reverse();
    const rows = ids.map((id, i) => taskExecution(parent, id, 'PENDING', 10 - i));
    await store.insertTaskExecutions(A, rows.slice(0, 4));
    await store.insertTaskExecutions(A, rows.slice(4));
    await store.insertTaskExecutions(A, [taskExecution('e-2', 'te-other')]);
    await store.insertTaskExecutions(A, []);

    const all = await store.listTaskExecutions(A, parent, 0, MAX);
    assert.deepEqual(items(all).map((t) => t.id), ids, 'creation order, not id or priority order');
    assert.deepEqual(items(all), rows, 'documents round-trip');
    assert.deepEqual(unversioned(await store.getTaskExecution(A, ids[2])), rows[2]);
    assert.deepEqual(items(await store.listTaskExecutions(A, parent, all[1].key, 3)).map((t) => t.id), ids.slice(2, 5));

    const updated = [
      { ...items(all)[1], status: 'SUCCESS' as const, startTime: T0, endTime: T0 + 1 },
      { ...items(all)[3], status: 'FAILED' as const, statusDetails: 'boom', errorCount: 1 },
      { ...items(all)[4], status: 'SUCCESS' as const },
    ];
    await store.updateTaskExecutions(A, updated);
    await store.updateTaskExecutions(A, []);
    assert.deepEqual(unversioned(await store.getTaskExecution(A, ids[3])), updated[1]);
    assert.deepEqual(items(await store.listTaskExecutions(A, parent, 0, MAX)).map((t) => t.id), ids, 'updates keep the position');

    const success = await store.listTaskExecutions(A, parent, 0, MAX, ['SUCCESS']);
    assert.deepEqual(items(success).map((t) => t.id), [ids[1], ids[4]]);
    assert.deepEqual(items(await store.listTaskExecutions(A, parent, 0, MAX, ['FAILED', 'SUCCESS'])).map((t) => t.id), [ids[1], ids[3], ids[4]]);
    assert.deepEqual(items(await store.listTaskExecutions(A, parent, success[0].key, 1, ['SUCCESS'])).map((t) => t.id), [ids[4]]);
    assert.deepEqual(items(await store.listTaskExecutions(A, parent, 0, 2, ['PENDING'])).map((t) => t.id), [ids[0], ids[2]]);
    assert.deepEqual(await store.listTaskExecutions(A, parent, 0, MAX, ['CANCELLED']), []);
    assert.deepEqual(await store.listTaskExecutions(A, parent, 0, MAX, []), [], 'an empty status list matches nothing');
    assert.deepEqual(items(await store.listTaskExecutions(A, 'e-2', 0, MAX)).map((t) => t.id), ['te-other']);
    await assert.rejects(store.insertTaskExecutions(A, [taskExecution(parent, ids[0])]));
  });

  it('invocations with time-ordered ids: creation order, pages, status filters, updates', async (store) => {
    const parent = 'te-1';
    const ids = orderedIds(120);
    // Inserted in batches, the last batch in reverse id order: the listing follows creation, not the id.
    const first = ids.slice(0, 50).map((id, i) => invocation(parent, id, i % 3 === 0 ? 'IN_PROGRESS' : 'SUCCESS', T0 + i));
    const second = ids.slice(50, 100).map((id, i) => invocation(parent, id, 'FAILED', T0 + 50 + i));
    const third = ids.slice(100).reverse().map((id) => invocation(parent, id, 'PENDING'));
    for (const batch of [first, second, third]) await store.insertInvocations(A, batch);
    await store.insertInvocations(B, [invocation(parent, 'inv-in-b')]);
    const rows = [...first, ...second, ...third];
    const expected = rows.map((i) => i.id);

    const all = await store.listInvocations(A, parent, 0, MAX);
    assert.deepEqual(items(all), rows, 'creation order; documents round-trip');
    assert.deepEqual(unversioned(await store.getInvocation(A, ids[7])), first[7]);

    const pages: string[] = [];
    for (let after = 0; ;) {
      const page = await store.listInvocations(A, parent, after, 50);
      pages.push(...items(page).map((i) => i.id));
      if (page.length < 50) break;
      after = page[page.length - 1].key;
    }
    assert.deepEqual(pages, expected, 'pages of 50 cover everything once');

    const inProgress = ids.slice(0, 50).filter((_, i) => i % 3 === 0);
    assert.deepEqual(items(await store.listInvocations(A, parent, 0, MAX, ['IN_PROGRESS'])).map((i) => i.id), inProgress);
    assert.equal((await store.listInvocations(A, parent, 0, MAX, ['PENDING', 'IN_PROGRESS'])).length, inProgress.length + 20);

    const finished = inProgress.map((id) => ({ ...items(all).find((i) => i.id === id)!, status: 'TIMED_OUT' as const, endTime: T0 + 99, statusDetails: 'late' }));
    await store.updateInvocations(A, finished);
    assert.deepEqual(await store.listInvocations(A, parent, 0, MAX, ['IN_PROGRESS']), []);
    assert.deepEqual(items(await store.listInvocations(A, parent, 0, MAX, ['TIMED_OUT'])), finished);
    assert.deepEqual(unversioned(await store.getInvocation(A, inProgress[0])), finished[0]);
    assert.deepEqual(items(await store.listInvocations(A, parent, 0, MAX)).map((i) => i.id), expected, 'updates keep the position');
    assert.deepEqual(items(await store.listInvocations(B, parent, 0, MAX)).map((i) => i.id), ['inv-in-b']);
    await assert.rejects(store.insertInvocations(A, [invocation(parent, ids[0])]));
  });

  it('a task execution\'s plan is saved once and read back, in its own scope only', async (store) => {
    const [id] = orderedIds(1);
    const execution = taskExecution('we-1', id);
    await store.insertTaskExecutions(A, [execution]);
    assert.equal(await store.getTaskPlan(A, id), undefined, 'no plan before it is saved');
    const plan = [
      { resourceIds: ['i-1', 'i-2'], windowTargetId: 't-1', ownerInformation: AWKWARD, targetType: 'INSTANCE' as const, group: 0 },
      { resourceIds: [], group: 1 },
    ];
    await store.saveTaskPlan(A, id, plan);
    assert.deepEqual(await store.getTaskPlan(A, id), plan);
    assert.equal(await store.getTaskPlan(B, id), undefined);
    assert.equal(await store.getTaskPlan(A, 'te-unknown'), undefined);
    await store.saveTaskPlan(B, id, plan);
    assert.equal(await store.getTaskPlan(B, id), undefined, 'saving the plan of an unknown task execution stores nothing');
    assert.deepEqual(unversioned(await store.getTaskExecution(A, id)), execution, 'the task execution itself is unchanged');
  });
}
