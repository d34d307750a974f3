// `npm test`: type-checks the project, then runs every test file under test/ with Node's test runner,
// whose closing summary (tests / pass / fail) is the line CI reads.

import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const tsc = join(dirname(require.resolve('typescript/package.json')), 'bin', 'tsc');
const typecheck = spawnSync(process.execPath, [tsc, '--noEmit', '-p', '.'], { stdio: 'inherit' });
if (typecheck.status !== 0) {
  console.error('type check failed');
  process.exit(typecheck.status ?? 1);
}

const args = ['--test', '--test-reporter=spec', '--test-timeout=120000', 'test/**/*.test.ts', ...process.argv.slice(2)];
const result = spawnSync(process.execPath, args, { stdio: 'inherit' });
process.exit(result.status ?? 1);
