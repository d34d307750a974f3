// `npm test`: runs every test file under test/ with Node's test runner, whose closing summary
// (tests / pass / fail) is the line CI reads.

import { spawnSync } from 'node:child_process';

const args = ['--test', '--test-reporter=spec', '--test-timeout=120000', 'test/**/*.test.ts', ...process.argv.slice(2)];
const result = spawnSync(process.execPath, args, { stdio: 'inherit' });
process.exit(result.status ?? 1);
