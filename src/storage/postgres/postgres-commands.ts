// The commands port on PostgreSQL: Run Command's commands and their per-node invocations. Inside a
// transaction a command read is locked (FOR UPDATE), so the engine replicas and the API change one
// command's invocations one at a time; `due_at` tells the engine which commands have work due.

import { type Command, type CommandInvocation, hasQueuedMessage } from '../../domain/commands.ts';
import type { CommandsPort } from '../../service/ports.ts';
import { documents, dueCommand, keyed, oldestFirst, parsed } from '../row-mappers.ts';
import { type Session, statement } from './postgres-database.ts';

const insertCommand = statement('insert_command', 'INSERT INTO commands (account, region, id, doc) VALUES ($1, $2, $3, $4)');
// Unnested in array order; the caller passes the last instance first (see insertCommand below).
const insertCommandInvocations = statement('insert_command_invocations', `
  INSERT INTO command_invocations (account, region, command_id, instance_id, status, due_at, doc)
  SELECT $1, $2, $3, r.instance_id, r.status, r.due_at, r.doc
  FROM unnest($4::text[], $5::text[], $6::bigint[], $7::text[]) WITH ORDINALITY AS r(instance_id, status, due_at, doc, n)
  ORDER BY r.n`);
const selectCommand = statement('select_command', 'SELECT doc FROM commands WHERE account = $1 AND region = $2 AND id = $3');
const selectCommandForUpdate = statement('select_command_for_update', 'SELECT doc FROM commands WHERE account = $1 AND region = $2 AND id = $3 FOR UPDATE');
const updateCommand = statement('update_command', 'UPDATE commands SET doc = $4 WHERE account = $1 AND region = $2 AND id = $3');
const listCommands = statement('list_commands', 'SELECT seq, doc FROM commands WHERE account = $1 AND region = $2 AND seq < $3 ORDER BY seq DESC LIMIT $4');
const listCommandsOfInstance = statement('list_commands_of_instance', `
  SELECT c.seq, c.doc FROM commands c WHERE c.account = $1 AND c.region = $2 AND c.seq < $3
  AND EXISTS (SELECT 1 FROM command_invocations i WHERE i.account = c.account AND i.region = c.region AND i.command_id = c.id AND i.instance_id = $5)
  ORDER BY c.seq DESC LIMIT $4`);
const selectCommandInvocations = statement('select_command_invocations', 'SELECT doc FROM command_invocations WHERE account = $1 AND region = $2 AND command_id = $3 ORDER BY seq DESC');
const updateCommandInvocations = statement('update_command_invocations', `
  UPDATE command_invocations AS i SET status = r.status, due_at = r.due_at, delivery = r.delivery, doc = r.doc
  FROM unnest($4::text[], $5::text[], $6::bigint[], $7::text[], $8::text[]) AS r(instance_id, status, due_at, doc, delivery)
  WHERE i.account = $1 AND i.region = $2 AND i.command_id = $3 AND i.instance_id = r.instance_id`);
// One statement per case, so each uses its index instead of scanning every invocation of the Region.
const listInvocationsOfCommand = statement('list_invocations_of_command', 'SELECT seq, doc FROM command_invocations WHERE account = $1 AND region = $2 AND seq < $3 AND command_id = $5 ORDER BY seq DESC LIMIT $4');
const listInvocationsOfInstance = statement('list_invocations_of_instance', 'SELECT seq, doc FROM command_invocations WHERE account = $1 AND region = $2 AND seq < $3 AND instance_id = $5 ORDER BY seq DESC LIMIT $4');
const listInvocationOfCommandAndInstance = statement('list_invocation_of_command_and_instance', 'SELECT seq, doc FROM command_invocations WHERE account = $1 AND region = $2 AND seq < $3 AND command_id = $5 AND instance_id = $6 ORDER BY seq DESC LIMIT $4');
const listAllCommandInvocations = statement('list_all_command_invocations', 'SELECT seq, doc FROM command_invocations WHERE account = $1 AND region = $2 AND seq < $3 ORDER BY seq DESC LIMIT $4');
const selectCommandInvocation = statement('select_command_invocation', 'SELECT doc FROM command_invocations WHERE account = $1 AND region = $2 AND command_id = $3 AND instance_id = $4');
const listQueuedInvocations = statement('list_queued_invocations', "SELECT doc FROM command_invocations WHERE account = $1 AND region = $2 AND instance_id = $3 AND delivery = 'queued' ORDER BY seq DESC LIMIT $4");
const earliestCommandEvent = statement('earliest_command_event', `
  SELECT least(
    (SELECT min(due_at) FROM command_invocations WHERE due_at IS NOT NULL),
    (SELECT min(r.at) FROM window_reports r JOIN window_executions e ON e.account = r.account AND e.region = r.region AND e.id = r.window_execution_id WHERE e.owner = $1)
  ) AS t`);
