// The whole end-to-end suite again, with every service it starts keeping its state in PostgreSQL
// (the throwaway server npm test starts; MW_TEST_POSTGRES_URL). Same tests, same assertions. The files
// are dealt into two halves (e2e-on-postgres-1/-2.test.ts), each a process of its own, so the two run
// beside the rest of the suite instead of one long process at its end. Terraform's lifecycle is left to
// the SQLite pass: it tests the provider's calls, which do not depend on the store (the documents port
// is the contract suite's, on both engines), and it is the slowest file by far. So is `tls init`: it tests
// certificates, not what the server keeps. The agents' control channel and the sessions' data channels are
// tested on PostgreSQL where the store matters to them: two replicas (replica-control-channel.test.ts), the
// sessions' API (sessions.test.ts, in this pass) and the stores' contract; their socket-level files run once.

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';

const ONLY_ON_SQLITE = new Set(['terraform-documents.test.ts', 'tls-init.test.ts', 'control-channel.test.ts', 'session-channels.test.ts']);

/** Runs every `half`-th (0 or 1) end-to-end file, in name order, in this process. */
export async function runEndToEndOnPostgres(half: 0 | 1): Promise<void> {
  const url = process.env.MW_TEST_POSTGRES_URL;
  if (!url) {
    const reason = 'MW_TEST_POSTGRES_URL is not set (npm test starts a PostgreSQL server and sets it)';
    if (process.env.CI) test('end-to-end suite on PostgreSQL', () => { throw new Error(reason); });
    else test('end-to-end suite on PostgreSQL', { skip: reason }, () => {});
    return;
  }
  process.env.MW_E2E_STORE = url;
  const folder = new URL('../e2e/', import.meta.url);
  const all = readdirSync(folder).filter((name) => name.endsWith('.test.ts') && !ONLY_ON_SQLITE.has(name)).sort();
  const files = all.filter((_, i) => i % 2 === half);
  // Every file runs in this one process: a hook at a file's top level would apply to every test of every
  // file (a root beforeEach starting a server per test, and leaking those of concurrent ones). Hooks belong
  // inside a describe().
  const rootHooks = files.filter((file) => /^(before|after|beforeEach|afterEach)\(/m.test(readFileSync(new URL(file, folder), 'utf8')));
  test('no end-to-end file has hooks at its top level', () => assert.deepEqual(rootHooks, []));
  for (const file of files) await import(new URL(file, folder).href);
}
