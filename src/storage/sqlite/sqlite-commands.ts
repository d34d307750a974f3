// The commands port on SQLite: Run Command's commands and their per-node invocations. An invocation row
// carries the instant it is next due to move on its own (`due_at`), so the engine finds due work with one
// index, and whether a message waits for the node's agent (`delivery`), so a poll finds it with another.

import { type Command, type CommandInvocation, hasQueuedMessage } from '../../domain/commands.ts';
import type { CommandsPort } from '../../service/ports.ts';
import { documents, dueCommand, keyed, oldestFirst, parsed, type Row } from '../row-mappers.ts';
import type { SqliteDatabase } from './sqlite-database.ts';

const INVOCATIONS_BEFORE = 'SELECT seq, doc FROM command_invocations WHERE account = ? AND region = ? AND seq < ?';

const statements = {
  insertCommand: 'INSERT INTO commands (account, region, id, doc) VALUES (?, ?, ?, ?)',
  insertInvocation: 'INSERT INTO command_invocations (account, region, command_id, instance_id, status, due_at, doc) VALUES (?, ?, ?, ?, ?, ?, ?)',
  selectCommand: 'SELECT doc FROM commands WHERE account = ? AND region = ? AND id = ?',
  updateCommand: 'UPDATE commands SET doc = ? WHERE account = ? AND region = ? AND id = ?',
  listCommands: 'SELECT seq, doc FROM commands WHERE account = ? AND region = ? AND seq < ? ORDER BY seq DESC LIMIT ?',
  listCommandsOfInstance: `SELECT c.seq, c.doc FROM commands c WHERE c.account = ? AND c.region = ? AND c.seq < ?
    AND EXISTS (SELECT 1 FROM command_invocations i WHERE i.account = c.account AND i.region = c.region AND i.command_id = c.id AND i.instance_id = ?)
    ORDER BY c.seq DESC LIMIT ?`,
  selectInvocationsOfCommand: 'SELECT doc FROM command_invocations WHERE account = ? AND region = ? AND command_id = ? ORDER BY seq DESC',
  updateInvocation: 'UPDATE command_invocations SET status = ?, due_at = ?, delivery = ?, doc = ? WHERE account = ? AND region = ? AND command_id = ? AND instance_id = ?',
  // One statement per case, so each uses its index instead of scanning every invocation of the Region.
  listInvocations: `${INVOCATIONS_BEFORE} ORDER BY seq DESC LIMIT ?`,
  listInvocationsOfCommand: `${INVOCATIONS_BEFORE} AND command_id = ? ORDER BY seq DESC LIMIT ?`,
  listInvocationsOfInstance: `${INVOCATIONS_BEFORE} AND instance_id = ? ORDER BY seq DESC LIMIT ?`,
  listInvocationOfCommandAndInstance: `${INVOCATIONS_BEFORE} AND command_id = ? AND instance_id = ? ORDER BY seq DESC LIMIT ?`,
  selectInvocation: 'SELECT doc FROM command_invocations WHERE account = ? AND region = ? AND command_id = ? AND instance_id = ?',
  listQueuedInvocations: "SELECT doc FROM command_invocations WHERE account = ? AND region = ? AND instance_id = ? AND delivery = 'queued' ORDER BY seq DESC LIMIT ?",
  // SQLite's min() of several values is NULL if one is: absent ones count as 9e15, after any real instant.
  earliestCommandEvent: `SELECT min(
    coalesce((SELECT min(due_at) FROM command_invocations WHERE due_at IS NOT NULL), 9e15),
    coalesce((SELECT min(r.at) FROM window_reports r JOIN window_executions e ON e.account = r.account AND e.region = r.region AND e.id = r.window_execution_id WHERE e.owner = ?), 9e15)
  ) AS t`,
  // In key order, as on PostgreSQL (where the order is the lock order): the same commands under a limit.
  listDueCommands: 'SELECT DISTINCT account, region, command_id FROM command_invocations WHERE due_at IS NOT NULL AND due_at <= ? ORDER BY account, region, command_id LIMIT ?',
};

export function sqliteCommands(db: SqliteDatabase): CommandsPort {
  const sql = db.prepare(statements);
  return {
    async insertCommand(scope, command, invocations) {
      sql.insertCommand.run(scope.account, scope.region, command.id, JSON.stringify(command));
      // Inserted last instance first: descending seq then lists the newest command first, each in instance order.
      for (const i of [...invocations].reverse()) {
        sql.insertInvocation.run(scope.account, scope.region, i.commandId, i.instanceId, i.status, i.dueAt ?? null, JSON.stringify(i));
      }
    },

    async getCommand(scope, commandId) {
      return parsed<Command>(sql.selectCommand.get(scope.account, scope.region, commandId) as Row | undefined);
    },

    async updateCommand(scope, command) {
      sql.updateCommand.run(JSON.stringify(command), scope.account, scope.region, command.id);
    },

    async listCommands(scope, beforeKey, limit, instanceId) {
      const rows = instanceId === undefined
        ? sql.listCommands.all(scope.account, scope.region, beforeKey, limit)
        : sql.listCommandsOfInstance.all(scope.account, scope.region, beforeKey, instanceId, limit);
      return keyed<Command>(rows as Row[]);
    },

    async getCommandInvocations(scope, commandId) {
      return documents<CommandInvocation>(sql.selectInvocationsOfCommand.all(scope.account, scope.region, commandId) as Row[]);
    },

    async updateCommandInvocations(scope, invocations) {
      for (const i of invocations) {
        sql.updateInvocation.run(i.status, i.dueAt ?? null, hasQueuedMessage(i) ? 'queued' : null, JSON.stringify(i), scope.account, scope.region, i.commandId, i.instanceId);
      }
    },

    async listCommandInvocations(scope, { commandId, instanceId }, beforeKey, limit) {
      const key = [scope.account, scope.region, beforeKey] as const;
      const rows = commandId !== undefined && instanceId !== undefined ? sql.listInvocationOfCommandAndInstance.all(...key, commandId, instanceId, limit)
        : commandId !== undefined ? sql.listInvocationsOfCommand.all(...key, commandId, limit)
          : instanceId !== undefined ? sql.listInvocationsOfInstance.all(...key, instanceId, limit)
            : sql.listInvocations.all(...key, limit);
      return keyed<CommandInvocation>(rows as Row[]);
    },

    async getCommandInvocation(scope, commandId, instanceId) {
      return parsed<CommandInvocation>(sql.selectInvocation.get(scope.account, scope.region, commandId, instanceId) as Row | undefined);
    },

    async listQueuedInvocations(scope, instanceId, limit) {
      return oldestFirst<CommandInvocation>(sql.listQueuedInvocations.all(scope.account, scope.region, instanceId, limit) as Row[]);
    },

    async earliestCommandEvent(owner) {
      const t = Number((sql.earliestCommandEvent.get(owner) as Row).t);
      return t >= 9e15 ? undefined : t;
    },

    async listDueCommands(now, limit) {
      return (sql.listDueCommands.all(now, limit) as Row[]).map(dueCommand);
    },
  };
}
