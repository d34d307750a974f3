// `npm run bench [-- --quick] [-- --profile] [-- --only api,history,console,engine,postgres,run-command,documents,automation,sessions]`: the performance benchmark
// (docs/performance.md). Runs every section on this machine, prints the tables, judges the targets and
// writes bench/results.json. Exits non-zero only when this service failed; a missing moto is reported
// and skipped.

import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { OPERATIONS, type Operation, runApiThroughput } from './api-throughput.ts';
import { runConsolePages } from './console-pages.ts';
import { formatRunCommand, runRunCommand } from './run-command.ts';
import { runEngineThroughput } from './engine-throughput.ts';
import { runPostgresEngine } from './postgres-engine.ts';
import { runHistoryScale } from './history-scale.ts';
import { runDocumentsBench } from './documents-bench.ts';
import { runAutomationBench } from './automation-bench.ts';
import { runSessionsBench } from './sessions-bench.ts';
import { formatTop, profilesIn } from './profile-summary.ts';
import {
  busyCores, formatApi, formatAutomation, formatConsole, formatDocuments, formatSessions, formatEngine, formatHistory, formatMachine, formatTargets, judgeTargets, loadWarning, machineFacts, type Results, writeResults,
} from './report.ts';
import type { RunContext } from './run-context.ts';
import { motoVersion, REPO_ROOT, stopAll } from './servers.ts';

const SECTIONS = ['api', 'history', 'console', 'engine', 'postgres', 'run-command', 'documents', 'automation', 'sessions'] as const;
type Section = (typeof SECTIONS)[number];

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    profile: { type: 'boolean', default: false },
    only: { type: 'string' },
    operations: { type: 'string' },
    'no-moto': { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h' },
  },
});
if (values.help) {
  process.stdout.write(`Usage: npm run bench -- [--quick] [--profile] [--only api,history,console,engine,postgres,run-command,documents,automation,sessions]

  --quick     seconds and small sizes (CI smoke test)
  --profile   write a CPU profile of each measured service process to bench/profiles/ and print its
              top self-time functions (profiling slows the service: the figures are not comparable)
  --only      run only these sections
  --operations  the API section's operations only (comma-separated AWS names; default: all)
  --no-moto   skip moto in the API section
See docs/performance.md.
`);
  process.exit(0);
}
const only = values.only ? values.only.split(',').map((s) => s.trim()) : [...SECTIONS];
for (const s of only) {
  if (!SECTIONS.includes(s as Section)) {
    process.stderr.write(`unknown section '${s}' (sections: ${SECTIONS.join(', ')})\n`);
    process.exit(2);
  }
}

const operations = values.operations ? values.operations.split(',').map((s) => s.trim()) : [...OPERATIONS];
for (const op of operations) {
  if (!OPERATIONS.includes(op as Operation)) {
    process.stderr.write(`unknown operation '${op}' (operations: ${OPERATIONS.join(', ')})\n`);
    process.exit(2);
  }
}

const tmp = mkdtempSync(join(tmpdir(), 'mw-bench-'));
const profileRoot = values.profile ? join(REPO_ROOT, 'bench', 'profiles', new Date().toISOString().replace(/[:.]/g, '-')) : undefined;
let cleaned = false;
async function cleanUp(): Promise<void> {
  if (cleaned) return;
  cleaned = true;
  await stopAll();
  rmSync(tmp, { recursive: true, force: true });
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    process.stderr.write(`\n${signal}: stopping the servers\n`);
    cleanUp().finally(() => process.exit(130));
  });
}

const started = performance.now();
const log = (line: string) => process.stdout.write(`[${((performance.now() - started) / 1000).toFixed(1).padStart(6)} s] ${line}\n`);
const ctx: RunContext = {
  quick: values.quick,
  tmp,
  motoVersion: only.includes('api') && !values['no-moto'] ? motoVersion() : undefined,
  profileDir(section) {
    if (!profileRoot) return undefined;
    const dir = join(profileRoot, section);
    mkdirSync(dir, { recursive: true });
    return dir;
  },
  log,
};

const machine = machineFacts(ctx.motoVersion);
machine.otherLoad.before = await busyCores();
const failures: string[] = [];
const partial: Omit<Results, 'targets'> = {
  date: new Date().toISOString(),
  mode: values.quick ? 'quick' : 'full',
  machine,
  postgres: undefined,
  failures,
};
log(formatMachine(machine));
log(`mode: ${partial.mode}; sections: ${only.join(', ')}`);

async function section<T>(name: Section, run: () => Promise<T & { serviceFailed: boolean }>): Promise<(T & { serviceFailed: boolean }) | undefined> {
  if (!only.includes(name)) return undefined;
  try {
    const result = await run();
    if (result.serviceFailed) failures.push(`${name}: this service failed (see the table)`);
    return result;
  } catch (error) {
    failures.push(`${name}: ${String((error as Error)?.stack ?? error)}`);
    log(`${name} FAILED: ${String((error as Error)?.message ?? error)}`);
    await stopAll();
    return undefined;
  }
}

try {
  partial.api = await section('api', () => runApiThroughput(ctx, operations as Operation[]));
  partial.history = await section('history', () => runHistoryScale(ctx));
  partial.console = await section('console', () => runConsolePages(ctx));
  partial.engine = await section('engine', () => runEngineThroughput(ctx));
  partial.postgres = await section('postgres', () => runPostgresEngine(ctx));
  partial.runCommand = await section('run-command', () => runRunCommand(ctx));
  partial.documents = await section('documents', () => runDocumentsBench(ctx));
  partial.automation = await section('automation', () => runAutomationBench(ctx));
  partial.sessions = await section('sessions', () => runSessionsBench(ctx));
} finally {
  await cleanUp();
}

machine.otherLoad.after = await busyCores();
const results: Results = { ...partial, targets: judgeTargets(partial) };
const warning = loadWarning(machine);
const out: string[] = ['', formatMachine(machine), ...(warning ? [warning] : []), ''];
if (profileRoot) out.push('NOTE: --profile: the service processes ran under the CPU profiler; their figures are slower than a plain run.', '');
if (results.api) out.push(formatApi(results.api), '');
if (results.history) out.push(formatHistory(results.history), '');
if (results.engine) out.push(formatEngine(results.engine), '');
if (results.postgres) out.push(formatEngine(results.postgres).replace('== 3. Engine', `== 4. Engine on PostgreSQL (${results.postgres.version})`), '');
if (results.console) out.push(formatConsole(results.console), '');
if (results.runCommand) out.push(formatRunCommand(results.runCommand), '');
if (results.documents) out.push(formatDocuments(results.documents), '');
if (results.automation) out.push(formatAutomation(results.automation), '');
if (results.sessions) out.push(formatSessions(results.sessions), '');
out.push(formatTargets(results.targets, values.quick), '');
if (profileRoot) {
  for (const name of readdirSync(profileRoot).sort()) {
    for (const file of profilesIn(join(profileRoot, name))) out.push(`== CPU profile of the service (${name}): top 10 self time`, formatTop(file, 10), '');
  }
}
const resultsFile = join(REPO_ROOT, 'bench', 'results.json');
writeResults(resultsFile, results);
out.push(`results written to ${resultsFile} (${((performance.now() - started) / 1000).toFixed(0)} s in all)`);
if (failures.length > 0) out.push('', 'FAILED:', ...failures.map((f) => `  ${f}`));
process.stdout.write(`${out.join('\n')}\n`);
process.exit(failures.length > 0 ? 1 : 0);
