// Section 1: API throughput and latency under load (32 connections), for four operations, against this
// service, a bare node:http server (the runtime's ceiling) and moto's server.

import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { awsCall, type AwsCall, AwsClient, inParallel } from './aws-requests.ts';
import { CLOCK_START, createFleetWindow, windowInput, writeNodesFile } from './fleet.ts';
import { load, loadClosing, type LoadOptions, type LoadResult } from './measure.ts';
import type { RunContext } from './run-context.ts';
import { type ServerProcess, startBareServer, startMoto, startService } from './servers.ts';

export const OPERATIONS = [
  'GetMaintenanceWindow',
  'CreateMaintenanceWindow',
  'DescribeMaintenanceWindows',
  'DescribeMaintenanceWindowExecutionTaskInvocations',
] as const;
export type Operation = (typeof OPERATIONS)[number];

// One moto process serves every moto case: each case lives in its own Region there, so the windows
// CreateMaintenanceWindow adds never reach the others' listings.
const REGION = { get: 'us-east-1', create: 'us-west-2', invocations: 'eu-west-1' } as const;
const DESCRIBE_WINDOWS = 200;
const SEEDED_INVOCATIONS = 100;

export interface ApiCase extends Partial<LoadResult> {
  operation: Operation | 'bare ceiling';
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
  cases: ApiCase[];
  moto: { version?: string; skipped?: string };
  /** Requests/s ratios per operation. */
  ratios: { operation: Operation; oursOverCeiling?: number; oursOverMoto?: number }[];
  /** True when a case against this service failed. */
  serviceFailed: boolean;
}

function flag(result: LoadResult): string | undefined {
  if (result.non2xx === 0 && result.errors === 0 && result.timeouts === 0) return undefined;
  return `${result.non2xx} non-2xx ${JSON.stringify(result.statusCodes)}, ${result.errors} errors, ${result.timeouts} timeouts`;
}

async function measureCase(server: ServerProcess, client: AwsClient, operation: Operation | 'bare ceiling', call: AwsCall, options: LoadOptions, name: ApiCase['server']): Promise<ApiCase> {
  // One request first: the case must answer 200 before it is worth loading.
  const probe = await client.send(call);
  if (probe.status !== 200) {
    return { operation, server: name, flagged: `answers ${probe.status}: ${probe.body.slice(0, 200)}` };
  }
  const closes = String(probe.headers.connection ?? '').toLowerCase() === 'close';
  const result = await (closes ? loadClosing : load)(server.endpoint, call, { ...options, serverCpu: () => server.cpuSeconds() });
  if (server.crashed()) throw new Error(`${server.name} crashed during ${operation}:\n${server.output()}`);
  return {
    operation, server: name, responseBytes: Buffer.byteLength(probe.body), ...result, flagged: flag(result),
    note: closes ? 'closes every connection: loaded by a node:http loop' : undefined,
  };
}

/** The request of `operation` against this service, after seeding what it reads. */
async function seedOurs(client: AwsClient, operation: Operation): Promise<AwsCall> {
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
    case 'DescribeMaintenanceWindowExecutionTaskInvocations': {
      const fleet = await createFleetWindow(client, 'bench-invocations', REGION.invocations);
      const { WindowExecutionId } = await client.control<{ WindowExecutionId: string }>('POST', `/_mw/windows/${fleet.windowId}/executions?region=${REGION.invocations}`);
      await client.control('POST', '/_mw/clock', { advanceSeconds: 60 });
      const tasks = await client.call<{ WindowExecutionTaskIdentities: { TaskExecutionId: string; Status: string }[] }>(
        'DescribeMaintenanceWindowExecutionTasks', { WindowExecutionId }, REGION.invocations);
      const task = tasks.WindowExecutionTaskIdentities[0];
      if (!task || task.Status !== 'SUCCESS') throw new Error(`the seeded execution did not run: ${JSON.stringify(tasks)}`);
      return awsCall(endpoint, 'DescribeMaintenanceWindowExecutionTaskInvocations', {
        WindowExecutionId, TaskId: task.TaskExecutionId, MaxResults: 50,
      }, REGION.invocations);
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
  };
}

