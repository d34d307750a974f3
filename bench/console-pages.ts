// Section 5: the web console on a large history. The issue asks for a console that is "fast on 10,000
// executions and 100,000 invocations (server-side paging, nothing loads a whole history)": the bulk loader
// fills a store of that shape, the service is started on it (manual clock: nothing fires) and each page of
// the drill-down is fetched one request at a time, checked (status and what it must show) and timed.

import { mkdtempSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { type Answer, AwsClient } from './aws-requests.ts';
import { CLOCK_START } from './fleet.ts';
import { historyShape, type LoadedHistory } from './history-loader.ts';
import { buildHistoryStore, loadedRows } from './history-store.ts';
import { type AnswerCheck, type LatencyResult, timedInTurn } from './measure.ts';
import type { RunContext } from './run-context.ts';
import { startService } from './servers.ts';

export const CONSOLE_PAGES = [
  'windows list',
  'window history tab',
  'large execution (timeline)',
  'large task execution, first page',
  'regular task execution, first page',
  'large task execution, status=SUCCESS',
  'invocation (middle of the large task)',
] as const;
export type ConsolePage = (typeof CONSOLE_PAGES)[number];

/** Nodes per regular night: 90 spreads 900,000 invocations over 10,000 window executions. */
const NODES_PER_EXECUTION = 90;
/** What the console's pages show per page and per task on the timeline (src/console/pages/). */
const HISTORY_PAGE = 25;
const INVOCATION_PAGE = 50;
const DRAWN_PER_TASK = 500;

export interface ConsolePageFigures extends LatencyResult {
  page: ConsolePage;
  /** The path with its ids named, e.g. /console/windows/{window}?tab=history. */
  route: string;
  path: string;
  /** The answer's size in bytes (the largest seen; every answer of a page is the same page). */
  answerBytes: number;
}

export interface ConsoleResults {
  samples: number;
  warmup: number;
  rows: LoadedHistory['rows'];
  largeTaskInvocations: number;
  loadSeconds: number;
  loadRowsPerSecond: number;
  /** Bytes of mw.sqlite and mw.sqlite-wal, after the measurements. */
  databaseBytes: number;
  walBytes: number;
  startToReadyMs: number;
  peakMemoryBytes?: number;
  pages: ConsolePageFigures[];
  serviceFailed: boolean;
}

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

const rowsOf = (body: string) => body.split('<tr data-status=').length - 1;

/** A check that every marker is in the page and `more` finds nothing else wrong. */
function pageCheck(markers: string[], more?: (body: string) => string | undefined): AnswerCheck {
  return (answer: Answer) => {
    if (answer.status !== 200) return `${answer.status} ${answer.body.slice(0, 300)}`;
    const missing = markers.find((m) => !answer.body.includes(m));
    if (missing !== undefined) return `the page lacks ${JSON.stringify(missing)}`;
    return more?.(answer.body);
  };
}

function rowCount(expected: number): (body: string) => string | undefined {
  return (body) => {
    const rows = rowsOf(body);
    return rows === expected ? undefined : `${rows} rows <tr data-status=...>, not ${expected}`;
  };
}

/** Each page's path, with the ids it takes named in braces (src/console/console-handler.ts). */
const ROUTES: Record<ConsolePage, string> = {
  'windows list': '/console/',
  'window history tab': '/console/windows/{window}?tab=history',
  'large execution (timeline)': '/console/windows/{window}/executions/{execution}',
  'large task execution, first page': '/console/windows/{window}/executions/{execution}/tasks/{task}',
  'regular task execution, first page': '/console/windows/{window}/executions/{smallExecution}/tasks/{smallTask}',
  'large task execution, status=SUCCESS': '/console/windows/{window}/executions/{execution}/tasks/{task}?status=SUCCESS',
  'invocation (middle of the large task)': '/console/windows/{window}/executions/{execution}/tasks/{task}/invocations/{invocation}',
};

/** What each page must show for the loaded history. */
function checksOf(loaded: LoadedHistory): Record<ConsolePage, AnswerCheck> {
  const { large } = loaded;
  const big = loaded.shape.largeTaskInvocations;
  const drawn = Math.min(big, DRAWN_PER_TASK);
  return {
    'windows list': pageCheck(['id="windows"', `data-window-id="${loaded.windowId}"`]),
    'window history tab': pageCheck(['id="executions"', 'rel="next"'], rowCount(HISTORY_PAGE)),
    'large execution (timeline)': pageCheck(['<figure class="timeline">', 'id="task-executions"', `${big - drawn} more not drawn`], (body) => {
      const bars = body.split('<rect class="bar ').length - 1;
      return bars === drawn ? rowCount(1)(body) : `${bars} bars on the timeline, not ${drawn}`;
    }),
    // Both with their counts by status (kept with the task execution): the large task's page should cost
    // what a regular night's does.
    'large task execution, first page': pageCheck(['id="invocations"', 'rel="next"', `SUCCESS</span> ${big}</li>`], rowCount(INVOCATION_PAGE)),
    'regular task execution, first page': pageCheck(['id="invocations"', `SUCCESS</span> ${loaded.small.invocations}</li>`],
      rowCount(Math.min(INVOCATION_PAGE, loaded.small.invocations))),
    'large task execution, status=SUCCESS': pageCheck(['id="invocations"', 'aria-current="true">SUCCESS', 'rel="next"'], (body) => {
      const success = body.split('<tr data-status="SUCCESS"').length - 1;
      return success === INVOCATION_PAGE ? rowCount(INVOCATION_PAGE)(body) : `${success} SUCCESS rows, not ${INVOCATION_PAGE}`;
    }),
    'invocation (middle of the large task)': pageCheck([`<code>${large.middleInvocationId}</code>`, '<pre class="parameters"']),
  };
}

function pathOf(route: string, loaded: LoadedHistory): string {
  const ids: Record<string, string> = {
    window: loaded.windowId,
    execution: loaded.large.windowExecutionId,
    task: loaded.large.taskExecutionId,
    invocation: loaded.large.middleInvocationId,
    smallExecution: loaded.small.windowExecutionId,
    smallTask: loaded.small.taskExecutionId,
  };
  return route.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(ids[name]));
}

