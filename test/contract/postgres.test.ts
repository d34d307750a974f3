// The storage contract on the PostgreSQL engine: a fresh schema per test in the server named by
// MW_TEST_POSTGRES_URL (`npm test` starts a throwaway server and sets it). Without that variable the
// suite fails under CI, where PostgreSQL must be tested, and is skipped with the reason elsewhere.

import { randomBytes } from 'node:crypto';
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Window } from '../../src/domain/model.ts';
import type { StoreOperations } from '../../src/service/ports.ts';
import { dropPostgresSchema, openPostgresStore } from '../../src/storage/postgres/postgres-store.ts';
import { storeContract } from './store-contract.ts';

const url = process.env.MW_TEST_POSTGRES_URL;

if (!url) {
  const reason = 'MW_TEST_POSTGRES_URL is not set (npm test starts a throwaway PostgreSQL and sets it; see scripts/postgres.ts)';
  if (process.env.CI) {
    test('store contract: postgres', () => {
      throw new Error(`${reason}: under CI the PostgreSQL store must be tested`);
    });
  } else {
    test('store contract: postgres', { skip: reason }, () => {});
  }
} else {
  let count = 0;
  const freshSchema = (): string => `contract_${process.pid}_${randomBytes(4).toString('hex')}_${(count += 1)}`;
  storeContract('postgres', async () => {
    const schema = freshSchema();
    const store = await openPostgresStore({ connectionString: url, schema, poolSize: 4 });
    return {
      store,
      async cleanup() {
        await store.close();
        await dropPostgresSchema(url, schema);
      },
    };
  });

  // What only this engine has to show: replicas starting together, claims, the pool's transactions.
  describe('postgres engine', () => {
    const scope = { account: '111111111111', region: 'us-east-1' };
    const window = (id: string): Window => ({
      id, name: id, schedule: 'rate(1 hour)', durationHours: 2, cutoffHours: 1, allowUnassociatedTargets: false,
      enabled: true, createdAt: 0, modifiedAt: 0, rateAnchorMs: 0, scheduleFromMs: 0,
    });

    test('replicas opening one new schema at once migrate it once; reopening keeps the data', async () => {
      const schema = freshSchema();
      try {
        const stores = await Promise.all(Array.from({ length: 5 }, () => openPostgresStore({ connectionString: url, schema, poolSize: 2 })));
        await stores[0].insertWindow(scope, window('mw-00000000000000001'), 5);
        assert.equal(await stores[4].countWindows(scope), 1);
        await Promise.all(stores.map((s) => s.close()));
        const reopened = await openPostgresStore({ connectionString: url, schema });
        assert.equal(await reopened.earliestFireTime(), 5);
        await reopened.close();
      } finally {
        await dropPostgresSchema(url, schema);
      }
    });

    test('due windows claimed by one transaction are skipped by another until it commits', async () => {
      const schema = freshSchema();
      const store = await openPostgresStore({ connectionString: url, schema, poolSize: 4 });
      try {
        await store.insertWindow(scope, window('mw-00000000000000001'), 10);
        await store.insertWindow(scope, window('mw-00000000000000002'), 20);
        await store.transaction(async (first) => {
          assert.equal((await first.listDueWindows(15, 10)).length, 1);
          const second = await store.transaction((tx) => tx.listDueWindows(100, 10));
          assert.deepEqual(second.map((d) => d.window.id), ['mw-00000000000000002'], 'the claimed window is skipped');
          await first.setNextFire(scope, 'mw-00000000000000001', 1000);
        });
        assert.deepEqual((await store.listDueWindows(100, 10)).map((d) => d.window.id), ['mw-00000000000000002']);
      } finally {
        await store.close();
        await dropPostgresSchema(url, schema);
      }
    });

    test('deleting a window the scheduler is firing waits for it, then removes the new execution too', async () => {
      const schema = freshSchema();
      const store = await openPostgresStore({ connectionString: url, schema, poolSize: 4 });
      try {
        const id = 'mw-00000000000000001';
        await store.insertWindow(scope, window(id), 10);
        let deletion: Promise<boolean> | undefined;
        await store.transaction(async (step) => {
          assert.equal((await step.listDueWindows(10, 10)).length, 1);
          deletion = store.transaction((tx) => tx.deleteWindow(scope, id));
          await new Promise((resolve) => setTimeout(resolve, 50));
          await step.insertWindowExecution(scope, { windowId: id, id: 'e-1', status: 'IN_PROGRESS', startTime: 10, cutoffAt: 20, endAt: 30 });
        });
        assert.equal(await deletion, true);
        assert.equal(await store.getWindowExecution(scope, 'e-1'), undefined);
        assert.deepEqual(await store.claimExecutions({ owner: 'contract', until: 0 }, 1, 100), []);
      } finally {
        await store.close();
        await dropPostgresSchema(url, schema);
      }
    });

    test('a transaction\'s tx refuses to run once the transaction is over', async () => {
      const schema = freshSchema();
      const store = await openPostgresStore({ connectionString: url, schema });
      try {
        let leaked: StoreOperations | undefined;
        await store.transaction(async (tx) => {
          leaked = tx;
        });
        await assert.rejects(leaked!.countWindows(scope), /transaction is already over/);
      } finally {
        await store.close();
        await dropPostgresSchema(url, schema);
      }
    });

    test('schema names are checked before they reach SQL', async () => {
      await assert.rejects(openPostgresStore({ connectionString: url, schema: 'x"; DROP SCHEMA public; --' }), /invalid PostgreSQL schema name/);
    });
  });
}
