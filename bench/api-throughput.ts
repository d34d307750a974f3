// Section 1: API throughput and latency under load (32 connections), for five operations, against this
// service, a bare node:http server answering the same bytes (each operation's ceiling) and moto's server.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { awsCall, type AwsCall, AwsClient, inParallel } from './aws-requests.ts';
import { CLOCK_START, windowInput } from './fleet.ts';
import type { LoadedHistory } from './history-loader.ts';
import { buildHistoryStore, HISTORY_SCOPE } from './history-store.ts';
import { load, loadClosing, type LoadOptions, type LoadResult } from './measure.ts';
import type { RunContext } from './run-context.ts';
import { type ServerProcess, startBareServer, startMoto, startService } from './servers.ts';

export const OPERATIONS = [
  'GetMaintenanceWindow',
  'CreateMaintenanceWindow',
  'DescribeMaintenanceWindows',
  'DescribeMaintenanceWindowExecutionTaskInvocations',
  'GetMaintenanceWindowExecutionTaskInvocation',
] as const;
export type Operation = (typeof OPERATIONS)[number];

// One moto process serves every moto case: each case lives in its own Region there, so the windows
// CreateMaintenanceWindow adds never reach the others' listings.
const REGION = { get: 'us-east-1', create: 'us-west-2', invocations: 'eu-west-1' } as const;
const DESCRIBE_WINDOWS = 200;
/** The task execution the invocation calls read: a page of 50 out of this many (quick: 1,000). */
const TASK_INVOCATIONS = { full: 100_000, quick: 1_000 } as const;

export interface ApiCase extends Partial<LoadResult> {
  operation: Operation;
  /** mw-local, the bare server answering the same bytes (that operation's ceiling), or moto. */
  server: 'mw-local' | 'bare node:http' | 'moto';
  /** Bytes of one answer's body. */
  responseBytes?: number;
  /** The server's peak resident memory (VmHWM) at the end of the case. */
  peakMemoryBytes?: number;
  /** Set when the case could not run or its answers were not all 200. */
  flagged?: string;
  note?: string;
}

export interface ApiResults {
  connections: number;
  seconds: number;
  warmupSeconds: number;
  /** Invocations of the task execution the invocation calls read. */
  taskInvocations: number;
  cases: ApiCase[];
  moto: { version?: string; skipped?: string };
  /** Requests/s ratios per operation: against the bare server answering that operation's bytes, and moto. */
  ratios: { operation: Operation; oursOverCeiling?: number; oursOverMoto?: number }[];
  /** True when a case against this service failed. */
  serviceFailed: boolean;
}

function flag(result: LoadResult): string | undefined {
  if (result.non2xx === 0 && result.errors === 0 && result.timeouts === 0) return undefined;
  return `${result.non2xx} non-2xx ${JSON.stringify(result.statusCodes)}, ${result.errors} errors, ${result.timeouts} timeouts`;
}

interface Measured {
  result: ApiCase;
  /** The probe's answer body, for the bare server to answer the same bytes. */
  body: string;
}

async function measureCase(server: ServerProcess, client: AwsClient, operation: Operation, call: AwsCall, options: LoadOptions, name: ApiCase['server']): Promise<Measured> {
  // One request first: the case must answer 200 before it is worth loading.
  const probe = await client.send(call);
  if (probe.status !== 200) {
    return { result: { operation, server: name, flagged: `answers ${probe.status}: ${probe.body.slice(0, 200)}` }, body: probe.body };
  }
  const closes = String(probe.headers.connection ?? '').toLowerCase() === 'close';
  const result = await (closes ? loadClosing : load)(server.endpoint, call, { ...options, serverCpu: () => server.cpuSeconds() });
  if (server.crashed()) throw new Error(`${server.name} crashed during ${operation}:\n${server.output()}`);
  return {
    result: {
      operation, server: name, responseBytes: Buffer.byteLength(probe.body), ...result, flagged: flag(result),
      note: closes ? 'closes every connection: loaded by a node:http loop' : undefined,
    },
    body: probe.body,
  };
}

/** The bulk-loaded history the invocation calls read: a task execution of `invocations` beside 60 small runs. */
async function historyFor(ctx: RunContext, dir: string, invocations: number): Promise<{ dataDir: string; loaded: LoadedHistory }> {
  const dataDir = mkdtempSync(join(dir, 'history-'));
  const shape = { invocations: invocations + 60 * 10, largeTaskInvocations: invocations, regularExecutions: 60 };
  const loaded = await buildHistoryStore(ctx, { dataDir, args: ['--clock', 'manual', '--clock-start', CLOCK_START], windowName: 'bench-invocations', shape });
  return { dataDir, loaded };
}

