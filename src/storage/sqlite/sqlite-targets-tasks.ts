// The targets-and-tasks port on SQLite: a window's targets and tasks, each a JSON document in its
// window's keyset (creation) order.

import type { WindowTarget, WindowTask } from '../../domain/model.ts';
import type { TargetsAndTasksPort } from '../../service/ports.ts';
import { keyed, parsed, type Row } from '../row-mappers.ts';
import type { SqliteDatabase } from './sqlite-database.ts';

const OF_WINDOW = 'account = ? AND region = ? AND window_id = ?';

const statements = {
  insertTarget: 'INSERT INTO window_targets (account, region, window_id, id, doc) VALUES (?, ?, ?, ?, ?)',
  selectTarget: `SELECT doc FROM window_targets WHERE ${OF_WINDOW} AND id = ?`,
  updateTarget: `UPDATE window_targets SET doc = ? WHERE ${OF_WINDOW} AND id = ?`,
  deleteTarget: `DELETE FROM window_targets WHERE ${OF_WINDOW} AND id = ?`,
  countTargets: `SELECT count(*) AS n FROM window_targets WHERE ${OF_WINDOW}`,
  listTargets: `SELECT seq, doc FROM window_targets WHERE ${OF_WINDOW} AND seq > ? ORDER BY seq LIMIT ?`,
  insertTask: 'INSERT INTO window_tasks (account, region, window_id, id, doc) VALUES (?, ?, ?, ?, ?)',
  selectTask: `SELECT doc FROM window_tasks WHERE ${OF_WINDOW} AND id = ?`,
  updateTask: `UPDATE window_tasks SET doc = ? WHERE ${OF_WINDOW} AND id = ?`,
  deleteTask: `DELETE FROM window_tasks WHERE ${OF_WINDOW} AND id = ?`,
  countTasks: `SELECT count(*) AS n FROM window_tasks WHERE ${OF_WINDOW}`,
  listTasks: `SELECT seq, doc FROM window_tasks WHERE ${OF_WINDOW} AND seq > ? ORDER BY seq LIMIT ?`,
};

export function sqliteTargetsAndTasks(db: SqliteDatabase): TargetsAndTasksPort {
  const sql = db.prepare(statements);
  return {
    async insertTarget(scope, target) {
      sql.insertTarget.run(scope.account, scope.region, target.windowId, target.id, JSON.stringify(target));
    },

    async getTarget(scope, windowId, targetId) {
      return parsed<WindowTarget>(sql.selectTarget.get(scope.account, scope.region, windowId, targetId) as Row | undefined);
    },

    async updateTarget(scope, target) {
      sql.updateTarget.run(JSON.stringify(target), scope.account, scope.region, target.windowId, target.id);
    },

    async deleteTarget(scope, windowId, targetId) {
      sql.deleteTarget.run(scope.account, scope.region, windowId, targetId);
    },

    async countTargets(scope, windowId) {
      return Number((sql.countTargets.get(scope.account, scope.region, windowId) as Row).n);
    },

    async listTargets(scope, windowId, afterKey, limit) {
      return keyed<WindowTarget>(sql.listTargets.all(scope.account, scope.region, windowId, afterKey, limit) as Row[]);
    },

    async insertTask(scope, task) {
      sql.insertTask.run(scope.account, scope.region, task.windowId, task.id, JSON.stringify(task));
    },

    async getTask(scope, windowId, taskId) {
      return parsed<WindowTask>(sql.selectTask.get(scope.account, scope.region, windowId, taskId) as Row | undefined);
    },

    async updateTask(scope, task) {
      sql.updateTask.run(JSON.stringify(task), scope.account, scope.region, task.windowId, task.id);
    },

    async deleteTask(scope, windowId, taskId) {
      sql.deleteTask.run(scope.account, scope.region, windowId, taskId);
    },

    async countTasks(scope, windowId) {
      return Number((sql.countTasks.get(scope.account, scope.region, windowId) as Row).n);
    },

    async listTasks(scope, windowId, afterKey, limit) {
      return keyed<WindowTask>(sql.listTasks.all(scope.account, scope.region, windowId, afterKey, limit) as Row[]);
    },
  };
}
