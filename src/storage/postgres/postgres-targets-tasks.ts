// The targets-and-tasks port on PostgreSQL: a window's targets and tasks. Their counts (the per-window
// quotas) lock the window first, so two registrations on one window take turns. The two tables have the
// same columns, so one set of statements and methods serves either (windowChildren).

import type { Scope, WindowTarget, WindowTask } from '../../domain/model.ts';
import type { Keyed, TargetsAndTasksPort } from '../../service/ports.ts';
import { keyed, parsed } from '../row-mappers.ts';
import { type Session, statement } from './postgres-database.ts';
import { lockWindow } from './postgres-windows.ts';

const OF_WINDOW = 'account = $1 AND region = $2 AND window_id = $3';

/** The named statements of `table`'s children (window_targets or window_tasks), named `<verb>_<kind>`. */
function childStatements(table: string, kind: string) {
  return {
    insert: statement(`insert_${kind}`, `INSERT INTO ${table} (account, region, window_id, id, doc) VALUES ($1, $2, $3, $4, $5)`),
    select: statement(`select_${kind}`, `SELECT doc FROM ${table} WHERE ${OF_WINDOW} AND id = $4`),
    update: statement(`update_${kind}`, `UPDATE ${table} SET doc = $5 WHERE ${OF_WINDOW} AND id = $4`),
    remove: statement(`delete_${kind}`, `DELETE FROM ${table} WHERE ${OF_WINDOW} AND id = $4`),
    count: statement(`count_${kind}s`, `SELECT count(*) AS n FROM ${table} WHERE ${OF_WINDOW}`),
    list: statement(`list_${kind}s`, `SELECT seq, doc FROM ${table} WHERE ${OF_WINDOW} AND seq > $4 ORDER BY seq LIMIT $5`),
  };
}

const targetStatements = childStatements('window_targets', 'target');
const taskStatements = childStatements('window_tasks', 'task');

/** The six calls the port needs of a window's children, on `session`. */
function windowChildren<T extends { windowId: string; id: string }>(session: Session, sql: ReturnType<typeof childStatements>) {
  return {
    async insert(scope: Scope, child: T): Promise<void> {
      await sql.insert(session, [scope.account, scope.region, child.windowId, child.id, JSON.stringify(child)]);
    },
    async get(scope: Scope, windowId: string, id: string): Promise<T | undefined> {
      return parsed<T>((await sql.select(session, [scope.account, scope.region, windowId, id])).rows[0]);
    },
    async update(scope: Scope, child: T): Promise<void> {
      await sql.update(session, [scope.account, scope.region, child.windowId, child.id, JSON.stringify(child)]);
    },
    async remove(scope: Scope, windowId: string, id: string): Promise<void> {
      await sql.remove(session, [scope.account, scope.region, windowId, id]);
    },
    async count(scope: Scope, windowId: string): Promise<number> {
      await lockWindow(session, [scope.account, scope.region, windowId]);
      return Number((await sql.count(session, [scope.account, scope.region, windowId])).rows[0].n);
    },
    async list(scope: Scope, windowId: string, afterKey: number, limit: number): Promise<Keyed<T>[]> {
      return keyed<T>((await sql.list(session, [scope.account, scope.region, windowId, afterKey, limit])).rows);
    },
  };
}

export function postgresTargetsAndTasks(session: Session): TargetsAndTasksPort {
  const targets = windowChildren<WindowTarget>(session, targetStatements);
  const tasks = windowChildren<WindowTask>(session, taskStatements);
  return {
    insertTarget: targets.insert, getTarget: targets.get, updateTarget: targets.update, deleteTarget: targets.remove,
    countTargets: targets.count, listTargets: targets.list,
    insertTask: tasks.insert, getTask: tasks.get, updateTask: tasks.update, deleteTask: tasks.remove,
    countTasks: tasks.count, listTasks: tasks.list,
  };
}