// In key order: the step then locks the commands it moves in the order every transaction does (see the
// lock order in postgres-store.ts), so two replicas stepping together wait for each other, not deadlock.
const listDueCommands = statement('list_due_commands', 'SELECT DISTINCT account, region, command_id FROM command_invocations WHERE due_at IS NOT NULL AND due_at <= $1 ORDER BY account, region, command_id LIMIT $2');

export function postgresCommands(session: Session, inTransaction: boolean): CommandsPort {
  return {
    async insertCommand(scope, command, invocations) {
      await insertCommand(session, [scope.account, scope.region, command.id, JSON.stringify(command)]);
      if (invocations.length === 0) return;
      // Last instance first: descending seq then lists the newest command first, each in instance order.
      const rows = [...invocations].reverse();
      await insertCommandInvocations(session, [
        scope.account, scope.region, command.id,
        rows.map((i) => i.instanceId), rows.map((i) => i.status), rows.map((i) => i.dueAt ?? null), rows.map((i) => JSON.stringify(i)),
      ]);
    },

    async getCommand(scope, commandId) {
      const read = inTransaction ? selectCommandForUpdate : selectCommand;
      return parsed<Command>((await read(session, [scope.account, scope.region, commandId])).rows[0]);
    },

    async updateCommand(scope, command) {
      await updateCommand(session, [scope.account, scope.region, command.id, JSON.stringify(command)]);
    },

    async listCommands(scope, beforeKey, limit, instanceId) {
      const key = [scope.account, scope.region, beforeKey, limit];
      const result = instanceId === undefined ? await listCommands(session, key) : await listCommandsOfInstance(session, [...key, instanceId]);
      return keyed<Command>(result.rows);
    },

    async getCommandInvocations(scope, commandId) {
      return documents<CommandInvocation>((await selectCommandInvocations(session, [scope.account, scope.region, commandId])).rows);
    },

    async updateCommandInvocations(scope, invocations) {
      const byCommand = new Map<string, CommandInvocation[]>();
      for (const i of invocations) byCommand.set(i.commandId, [...(byCommand.get(i.commandId) ?? []), i]);
      for (const [commandId, list] of byCommand) {
        // The last of several versions of one invocation wins, as writing them one after another would.
        const rows = [...new Map(list.map((i) => [i.instanceId, i] as const)).values()];
        await updateCommandInvocations(session, [
          scope.account, scope.region, commandId,
          rows.map((i) => i.instanceId), rows.map((i) => i.status), rows.map((i) => i.dueAt ?? null), rows.map((i) => JSON.stringify(i)),
          rows.map((i) => (hasQueuedMessage(i) ? 'queued' : null)),
        ]);
      }
    },

    async listCommandInvocations(scope, { commandId, instanceId }, beforeKey, limit) {
      const key = [scope.account, scope.region, beforeKey, limit];
      const result = commandId !== undefined && instanceId !== undefined ? await listInvocationOfCommandAndInstance(session, [...key, commandId, instanceId])
        : commandId !== undefined ? await listInvocationsOfCommand(session, [...key, commandId])
          : instanceId !== undefined ? await listInvocationsOfInstance(session, [...key, instanceId])
            : await listAllCommandInvocations(session, key);
      return keyed<CommandInvocation>(result.rows);
    },

    async getCommandInvocation(scope, commandId, instanceId) {
      return parsed<CommandInvocation>((await selectCommandInvocation(session, [scope.account, scope.region, commandId, instanceId])).rows[0]);
    },

    async listQueuedInvocations(scope, instanceId, limit) {
      return oldestFirst<CommandInvocation>((await listQueuedInvocations(session, [scope.account, scope.region, instanceId, limit])).rows);
    },

    async earliestCommandEvent(owner) {
      const t = (await earliestCommandEvent(session, [owner])).rows[0].t;
      return t === null ? undefined : Number(t);
    },

    async listDueCommands(now, limit) {
      return (await listDueCommands(session, [now, limit])).rows.map(dueCommand);
    },
  };
}
