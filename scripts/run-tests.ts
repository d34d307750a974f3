// `npm test`: type-checks the project, starts a throwaway PostgreSQL for the storage contract, then runs
// every test file under test/ with Node's test runner, whose closing summary (tests / pass / fail) is the
// line CI reads. The exit code is the test run's.
//
// Chromium (for the console's browser tests) is installed from Debian's packages when missing and this
// runs as root; otherwise those tests skip with one line (and fail under CI).
//
// MW_TEST_POSTGRES_URL already set: that server is used and nothing is started. PostgreSQL cannot be
// installed or started here: a line says so and the rest still runs (the PostgreSQL contract file then
// skips, or fails under CI). Extra arguments go to `node --test`.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { globSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { startPostgres, type ThrowawayPostgres } from './postgres.ts';
import { ensureChromium } from './chromium.ts';

const require = createRequire(import.meta.url);

/**
 * Files that take a minute or more, started first: the runner takes files in the order given, and a long
 * one started last leaves the other lanes idle at the end (CI measured 614 s with them last).
 */
const LONGEST_FIRST = [
  'test/postgres/e2e-on-postgres-1.test.ts', 'test/postgres/e2e-on-postgres-2.test.ts', 'test/agent/real-agent.test.ts',
  'test/e2e/terraform-documents.test.ts', 'test/e2e/readme-walkthroughs.test.ts', 'test/fuzz/fuzz.test.ts',
];

/** Every test file, the longest first, then the rest in name order. */
function testFiles(): string[] {
  const all = globSync('test/**/*.test.ts').sort();
  return [...LONGEST_FIRST.filter((file) => all.includes(file)), ...all.filter((file) => !LONGEST_FIRST.includes(file))];
}
const tsc = join(dirname(require.resolve('typescript/package.json')), 'bin', 'tsc');
const typecheck = spawnSync(process.execPath, [tsc, '--noEmit', '-p', '.'], { stdio: 'inherit' });
if (typecheck.status !== 0) {
  console.error('type check failed');
  process.exit(typecheck.status ?? 1);
}

let server: ThrowawayPostgres | undefined;
let child: ChildProcess | undefined;

// Interrupted: stop the tests, then the server, and exit as the signal would have.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    child?.kill(signal);
    server?.stop();
    process.exit(signal === 'SIGINT' ? 130 : 143);
  });
}

const env = { ...process.env };
if (env.MW_TEST_POSTGRES_URL) {
  console.log(`postgres: using MW_TEST_POSTGRES_URL from the environment`);
} else {
  const started = performance.now();
  try {
    server = await startPostgres({ log: (line) => console.log(`postgres: ${line}`) });
    env.MW_TEST_POSTGRES_URL = server.url;
    console.log(`postgres: ${server.version} ready at ${server.url} in ${Math.round(performance.now() - started)} ms`);
  } catch (error) {
    const first = String((error as Error).message).split('\n')[0];
    console.log(`postgres: UNAVAILABLE, the PostgreSQL contract tests will ${env.CI ? 'fail (CI)' : 'be skipped'}: ${first}`);
  }
}

// Chromium for the console's browser tests: installed with apt-get when missing and this runs as root.
const browser = ensureChromium((line) => console.log(`chromium: ${line}`));
if ('path' in browser) console.log(`chromium: ${browser.path}`);
else console.log(`chromium: UNAVAILABLE, the console browser tests will ${env.CI ? 'fail (CI)' : 'be skipped'}: ${browser.missing}`);

// Files run side by side, one per core at least: node's default (cores - 1) is a single file at a time on
// a 2-core machine, and most test time is spent waiting on servers, not computing. (Three at a time on two
// cores was slower: 619 s against 579 s, the CPU-bound files stretched.)
const concurrency = Math.max(2, availableParallelism());
const args = ['--test', '--test-reporter=spec', '--test-timeout=120000', `--test-concurrency=${concurrency}`, ...testFiles(), ...process.argv.slice(2)];
let status: number;
try {
  child = spawn(process.execPath, args, { stdio: 'inherit', env });
  status = await new Promise<number>((resolve) => {
    child!.once('error', (error) => {
      console.error(`could not run the tests: ${error.message}`);
      resolve(1);
    });
    child!.once('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
} finally {
  server?.stop();
}
process.exit(status);
