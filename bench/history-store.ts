// A data directory holding a bulk-loaded history: the fleet window, its target and its task created
// through the API (so their rows are the service's own), then the history written through SqliteStore.
// Shared by the history-scale and console-pages sections.

import { AwsClient } from './aws-requests.ts';
import { CLOCK_START, createFleetWindow } from './fleet.ts';
import { type HistoryShape, type LoadedHistory, loadHistory } from './history-loader.ts';
import type { RunContext } from './run-context.ts';
import { startService } from './servers.ts';

export const HISTORY_SCOPE = { account: '000000000000', region: 'us-east-1' };
const BATCH_ROWS = 5_000;

/** All rows the load wrote, of the three kinds. */
export function loadedRows(loaded: LoadedHistory): number {
  return loaded.rows.invocations + loaded.rows.taskExecutions + loaded.rows.windowExecutions;
}

export async function buildHistoryStore(ctx: RunContext, options: { dataDir: string; args: string[]; windowName: string; shape: HistoryShape }): Promise<LoadedHistory> {
  const { dataDir, args, shape } = options;
  const setup = await startService({ dataDir, args });
  let fleet;
  const setupClient = new AwsClient(setup.endpoint);
  try {
    fleet = await createFleetWindow(setupClient, options.windowName);
  } finally {
    setupClient.close();
    await setup.stop();
  }

  ctx.log(`  loading ${shape.invocations.toLocaleString('en-US')} invocations (${(shape.regularExecutions + 1).toLocaleString('en-US')} window executions, one of ${shape.largeTaskInvocations.toLocaleString('en-US')} invocations)`);
  let lastReport = performance.now();
  const loaded = await loadHistory({
    dataDir,
    scope: HISTORY_SCOPE,
    windowId: fleet.windowId,
    windowTaskId: fleet.windowTaskId,
    windowTargetId: fleet.windowTargetId,
    shape,
    batchRows: BATCH_ROWS,
    endsBefore: Date.parse(CLOCK_START),
    progress: (rows) => {
      if (performance.now() - lastReport > 10_000) {
        lastReport = performance.now();
        ctx.log(`    ${rows.toLocaleString('en-US')} rows`);
      }
    },
  });
  ctx.log(`  loaded in ${loaded.seconds.toFixed(1)} s (${Math.round(loadedRows(loaded) / loaded.seconds).toLocaleString('en-US')} rows/s)`);
  return loaded;
}
