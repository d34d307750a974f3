// The whole end-to-end suite again, with every service it starts keeping its state in PostgreSQL
// (the throwaway server npm test starts; MW_TEST_POSTGRES_URL). Same tests, same assertions.

import { readdirSync } from 'node:fs';
import { test } from 'node:test';

const url = process.env.MW_TEST_POSTGRES_URL;
if (!url) {
  const reason = 'MW_TEST_POSTGRES_URL is not set (npm test starts a PostgreSQL server and sets it)';
  if (process.env.CI) test('end-to-end suite on PostgreSQL', () => { throw new Error(reason); });
  else test('end-to-end suite on PostgreSQL', { skip: reason }, () => {});
} else {
  process.env.MW_E2E_STORE = url;
  const folder = new URL('../e2e/', import.meta.url);
  for (const file of readdirSync(folder).filter((name) => name.endsWith('.test.ts')).sort()) {
    await import(new URL(file, folder).href);
  }
}
