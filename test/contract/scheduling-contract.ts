// Contract: fire times (due windows, the earliest fire time, setNextFire, every window at start), the
// managed-node inventory, outcome rules and settings.

import assert from 'node:assert/strict';
import { A, B, C, node, RULES, T0, window } from './fixtures.ts';
import type { StoreTest } from './store-contract.ts';

export function schedulingContract(it: StoreTest): void {
  it('listDueWindows: at or before now, earliest first (ties in creation order), every scope, up to the limit', async (store) => {
    await store.insertWindow(A, window('mw-00000000000000001'), T0 + 300);
    await store.insertWindow(B, window('mw-00000000000000002'), T0 + 100);
    await store.insertWindow(C, window('mw-00000000000000003'), T0 + 200);
    await store.insertWindow(A, window('mw-00000000000000004'), T0 + 100);
    await store.insertWindow(A, window('mw-00000000000000005'), undefined);
    await store.insertWindow(B, window('mw-00000000000000006'), T0 + 301);

    assert.deepEqual(await store.listDueWindows(T0 + 99, 10), []);
    const due = await store.listDueWindows(T0 + 300, 10);
    assert.deepEqual(due.map((d) => [d.scope, d.window.id, d.fireAt]), [
      [B, 'mw-00000000000000002', T0 + 100],
      [A, 'mw-00000000000000004', T0 + 100],
      [C, 'mw-00000000000000003', T0 + 200],
      [A, 'mw-00000000000000001', T0 + 300],
    ]);
    assert.deepEqual(due[0].window, window('mw-00000000000000002'));
    assert.deepEqual((await store.listDueWindows(T0 + 300, 2)).map((d) => d.window.id), ['mw-00000000000000002', 'mw-00000000000000004']);
    assert.equal((await store.listDueWindows(Number.MAX_SAFE_INTEGER, 100)).length, 5, 'a window without a fire time is never due');
  });

  it('earliestFireTime is the smallest fire time of any scope; undefined when nothing will fire', async (store) => {
    assert.equal(await store.earliestFireTime(), undefined);
    await store.insertWindow(A, window('mw-00000000000000001'), undefined);
    assert.equal(await store.earliestFireTime(), undefined);
    await store.insertWindow(A, window('mw-00000000000000002'), T0 + 500);
    await store.insertWindow(B, window('mw-00000000000000003'), T0 + 200);
    assert.equal(await store.earliestFireTime(), T0 + 200);
    await store.setNextFire(B, 'mw-00000000000000003', undefined);
    assert.equal(await store.earliestFireTime(), T0 + 500);
    await store.deleteWindow(A, 'mw-00000000000000002');
    assert.equal(await store.earliestFireTime(), undefined);
  });

  it('setNextFire and updateWindow move a window\'s fire time, in its own scope only', async (store) => {
    const id = 'mw-00000000000000001';
    await store.insertWindow(A, window(id), T0 + 100);
    await store.insertWindow(B, window(id), T0 + 100);
    await store.setNextFire(A, id, T0 + 50);
    assert.deepEqual((await store.listDueWindows(T0 + 60, 10)).map((d) => [d.scope, d.fireAt]), [[A, T0 + 50]]);
    await store.setNextFire(A, id, undefined);
    assert.deepEqual((await store.listDueWindows(T0 + 1000, 10)).map((d) => d.scope), [B]);
    await store.updateWindow(B, window(id, { name: 'changed' }), undefined);
    assert.deepEqual(await store.listDueWindows(T0 + 1000, 10), []);
    await store.updateWindow(A, window(id, { name: 'again' }), T0 + 7);
    const [due] = await store.listDueWindows(T0 + 1000, 10);
    assert.deepEqual([due.scope, due.window.name, due.fireAt], [A, 'again', T0 + 7]);
    await store.setNextFire(C, id, T0);
    assert.equal((await store.listDueWindows(T0 + 1000, 10)).length, 1, 'setNextFire on an unknown window does nothing');
    // Epoch milliseconds far in the future survive the round trip exactly.
    await store.setNextFire(A, id, 8_640_000_000_000_000);
    assert.equal(await store.earliestFireTime(), 8_640_000_000_000_000);
  });

  it('listAllWindows returns every window of every scope with its fire time, in creation order', async (store) => {
    await store.insertWindow(C, window('mw-00000000000000003'), undefined);
    await store.insertWindow(A, window('mw-00000000000000001'), T0);
    await store.insertWindow(B, window('mw-00000000000000002'), T0 + 5);
    const all = await store.listAllWindows();
    assert.deepEqual(all.map((w) => [w.scope, w.window.id, w.nextFireAt]), [
      [C, 'mw-00000000000000003', undefined], [A, 'mw-00000000000000001', T0], [B, 'mw-00000000000000002', T0 + 5],
    ]);
    assert.deepEqual(all[1].window, window('mw-00000000000000001'));
  });

  it('managed nodes: upsert by id, listed in byte order of id, deleted with a yes/no answer', async (store) => {
    assert.deepEqual(await store.listNodes(A), []);
    for (const id of ['i-b', 'i-B', 'i-a', 'i-_', 'i-0']) await store.putNode(A, node(id));
    await store.putNode(B, node('i-in-b'));
    assert.deepEqual((await store.listNodes(A)).map((n) => n.id), ['i-0', 'i-B', 'i-_', 'i-a', 'i-b']);
    assert.deepEqual((await store.listNodes(A))[0], node('i-0'));
    const changed = { id: 'i-a', tags: {}, resourceGroups: [] };
    await store.putNode(A, changed);
    assert.deepEqual((await store.listNodes(A)).find((n) => n.id === 'i-a'), changed);
    assert.equal((await store.listNodes(A)).length, 5);
    assert.equal(await store.deleteNode(A, 'i-a'), true);
    assert.equal(await store.deleteNode(A, 'i-a'), false);
    assert.equal(await store.deleteNode(C, 'i-b'), false);
    assert.deepEqual((await store.listNodes(A)).map((n) => n.id), ['i-0', 'i-B', 'i-_', 'i-b']);
    assert.deepEqual((await store.listNodes(B)).map((n) => n.id), ['i-in-b']);
  });

  it('getNode: one node by id in its scope, as stored; in a transaction concurrent tag changes take turns', async (store) => {
    assert.equal(await store.getNode(A, 'i-1'), undefined);
    const full = { ...node('i-1'), platformType: 'Windows' as const, computerName: 'web-1.example', ipAddress: '10.0.0.1', agentVersion: '3.3.418.0' };
    await store.putNode(A, full);
    await store.putNode(B, node('i-2'));
    assert.deepEqual(await store.getNode(A, 'i-1'), full);
    assert.equal(await store.getNode(B, 'i-1'), undefined);
    assert.equal(await store.getNode(A, 'i-2'), undefined);
    assert.deepEqual(await store.transaction((tx) => tx.getNode(A, 'i-1')), full);
    // Read-modify-write of the node's tags, yielding between read and write so the reads overlap where
    // transactions run side by side (PostgreSQL): every addition survives only if getNode holds the row.
    const addTag = (key: string) => store.transaction(async (tx) => {
      const current = await tx.getNode(A, 'i-1');
      assert.ok(current);
      await new Promise((resolve) => setTimeout(resolve, 5));
      await tx.putNode(A, { ...current, tags: { ...current.tags, [key]: key } });
    });
    await Promise.all(Array.from({ length: 20 }, (_, i) => addTag(`k${i}`)));
    const after = await store.getNode(A, 'i-1');
    assert.equal(Object.keys(after!.tags).length, 22, 'the 2 tags it had and all 20 added');
    assert.equal(after!.platformType, 'Windows');
  });

  it('outcome rules: [] until set, replaced whole, per scope', async (store) => {
    assert.deepEqual(await store.getOutcomeRules(A), []);
    await store.setOutcomeRules(A, RULES);
    assert.deepEqual(await store.getOutcomeRules(A), RULES);
    assert.deepEqual(await store.getOutcomeRules(B), []);
    assert.deepEqual(await store.getOutcomeRules(C), []);
    await store.setOutcomeRules(A, [RULES[1]]);
    assert.deepEqual(await store.getOutcomeRules(A), [RULES[1]]);
    await store.setOutcomeRules(A, []);
    assert.deepEqual(await store.getOutcomeRules(A), []);
  });

  it('settings: undefined until put; putSettingIfAbsent never overwrites', async (store) => {
    assert.equal(await store.getSetting('page-token-key'), undefined);
    await store.putSettingIfAbsent('page-token-key', 'first');
    await store.putSettingIfAbsent('page-token-key', 'second');
    assert.equal(await store.getSetting('page-token-key'), 'first');
    await store.putSettingIfAbsent('other', '');
    assert.equal(await store.getSetting('other'), '');
    assert.equal(await store.getSetting('page-token-key'), 'first');
  });
}
