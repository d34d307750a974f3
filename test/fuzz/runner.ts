// One fuzz run: starts the real service (twice: the second one only has its manual clock moved), builds
// a baseline the run must not change plus seeds in the fuzz scopes, registers simulated agents (actors it
// speaks as, witnesses it never speaks as; agent-fleet.ts) and a sink for event targets, sends `requests`
// generated cases one at a time (so a seed replays the same run): AWS API calls, raw HTTP, control routes,
// the agent's protocol, the event routes and operation names from Object.prototype; checks every answer,
// and compares the baseline and the witnesses' invocations now and then and at the end.

import { isDeepStrictEqual } from 'node:util';
import { startTestServer, type TestServer } from '../support/server.ts';
import { apiCase, authorization, MUTATING, type ApiCase } from './api-requests.ts';
import { AGENT_SCOPES, type Fleet, startFleet, witnessState } from './agent-fleet.ts';
import { agentCase, type AgentCase } from './agent-requests.ts';
import { controlCase, type ControlCase } from './control-requests.ts';
import { eventCase, type EventCase, type EventTargetPool, targetNameCase, type TargetNameCase } from './event-requests.ts';
import * as followUps from './follow-ups.ts';
import { closeAgent, send, sendRaw, type Answer } from './http-client.ts';
import { checkApi, checkClockState, checkControl, type Finding } from './oracle.ts';
import { ScopePool, scopeKey, type Scope } from './pools.ts';
import { Prng, seededIds } from './prng.ts';
import { rawCase, type RawCase } from './raw-requests.ts';
import { runAgentCase, runEventCase, runTargetNameCase, startSink } from './runner-cases.ts';
import { controlCall, createResources, snapshot } from './state.ts';
import { describeCase } from './report.ts';

export interface RunOptions {
  seed: number;
  /** Generated cases to send (follow-up reads come on top). */
  requests: number;
  /** Called now and then with a progress line; default: silent. */
  progress?: (line: string) => void;
  /** Called after each case with its answer (for tracing a replay); default: none. */
  onCase?: (index: number, c: FuzzCase, answer: Answer) => void;
}

export interface RunReport {
  seed: number;
  cases: number;
  /** Every request sent, follow-ups and baseline reads included. */
  sent: number;
  byStatus: Record<string, number>;
  byCase: Record<string, number>;
  /** Generated API calls answered 200, per operation: how deep the run reached. */
  okByOperation: Record<string, number>;
  findings: Finding[];
  ms: number;
}

export type FuzzCase = ApiCase | RawCase | ControlCase | AgentCase | EventCase | TargetNameCase;

const START = Date.parse('2026-01-01T00:00:00Z');
const TIMEOUT_MS = 10_000;
/**
 * The main server's ping timeout: a GetMessages poll with nothing queued is held a third of it (not the
 * default 15 s), so an agent case that polls an empty queue costs 50 ms of the run.
 */
const PING_TIMEOUT_SECONDS = 0.15;
export const BASELINE: Scope = { account: '111111111111', region: 'us-east-1' };
const FUZZ_SCOPES: Scope[] = [{ account: '222222222222', region: 'us-east-1' }, { account: '333333333333', region: 'eu-west-1' }, { account: '000000000000', region: 'us-east-1' }];

interface LogEntry {
  message: string;
  requestId?: unknown;
  error?: unknown;
}

