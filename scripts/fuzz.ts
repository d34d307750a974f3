// `npm run fuzz`: the model-driven fuzzer of test/fuzz/ run long. Flags: --seed N (default: random, and
// printed, so a run can be repeated), --requests N (default 50000), --out FILE (every finding with its
// full reproducer as JSON; default: a file in the system temp folder). Exits 1 when there are findings.

import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { formatReport } from '../test/fuzz/report.ts';
import { runFuzz } from '../test/fuzz/runner.ts';

const { values } = parseArgs({
  options: {
    seed: { type: 'string' },
    requests: { type: 'string', default: '50000' },
    out: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (values.help) {
  console.log('usage: npm run fuzz -- [--seed N] [--requests N] [--out FILE]');
  process.exit(0);
}
const seed = values.seed !== undefined ? Number(values.seed) : Math.floor(Math.random() * 2 ** 32);
const requests = Number(values.requests);
if (!Number.isInteger(seed) || seed < 0 || seed >= 2 ** 32 || !Number.isInteger(requests) || requests < 1) {
  console.error('--seed must be an integer from 0 to 2^32-1 and --requests a positive integer');
  process.exit(2);
}
console.log(`fuzz: seed ${seed}, ${requests} cases (repeat with: npm run fuzz -- --seed ${seed} --requests ${requests})`);
const report = await runFuzz({ seed, requests, progress: (line) => console.log(`  ${line}`) });
console.log(formatReport(report));
if (report.findings.length > 0) {
  const out = values.out ?? join(tmpdir(), `mw-fuzz-${seed}.json`);
  writeFileSync(out, JSON.stringify({ seed, requests, findings: report.findings }, null, 2));
  console.log(`all ${report.findings.length} findings with full reproducers: ${out}`);
}
process.exit(report.findings.length > 0 ? 1 : 0);
