// The PostgreSQL store's transactions send the engine's writes without waiting for each answer
// (Session.write in postgres-database.ts): what a caller could tell apart from awaited writes must not
// change. A failed write is the transaction's error and nothing of it commits (a COMMIT sent after it
// would quietly roll back instead), a later statement fails with that write's error, and later reads
// see earlier writes; one-row writes asked one after another, sent as one statement, leave what writing
// them one by one leaves (order, last state, versions). A transaction also reads a scope's nodes once (postgres-nodes.ts) until it writes
// one itself. Runs on the server MW_TEST_POSTGRES_URL names, skipped without it.

import { randomBytes } from 'node:crypto';
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { dropPostgresSchema, openPostgresStore, type PostgresStore } from '../../src/storage/postgres/postgres-store.ts';
import { A, invocation, node, taskExecution, windowExecution } from '../contract/fixtures.ts';

const url = process.env.MW_TEST_POSTGRES_URL;
const UNIQUE_VIOLATION = '23505';

describe('postgres transactions with writes sent ahead', { skip: url ? false : 'MW_TEST_POSTGRES_URL is not set' }, () => {
  const schema = `write_behind_${process.pid}_${randomBytes(4).toString('hex')}`;
  let store: PostgresStore;
  before(async () => {
    store = await openPostgresStore({ connectionString: url!, schema, poolSize: 2 });
  });
  after(async () => {
    await store.close();
    await dropPostgresSchema(url!, schema);
  });

  test('a write that fails with nothing awaited after it fails the transaction, and none of it commits', async () => {
    await store.insertWindowExecution(A, windowExecution('mw-00000000000000001', 'e-taken'));
    await assert.rejects(store.transaction(async (tx) => {
      await tx.insertWindowExecution(A, windowExecution('mw-00000000000000001', 'e-new'));
      await tx.insertWindowExecution(A, windowExecution('mw-00000000000000001', 'e-taken'));
    }), (error: { code?: string }) => error.code === UNIQUE_VIOLATION);
    assert.equal(await store.getWindowExecution(A, 'e-new'), undefined);
  });

  test('a statement after a failed write fails with that write\'s error, not "transaction is aborted"', async () => {
    await store.insertTaskExecutions(A, [taskExecution('e-taken', 'te-1')]);
    await store.insertInvocations(A, [invocation('te-1', 'inv-taken')]);
    let seen: unknown;
    await assert.rejects(store.transaction(async (tx) => {
      await tx.insertInvocations(A, [invocation('te-1', 'inv-taken')]);
      try {
        await tx.getInvocation(A, 'inv-taken');
      } catch (error) {
        seen = error;
        throw error;
      }
    }));
    assert.equal((seen as { code?: string }).code, UNIQUE_VIOLATION);
  });

  test('reads in the transaction see the writes sent before them', async () => {
    await store.transaction(async (tx) => {
      await tx.insertInvocations(A, [invocation('te-1', 'inv-fresh')]);
      await tx.updateInvocations(A, [{ ...invocation('te-1', 'inv-fresh'), status: 'SUCCESS' }]);
      assert.equal((await tx.getInvocation(A, 'inv-fresh'))?.status, 'SUCCESS');
    });
    assert.equal((await store.getInvocation(A, 'inv-fresh'))?.status, 'SUCCESS');
  });

  test('a transaction reads its nodes once, again after writing one, and a caller\'s changes stay its own', async () => {
    await store.putNode(A, node('mi-00000000000000001'));
    await store.transaction(async (tx) => {
      const first = await tx.listNodes(A);
      assert.deepEqual(first.map((n) => n.id), ['mi-00000000000000001']);
      first[0].id = 'changed by the caller';
      assert.deepEqual((await tx.listNodes(A)).map((n) => n.id), ['mi-00000000000000001']);
      await tx.putNode(A, node('mi-00000000000000002'));
      assert.deepEqual((await tx.listNodes(A)).map((n) => n.id), ['mi-00000000000000001', 'mi-00000000000000002']);
      await tx.deleteNode(A, 'mi-00000000000000001');
      assert.deepEqual((await tx.listNodes(A)).map((n) => n.id), ['mi-00000000000000002']);
    });
  });

  test('one-row writes gathered into one statement leave what one by one would: order, last state, versions', async () => {
    const w = 'mw-00000000000000009';
    await store.transaction(async (tx) => {
      for (const id of ['g-1', 'g-2', 'g-3']) await tx.insertWindowExecution(A, windowExecution(w, id));
      await tx.updateWindowExecution(A, { ...windowExecution(w, 'g-2'), status: 'CANCELLING' });
      await tx.updateWindowExecution(A, { ...windowExecution(w, 'g-1'), status: 'SUCCESS' });
      await tx.updateWindowExecution(A, { ...windowExecution(w, 'g-2'), status: 'CANCELLED' });
    });
    const listed = await store.listWindowExecutions(A, w, Number.MAX_SAFE_INTEGER, 10);
    assert.deepEqual(listed.map((k) => [k.item.id, k.item.status, k.item.version]), [['g-3', 'IN_PROGRESS', 1], ['g-2', 'CANCELLED', 3], ['g-1', 'SUCCESS', 2]]);
    await assert.rejects(store.transaction(async (tx) => {
      await tx.insertWindowExecution(A, windowExecution(w, 'g-4'));
      await tx.insertWindowExecution(A, windowExecution(w, 'g-1'));
    }), (error: { code?: string }) => error.code === UNIQUE_VIOLATION);
    assert.equal(await store.getWindowExecution(A, 'g-4'), undefined);
  });
});
