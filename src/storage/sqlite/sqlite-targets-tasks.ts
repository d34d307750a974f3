// The targets-and-tasks port on SQLite: a window's targets and tasks, each a JSON document in its
// window's keyset (creation) order. The two tables have the same columns, so one set of statements and
// methods serves either (windowChildren).

import type { Scope, WindowTarget, WindowTask } from '../../domain/model.ts';
import type { Keyed, TargetsAndTasksPort } from '../../service/ports.ts';
import { keyed, parsed, type Row } from '../row-mappers.ts';
import type { SqliteDatabase } from './sqlite-database.ts';

const OF_WINDOW = 'account = ? AND region = ? AND window_id = ?';

/** A window's children in `table` (window_targets or window_tasks): the six calls the port needs of each. */
function windowChildren<T extends { windowId: string; id: string }>(db: SqliteDatabase, table: string) {
  const sql = db.prepare({
    insert: `INSERT INTO ${table} (account, region, window_id, id, doc) VALUES (?, ?, ?, ?, ?)`,
    select: `SELECT doc FROM ${table} WHERE ${OF_WINDOW} AND id = ?`,
    update: `UPDATE ${table} SET doc = ? WHERE ${OF_WINDOW} AND id = ?`,
    remove: `DELETE FROM ${table} WHERE ${OF_WINDOW} AND id = ?`,
    count: `SELECT count(*) AS n FROM ${table} WHERE ${OF_WINDOW}`,
    list: `SELECT seq, doc FROM ${table} WHERE ${OF_WINDOW} AND seq > ? ORDER BY seq LIMIT ?`,
  });
  return {
    async insert(scope: Scope, child: T): Promise<void> {
      sql.insert.run(scope.account, scope.region, child.windowId, child.id, JSON.stringify(child));
    },
    async get(scope: Scope, windowId: string, id: string): Promise<T | undefined> {
      return parsed<T>(sql.select.get(scope.account, scope.region, windowId, id) as Row | undefined);
    },
    async update(scope: Scope, child: T): Promise<void> {
      sql.update.run(JSON.stringify(child), scope.account, scope.region, child.windowId, child.id);
    },
    async remove(scope: Scope, windowId: string, id: string): Promise<void> {
      sql.remove.run(scope.account, scope.region, windowId, id);
    },
    async count(scope: Scope, windowId: string): Promise<number> {
      return Number((sql.count.get(scope.account, scope.region, windowId) as Row).n);
    },
    async list(scope: Scope, windowId: string, afterKey: number, limit: number): Promise<Keyed<T>[]> {
      return keyed<T>(sql.list.all(scope.account, scope.region, windowId, afterKey, limit) as Row[]);
    },
  };
}

export function sqliteTargetsAndTasks(db: SqliteDatabase): TargetsAndTasksPort {
  const targets = windowChildren<WindowTarget>(db, 'window_targets');
  const tasks = windowChildren<WindowTask>(db, 'window_tasks');
  return {
    insertTarget: targets.insert, getTarget: targets.get, updateTarget: targets.update, deleteTarget: targets.remove,
    countTargets: targets.count, listTargets: targets.list,
    insertTask: tasks.insert, getTask: tasks.get, updateTask: tasks.update, deleteTask: tasks.remove,
    countTasks: tasks.count, listTasks: tasks.list,
  };
}