export async function runFuzz(options: RunOptions): Promise<RunReport> {
  const started = performance.now();
  const prng = new Prng(options.seed);
  const logs: LogEntry[] = [];
  const log = (message: string, fields?: Record<string, unknown>) => logs.push({ message, ...fields });
  const config = { clockMode: 'manual' as const, manualClockStart: START, log };
  const servers: TestServer[] = [];
  let fleet: Fleet | undefined;
  let sink: Awaited<ReturnType<typeof startSink>> | undefined;
  const report: RunReport = { seed: options.seed, cases: 0, sent: 0, byStatus: {}, byCase: {}, okByOperation: {}, findings: [], ms: 0 };
  try {
    const main = await startTestServer({ ...config, pingTimeoutSeconds: PING_TIMEOUT_SECONDS, ids: seededIds(prng.fork()) });
    servers.push(main);
    const clockServer = await startTestServer({ ...config, ids: seededIds(prng.fork()) });
    servers.push(clockServer);
    const port = main.app.port;

    const pools = new Map<string, ScopePool>();
    const poolOf = (s: Scope) => pools.get(scopeKey(s)) ?? pools.set(scopeKey(s), new ScopePool()).get(scopeKey(s))!;
    for (const scope of [BASELINE, ...FUZZ_SCOPES]) {
      await createResources(port, scope, scope === BASELINE ? 'baseline' : 'seed');
      poolOf(scope).harvest(await snapshot(port, scope));
    }
    const baselineBefore = await snapshot(port, BASELINE);
    // Registered agents in scopes of their own; the witnesses' invocations must never change.
    fleet = await startFleet(port);
    const witnessesBefore = await witnessState(port, fleet);
    sink = await startSink();
    const eventTargets: EventTargetPool = { sink: sink.url, added: [] };
    const witnessCheck = async (reproducer: string) => {
      const now = await witnessState(port, fleet!);
      if (!isDeepStrictEqual(witnessesBefore, now)) report.findings.push({ kind: 'another node\'s invocations changed', detail: firstDifference(witnessesBefore, now), reproducer });
      return isDeepStrictEqual(witnessesBefore, now);
    };
    let witnessesIntact = true;
    let lastWitnessCheck = 0;

    const serverErrors = new Set<string>();
    let seenLogs = 0;
    const count = (answer: Answer, what: string) => {
      report.sent++;
      const key = answer.status === 0 ? `no answer (${answer.failure})` : String(answer.status);
      report.byStatus[key] = (report.byStatus[key] ?? 0) + 1;
      report.byCase[what] = (report.byCase[what] ?? 0) + 1;
      const id = answer.headers['x-amzn-requestid'];
      if (answer.status >= 500 && typeof id === 'string') serverErrors.add(id);
    };

    const run: Run = { port, clockPort: clockServer.app.port, poolOf, count, report, options };
    for (let n = 0; n < options.requests; n++) {
      const roll = prng.float();
      const c: FuzzCase = roll < 0.55 ? apiCase(prng, { fuzz: FUZZ_SCOPES, baseline: BASELINE }, poolOf)
        : roll < 0.65 ? rawCase(prng)
        : roll < 0.77 ? controlCase(prng, FUZZ_SCOPES.map(poolOf))
        : roll < 0.92 ? agentCase(prng, fleet)
        : roll < 0.97 ? eventCase(prng, eventTargets)
        : targetNameCase(prng);
      const found: Finding[] = [];
      const check = (kind: string, detail: string) => found.push({ kind, detail, reproducer: describeCase(c), at: n });
      report.cases++;
      if (c.kind === 'api') await runApiCase(run, n, c, check);
      else if (c.kind === 'raw') await runRawCase(run, n, c, check);
      else if (c.kind === 'control') await runControlCase(run, n, c, check);
      else {
        const ctx = { port, count, onAnswer: (answer: Answer) => options.onCase?.(n, c, answer) };
        if (c.kind === 'agent') await runAgentCase(ctx, fleet, c, check);
        else if (c.kind === 'events') await runEventCase(ctx, eventTargets, c, check);
        else await runTargetNameCase(ctx, c, check);
      }
      // Unexpected failures the server logged without answering 500 (a client gone mid-request, an engine step).
      for (; seenLogs < logs.length; seenLogs++) {
        const entry = logs[seenLogs];
        if (entry.message === 'request failed' && serverErrors.has(String(entry.requestId))) continue;
        if (/failed/.test(entry.message)) check(`server logged: ${entry.message}`, String(entry.error ?? '').split('\n')[0]);
      }
      report.findings.push(...found);
      if ((n + 1) % 250 === 0) {
        const health = await controlCall(port, 'GET', '/_mw/health');
        if (health.status !== 200) {
          report.findings.push({ kind: 'service stopped answering', detail: `health: ${health.status} ${health.failure ?? ''}`, reproducer: describeCase(c) });
          break;
        }
        // Once they changed, say so once (with the cases since the last look), not at every look after.
        if (witnessesIntact) witnessesIntact = await witnessCheck(`one of cases ${lastWitnessCheck}..${n} (account ${AGENT_SCOPES.map((s) => s.account).join(', ')})`);
        lastWitnessCheck = n + 1;
        options.progress?.(`${n + 1} cases, ${report.sent} requests, ${report.findings.length} findings`);
      }
    }

    for (const [name, server] of [['main', main], ['clock', clockServer]] as const) {
      const health = await controlCall(server.app.port, 'GET', '/_mw/health');
      if (health.status !== 200) report.findings.push({ kind: 'service stopped answering', detail: `${name} health: ${health.status} ${health.body}`, reproducer: 'GET /_mw/health' });
    }
    if (witnessesIntact) await witnessCheck(`one of cases ${lastWitnessCheck}..${report.cases - 1}`);
    const where = `account ${BASELINE.account}, region ${BASELINE.region}`;
    try {
      const baselineAfter = await snapshot(port, BASELINE);
      if (!isDeepStrictEqual(baselineBefore, baselineAfter)) {
        report.findings.push({ kind: 'baseline changed', detail: firstDifference(baselineBefore, baselineAfter), reproducer: where });
      }
    } catch (error) {
      report.findings.push({ kind: 'baseline unreadable', detail: String((error as Error).message).split('\n')[0], reproducer: where });
    }
  } finally {
    fleet?.close();
    for (const s of servers) await s.stop();
    await sink?.close();
    closeAgent();
    report.ms = performance.now() - started;
  }
  return report;
}