/** The request of `operation` against this service, after seeding what it reads. */
async function seedOurs(client: AwsClient, operation: Operation, history: LoadedHistory | undefined): Promise<AwsCall> {
  const endpoint = client.endpoint;
  switch (operation) {
    case 'GetMaintenanceWindow':
    case 'DescribeMaintenanceWindows': {
      const ids = await inParallel(Array.from({ length: DESCRIBE_WINDOWS }, (_, i) => i), 16, async (i) =>
        (await client.call<{ WindowId: string }>('CreateMaintenanceWindow', windowInput(`bench-${String(i).padStart(4, '0')}`), REGION.get)).WindowId);
      return operation === 'GetMaintenanceWindow'
        ? awsCall(endpoint, 'GetMaintenanceWindow', { WindowId: ids[0] }, REGION.get)
        : awsCall(endpoint, 'DescribeMaintenanceWindows', { MaxResults: 50 }, REGION.get);
    }
    case 'CreateMaintenanceWindow':
      return awsCall(endpoint, 'CreateMaintenanceWindow', windowInput('bench-created'), REGION.create);
    case 'DescribeMaintenanceWindowExecutionTaskInvocations':
    case 'GetMaintenanceWindowExecutionTaskInvocation': {
      const { large } = history!;
      return operation === 'GetMaintenanceWindowExecutionTaskInvocation'
        ? awsCall(endpoint, operation, { WindowExecutionId: large.windowExecutionId, TaskId: large.taskExecutionId, InvocationId: large.middleInvocationId }, HISTORY_SCOPE.region)
        : awsCall(endpoint, operation, { WindowExecutionId: large.windowExecutionId, TaskId: large.taskExecutionId, MaxResults: 50 }, HISTORY_SCOPE.region);
    }
  }
}

async function seedMoto(client: AwsClient): Promise<Record<Operation, AwsCall>> {
  const endpoint = client.endpoint;
  const ids = await inParallel(Array.from({ length: DESCRIBE_WINDOWS }, (_, i) => i), 8, async (i) =>
    (await client.call<{ WindowId: string }>('CreateMaintenanceWindow', windowInput(`bench-${String(i).padStart(4, '0')}`), REGION.get)).WindowId);
  return {
    GetMaintenanceWindow: awsCall(endpoint, 'GetMaintenanceWindow', { WindowId: ids[0] }, REGION.get),
    CreateMaintenanceWindow: awsCall(endpoint, 'CreateMaintenanceWindow', windowInput('bench-created'), REGION.create),
    DescribeMaintenanceWindows: awsCall(endpoint, 'DescribeMaintenanceWindows', { MaxResults: 50 }, REGION.get),
    // moto runs no windows, so there is no execution to list: the probe shows what it answers.
    DescribeMaintenanceWindowExecutionTaskInvocations: awsCall(endpoint, 'DescribeMaintenanceWindowExecutionTaskInvocations', {
      WindowExecutionId: '01a2084a-a2cc-7a83-8989-e57a8757181a', TaskId: '01a2084a-a2cc-7aba-b88e-6384e6032aa4', MaxResults: 50,
    }, REGION.invocations),
    GetMaintenanceWindowExecutionTaskInvocation: awsCall(endpoint, 'GetMaintenanceWindowExecutionTaskInvocation', {
      WindowExecutionId: '01a2084a-a2cc-7a83-8989-e57a8757181a', TaskId: '01a2084a-a2cc-7aba-b88e-6384e6032aa4', InvocationId: '01a2084a-a2cc-7aba-b88e-6384e6032aa5',
    }, REGION.invocations),
  };
}