export async function runApiThroughput(ctx: RunContext): Promise<ApiResults> {
  const options: LoadOptions = ctx.quick
    ? { connections: 32, seconds: 1, warmupSeconds: 0.5 }
    : { connections: 32, seconds: 10, warmupSeconds: 3 };
  const results: ApiResults = {
    connections: options.connections,
    seconds: options.seconds,
    warmupSeconds: options.warmupSeconds,
    cases: [],
    moto: { version: ctx.motoVersion },
    ratios: [],
    serviceFailed: false,
  };
  const dir = mkdtempSync(join(ctx.tmp, 'api-'));

  // ---- this service: a fresh process per operation, seeded with what that operation reads
  const nodes = writeNodesFile(dir, SEEDED_INVOCATIONS, REGION.invocations);
  let getBytes = 0;
  for (const operation of OPERATIONS) {
    ctx.log(`API throughput: mw-local (SQLite, child process): ${operation}`);
    const service = await startService({
      dataDir: mkdtempSync(join(dir, 'data-')),
      args: ['--clock', 'manual', '--clock-start', CLOCK_START, '--nodes', nodes, '--max-windows', '10000000'],
      cpuProfileDir: ctx.profileDir(`api-${operation}`),
    });
    const ours = new AwsClient(service.endpoint);
    try {
      const call = await seedOurs(ours, operation);
      const result = await measureCase(service, ours, operation, call, options, 'mw-local');
      result.peakMemoryBytes = service.peakMemoryBytes();
      if (result.flagged) results.serviceFailed = true;
      if (operation === 'GetMaintenanceWindow') getBytes = result.responseBytes ?? 0;
      results.cases.push(result);
    } finally {
      ours.close();
      await service.stop();
    }
  }

  // ---- the ceiling: same request, a fixed answer of the size of our GetMaintenanceWindow answer
  ctx.log(`API throughput: bare node:http server (${getBytes}-byte answer)`);
  const bare = await startBareServer(getBytes || 400);
  const bareClient = new AwsClient(bare.endpoint);
  try {
    const call = awsCall(bare.endpoint, 'GetMaintenanceWindow', { WindowId: 'mw-0123456789abcdef0' });
    const result = await measureCase(bare, bareClient, 'bare ceiling', call, options, 'bare node:http');
    results.cases.push({ ...result, peakMemoryBytes: bare.peakMemoryBytes(), note: 'fixed body, same size as our GetMaintenanceWindow answer' });
  } finally {
    bareClient.close();
    await bare.stop();
  }

  // ---- moto
  if (!ctx.motoVersion) {
    results.moto.skipped = 'moto_server not found on this machine (pip install "moto[server]")';
    ctx.log(`API throughput: moto SKIPPED: ${results.moto.skipped}`);
  } else {
    ctx.log(`API throughput: moto ${ctx.motoVersion}`);
    let moto: ServerProcess | undefined;
    let motoClient: AwsClient | undefined;
    try {
      moto = await startMoto();
      motoClient = new AwsClient(moto.endpoint);
      const calls = await seedMoto(motoClient);
      for (const operation of ['GetMaintenanceWindow', 'DescribeMaintenanceWindows', 'DescribeMaintenanceWindowExecutionTaskInvocations', 'CreateMaintenanceWindow'] as const) {
        ctx.log(`  ${operation}`);
        const result = await measureCase(moto, motoClient, operation, calls[operation], options, 'moto');
        if (result.flagged && operation === 'DescribeMaintenanceWindowExecutionTaskInvocations') {
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

  const rps = (server: ApiCase['server'], operation: ApiCase['operation']) => {
    const found = results.cases.find((c) => c.server === server && c.operation === operation && !c.flagged);
    return found?.requestsPerSecond;
  };
  const ceiling = rps('bare node:http', 'bare ceiling');
  for (const operation of OPERATIONS) {
    const mine = rps('mw-local', operation);
    const theirs = rps('moto', operation);
    results.ratios.push({
      operation,
      oursOverCeiling: mine !== undefined && ceiling ? mine / ceiling : undefined,
      oursOverMoto: mine !== undefined && theirs ? mine / theirs : undefined,
    });
  }
  return results;
}