interface Run {
  port: number;
  clockPort: number;
  poolOf: (s: Scope) => ScopePool;
  count: (answer: Answer, what: string) => void;
  report: RunReport;
  options: RunOptions;
}

type Check = (kind: string, detail: string) => void;

async function runApiCase(run: Run, n: number, c: ApiCase, check: Check): Promise<void> {
  const mutating = MUTATING.has(c.operation);
  if (mutating && c.scope.account === BASELINE.account) throw new Error('fuzzer bug: a mutating call aimed at the baseline');
  const prior = mutating ? await followUps.before(run.port, c) : undefined;
  const headers: Record<string, string> = { 'x-amz-target': `AmazonSSM.${c.operation}`, authorization: authorization(c.scope) };
  if (c.contentType !== undefined) headers['content-type'] = c.contentType;
  const answer = await send(run.port, { method: 'POST', path: '/', headers, body: c.body }, TIMEOUT_MS);
  run.count(answer, 'api');
  run.options.onCase?.(n, c, answer);
  const body = checkApi(c.operation, c.expect, answer, check) as Record<string, unknown> | undefined;
  if (!body) return;
  const pool = run.poolOf(c.scope);
  run.report.okByOperation[c.operation] = (run.report.okByOperation[c.operation] ?? 0) + 1;
  pool.harvest(body, c.input, c.operation);
  if (c.input) pool.forget(c.operation, c.input);
  if (typeof c.input?.ClientToken === 'string') pool.clientTokens.push(c.input.ClientToken);
  if (mutating) run.report.sent += await followUps.after(run.port, c, body, prior, pool, check);
}

async function runRawCase(run: Run, n: number, c: RawCase, check: Check): Promise<void> {
  const answer = await sendRaw(run.port, c.plan);
  run.count(answer, 'raw');
  run.options.onCase?.(n, c, answer);
  const kind = { needsAnswer: c.needsAnswer, headersOnly: c.plan.headersOnly };
  if (c.control) checkControl('any', answer, check, kind);
  else checkApi(undefined, 'any', answer, check, kind);
}

async function runControlCase(run: Run, n: number, c: ControlCase, check: Check): Promise<void> {
  if (c.method === 'POST' && c.path.startsWith('/_mw/clock') && c.server !== 'clock') throw new Error('fuzzer bug: the main server clock moved');
  const port = c.server === 'clock' ? run.clockPort : run.port;
  const answer = await send(port, { method: c.method, path: c.path, headers: { 'content-type': 'application/json' }, body: c.body || undefined }, TIMEOUT_MS);
  run.count(answer, 'control');
  run.options.onCase?.(n, c, answer);
  const body = checkControl(c.expect, answer, check);
  if (body && c.path.startsWith('/_mw/clock')) checkClockState(body, check);
  const fired = /^\/_mw\/windows\/(mw-[0-9a-f]{17})\/executions/.exec(c.path);
  if (body && fired) {
    // The new execution belongs to the scope named in the query (or the default one).
    const account = /account=(\d{12})/.exec(c.path)?.[1] ?? '000000000000';
    const region = /region=([a-z0-9-]+)/.exec(c.path)?.[1] ?? 'us-east-1';
    run.poolOf({ account, region }).harvest({ ...(body as object), WindowId: fired[1] });
  }
}

/** Where two JSON values first differ, as a path and both sides. */
function firstDifference(a: unknown, b: unknown, path = ''): string {
  if (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null) {
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
      const x = (a as Record<string, unknown>)[k];
      const y = (b as Record<string, unknown>)[k];
      if (!isDeepStrictEqual(x, y)) return firstDifference(x, y, `${path}/${k}`);
    }
  }
  return `${path || '/'}: ${JSON.stringify(a)?.slice(0, 300)} became ${JSON.stringify(b)?.slice(0, 300)}`;
}
