// The windows port on SQLite: windows, their fire times and their tags. Windows are read by every Get and
// Describe and written rarely, so their documents and listing pages are cached (doc-cache.ts says why
// that is safe); every write here drops what it changed.

import type { Window } from '../../domain/model.ts';
import type { Stored, WindowsPort } from '../../service/ports.ts';
import { documentOf, dueWindow, parsed, type Row, storedOrNone, storedWindow } from '../row-mappers.ts';
import { cacheKey, type SqliteDatabase } from './sqlite-database.ts';

const SCOPE_AND_ID = 'account = ? AND region = ? AND id = ?';
const OF_WINDOW = 'account = ? AND region = ? AND window_id = ?';

const statements = {
  insertWindow: 'INSERT INTO windows (account, region, id, doc, next_fire_at) VALUES (?, ?, ?, ?, ?)',
  selectWindow: `SELECT doc, version FROM windows WHERE ${SCOPE_AND_ID}`,
  updateWindow: `UPDATE windows SET doc = ?, version = version + 1, next_fire_at = ? WHERE ${SCOPE_AND_ID}`,
  deleteTargetsOfWindow: `DELETE FROM window_targets WHERE ${OF_WINDOW}`,
  deleteTasksOfWindow: `DELETE FROM window_tasks WHERE ${OF_WINDOW}`,
  deleteTagsOfWindow: "DELETE FROM resource_tags WHERE account = ? AND region = ? AND resource_type = 'MaintenanceWindow' AND resource_id = ?",
  // The window's execution history goes with it.
  deleteInvocationsOfWindow: `DELETE FROM invocations WHERE account = ? AND region = ? AND task_execution_id IN (SELECT t.id FROM task_executions t JOIN window_executions w ON t.account = w.account AND t.region = w.region AND t.window_execution_id = w.id WHERE w.account = ? AND w.region = ? AND w.window_id = ?)`,
  deleteTaskExecutionsOfWindow: 'DELETE FROM task_executions WHERE account = ? AND region = ? AND window_execution_id IN (SELECT id FROM window_executions WHERE account = ? AND region = ? AND window_id = ?)',
  deleteExecutionsOfWindow: `DELETE FROM window_executions WHERE ${OF_WINDOW}`,
  deleteWindow: `DELETE FROM windows WHERE ${SCOPE_AND_ID}`,
  // Kept by triggers (migration 5), so the quota check does not grow with the number of windows.
  countWindows: 'SELECT n FROM window_counts WHERE account = ? AND region = ?',
  listWindows: 'SELECT seq, id, doc, version FROM windows WHERE account = ? AND region = ? AND seq > ? ORDER BY seq LIMIT ?',
  listDueWindows: 'SELECT account, region, doc, next_fire_at FROM windows WHERE next_fire_at IS NOT NULL AND next_fire_at <= ? ORDER BY next_fire_at, seq LIMIT ?',
  earliestFireTime: 'SELECT min(next_fire_at) AS t FROM windows WHERE next_fire_at IS NOT NULL',
  setNextFire: `UPDATE windows SET next_fire_at = ? WHERE ${SCOPE_AND_ID}`,
  listAllWindows: 'SELECT account, region, doc, next_fire_at FROM windows ORDER BY seq',
  selectTags: 'SELECT doc FROM resource_tags WHERE account = ? AND region = ? AND resource_type = ? AND resource_id = ?',
  deleteTags: 'DELETE FROM resource_tags WHERE account = ? AND region = ? AND resource_type = ? AND resource_id = ?',
  upsertTags: 'INSERT INTO resource_tags (account, region, resource_type, resource_id, doc) VALUES (?, ?, ?, ?, ?) ON CONFLICT (account, region, resource_type, resource_id) DO UPDATE SET doc = excluded.doc',
};

export function sqliteWindows(db: SqliteDatabase): WindowsPort {
  const sql = db.prepare(statements);
  const windowDocs = db.docCache<Stored<Window>>(10_000);
  /** Pages of a Region's window listing; windows join and leave it only by insert and delete. */
  const windowListings = db.listingCache(1_000);

  return {
    async insertWindow(scope, window, nextFireAt) {
      windowDocs.drop(cacheKey(scope, window.id));
      windowListings.changed(cacheKey(scope, ''));
      sql.insertWindow.run(scope.account, scope.region, window.id, documentOf(window), nextFireAt ?? null);
    },

    async getWindow(scope, windowId) {
      return db.cachedDoc(windowDocs, cacheKey(scope, windowId),
        () => storedOrNone<Window>(sql.selectWindow.get(scope.account, scope.region, windowId) as Row | undefined));
    },

    async updateWindow(scope, window, nextFireAt) {
      windowDocs.drop(cacheKey(scope, window.id));
      sql.updateWindow.run(documentOf(window), nextFireAt ?? null, scope.account, scope.region, window.id);
    },

    async deleteWindow(scope, windowId) {
      // The window's whole history goes too: every cache is emptied (deletes are rare).
      db.clearCaches();
      const args = [scope.account, scope.region, windowId] as const;
      sql.deleteTargetsOfWindow.run(...args);
      sql.deleteTasksOfWindow.run(...args);
      sql.deleteTagsOfWindow.run(...args);
      sql.deleteInvocationsOfWindow.run(scope.account, scope.region, ...args);
      sql.deleteTaskExecutionsOfWindow.run(scope.account, scope.region, ...args);
      sql.deleteExecutionsOfWindow.run(...args);
      return Number(sql.deleteWindow.run(...args).changes) > 0;
    },

    async countWindows(scope) {
      const row = sql.countWindows.get(scope.account, scope.region) as Row | undefined;
      return row ? Number(row.n) : 0;
    },

    async listWindows(scope, afterKey, limit) {
      return db.cachedListing<Window>(windowListings, windowDocs, scope, cacheKey(scope, ''), afterKey, limit,
        () => sql.listWindows.all(scope.account, scope.region, afterKey, limit) as Row[],
        (id) => sql.selectWindow.get(scope.account, scope.region, id) as Row | undefined);
    },

    // ---- scheduling

    async listDueWindows(now, limit) {
      return (sql.listDueWindows.all(now, limit) as Row[]).map(dueWindow);
    },

    async earliestFireTime() {
      const row = sql.earliestFireTime.get() as Row;
      return row.t === null ? undefined : Number(row.t);
    },

    async setNextFire(scope, windowId, nextFireAt) {
      sql.setNextFire.run(nextFireAt ?? null, scope.account, scope.region, windowId);
    },

    async listAllWindows() {
      return (sql.listAllWindows.all() as Row[]).map(storedWindow);
    },

    // ---- tags

    async getTags(scope, resourceType, resourceId) {
      return parsed(sql.selectTags.get(scope.account, scope.region, resourceType, resourceId) as Row | undefined) ?? [];
    },

    async setTags(scope, resourceType, resourceId, tags) {
      if (tags.length === 0) sql.deleteTags.run(scope.account, scope.region, resourceType, resourceId);
      else sql.upsertTags.run(scope.account, scope.region, resourceType, resourceId, JSON.stringify(tags));
    },
  };
}
