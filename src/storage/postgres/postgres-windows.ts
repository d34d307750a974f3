// The windows port on PostgreSQL: windows, their fire times and their tags. Every statement runs on
// `session`: the pool for the store itself, one client inside a transaction (`inTransaction`: reads that
// precede a write then lock what they read).

import type { Tag, Window } from '../../domain/model.ts';
import type { WindowsPort } from '../../service/ports.ts';
import { documentOf, dueWindow, keyedStored, parsed, storedOrNone, storedWindow } from '../row-mappers.ts';
import { type Session, statement } from './postgres-database.ts';

const insertWindow = statement('insert_window', 'INSERT INTO windows (account, region, id, doc, next_fire_at) VALUES ($1, $2, $3, $4, $5)');
const selectWindow = statement('select_window', 'SELECT doc, version FROM windows WHERE account = $1 AND region = $2 AND id = $3');
// Inside a transaction: the row stays locked until commit, so read-modify-writes of one window and of what
// hangs off it (targets, tasks, tags, quotas) take turns, as under SQLite's single writer. Under READ
// COMMITTED every later statement of the transaction then sees what the previous holder committed.
const selectWindowForUpdate = statement('select_window_for_update', 'SELECT doc, version FROM windows WHERE account = $1 AND region = $2 AND id = $3 FOR UPDATE');
const updateWindow = statement('update_window', 'UPDATE windows SET doc = $4, version = version + 1, next_fire_at = $5 WHERE account = $1 AND region = $2 AND id = $3');
// Taken first, in a statement of its own: a scheduler step that fired the window holds this lock until
// it commits, and the cascade below then starts with a snapshot that includes the execution it wrote.
export const lockWindow = statement('lock_window', 'SELECT 1 FROM windows WHERE account = $1 AND region = $2 AND id = $3 FOR UPDATE');
// One statement removes the window and everything that hangs off it. Every part sees the same snapshot,
// so the history subqueries still find their parents.
const deleteWindowCascade = statement('delete_window_cascade', `
  WITH window_runs AS (
    SELECT id FROM window_executions WHERE account = $1 AND region = $2 AND window_id = $3
  ), task_runs AS (
    SELECT id FROM task_executions WHERE account = $1 AND region = $2 AND window_execution_id IN (SELECT id FROM window_runs)
  ), gone_invocations AS (
    DELETE FROM invocations WHERE account = $1 AND region = $2 AND task_execution_id IN (SELECT id FROM task_runs)
  ), gone_task_runs AS (
    DELETE FROM task_executions WHERE account = $1 AND region = $2 AND id IN (SELECT id FROM task_runs)
  ), gone_window_runs AS (
    DELETE FROM window_executions WHERE account = $1 AND region = $2 AND window_id = $3
  ), gone_targets AS (
    DELETE FROM window_targets WHERE account = $1 AND region = $2 AND window_id = $3
  ), gone_tasks AS (
    DELETE FROM window_tasks WHERE account = $1 AND region = $2 AND window_id = $3
  ), gone_tags AS (
    DELETE FROM resource_tags WHERE account = $1 AND region = $2 AND resource_type = 'MaintenanceWindow' AND resource_id = $3
  )
  DELETE FROM windows WHERE account = $1 AND region = $2 AND id = $3`);
