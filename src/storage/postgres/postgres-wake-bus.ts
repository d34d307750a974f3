// Wake-ups across replicas on PostgreSQL: LISTEN/NOTIFY on a channel of the schema's own (notifications are
// database-wide; several deployments or test schemas may share a database). A replica that queued a message
// for a node publishes the node's key after its commit; every replica listening wakes its own polls and
// channels of that node at once, instead of finding the message on a per-second recheck.

import type pg from 'pg';
import type { WakeBus } from '../../service/poll-waiters.ts';

/** NOTIFY's payload must stay under 8,000 bytes: keys are sent in lines, several notifications when many. */
const PAYLOAD_LIMIT = 7_900;
/** A listening connection that broke is opened again after this long. */
const RECONNECT_MS = 1_000;

export function postgresWakeBus(pool: pg.Pool, schema: string | undefined, log: (message: string, fields?: Record<string, unknown>) => void = () => undefined): WakeBus {
  // An identifier of its own per schema: quoted, so any schema name the store accepts is a valid channel.
  const channel = `mw_wake_${schema ?? 'public'}`.slice(0, 63);
  const quoted = `"${channel.replace(/"/g, '""')}"`;
  return {
    publish(keys: string[]): void {
      const payloads: string[] = [];
      let current = '';
      for (const key of keys) {
        if (current.length + key.length + 1 > PAYLOAD_LIMIT && current !== '') {
          payloads.push(current);
          current = '';
        }
        current = current === '' ? key : `${current}\n${key}`;
      }
      if (current !== '') payloads.push(current);
      for (const payload of payloads) {
        pool.query('SELECT pg_notify($1, $2)', [channel, payload]).catch((error: Error) => log('wake-up not published', { error: error.message }));
      }
    },

    async subscribe(onKeys: (keys: string[]) => void, onResumed?: () => void): Promise<() => Promise<void>> {
      let client: pg.PoolClient | undefined;
      let stopped = false;
      let timer: NodeJS.Timeout | undefined;
      let broken = false;
      const listen = async (): Promise<void> => {
        try {
          const c = await pool.connect();
          if (stopped) {
            c.release();
            return;
          }
          client = c;
          c.on('notification', (n) => {
            if (n.channel === channel && n.payload) onKeys(n.payload.split('\n'));
          });
          c.on('error', (error) => {
            log('wake-up listener lost; listening again', { error: error.message });
            broken = true;
            if (client === c) client = undefined;
            c.release(error);
            if (!stopped) timer = setTimeout(() => void listen(), RECONNECT_MS);
          });
          await c.query(`LISTEN ${quoted}`);
          // Listening again after a break: whatever was published meanwhile is not known, so everyone looks.
          if (broken) onResumed?.();
          broken = false;
        } catch (error) {
          log('wake-up listener failed; trying again', { error: (error as Error).message });
          broken = true;
          if (!stopped) timer = setTimeout(() => void listen(), RECONNECT_MS);
        }
      };
      await listen();
      return async () => {
        stopped = true;
        if (timer) clearTimeout(timer);
        const c = client;
        client = undefined;
        if (c) {
          await c.query(`UNLISTEN ${quoted}`).catch(() => undefined);
          c.release();
        }
      };
    },
  };
}
