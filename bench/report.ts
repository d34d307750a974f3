// Printing the results as tables, judging them against this round's targets, and writing
// bench/results.json with the facts of the machine they came from.

import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus, platform, release, totalmem } from 'node:os';
import { readFileSync } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import type { ApiResults } from './api-throughput.ts';
import type { AgentFleetResults, AgentTransportKind, RunCommandResults } from './run-command.ts';
import type { ConsoleResults } from './console-pages.ts';
import type { EngineResults } from './engine-throughput.ts';
import type { HistoryResults } from './history-scale.ts';
import type { DocumentsResults } from './documents-bench.ts';
import type { AutomationResults } from './automation-bench.ts';
import type { SessionsResults } from './sessions-bench.ts';

export interface Machine {
  cpuModel: string;
  cores: number;
  memoryBytes: number;
  node: string;
  sqlite: string;
  os: string;
  moto?: string;
  /**
   * Cores kept busy by other processes, sampled over one second before the run and one second after it
   * (from /proc/stat, while none of the benchmark's servers ran): above ~0.2 the figures are disturbed.
   */
  otherLoad: { before?: number; after?: number };
}

export interface Target {
  name: string;
  goal: string;
  measured: string;
  status: 'met' | 'missed' | 'not measured';
}

export interface Results {
  date: string;
  mode: 'full' | 'quick';
  machine: Machine;
  api?: ApiResults;
  history?: HistoryResults;
  /** The web console's pages on a large history (figures only, no targets). */
  console?: ConsoleResults;
  engine?: EngineResults;
  /** The engine section again with the state in PostgreSQL. */
  postgres?: EngineResults & { version: string };
  /** The Run Command path: SendCommand to simulated nodes; agents over ec2messages polls and control channels (issue 25's Agents targets). */
  runCommand?: RunCommandResults;
  /** CreateDocument and GetDocument (64 KB) under load (issue 25: figures, no targets). */
  documents?: DocumentsResults;
  /** Automation executions per second, a 5-step runbook on simulated nodes (issue 25: figures, no targets). */
  automation?: AutomationResults;
  /** Bytes/s relayed through Session Manager sessions and a frame's round trip (issue 25: figures, no targets). */
  sessions?: SessionsResults;
  targets: Target[];
  failures: string[];
}

export function machineFacts(motoVersion: string | undefined): Machine {
  const db = new DatabaseSync(':memory:');
  const sqlite = String((db.prepare('SELECT sqlite_version() AS v').get() as { v: string }).v);
  db.close();
  let os = `${platform()} ${release()}`;
  try {
    os = execFileSync('sh', ['-c', '. /etc/os-release && echo "$PRETTY_NAME"'], { encoding: 'utf8' }).trim() + `, kernel ${release()}`;
  } catch {
    // keep the kernel alone
  }
  return {
    cpuModel: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryBytes: totalmem(),
    node: process.version,
    sqlite,
    os,
    moto: motoVersion,
    otherLoad: {},
  };
}

// ---- formatting

export const int = (n: number | undefined) => (n === undefined || Number.isNaN(n) ? '-' : Math.round(n).toLocaleString('en-US'));
const ms = (n: number | undefined) => (n === undefined || Number.isNaN(n) ? '-' : n < 10 ? n.toFixed(2) : n.toFixed(1));
const ratio = (n: number | undefined, digits = 2) => (n === undefined || Number.isNaN(n) ? '-' : `${n.toFixed(digits)}x`);
export const mb = (bytes: number | undefined) => (bytes === undefined ? '-' : `${(bytes / 1024 / 1024).toFixed(0)} MB`);

