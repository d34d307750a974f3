// The model-driven fuzzer (runner.ts) with a fixed seed and a bounded number of cases, as part of
// `npm test`: every answer must pass the oracle (oracle.ts), the service must still answer at the end and
// the baseline and the witness nodes' invocations must be unchanged (about 30 s on two busy cores).
// `npm run fuzz` runs the same fuzzer longer with other seeds.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatReport } from './report.ts';
import { runFuzz } from './runner.ts';

const SEED = 20260101;
const CASES = 3500;

test(`fuzz: ${CASES} generated requests (seed ${SEED}) get well-formed answers and leave the baseline alone`, { timeout: 180_000 }, async (t) => {
  const report = await runFuzz({ seed: SEED, requests: CASES });
  for (const line of formatReport(report).split('\n')) t.diagnostic(line);
  assert.equal(report.cases, CASES, 'every case was sent (the service kept answering)');
  assert.deepEqual(report.findings, [], `${report.findings.length} findings:\n${formatReport(report)}`);
});
