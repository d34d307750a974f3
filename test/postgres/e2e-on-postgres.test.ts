// The whole end-to-end suite again, with every service it starts keeping its state in PostgreSQL
// (the throwaway server npm test starts; MW_TEST_POSTGRES_URL). Same tests, same assertions.

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';

const url = process.env.MW_TEST_POSTGRES_URL;
if (!url) {
  const reason = 'MW_TEST_POSTGRES_URL is not set (npm test starts a PostgreSQL server and sets it)';
  if (process.env.CI) test('end-to-end suite on PostgreSQL', () => { throw new Error(reason); });
  else test('end-to-end suite on PostgreSQL', { skip: reason }, () => {});
} else {
  process.env.MW_E2E_STORE = url;
  const folder = new URL('../e2e/', import.meta.url);
  const files = readdirSync(folder).filter((name) => name.endsWith('.test.ts')).sort();
  // Every file runs in this one process: a hook at a file's top level would apply to every test of every
  // file (a root beforeEach starting a server per test, and leaking those of concurrent ones). Hooks belong
  // inside a describe().
  const rootHooks = files.filter((file) => /^(before|after|beforeEach|afterEach)\(/m.test(readFileSync(new URL(file, folder), 'utf8')));
  test('no end-to-end file has hooks at its top level', () => assert.deepEqual(rootHooks, []));
  for (const file of files) await import(new URL(file, folder).href);
}
