// Section 4: the engine benchmark again with the service's state in PostgreSQL (a throwaway server from
// scripts/postgres.ts, as npm test uses), so the two stores can be compared on the same machine.

import pg from 'pg';
import { startPostgres } from '../scripts/postgres.ts';
import { type EngineResults, runEngineThroughput } from './engine-throughput.ts';
import type { RunContext } from './run-context.ts';

const SCHEMA = 'mw_bench';

export async function runPostgresEngine(ctx: RunContext): Promise<EngineResults & { version: string }> {
  const server = await startPostgres({ log: (line) => ctx.log(`  postgres: ${line}`) });
  const client = new pg.Client({ connectionString: server.url });
  try {
    await client.connect();
    const results = await runEngineThroughput(ctx, {
      label: 'postgres',
      args: ['--store', server.url, '--postgres-schema', SCHEMA],
      countInvocations: async () => Number((await client.query(`SELECT count(*)::bigint AS n FROM ${SCHEMA}.invocations`)).rows[0].n),
    });
    return { ...results, version: server.version };
  } finally {
    await client.end().catch(() => undefined);
    server.stop();
  }
}
