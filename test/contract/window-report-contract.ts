// Contract: the window-report mailbox. A report waits for the replica that runs its window execution;
// a newer report for the same invocation replaces the waiting one; a report for an execution that is no
// longer running is dropped; taking reports removes them, due ones only, for the owner's executions only.

import assert from 'node:assert/strict';
import type { WindowReport } from '../../src/domain/commands.ts';
import { A, B, T0, windowExecution } from './fixtures.ts';
import type { StoreTest } from './store-contract.ts';

const w = 'mw-00000000000000001';
const report = (windowExecutionId: string, invocationId: string, at: number, status: WindowReport['status'] = 'SUCCESS'): WindowReport => ({
  windowExecutionId, invocationId, status, statusDetails: status === 'SUCCESS' ? 'Success' : 'InProgress', at,
});

export function windowReportContract(it: StoreTest): void {
  it('reports wait for the owner of their execution, due ones are taken once, oldest first', async (store) => {
    await store.insertWindowExecution(A, windowExecution(w, 'e-mine'), { owner: 'r1', until: T0 + 60_000 });
    await store.insertWindowExecution(B, windowExecution(w, 'e-theirs'), { owner: 'r2', until: T0 + 60_000 });
    await store.putWindowReport(A, report('e-mine', 'inv-2', T0 + 20));
    await store.putWindowReport(A, report('e-mine', 'inv-1', T0 + 10));
    await store.putWindowReport(A, report('e-mine', 'inv-3', T0 + 30));
    await store.putWindowReport(B, report('e-theirs', 'inv-9', T0 + 5));

    assert.equal(await store.earliestCommandEvent('r1'), T0 + 10, "another replica's reports are not r1's events");
    assert.equal(await store.earliestCommandEvent('r2'), T0 + 5);
    assert.equal(await store.earliestCommandEvent('nobody'), undefined);
    const taken = await store.takeWindowReports('r1', T0 + 20, 10);
    assert.deepEqual(taken, [{ scope: A, report: report('e-mine', 'inv-1', T0 + 10) }, { scope: A, report: report('e-mine', 'inv-2', T0 + 20) }]);
    assert.deepEqual(await store.takeWindowReports('r1', T0 + 20, 10), [], 'taken reports are gone');
    assert.deepEqual((await store.takeWindowReports('r1', T0 + 100, 10)).map((r) => r.report.invocationId), ['inv-3']);
    assert.deepEqual((await store.takeWindowReports('r2', T0 + 100, 1)).map((r) => [r.scope, r.report.invocationId]), [[B, 'inv-9']]);
  });

  it('a newer report for an invocation replaces the waiting one', async (store) => {
    await store.insertWindowExecution(A, windowExecution(w, 'e-1'), { owner: 'r1', until: T0 + 60_000 });
    await store.putWindowReport(A, report('e-1', 'inv-1', T0, 'IN_PROGRESS'));
    await store.putWindowReport(A, report('e-1', 'inv-1', T0 + 40, 'SUCCESS'));
    assert.deepEqual(await store.takeWindowReports('r1', T0 + 100, 10), [{ scope: A, report: report('e-1', 'inv-1', T0 + 40, 'SUCCESS') }]);
  });

  it('a report for an execution that has ended, or never was, is dropped', async (store) => {
    await store.insertWindowExecution(A, windowExecution(w, 'e-done', 'SUCCESS'), { owner: 'r1', until: T0 + 60_000 });
    await store.putWindowReport(A, report('e-done', 'inv-1', T0));
    await store.putWindowReport(A, report('e-missing', 'inv-2', T0));
    await store.putWindowReport(B, report('e-done', 'inv-3', T0)); // the right id in another account
    assert.equal(await store.earliestCommandEvent('r1'), undefined);
    assert.deepEqual(await store.takeWindowReports('r1', T0 + 100, 10), []);
  });
}
