// The storage contract on the SQLite engine: a fresh database file in its own temporary folder per test.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from '../../src/storage/sqlite/sqlite-store.ts';
import { storeContract } from './store-contract.ts';

storeContract('sqlite', async () => {
  const folder = mkdtempSync(join(tmpdir(), 'mw-contract-'));
  const store = new SqliteStore({ path: join(folder, 'mw.sqlite') });
  return {
    store,
    async cleanup() {
      await store.close();
      rmSync(folder, { recursive: true, force: true });
    },
  };
});
