// Section 2: the history at scale. Two stores (a small baseline and a large one) are filled by the bulk
// loader; the service is started on each (manual clock: nothing fires) and the history calls are timed
// one request at a time. Each call's latency on the large store is reported as a ratio to the baseline.

import { mkdtempSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { awsCall, type AwsCall, AwsClient } from './aws-requests.ts';
import { CLOCK_START } from './fleet.ts';
import { historyShape, type LoadedHistory } from './history-loader.ts';
import { buildHistoryStore, loadedRows } from './history-store.ts';
import { type LatencyResult, sequential } from './measure.ts';
import type { RunContext } from './run-context.ts';
import { startService } from './servers.ts';

export const HISTORY_CALLS = [
  'DescribeMaintenanceWindowExecutionTaskInvocations (first page)',
  'DescribeMaintenanceWindowExecutionTaskInvocations (deep page)',
  'GetMaintenanceWindowExecutionTaskInvocation',
  'DescribeMaintenanceWindowExecutions',
] as const;
export type HistoryCall = (typeof HISTORY_CALLS)[number];

const PAGE = 50;

export interface StoreFigures {
  invocations: number;
  windowExecutions: number;
  largeTaskInvocations: number;
  loadSeconds: number;
  loadRowsPerSecond: number;
  /** Bytes of mw.sqlite and mw.sqlite-wal, after the measurements. */
  databaseBytes: number;
  walBytes: number;
  startToReadyMs: number;
  peakMemoryBytes?: number;
  /** The page of the large task execution the deep-page figures are taken at (1-based). */
  deepPageNumber: number;
  /** Mean milliseconds per page while walking there with NextToken. */
  walkMeanMs: number;
  calls: Record<HistoryCall, LatencyResult>;
}

export interface HistoryResults {
  samples: number;
  baseline: StoreFigures;
  large: StoreFigures;
  ratios: { call: HistoryCall; p50: number; p99: number }[];
  serviceFailed: boolean;
}

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

async function measureStore(ctx: RunContext, invocations: number, label: string): Promise<StoreFigures> {
  const samples = ctx.quick ? 30 : 200;
  const warmup = ctx.quick ? 5 : 20;
  const dir = mkdtempSync(join(ctx.tmp, `history-${label}-`));
  const dataDir = join(dir, 'data');
  const args = ['--clock', 'manual', '--clock-start', CLOCK_START];

  // 1. The window through the API, then its history through SqliteStore.
  const shape = historyShape(invocations);
  const loaded: LoadedHistory = await buildHistoryStore(ctx, { dataDir, args, windowName: `bench-history-${label}`, shape });

  // 2. The service on that store.
  const service = await startService({ dataDir, args, cpuProfileDir: ctx.profileDir(`history-${label}`) });
  const client = new AwsClient(service.endpoint);
  try {
    const { large } = loaded;
    const invocationsOf = (nextToken?: string): AwsCall => awsCall(service.endpoint, 'DescribeMaintenanceWindowExecutionTaskInvocations', {
      WindowExecutionId: large.windowExecutionId, TaskId: large.taskExecutionId, MaxResults: PAGE, NextToken: nextToken,
    });

    // Walk with NextToken to a page deep inside the large task execution.
    const pages = Math.ceil(shape.largeTaskInvocations / PAGE);
    const deepPageNumber = Math.max(2, Math.min(1000, Math.floor(pages / 2)));
    ctx.log(`  walking to page ${deepPageNumber} of ${pages}`);
    let token: string | undefined;
    let walkMs = 0;
    for (let page = 1; page < deepPageNumber; page++) {
      const answer = await client.send(invocationsOf(token));
      if (answer.status !== 200) throw new Error(`page ${page} answered ${answer.status}: ${answer.body.slice(0, 300)}`);
      walkMs += answer.ms;
      token = (JSON.parse(answer.body) as { NextToken?: string }).NextToken;
      if (!token) throw new Error(`the listing ended at page ${page}, before page ${deepPageNumber}`);
    }

    const calls: Record<HistoryCall, AwsCall> = {
      'DescribeMaintenanceWindowExecutionTaskInvocations (first page)': invocationsOf(),
      'DescribeMaintenanceWindowExecutionTaskInvocations (deep page)': invocationsOf(token),
      GetMaintenanceWindowExecutionTaskInvocation: awsCall(service.endpoint, 'GetMaintenanceWindowExecutionTaskInvocation', {
        WindowExecutionId: large.windowExecutionId, TaskId: large.taskExecutionId, InvocationId: large.middleInvocationId,
      }),
      DescribeMaintenanceWindowExecutions: awsCall(service.endpoint, 'DescribeMaintenanceWindowExecutions', {
        WindowId: loaded.windowId, MaxResults: PAGE,
      }),
    };
    const results = {} as Record<HistoryCall, LatencyResult>;
    for (const name of HISTORY_CALLS) {
      ctx.log(`  ${name}`);
      results[name] = await sequential(client, calls[name], samples, warmup);
      if (results[name].failures > 0) throw new Error(`${name} failed: ${results[name].firstFailure}`);
    }
    const dbPath = join(dataDir, 'mw.sqlite');
    return {
      invocations: loaded.rows.invocations,
      windowExecutions: loaded.rows.windowExecutions,
      largeTaskInvocations: shape.largeTaskInvocations,
      loadSeconds: loaded.seconds,
      loadRowsPerSecond: loadedRows(loaded) / loaded.seconds,
      databaseBytes: fileSize(dbPath),
      walBytes: fileSize(`${dbPath}-wal`),
      startToReadyMs: service.readyMs,
      peakMemoryBytes: service.peakMemoryBytes(),
      deepPageNumber,
      walkMeanMs: deepPageNumber > 1 ? walkMs / (deepPageNumber - 1) : 0,
      calls: results,
    };
  } finally {
    client.close();
    await service.stop();
  }
}

export async function runHistoryScale(ctx: RunContext): Promise<HistoryResults> {
  const largeSize = ctx.quick ? 10_000 : 1_000_000;
  ctx.log('History at scale: baseline store of 1,000 invocations');
  const baseline = await measureStore(ctx, 1_000, 'baseline');
  ctx.log(`History at scale: store of ${largeSize.toLocaleString('en-US')} invocations`);
  const large = await measureStore(ctx, largeSize, 'large');
  return {
    samples: baseline.calls[HISTORY_CALLS[0]].samples,
    baseline,
    large,
    ratios: HISTORY_CALLS.map((call) => ({
      call,
      p50: large.calls[call].p50 / baseline.calls[call].p50,
      p99: large.calls[call].p99 / baseline.calls[call].p99,
    })),
    serviceFailed: false,
  };
}