export async function runConsolePages(ctx: RunContext): Promise<ConsoleResults> {
  const samples = ctx.quick ? 30 : 200;
  const warmup = ctx.quick ? 5 : 20;
  const invocations = ctx.quick ? 20_000 : 1_000_000;
  const dir = mkdtempSync(join(ctx.tmp, 'console-'));
  const dataDir = join(dir, 'data');
  const args = ['--clock', 'manual', '--clock-start', CLOCK_START];

  // 1. The window through the API, then its history through SqliteStore.
  const shape = historyShape(invocations, NODES_PER_EXECUTION);
  const loaded: LoadedHistory = await buildHistoryStore(ctx, { dataDir, args, windowName: 'bench-console', shape });

  // 2. The service on that store, and each page in turn over one keep-alive connection.
  const service = await startService({ dataDir, args, cpuProfileDir: ctx.profileDir('console') });
  const client = new AwsClient(service.endpoint);
  try {
    const checks = checksOf(loaded);
    const figures: ConsolePageFigures[] = [];
    for (const page of CONSOLE_PAGES) {
      const route = ROUTES[page];
      const path = pathOf(route, loaded);
      ctx.log(`  GET ${route}`);
      const result = await timedInTurn(() => client.raw('GET', path, { accept: 'text/html' }, ''), samples, warmup, checks[page]);
      if (result.failures > 0) throw new Error(`console page '${page}' (GET ${path}) failed ${result.failures} time(s): ${result.firstFailure}`);
      figures.push({ page, route, path, ...result });
    }
    const dbPath = join(dataDir, 'mw.sqlite');
    return {
      samples,
      warmup,
      rows: loaded.rows,
      largeTaskInvocations: shape.largeTaskInvocations,
      loadSeconds: loaded.seconds,
      loadRowsPerSecond: loadedRows(loaded) / loaded.seconds,
      databaseBytes: fileSize(dbPath),
      walBytes: fileSize(`${dbPath}-wal`),
      startToReadyMs: service.readyMs,
      peakMemoryBytes: service.peakMemoryBytes(),
      pages: figures,
      serviceFailed: false,
    };
  } finally {
    client.close();
    await service.stop();
  }
}
