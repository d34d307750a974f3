// Contract: automation executions (per scope, newest first, children by parent, the due instant and status
// kept beside the document) and their inbox (news kept in the order put, taken once, only when its time
// has come, and counted in what is due).

import assert from 'node:assert/strict';
import type { AutomationExecution } from '../../src/domain/automation/execution.ts';
import { A, AWKWARD, C, T0 } from './fixtures.ts';
import type { StoreTest } from './store-contract.ts';

function execution(id: string, overrides: Partial<AutomationExecution> = {}): AutomationExecution {
  return {
    id, account: A.account, region: A.region, documentName: 'Book', documentVersion: '1', mode: 'Auto',
    runbook: { steps: [{ name: 's', action: 'aws:sleep', inputs: { Duration: 'PT1M', Note: AWKWARD }, onFailure: 'Abort', onCancel: 'Abort', isEnd: false, maxAttempts: 1, isCritical: true, outputs: [] }], outputs: [] },
    parameters: { P: [AWKWARD] }, values: { P: AWKWARD }, status: 'Pending', steps: [], createdAt: T0, executedBy: 'arn:aws:iam::111111111111:root',
    ...overrides,
  };
}

export function automationContract(it: StoreTest): void {
  it('executions round-trip per scope, newest first, and children are listed by their parent', async (store) => {
    await store.transaction(async (tx) => {
      await tx.insertAutomationExecution(A, execution('e-1'));
      await tx.insertAutomationExecution(A, execution('e-2', { parentId: 'e-1' }));
      await tx.insertAutomationExecution(A, execution('e-3', { parentId: 'e-1' }));
      await tx.insertAutomationExecution(C, execution('e-1', { documentName: 'Other' }));
    });
    assert.equal((await store.getAutomationExecution(A, 'e-1'))?.runbook.steps[0].inputs.Note, AWKWARD);
    assert.equal((await store.getAutomationExecution(C, 'e-1'))?.documentName, 'Other');
    assert.equal(await store.getAutomationExecution(A, 'nope'), undefined);
    const all = await store.listAutomationExecutions(A, Number.MAX_SAFE_INTEGER, 10);
    assert.deepEqual(all.map((r) => r.item.id), ['e-3', 'e-2', 'e-1']);
    const page = await store.listAutomationExecutions(A, all[0].key, 1);
    assert.deepEqual(page.map((r) => r.item.id), ['e-2']);
    assert.deepEqual((await store.listAutomationExecutions(A, Number.MAX_SAFE_INTEGER, 10, 'e-1')).map((r) => r.item.id), ['e-3', 'e-2']);
  });

  it('the due instant is what the engine finds; an update moves it', async (store) => {
    await store.transaction(async (tx) => {
      await tx.insertAutomationExecution(A, execution('d-1', { status: 'InProgress', dueAt: T0 + 60_000 }));
      await tx.insertAutomationExecution(C, execution('d-2', { status: 'InProgress', dueAt: T0 + 30_000 }));
      await tx.insertAutomationExecution(A, execution('d-3', { status: 'Success' }));
    });
    assert.equal(await store.earliestAutomationEvent(), T0 + 30_000);
    assert.deepEqual(await store.listDueAutomations(T0 + 59_999, 10), [{ scope: C, executionId: 'd-2' }]);
    assert.deepEqual(await store.listDueAutomations(T0 + 60_000, 10), [{ scope: C, executionId: 'd-2' }, { scope: A, executionId: 'd-1' }], 'in (account, Region, id) order');
    await store.transaction(async (tx) => {
      const d2 = (await tx.getAutomationExecution(C, 'd-2'))!;
      await tx.updateAutomationExecution(C, { ...d2, status: 'Success', dueAt: undefined });
    });
    assert.equal((await store.getAutomationExecution(C, 'd-2'))?.status, 'Success');
    assert.deepEqual([await store.countRunningAutomations(A), await store.countRunningAutomations(C)], [1, 0], 'ended ones are not counted, per scope');
    assert.equal(await store.earliestAutomationEvent(), T0 + 60_000);
  });

  it('news waits in the inbox in order until its time, is due, and is taken once', async (store) => {
    await store.transaction((tx) => tx.insertAutomationExecution(A, execution('n-1', { status: 'Waiting' })));
    assert.equal(await store.earliestAutomationEvent(), undefined);
    await store.transaction(async (tx) => {
      await tx.putAutomationInbox(A, 'n-1', { kind: 'signal', signal: 'Approve', payload: { Comment: [AWKWARD] }, by: 'me' }, T0 + 5_000);
      await tx.putAutomationInbox(A, 'n-1', { kind: 'stop', type: 'Cancel' }, T0 + 1_000);
    });
    assert.equal(await store.earliestAutomationEvent(), T0 + 1_000);
    assert.deepEqual(await store.listDueAutomations(T0 + 1_000, 10), [{ scope: A, executionId: 'n-1' }]);
    assert.deepEqual(await store.transaction((tx) => tx.takeAutomationInbox(A, 'n-1', T0)), [], 'nothing before its time');
    const taken = await store.transaction((tx) => tx.takeAutomationInbox(A, 'n-1', T0 + 10_000));
    assert.deepEqual(taken.map((e) => e.kind), ['signal', 'stop'], 'in the order put');
    assert.deepEqual((taken[0] as { payload: Record<string, string[]> }).payload, { Comment: [AWKWARD] });
    assert.deepEqual(await store.transaction((tx) => tx.takeAutomationInbox(A, 'n-1', T0 + 10_000)), [], 'taken once');
    assert.equal(await store.earliestAutomationEvent(), undefined);
  });
}
