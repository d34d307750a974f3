// Section 3: the engine on the manual clock. N windows on the same cron, each with an AUTOMATION task
// over a tag target matching M nodes, fire together; one POST /_mw/clock moves time past the fire time
// and the invocations' run time. That call is timed; the invocations are then counted through the API.

import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { AwsClient, inParallel } from './aws-requests.ts';
import { CLOCK_START, countInvocations, createFleetWindow, type FleetWindow, writeNodesFile } from './fleet.ts';
import type { RunContext } from './run-context.ts';
import { startService } from './servers.ts';

const REGION = 'us-east-1';

export interface EngineResults {
  windows: number;
  resourcesPerWindow: number;
  expectedInvocations: number;
  /** Invocations the API lists, summed over every window's execution. */
  countedInvocations: number;
  /** The same count straight from the database file (a cross-check). */
  databaseInvocations: number;
  statuses: Record<string, number>;
  /** Seconds the one POST /_mw/clock took. */
  advanceSeconds: number;
  invocationsPerSecond: number;
  /** The service's CPU time (user + system) during the clock call: steadier than wall time on a busy machine. */
  serviceCpuSeconds?: number;
  setupSeconds: number;
  peakMemoryBytes?: number;
  /** Peak memory before the clock moved (after setup). */
  peakMemoryBeforeBytes?: number;
  problems: string[];
  serviceFailed: boolean;
}

/** Where the service keeps its state for the run: SQLite in its data folder (default), or another store. */
export interface EngineStore {
  label: string;
  /** Extra `serve` flags, e.g. --store postgres://... */
  args: string[];
  countInvocations(): Promise<number>;
}

export async function runEngineThroughput(ctx: RunContext, store?: EngineStore): Promise<EngineResults> {
  const windows = ctx.quick ? 20 : 1_000;
  const resources = ctx.quick ? 10 : 100;
  const dir = mkdtempSync(join(ctx.tmp, 'engine-'));
  const dataDir = join(dir, 'data');
  const nodes = writeNodesFile(dir, resources, REGION);
  ctx.log(`Engine${store ? ` (${store.label})` : ''}: ${windows} windows x ${resources} resources`);
  const service = await startService({
    dataDir,
    // The engine's own work is measured: AUTOMATION invocations are simulated (--simulate), not runbooks.
    args: ['--clock', 'manual', '--clock-start', CLOCK_START, '--invocation-seconds', '1', '--simulate', 'AUTOMATION', '--nodes', nodes, '--max-windows', '10000000', ...(store?.args ?? [])],
    cpuProfileDir: ctx.profileDir(store ? `engine-${store.label}` : 'engine'),
  });
  const client = new AwsClient(service.endpoint);
  const problems: string[] = [];
  try {
    const setupStarted = performance.now();
    const fleet: FleetWindow[] = await inParallel(Array.from({ length: windows }, (_, i) => i), 16, (i) =>
      createFleetWindow(client, `bench-engine-${String(i).padStart(4, '0')}`, REGION));
    const setupSeconds = (performance.now() - setupStarted) / 1000;
    const peakMemoryBeforeBytes = service.peakMemoryBytes();

    // 00:00 -> 03:00 fire -> 03:00:01 every invocation ends; a minute more for good measure.
    const advance = 3 * 3600 + 60;
    ctx.log(`  POST /_mw/clock {"advanceSeconds": ${advance}}`);
    const cpuBefore = service.cpuSeconds();
    const started = performance.now();
    await client.control('POST', '/_mw/clock', { advanceSeconds: advance });
    const advanceSeconds = (performance.now() - started) / 1000;
    const cpuAfter = service.cpuSeconds();
    const serviceCpuSeconds = cpuBefore === undefined || cpuAfter === undefined ? undefined : cpuAfter - cpuBefore;
    const peakMemoryBytes = service.peakMemoryBytes();

    ctx.log('  counting invocations through the API');
    const statuses: Record<string, number> = {};
    let countedInvocations = 0;
    await inParallel(fleet, 8, async (w) => {
      const executions = await client.call<{ WindowExecutions: { WindowExecutionId: string; Status: string }[] }>(
        'DescribeMaintenanceWindowExecutions', { WindowId: w.windowId }, REGION);
      if (executions.WindowExecutions.length !== 1 || executions.WindowExecutions[0].Status !== 'SUCCESS') {
        problems.push(`${w.windowId}: executions ${JSON.stringify(executions.WindowExecutions)}`);
        return;
      }
      const executionId = executions.WindowExecutions[0].WindowExecutionId;
      const tasks = await client.call<{ WindowExecutionTaskIdentities: { TaskExecutionId: string; Status: string }[] }>(
        'DescribeMaintenanceWindowExecutionTasks', { WindowExecutionId: executionId }, REGION);
      for (const task of tasks.WindowExecutionTaskIdentities) {
        const counts = await countInvocations(client, executionId, task.TaskExecutionId, REGION);
        for (const [status, n] of Object.entries(counts)) {
          statuses[status] = (statuses[status] ?? 0) + n;
          countedInvocations += n;
        }
      }
    });
    let databaseInvocations: number;
    if (store) databaseInvocations = await store.countInvocations();
    else {
      const db = new DatabaseSync(join(dataDir, 'mw.sqlite'), { readOnly: true });
      databaseInvocations = Number((db.prepare('SELECT count(*) AS n FROM invocations').get() as { n: number }).n);
      db.close();
    }

    const expectedInvocations = windows * resources;
    if (countedInvocations !== expectedInvocations) problems.push(`counted ${countedInvocations} invocations, expected ${expectedInvocations}`);
    if (databaseInvocations !== expectedInvocations) problems.push(`the database holds ${databaseInvocations} invocations, expected ${expectedInvocations}`);
    if ((statuses.SUCCESS ?? 0) !== expectedInvocations) problems.push(`statuses ${JSON.stringify(statuses)}`);
    if (service.crashed()) problems.push(`the service crashed:\n${service.output()}`);
    return {
      windows,
      resourcesPerWindow: resources,
      expectedInvocations,
      countedInvocations,
      databaseInvocations,
      statuses,
      advanceSeconds,
      invocationsPerSecond: countedInvocations / advanceSeconds,
      serviceCpuSeconds,
      setupSeconds,
      peakMemoryBytes,
      peakMemoryBeforeBytes,
      problems: problems.slice(0, 20),
      serviceFailed: problems.length > 0,
    };
  } finally {
    client.close();
    await service.stop();
  }
}