export async function runApiThroughput(ctx: RunContext, operations: readonly Operation[] = OPERATIONS): Promise<ApiResults> {
  const options: LoadOptions = ctx.quick
    ? { connections: 32, seconds: 1, warmupSeconds: 0.5 }
    : { connections: 32, seconds: 10, warmupSeconds: 3 };
  const taskInvocations = ctx.quick ? TASK_INVOCATIONS.quick : TASK_INVOCATIONS.full;
  const results: ApiResults = {
    connections: options.connections,
    seconds: options.seconds,
    warmupSeconds: options.warmupSeconds,
    taskInvocations,
    cases: [],
    moto: { version: ctx.motoVersion },
    ratios: [],
    serviceFailed: false,
  };
  const dir = mkdtempSync(join(ctx.tmp, 'api-'));
  const readsHistory = operations.some((op) => op.endsWith('TaskInvocations') || op.endsWith('TaskInvocation'));
  let history: { dataDir: string; loaded: LoadedHistory } | undefined;
  if (readsHistory) {
    ctx.log(`API throughput: loading a task execution of ${taskInvocations.toLocaleString('en-US')} invocations`);
    history = await historyFor(ctx, dir, taskInvocations);
  }

  // ---- each operation side by side: this service (a fresh process, seeded with what the operation
  // reads), then the bare server answering the very bytes our answer had (that operation's ceiling).
  for (const operation of operations) {
    ctx.log(`API throughput: mw-local (SQLite, child process): ${operation}`);
    const onHistory = operation.includes('TaskInvocation');
    const service = await startService({
      dataDir: onHistory ? history!.dataDir : mkdtempSync(join(dir, 'data-')),
      args: ['--clock', 'manual', '--clock-start', CLOCK_START, '--max-windows', '10000000'],
      cpuProfileDir: ctx.profileDir(`api-${operation}`),
    });
    const ours = new AwsClient(service.endpoint);
    let body = '';
    try {
      const call = await seedOurs(ours, operation, history?.loaded);
      const measured = await measureCase(service, ours, operation, call, options, 'mw-local');
      measured.result.peakMemoryBytes = service.peakMemoryBytes();
      if (measured.result.flagged) results.serviceFailed = true;
      if (onHistory) measured.result.note = `a task execution of ${taskInvocations.toLocaleString('en-US')} invocations`;
      results.cases.push(measured.result);
      body = measured.body;
    } finally {
      ours.close();
      await service.stop();
    }
    if (!body) continue;

    ctx.log(`API throughput: bare node:http answering the same ${Buffer.byteLength(body)} bytes`);
    const file = join(dir, `${operation}.json`);
    writeFileSync(file, body);
    const bare = await startBareServer({ file });
    const bareClient = new AwsClient(bare.endpoint);
    try {
      const call = awsCall(bare.endpoint, operation, { WindowId: 'mw-0123456789abcdef0' });
      const measured = await measureCase(bare, bareClient, operation, call, options, 'bare node:http');
      results.cases.push({ ...measured.result, peakMemoryBytes: bare.peakMemoryBytes(), note: 'the ceiling: a fixed body, the bytes of our answer above' });
    } finally {
      bareClient.close();
      await bare.stop();
    }
  }

  // ---- moto
  if (!ctx.motoVersion) {
    results.moto.skipped = 'moto_server not found on this machine (pip install "moto[server]"), or --no-moto';
    ctx.log(`API throughput: moto SKIPPED: ${results.moto.skipped}`);
  } else {
    ctx.log(`API throughput: moto ${ctx.motoVersion}`);
    let moto: ServerProcess | undefined;
    let motoClient: AwsClient | undefined;
    try {
      moto = await startMoto();
      motoClient = new AwsClient(moto.endpoint);
      const calls = await seedMoto(motoClient);
      for (const operation of operations) {
        ctx.log(`  ${operation}`);
        const { result } = await measureCase(moto, motoClient, operation, calls[operation], options, 'moto');
        if (result.flagged && operation.includes('TaskInvocation')) {
          result.flagged = `not served by moto (${/answers \d+/.exec(result.flagged)?.[0] ?? result.flagged})`;
        }
        result.peakMemoryBytes = moto.peakMemoryBytes();
        if (operation === 'DescribeMaintenanceWindows') {
          result.note = [`returns all ${DESCRIBE_WINDOWS} windows (ignores MaxResults)`, result.note].filter(Boolean).join('; ');
        }
        results.cases.push(result);
      }
    } catch (error) {
      // moto's trouble is reported, never fatal: only our own service fails the run.
      results.moto.skipped = `moto failed: ${String((error as Error)?.message ?? error).slice(0, 300)}`;
      ctx.log(`API throughput: moto FAILED: ${results.moto.skipped}`);
    } finally {
      motoClient?.close();
      await moto?.stop();
    }
  }

  const rps = (server: ApiCase['server'], operation: Operation) =>
    results.cases.find((c) => c.server === server && c.operation === operation && !c.flagged)?.requestsPerSecond;
  for (const operation of operations) {
    const mine = rps('mw-local', operation);
    const ceiling = rps('bare node:http', operation);
    const theirs = rps('moto', operation);
    results.ratios.push({
      operation,
      oursOverCeiling: mine !== undefined && ceiling ? mine / ceiling : undefined,
      oursOverMoto: mine !== undefined && theirs ? mine / theirs : undefined,
    });
  }
  return results;
}