const ensureWindowCount = statement('ensure_window_count', 'INSERT INTO window_counts (account, region, n) VALUES ($1, $2, 0) ON CONFLICT (account, region) DO NOTHING');
const countWindows = statement('count_windows', 'SELECT n FROM window_counts WHERE account = $1 AND region = $2 FOR UPDATE');
const listWindows = statement('list_windows', 'SELECT seq, doc, version FROM windows WHERE account = $1 AND region = $2 AND seq > $3 ORDER BY seq LIMIT $4');
// The scheduler's claim: inside a transaction the due rows stay locked until it commits their new fire
// times, and a second replica skips them instead of firing the same occurrence again.
const claimDueWindows = statement('claim_due_windows', 'SELECT account, region, doc, next_fire_at FROM windows WHERE next_fire_at IS NOT NULL AND next_fire_at <= $1 ORDER BY next_fire_at, seq LIMIT $2 FOR UPDATE SKIP LOCKED');
const earliestFireTime = statement('earliest_fire_time', 'SELECT min(next_fire_at) AS t FROM windows WHERE next_fire_at IS NOT NULL');
const setNextFire = statement('set_next_fire', 'UPDATE windows SET next_fire_at = $4 WHERE account = $1 AND region = $2 AND id = $3');
const listAllWindows = statement('list_all_windows', 'SELECT account, region, doc, next_fire_at FROM windows ORDER BY seq');
const selectTags = statement('select_tags', 'SELECT doc FROM resource_tags WHERE account = $1 AND region = $2 AND resource_type = $3 AND resource_id = $4');
const deleteTags = statement('delete_tags', 'DELETE FROM resource_tags WHERE account = $1 AND region = $2 AND resource_type = $3 AND resource_id = $4');
const upsertTags = statement('upsert_tags', 'INSERT INTO resource_tags (account, region, resource_type, resource_id, doc) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (account, region, resource_type, resource_id) DO UPDATE SET doc = excluded.doc');

export function postgresWindows(session: Session, inTransaction: boolean): WindowsPort {
  return {
    async insertWindow(scope, window, nextFireAt) {
      await insertWindow(session, [scope.account, scope.region, window.id, documentOf(window), nextFireAt ?? null]);
    },

    async getWindow(scope, windowId) {
      const read = inTransaction ? selectWindowForUpdate : selectWindow;
      return storedOrNone<Window>((await read(session, [scope.account, scope.region, windowId])).rows[0]);
    },

    async updateWindow(scope, window, nextFireAt) {
      await updateWindow(session, [scope.account, scope.region, window.id, documentOf(window), nextFireAt ?? null]);
    },

    async deleteWindow(scope, windowId) {
      const key = [scope.account, scope.region, windowId];
      if ((await lockWindow(session, key)).rowCount === 0) return false;
      return ((await deleteWindowCascade(session, key)).rowCount ?? 0) > 0;
    },

    // Quota checks count then insert. Inside a transaction the count's row (or the window's row) stays
    // locked until commit, so two concurrent requests cannot both see room for one more under READ COMMITTED.
    async countWindows(scope) {
      await ensureWindowCount(session, [scope.account, scope.region]);
      return Number((await countWindows(session, [scope.account, scope.region])).rows[0].n);
    },

    async listWindows(scope, afterKey, limit) {
      return keyedStored<Window>((await listWindows(session, [scope.account, scope.region, afterKey, limit])).rows);
    },

    // ---- scheduling

    async listDueWindows(now, limit) {
      return (await claimDueWindows(session, [now, limit])).rows.map(dueWindow);
    },

    async earliestFireTime() {
      const t = (await earliestFireTime(session, [])).rows[0].t;
      return t === null ? undefined : Number(t);
    },

    async setNextFire(scope, windowId, nextFireAt) {
      await setNextFire.write(session, [scope.account, scope.region, windowId, nextFireAt ?? null]);
    },

    async listAllWindows() {
      return (await listAllWindows(session, [])).rows.map(storedWindow);
    },

    // ---- tags

    async getTags(scope, resourceType, resourceId) {
      return parsed<Tag[]>((await selectTags(session, [scope.account, scope.region, resourceType, resourceId])).rows[0]) ?? [];
    },

    async setTags(scope, resourceType, resourceId, tags) {
      const key = [scope.account, scope.region, resourceType, resourceId];
      if (tags.length === 0) await deleteTags(session, key);
      else await upsertTags(session, [...key, JSON.stringify(tags)]);
    },
  };
}
