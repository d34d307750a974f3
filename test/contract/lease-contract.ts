// Contract: leases on running executions — which engine replica runs which execution. Claims take what
// nobody holds or what a lapsed lease left, renewals extend and report what a replica still holds,
// release hands everything back.

import assert from 'node:assert/strict';
import type { ExecutionStatus } from '../../src/domain/execution.ts';
import { A, B, C, T0, unversioned, windowExecution } from './fixtures.ts';
import type { StoreTest } from './store-contract.ts';

const w = 'mw-00000000000000001';
const ids = (rows: { execution: { id: string } }[]) => rows.map((r) => r.execution.id);

export function leaseContract(it: StoreTest): void {
  it('claimExecutions takes running executions nobody holds, every scope, in creation order, up to the limit', async (store) => {
    const statuses: ExecutionStatus[] = ['IN_PROGRESS', 'SUCCESS', 'PENDING', 'FAILED', 'CANCELLING', 'IN_PROGRESS'];
    const scopes = [A, B, C];
    for (const [i, status] of statuses.entries()) await store.insertWindowExecution(scopes[i % 3], windowExecution(w, `e-${i}`, status));

    const first = await store.claimExecutions({ owner: 'r1', until: T0 + 100 }, T0, 2);
    assert.deepEqual(first.map((r) => [r.scope, r.execution.id]), [[A, 'e-0'], [C, 'e-2']]);
    assert.deepEqual(first[0].execution, windowExecution(w, 'e-0', 'IN_PROGRESS'));
    assert.deepEqual(ids(await store.claimExecutions({ owner: 'r1', until: T0 + 100 }, T0, 10)), ['e-4', 'e-5']);
    assert.deepEqual(await store.claimExecutions({ owner: 'r2', until: T0 + 100 }, T0 + 100, 10), [], 'held until T0+100 inclusive');
    assert.deepEqual(ids(await store.claimExecutions({ owner: 'r2', until: T0 + 200 }, T0 + 101, 3)), ['e-0', 'e-2', 'e-4'], 'lapsed leases are taken over');
  });

  it('an execution inserted with a lease belongs to that replica until the lease ends; without one it is free', async (store) => {
    await store.insertWindowExecution(A, windowExecution(w, 'e-leased'), { owner: 'r1', until: T0 + 50 });
    await store.insertWindowExecution(A, windowExecution(w, 'e-free'));
    assert.deepEqual(unversioned(await store.getWindowExecution(A, 'e-leased')), windowExecution(w, 'e-leased'), 'the lease is not part of the document');
    assert.deepEqual(ids(await store.claimExecutions({ owner: 'r2', until: T0 + 100 }, T0, 10)), ['e-free']);
    assert.deepEqual(ids(await store.claimExecutions({ owner: 'r2', until: T0 + 100 }, T0 + 51, 10)), ['e-leased']);
  });

  it('renewLeases extends the owner\'s leases on running executions only and names them', async (store) => {
    for (const id of ['e-1', 'e-2', 'e-3']) await store.insertWindowExecution(A, windowExecution(w, id), { owner: 'r1', until: T0 + 10 });
    await store.insertWindowExecution(B, windowExecution(w, 'e-other'), { owner: 'r2', until: T0 + 10 });
    await store.updateWindowExecution(A, windowExecution(w, 'e-2', 'SUCCESS'));
    assert.deepEqual((await store.renewLeases({ owner: 'r1', until: T0 + 1000 })).sort(), ['e-1', 'e-3']);
    assert.deepEqual(ids(await store.claimExecutions({ owner: 'r3', until: T0 + 2000 }, T0 + 500, 10)), ['e-other'], 'renewed ones stay with r1');
    assert.deepEqual(await store.renewLeases({ owner: 'r2', until: T0 + 3000 }), [], 'r2 lost e-other to r3');
    assert.deepEqual(await store.renewLeases({ owner: 'nobody', until: T0 }), []);
  });

  it('releaseLeases hands every execution of the owner back at once', async (store) => {
    for (const id of ['e-1', 'e-2']) await store.insertWindowExecution(A, windowExecution(w, id), { owner: 'r1', until: T0 + 1000 });
    await store.insertWindowExecution(A, windowExecution(w, 'e-3'), { owner: 'r2', until: T0 + 1000 });
    await store.releaseLeases('r1');
    assert.deepEqual(ids(await store.claimExecutions({ owner: 'r3', until: T0 + 2000 }, T0, 10)), ['e-1', 'e-2']);
    assert.deepEqual(await store.renewLeases({ owner: 'r1', until: T0 + 5000 }), []);
    await store.releaseLeases('unknown');
  });

  it('a claim in a rolled-back transaction takes nothing; racing claims never share an execution', async (store) => {
    for (let i = 0; i < 6; i += 1) await store.insertWindowExecution(A, windowExecution(w, `e-${i}`));
    await assert.rejects(store.transaction(async (tx) => {
      assert.equal((await tx.claimExecutions({ owner: 'r1', until: T0 + 100 }, T0, 10)).length, 6);
      throw new Error('undo');
    }));
    const claims = await Promise.all(['r1', 'r2', 'r3'].map((owner) => store.transaction(async (tx) => {
      const taken = await tx.claimExecutions({ owner, until: T0 + 100 }, T0, 3);
      await new Promise((resolve) => setTimeout(resolve, 5));
      return ids(taken);
    })));
    const all = claims.flat();
    assert.equal(new Set(all).size, all.length, `no execution claimed twice: ${JSON.stringify(claims)}`);
    assert.equal(all.length, 6, 'every execution is claimed by someone');
  });
}
