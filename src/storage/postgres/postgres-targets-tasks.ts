// The targets-and-tasks port on PostgreSQL: a window's targets and tasks. Their counts (the per-window
// quotas) lock the window first, so two registrations on one window take turns.

import type { WindowTarget, WindowTask } from '../../domain/model.ts';
import type { TargetsAndTasksPort } from '../../service/ports.ts';
import { keyed, parsed } from '../row-mappers.ts';
import { type Session, statement } from './postgres-database.ts';
import { lockWindow } from './postgres-windows.ts';

const insertTarget = statement('insert_target', 'INSERT INTO window_targets (account, region, window_id, id, doc) VALUES ($1, $2, $3, $4, $5)');
const selectTarget = statement('select_target', 'SELECT doc FROM window_targets WHERE account = $1 AND region = $2 AND window_id = $3 AND id = $4');
const updateTarget = statement('update_target', 'UPDATE window_targets SET doc = $5 WHERE account = $1 AND region = $2 AND window_id = $3 AND id = $4');
const deleteTarget = statement('delete_target', 'DELETE FROM window_targets WHERE account = $1 AND region = $2 AND window_id = $3 AND id = $4');
const countTargets = statement('count_targets', 'SELECT count(*) AS n FROM window_targets WHERE account = $1 AND region = $2 AND window_id = $3');
const listTargets = statement('list_targets', 'SELECT seq, doc FROM window_targets WHERE account = $1 AND region = $2 AND window_id = $3 AND seq > $4 ORDER BY seq LIMIT $5');
const insertTask = statement('insert_task', 'INSERT INTO window_tasks (account, region, window_id, id, doc) VALUES ($1, $2, $3, $4, $5)');
const selectTask = statement('select_task', 'SELECT doc FROM window_tasks WHERE account = $1 AND region = $2 AND window_id = $3 AND id = $4');
const updateTask = statement('update_task', 'UPDATE window_tasks SET doc = $5 WHERE account = $1 AND region = $2 AND window_id = $3 AND id = $4');
const deleteTask = statement('delete_task', 'DELETE FROM window_tasks WHERE account = $1 AND region = $2 AND window_id = $3 AND id = $4');
const countTasks = statement('count_tasks', 'SELECT count(*) AS n FROM window_tasks WHERE account = $1 AND region = $2 AND window_id = $3');
const listTasks = statement('list_tasks', 'SELECT seq, doc FROM window_tasks WHERE account = $1 AND region = $2 AND window_id = $3 AND seq > $4 ORDER BY seq LIMIT $5');

export function postgresTargetsAndTasks(session: Session): TargetsAndTasksPort {
  return {
    async insertTarget(scope, target) {
      await insertTarget(session, [scope.account, scope.region, target.windowId, target.id, JSON.stringify(target)]);
    },

    async getTarget(scope, windowId, targetId) {
      return parsed<WindowTarget>((await selectTarget(session, [scope.account, scope.region, windowId, targetId])).rows[0]);
    },

    async updateTarget(scope, target) {
      await updateTarget(session, [scope.account, scope.region, target.windowId, target.id, JSON.stringify(target)]);
    },

    async deleteTarget(scope, windowId, targetId) {
      await deleteTarget(session, [scope.account, scope.region, windowId, targetId]);
    },

    async countTargets(scope, windowId) {
      await lockWindow(session, [scope.account, scope.region, windowId]);
      return Number((await countTargets(session, [scope.account, scope.region, windowId])).rows[0].n);
    },

    async listTargets(scope, windowId, afterKey, limit) {
      return keyed<WindowTarget>((await listTargets(session, [scope.account, scope.region, windowId, afterKey, limit])).rows);
    },

    async insertTask(scope, task) {
      await insertTask(session, [scope.account, scope.region, task.windowId, task.id, JSON.stringify(task)]);
    },

    async getTask(scope, windowId, taskId) {
      return parsed<WindowTask>((await selectTask(session, [scope.account, scope.region, windowId, taskId])).rows[0]);
    },

    async updateTask(scope, task) {
      await updateTask(session, [scope.account, scope.region, task.windowId, task.id, JSON.stringify(task)]);
    },

    async deleteTask(scope, windowId, taskId) {
      await deleteTask(session, [scope.account, scope.region, windowId, taskId]);
    },

    async countTasks(scope, windowId) {
      await lockWindow(session, [scope.account, scope.region, windowId]);
      return Number((await countTasks(session, [scope.account, scope.region, windowId])).rows[0].n);
    },

    async listTasks(scope, windowId, afterKey, limit) {
      return keyed<WindowTask>((await listTasks(session, [scope.account, scope.region, windowId, afterKey, limit])).rows);
    },
  };
}