export function table(header: string[], rows: string[][], rightAligned: (i: number) => boolean = (i) => i > 0): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (rightAligned(i) ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

export function formatApi(api: ApiResults): string {
  const rows: string[][] = [];
  for (const c of api.cases) {
    const r = api.ratios.find((x) => x.operation === c.operation);
    const ours = c.server === 'mw-local';
    rows.push([
      c.server === 'bare node:http' ? `  ceiling: the same ${int(c.responseBytes)} bytes` : c.operation,
      c.server,
      int(c.requestsPerSecond),
      ms(c.p50),
      ms(c.p99),
      c.requests === undefined ? '-' : int(c.non2xx),
      ours ? ratio(r?.oursOverCeiling) : '',
      ours ? ratio(r?.oursOverMoto, 1) : '',
      c.serverCpuSeconds !== undefined && c.requests ? String(Math.round((c.serverCpuSeconds * 1e6) / c.requests)) : '-',
      c.serverCpuSeconds !== undefined && c.seconds ? `${Math.round((100 * c.serverCpuSeconds) / c.seconds)}%` : '-',
      mb(c.peakMemoryBytes),
      c.flagged ? `FLAGGED: ${c.flagged}` : c.note ?? '',
    ]);
  }
  const lines = [
    `== 1. API throughput: ${api.connections} connections, ${api.seconds} s per case after ${api.warmupSeconds} s warm-up`,
    table(['operation', 'server', 'req/s', 'p50 ms', 'p99 ms', 'non-2xx', 'ours/ceiling', 'ours/moto', 'server CPU µs/req', 'server CPU', 'peak mem', 'note'], rows, (i) => i >= 2 && i <= 10),
  ];
  if (api.moto.skipped) lines.push(`moto: SKIPPED: ${api.moto.skipped}`);
  return lines.join('\n');
}

export function formatHistory(h: HistoryResults): string {
  const b = h.baseline;
  const l = h.large;
  const size = (n: number) => (n >= 1_000_000 ? `${n / 1_000_000}M` : n >= 1000 ? `${n / 1000}k` : String(n));
  const rows = h.ratios.map((r) => [
    r.call,
    ms(b.calls[r.call].p50), ms(b.calls[r.call].p99),
    ms(l.calls[r.call].p50), ms(l.calls[r.call].p99),
    ratio(r.p50), ratio(r.p99),
  ]);
  const facts = (f: typeof b) => [
    size(f.invocations),
    int(f.windowExecutions),
    int(f.largeTaskInvocations),
    `${f.loadSeconds.toFixed(1)} s (${int(f.loadRowsPerSecond)} rows/s)`,
    `${mb(f.databaseBytes)} + ${mb(f.walBytes)} WAL`,
    mb(f.peakMemoryBytes),
    `${int(f.startToReadyMs)} ms`,
    `page ${f.deepPageNumber}, ${ms(f.walkMeanMs)} ms/page`,
  ];
  return [
    `== 2. History at scale: sequential requests, ${h.samples} samples per call after warm-up (latency in ms)`,
    table(
      ['call', `p50@${size(b.invocations)}`, `p99@${size(b.invocations)}`, `p50@${size(l.invocations)}`, `p99@${size(l.invocations)}`, 'ratio p50', 'ratio p99'],
      rows,
    ),
    '',
    table(
      ['store', 'window execs', 'large task exec', 'bulk load', 'database on disk', 'peak memory', 'start to ready', 'NextToken walk'],
      [facts(b), facts(l)],
    ),
  ].join('\n');
}

export function formatConsole(c: ConsoleResults): string {
  return [
    `== 5. Web console on ${int(c.rows.windowExecutions)} window executions and ${int(c.rows.invocations)} invocations: sequential GETs, ${c.samples} samples per page after ${c.warmup} warm-up (latency in ms)`,
    table(
      ['page', 'p50 ms', 'p99 ms', 'mean ms', 'answer bytes', 'GET'],
      c.pages.map((p) => [p.page, ms(p.p50), ms(p.p99), ms(p.mean), int(p.answerBytes), p.route]),
      (i) => i >= 1 && i <= 4,
    ),
    '',
    table(
      ['window execs', 'task execs', 'invocations', 'large task exec', 'bulk load', 'database on disk', 'peak memory', 'start to ready'],
      [[
        int(c.rows.windowExecutions), int(c.rows.taskExecutions), int(c.rows.invocations), int(c.largeTaskInvocations),
        `${c.loadSeconds.toFixed(1)} s (${int(c.loadRowsPerSecond)} rows/s)`, `${mb(c.databaseBytes)} + ${mb(c.walBytes)} WAL`,
        mb(c.peakMemoryBytes), `${int(c.startToReadyMs)} ms`,
      ]],
      () => true,
    ),
  ].join('\n');
}

export function formatEngine(e: EngineResults): string {
  return [
    `== 3. Engine on the manual clock: ${int(e.windows)} windows x ${e.resourcesPerWindow} resources, one POST /_mw/clock`,
    table(
      ['invocations expected', 'listed by the API', 'in the database', 'clock call', 'invocations/s', 'service CPU', 'invocations per CPU s', 'peak memory', 'peak before the call', 'setup (API)'],
      [[
        int(e.expectedInvocations), int(e.countedInvocations), int(e.databaseInvocations), `${e.advanceSeconds.toFixed(2)} s`,
        int(e.invocationsPerSecond), e.serviceCpuSeconds === undefined ? '-' : `${e.serviceCpuSeconds.toFixed(2)} s`,
        e.serviceCpuSeconds ? int(e.expectedInvocations / e.serviceCpuSeconds) : '-',
        mb(e.peakMemoryBytes), mb(e.peakMemoryBeforeBytes), `${e.setupSeconds.toFixed(1)} s`,
      ]],
    ),
    `statuses: ${JSON.stringify(e.statuses)}${e.problems.length ? `\nPROBLEMS:\n  ${e.problems.join('\n  ')}` : ''}`,
  ].join('\n');
}

/** Bytes per second as MB/s (10^6). */
const mbps = (n: number | undefined) => (n === undefined || Number.isNaN(n) ? '-' : `${(n / 1e6).toFixed(1)} MB/s`);
const cpuShare = (cpuSeconds: number | undefined, seconds: number | undefined) =>
  cpuSeconds === undefined || !seconds ? '-' : `${Math.round((100 * cpuSeconds) / seconds)}%`;

export function formatDocuments(d: DocumentsResults): string {
  return [
    `== 7. Documents: ${d.connections} connections, ${d.seconds} s per case after ${d.warmupSeconds} s warm-up (figures, no targets)`,
    table(
      ['operation', 'req/s', 'p50 ms', 'p99 ms', 'non-2xx', 'answer bytes', 'server CPU µs/req', 'server CPU', 'peak mem', 'what / note'],
      d.cases.map((c) => [
        c.operation, int(c.requestsPerSecond), ms(c.p50), ms(c.p99), c.requests === undefined ? '-' : int(c.non2xx), int(c.responseBytes),
        c.serverCpuSeconds !== undefined && c.requests ? String(Math.round((c.serverCpuSeconds * 1e6) / c.requests)) : '-',
        cpuShare(c.serverCpuSeconds, c.seconds), mb(c.peakMemoryBytes),
        [c.what, c.documentsAfter === undefined ? '' : `${int(c.documentsAfter)} documents after`, c.flagged ? `FLAGGED: ${c.flagged}` : ''].filter(Boolean).join('; '),
      ]),
      (i) => i >= 1 && i <= 8,
    ),
  ].join('\n');
}

export function formatAutomation(a: AutomationResults): string {
  const seconds = (n: number | undefined) => (n === undefined ? '-' : `${n.toFixed(2)} s`);
  return [
    `== 8. Automation: ${int(a.executions)} executions of a ${a.steps}-step runbook on ${int(a.nodes)} simulated nodes, system clock (figures, no targets)`,
    table(
      ['executions/s', 'steps/s', 'first start to last end', 'seen by polls', 'N starts took', 'start p50 ms', 'start p99 ms', 'one alone', 'server CPU', 'peak mem', 'statuses'],
      [[
        a.executionsPerSecond === undefined ? '-' : a.executionsPerSecond.toFixed(1), a.stepsPerSecond === undefined ? '-' : a.stepsPerSecond.toFixed(1),
        seconds(a.seconds), seconds(a.observedSeconds), seconds(a.startSeconds), ms(a.start.p50), ms(a.start.p99), seconds(a.singleSeconds),
        cpuShare(a.serviceCpuSeconds, a.observedSeconds), mb(a.peakMemoryBytes), JSON.stringify(a.statuses),
      ]],
      (i) => i <= 9,
    ),
    'steps: aws:sleep PT0S, aws:executeAwsApi (ssm DescribeDocument), aws:runCommand (a simulated node, 0 s), aws:executeAwsApi, aws:sleep PT0S',
    ...(a.partial ? [`PARTIAL: ${int(a.partial.ended)} of ${int(a.executions)} ended within ${a.partial.waitedSeconds.toFixed(0)} s`] : []),
    ...(a.problems.length ? [`PROBLEMS:\n  ${a.problems.join('\n  ')}`] : []),
  ].join('\n');
}

export function formatSessions(s: SessionsResults): string {
  const row = (label: string, t: SessionsResults['single'], note: string) => [
    label, int(t.frames), mbps(t.payloadBytesPerSecond), mbps(t.wireBytes / t.seconds), int(t.framesPerSecond), `${t.seconds.toFixed(2)} s`, cpuShare(t.serviceCpuSeconds, t.seconds), note,
  ];
  const c = s.concurrent;
  return [
    `== 9. Session Manager: frames of ${s.payloadBytes}-byte payloads from the agent to the client through the relay, each acknowledged, at most ${s.window} unacknowledged (figures, no targets)`,
    table(
      ['sessions', 'frames', 'payload bytes/s', 'wire bytes/s', 'frames/s', 'time', 'server CPU', 'note'],
      [
        row('1', s.single, ''),
        row(String(c.sessions), c, `${int(c.framesPerSession)} frames each; sessions took ${c.fastestSessionSeconds.toFixed(2)}-${c.slowestSessionSeconds.toFixed(2)} s`),
      ],
      (i) => i <= 6,
    ),
    `round trip of a frame (client input_stream_data -> agent -> echoed output_stream_data -> client), ${int(s.latency.samples)} sequential pings after ${s.latency.warmup}: `
      + `p50 ${ms(s.latency.p50)} ms, p99 ${ms(s.latency.p99)} ms, mean ${ms(s.latency.mean)} ms`,
    `StartSession to Connected: p50 ${ms(s.setupMs.p50)} ms, max ${ms(s.setupMs.max)} ms over ${s.setupMs.sessions} sessions; service peak memory ${mb(s.peakMemoryBytes)}`,
    ...(s.problems.length ? [`PROBLEMS:\n  ${s.problems.join('\n  ')}`] : []),
  ].join('\n');
}

// ---- targets

export function judgeTargets(results: Omit<Results, 'targets'>): Target[] {
  const targets: Target[] = [];
  const judge = (name: string, goal: string, value: number | undefined, ok: (v: number) => boolean, shown: (v: number) => string) => {
    targets.push(value === undefined || Number.isNaN(value)
      ? { name, goal, measured: '-', status: 'not measured' }
      : { name, goal, measured: shown(value), status: ok(value) ? 'met' : 'missed' });
  };
  const { api, history, engine } = results;
  const pct = (v: number) => `${v.toFixed(2)} of the ceiling`;
  // Each operation against a bare node:http server answering the same bytes (round two's measure, round
  // three's goals: issue 25).
  for (const [operation, goal] of [
    ['GetMaintenanceWindow', 0.8], ['GetMaintenanceWindowExecutionTaskInvocation', 0.7],
    ['DescribeMaintenanceWindows', 0.5], ['DescribeMaintenanceWindowExecutionTaskInvocations', 0.5],
  ] as const) {
    judge(`${operation} vs bare node:http (same bytes)`, `>= ${goal.toFixed(2)} of the ceiling req/s`,
      api?.ratios.find((r) => r.operation === operation)?.oursOverCeiling, (v) => v >= goal, pct);
  }
  for (const operation of ['GetMaintenanceWindow', 'CreateMaintenanceWindow', 'DescribeMaintenanceWindows'] as const) {
    judge(`${operation} vs moto`, '>= 10x moto req/s',
      api?.ratios.find((r) => r.operation === operation)?.oursOverMoto, (v) => v >= 10, (v) => `${v.toFixed(1)}x`);
  }
  const largeLabel = history ? history.large.invocations.toLocaleString('en-US') : 'N';
  for (const r of history?.ratios ?? []) {
    judge(`${r.call} at ${largeLabel} vs 1,000`, '<= 1.5x (p50)', r.p50, (v) => v <= 1.5, (v) => `${v.toFixed(2)}x (p99 ${r.p99.toFixed(2)}x)`);
  }
  if (!history) judge('history calls at 1,000,000 vs 1,000', '<= 1.5x (p50)', undefined, () => false, String);
  judge('engine invocations/s (SQLite)', '>= 25,000/s', engine?.invocationsPerSecond, (v) => v >= 25_000, (v) => `${int(v)}/s`);
  judge('engine peak memory (SQLite)', '< 200 MB', engine?.peakMemoryBytes, (v) => v < 200 * 1024 * 1024, mb);
  judge('engine invocations/s (PostgreSQL)', '>= 15,000/s', results.postgres?.invocationsPerSecond, (v) => v >= 15_000, (v) => `${int(v)}/s`);
  judge(`start to ready (store of ${largeLabel} invocations)`, '< 300 ms', history?.large.startToReadyMs, (v) => v < 300, (v) => `${int(v)} ms`);
  // The console's counts by status are kept with the task execution: the page of the large task (a tenth of
  // the history) costs what a regular night's does.
  const consolePage = (page: string) => results.console?.pages.find((p) => p.page === page);
  const largeTask = consolePage('large task execution, first page');
  const regularTask = consolePage('regular task execution, first page');
  judge(`console task page with its counts: ${results.console ? int(results.console.largeTaskInvocations) : 'N'} invocations vs a regular night's`, '<= 1.5x (p50)',
    largeTask && regularTask ? largeTask.p50 / regularTask.p50 : undefined, (v) => v <= 1.5,
    (v) => `${v.toFixed(2)}x (${largeTask!.p50.toFixed(2)} vs ${regularTask!.p50.toFixed(2)} ms)`);
  targets.push(...agentTargets(results.runCommand));
  return targets;
}

/**
 * Issue 25's "Agents" targets, for each transport (ec2messages polls, ssmmessages control channels) from the
 * run-command section's fleets at 1,000 and 10,000 agents (quick: 50 and 200; fewer when the machine's
 * open-files limit does not allow them, as the section says). The names keep the issue's counts; the
 * measured text says which count it came from when that differs.
 */
function agentTargets(runCommand: RunCommandResults | undefined): Target[] {
  const targets: Target[] = [];
  const fleets = runCommand?.fleets ?? [];
  const at = (f: AgentFleetResults, nominal: number) => (f.agents === nominal ? '' : ` at ${int(f.agents)} agents`);
  const fmtMs = (v: number) => (v < 10 ? `${v.toFixed(2)} ms` : `${v.toFixed(0)} ms`);
  for (const [transport, label] of [['ec2messages', 'ec2messages polls'], ['control-channel', 'control channels']] as [AgentTransportKind, string][]) {
    const mine = fleets.filter((f) => f.transport === transport).sort((a, b) => a.requested - b.requested);
    const small = mine.find((f) => f.requested === Math.min(...mine.map((m) => m.requested)));
    const large = mine.length > 1 ? mine[mine.length - 1] : undefined;
    const add = (name: string, goal: string, ok: boolean | undefined, measured: string) =>
      targets.push(ok === undefined ? { name: `Agents, ${label}: ${name}`, goal, measured: '-', status: 'not measured' } : { name: `Agents, ${label}: ${name}`, goal, measured, status: ok ? 'met' : 'missed' });

    // SendCommand answers without waiting for the polls: its answer comes before most of the deliveries it causes.
    const both = [small, large].filter((f): f is AgentFleetResults => f !== undefined && f.delivered > 0);
    add('SendCommand answers without waiting for the polls (1,000 and 10,000 agents)', 'answered before the p50 delivery',
      both.length ? both.every((f) => f.sendCommandMs <= f.deliveryMs.p50) : undefined,
      both.map((f) => `${int(f.agents)}: ${fmtMs(f.sendCommandMs)}, ${int(f.deliveredBeforeAnswer)}/${int(f.delivered)} delivered before`).join('; '));
    add('SendCommand -> delivered at 1,000 agents', 'p50 <= 100 ms', small && small.delivered > 0 ? small.deliveryMs.p50 <= 100 : undefined,
      small ? `p50 ${fmtMs(small.deliveryMs.p50)}, p99 ${fmtMs(small.deliveryMs.p99)}${at(small, 1000)}` : '-');
    for (const [f, nominal] of [[small, 1000], [large, 10000]] as const) {
      if (f?.partial) {
        // Not every reply came within the wait: more than the wait per agent, missed.
        add(`all replies recorded at ${int(nominal)} agents`, '<= 10 ms per agent', false,
          `> ${((f.partial.seconds * 1000) / f.agents).toFixed(1)} ms/agent (${int(f.partial.replied)} of ${int(f.agents)} replied in ${f.partial.seconds.toFixed(0)} s)${at(f, nominal)}`);
        continue;
      }
      add(`all replies recorded at ${int(nominal)} agents`, '<= 10 ms per agent', f?.msPerAgent === undefined ? undefined : f.msPerAgent <= 10,
        f?.msPerAgent === undefined ? '-' : `${f.msPerAgent.toFixed(2)} ms/agent (${(f.recordedMs! / 1000).toFixed(1)} s)${at(f, nominal)}`);
    }
    const ratio = runCommand?.ratios?.find((r) => r.transport === transport);
    add('time per delivered invocation, 10,000 vs 1,000 agents', '<= 1.5x', ratio?.ratio === undefined ? undefined : ratio.ratio <= 1.5,
      ratio?.ratio === undefined ? '-' : `${ratio.ratio.toFixed(2)}x${ratio.large === 10000 && ratio.small === 1000 ? '' : ` (${int(ratio.large)} vs ${int(ratio.small)})`}${large?.partial ? ` (${int(large.agents)}: as far as it got, ${int(large.partial.replied)} replied in ${large.partial.seconds.toFixed(0)} s)` : ''}`);
    // Idle agents cost the store nothing while nothing is queued: no writes, and no per-agent work (a recheck
    // that reads and finds nothing writes nothing, so the service's CPU above its idle with no agent is the
    // figure that shows it: under 1% of a core).
    const idle = mine.filter((f) => f.idleHeld.walCommits !== undefined && f.idleHeld.serviceCpuSeconds !== undefined && f.idleNone.serviceCpuSeconds !== undefined);
    const extraCores = (f: AgentFleetResults) => f.idleHeld.serviceCpuSeconds! / f.idleHeld.seconds - f.idleNone.serviceCpuSeconds! / f.idleNone.seconds;
    add('idle store cost with nothing queued', '0 writes/s, and < 1% of a core above no agents',
      idle.length ? idle.every((f) => f.idleHeld.walCommits === 0 && !f.idleHeld.walRestarted && extraCores(f) < 0.01) : undefined,
      idle.map((f) => `${int(f.agents)}: ${(f.idleHeld.walCommits! / f.idleHeld.seconds).toFixed(1)} writes/s, +${(100 * extraCores(f)).toFixed(1)}% of a core (${int(Math.max(0, extraCores(f)) * 1e6 / f.held)} µs CPU per agent-second)`).join('; '));
  }
  return targets;
}

export function formatTargets(targets: Target[], quick: boolean): string {
  return [
    `== Targets${quick ? ' (quick mode: small sizes, not the figures the targets are about)' : ''}`,
    table(['target', 'goal', 'measured', 'status'], targets.map((t) => [t.name, t.goal, t.measured, t.status.toUpperCase()]), () => false),
  ].join('\n');
}

/** How many cores were busy (not idle) over the next `ms` milliseconds, from /proc/stat. */
export async function busyCores(ms = 1000): Promise<number | undefined> {
  const sample = () => {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    const idle = fields[3] + (fields[4] ?? 0);
    return { idle, total: fields.reduce((a, b) => a + b, 0) };
  };
  try {
    const a = sample();
    await new Promise((r) => setTimeout(r, ms));
    const b = sample();
    const total = b.total - a.total;
    return total > 0 ? (cpus().length * (total - (b.idle - a.idle))) / total : undefined;
  } catch {
    return undefined;
  }
}

export function formatMachine(m: Machine): string {
  const shown = (v: number | undefined) => (v === undefined ? '?' : v.toFixed(2));
  const load = `cores busy with other work: ${shown(m.otherLoad.before)} before${m.otherLoad.after === undefined ? '' : `, ${shown(m.otherLoad.after)} after`}`;
  return `machine: ${m.cpuModel}, ${m.cores} cores, ${mb(m.memoryBytes)}, ${m.os}; node ${m.node}, SQLite ${m.sqlite}, moto ${m.moto ?? 'not installed'}; ${load}`;
}

/** A warning when other processes kept the cores busy around the run (the figures are then low and noisy). */
export function loadWarning(m: Machine): string | undefined {
  const worst = Math.max(m.otherLoad.before ?? 0, m.otherLoad.after ?? 0);
  return worst > 0.2
    ? `WARNING: other processes kept ${worst.toFixed(2)} of ${m.cores} cores busy around the run: they compete with the servers and the load generator, so these figures are lower and noisier than on an idle machine.`
    : undefined;
}

export function writeResults(file: string, results: Results): void {
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
}
