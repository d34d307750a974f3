// Run Command's tables on PostgreSQL: commands and their per-node invocations. Inside a transaction a
// command read is locked (FOR UPDATE), so the engine replicas and the API change one command's
// invocations one at a time; `due_at` tells the engine which commands have work due.

import type { Activation } from '../../domain/activations.ts';
import type { AgentCredential } from '../../domain/agent-credentials.ts';
import { type Command, type CommandInvocation, hasQueuedMessage, type WindowReport } from '../../domain/commands.ts';
import type { Scope } from '../../domain/model.ts';
import type { Keyed } from '../../service/ports.ts';
import { PostgresControlPlane } from './postgres-control-plane.ts';
import { keyed, parsed, statement } from './postgres-database.ts';

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
const earliestCommandEvent = statement('earliest_command_event', `
  SELECT least(
    (SELECT min(due_at) FROM command_invocations WHERE due_at IS NOT NULL),
    (SELECT min(r.at) FROM window_reports r JOIN window_executions e ON e.account = r.account AND e.region = r.region AND e.id = r.window_execution_id WHERE e.owner = $1)
  ) AS t`);
// Only for a running execution: a report reaching an execution that ended has nobody to read it.
const putWindowReport = statement('put_window_report', `
  INSERT INTO window_reports (account, region, invocation_id, window_execution_id, at, doc)
  SELECT $1, $2, $3, $4, $5, $6 WHERE EXISTS (
    SELECT 1 FROM window_executions WHERE account = $1 AND region = $2 AND id = $4 AND status IN ('PENDING', 'IN_PROGRESS', 'CANCELLING'))
  ON CONFLICT (account, region, invocation_id) DO UPDATE SET at = excluded.at, doc = excluded.doc`);
const takeWindowReports = statement('take_window_reports', `
  WITH due AS (
    SELECT r.account, r.region, r.invocation_id FROM window_reports r
    JOIN window_executions e ON e.account = r.account AND e.region = r.region AND e.id = r.window_execution_id
    WHERE e.owner = $1 AND r.at <= $2 ORDER BY r.at LIMIT $3 FOR UPDATE OF r)
  DELETE FROM window_reports w USING due
  WHERE w.account = due.account AND w.region = due.region AND w.invocation_id = due.invocation_id
  RETURNING w.account, w.region, w.doc`);
// In key order: the step then locks the commands it moves in the order every transaction does (see the
// lock order in postgres-store.ts), so two replicas stepping together wait for each other, not deadlock.
const listDueCommands = statement('list_due_commands', 'SELECT DISTINCT account, region, command_id FROM command_invocations WHERE due_at IS NOT NULL AND due_at <= $1 ORDER BY account, region, command_id LIMIT $2');

const insertActivation = statement('insert_activation', 'INSERT INTO activations (account, region, id, doc) VALUES ($1, $2, $3, $4)');
const selectActivation = statement('select_activation', 'SELECT doc FROM activations WHERE account = $1 AND region = $2 AND id = $3');
const selectActivationForUpdate = statement('select_activation_for_update', 'SELECT doc FROM activations WHERE account = $1 AND region = $2 AND id = $3 FOR UPDATE');
const updateActivation = statement('update_activation', 'UPDATE activations SET doc = $4 WHERE account = $1 AND region = $2 AND id = $3');
const deleteActivation = statement('delete_activation', 'DELETE FROM activations WHERE account = $1 AND region = $2 AND id = $3');
const listActivations = statement('list_activations', 'SELECT seq, doc FROM activations WHERE account = $1 AND region = $2 AND seq > $3 ORDER BY seq LIMIT $4');

const locateActivation = statement('locate_activation', 'SELECT account, region FROM activations WHERE id = $1 LIMIT 1');

const locateNode = statement('locate_node', 'SELECT account, region FROM managed_nodes WHERE id = $1 LIMIT 1');
const deleteExpiredAgentCredentials = statement('delete_expired_agent_credentials', 'DELETE FROM agent_credentials WHERE account = $1 AND region = $2 AND node_id = $3 AND expires_at < $4');
const insertAgentCredential = statement('insert_agent_credential', 'INSERT INTO agent_credentials (access_key_id, account, region, node_id, expires_at, doc) VALUES ($1, $2, $3, $4, $5, $6)');
// Only while its node is registered: DeregisterManagedInstance revokes every credential the node holds.
const selectAgentCredential = statement('select_agent_credential', `
  SELECT c.account, c.region, c.doc FROM agent_credentials c WHERE c.access_key_id = $1
  AND EXISTS (SELECT 1 FROM managed_nodes n WHERE n.account = c.account AND n.region = c.region AND n.id = c.node_id)`);

const listQueuedInvocations = statement('list_queued_invocations', "SELECT doc FROM command_invocations WHERE account = $1 AND region = $2 AND instance_id = $3 AND delivery = 'queued' ORDER BY seq DESC LIMIT $4");

export class PostgresCommands extends PostgresControlPlane {
  async insertCommand(scope: Scope, command: Command, invocations: CommandInvocation[]): Promise<void> {
    await insertCommand(this.session, [scope.account, scope.region, command.id, JSON.stringify(command)]);
    if (invocations.length === 0) return;
    // Last instance first: descending seq then lists the newest command first, each in instance order.
    const rows = [...invocations].reverse();
    await insertCommandInvocations(this.session, [
      scope.account, scope.region, command.id,
      rows.map((i) => i.instanceId), rows.map((i) => i.status), rows.map((i) => i.dueAt ?? null), rows.map((i) => JSON.stringify(i)),
    ]);
  }

  async getCommand(scope: Scope, commandId: string): Promise<Command | undefined> {
    const read = this.inTransaction ? selectCommandForUpdate : selectCommand;
    return parsed((await read(this.session, [scope.account, scope.region, commandId])).rows[0]);
  }

  async updateCommand(scope: Scope, command: Command): Promise<void> {
    await updateCommand(this.session, [scope.account, scope.region, command.id, JSON.stringify(command)]);
  }

  async listCommands(scope: Scope, beforeKey: number, limit: number, instanceId?: string): Promise<Keyed<Command>[]> {
    const key = [scope.account, scope.region, beforeKey, limit];
    if (instanceId === undefined) return keyed((await listCommands(this.session, key)).rows);
    return keyed((await listCommandsOfInstance(this.session, [...key, instanceId])).rows);
  }

  async getCommandInvocations(scope: Scope, commandId: string): Promise<CommandInvocation[]> {
    return (await selectCommandInvocations(this.session, [scope.account, scope.region, commandId])).rows.map((row) => JSON.parse(String(row.doc)) as CommandInvocation);
  }

  async updateCommandInvocations(scope: Scope, invocations: CommandInvocation[]): Promise<void> {
    const byCommand = new Map<string, CommandInvocation[]>();
    for (const i of invocations) byCommand.set(i.commandId, [...(byCommand.get(i.commandId) ?? []), i]);
    for (const [commandId, list] of byCommand) {
      // The last of several versions of one invocation wins, as writing them one after another would.
      const rows = [...new Map(list.map((i) => [i.instanceId, i] as const)).values()];
      await updateCommandInvocations(this.session, [
        scope.account, scope.region, commandId,
        rows.map((i) => i.instanceId), rows.map((i) => i.status), rows.map((i) => i.dueAt ?? null), rows.map((i) => JSON.stringify(i)),
        rows.map((i) => (hasQueuedMessage(i) ? 'queued' : null)),
      ]);
    }
  }

  async listCommandInvocations(scope: Scope, where: { commandId?: string; instanceId?: string }, beforeKey: number, limit: number): Promise<Keyed<CommandInvocation>[]> {
    const key = [scope.account, scope.region, beforeKey, limit];
    const { commandId, instanceId } = where;
    const result = commandId !== undefined && instanceId !== undefined ? await listInvocationOfCommandAndInstance(this.session, [...key, commandId, instanceId])
      : commandId !== undefined ? await listInvocationsOfCommand(this.session, [...key, commandId])
        : instanceId !== undefined ? await listInvocationsOfInstance(this.session, [...key, instanceId])
          : await listAllCommandInvocations(this.session, key);
    return keyed(result.rows);
  }

  async getCommandInvocation(scope: Scope, commandId: string, instanceId: string): Promise<CommandInvocation | undefined> {
    return parsed((await selectCommandInvocation(this.session, [scope.account, scope.region, commandId, instanceId])).rows[0]);
  }

  async listQueuedInvocations(scope: Scope, instanceId: string, limit: number): Promise<CommandInvocation[]> {
    const rows = (await listQueuedInvocations(this.session, [scope.account, scope.region, instanceId, limit])).rows;
    return rows.map((row) => JSON.parse(String(row.doc)) as CommandInvocation).reverse();
  }

  async earliestCommandEvent(owner: string): Promise<number | undefined> {
    const t = (await earliestCommandEvent(this.session, [owner])).rows[0].t;
    return t === null ? undefined : Number(t);
  }

  async listDueCommands(now: number, limit: number): Promise<{ scope: Scope; commandId: string }[]> {
    const rows = (await listDueCommands(this.session, [now, limit])).rows;
    return rows.map((row) => ({ scope: { account: String(row.account), region: String(row.region) }, commandId: String(row.command_id) }));
  }

  async putWindowReport(scope: Scope, report: WindowReport): Promise<void> {
    await putWindowReport(this.session, [scope.account, scope.region, report.invocationId, report.windowExecutionId, report.at, JSON.stringify(report)]);
  }

  async takeWindowReports(owner: string, now: number, limit: number): Promise<{ scope: Scope; report: WindowReport }[]> {
    const rows = (await takeWindowReports(this.session, [owner, now, limit])).rows;
    return rows.map((row) => ({ scope: { account: String(row.account), region: String(row.region) }, report: JSON.parse(String(row.doc)) as WindowReport }))
      .sort((a, b) => a.report.at - b.report.at);
  }

  // ---- hybrid activations

  async insertActivation(scope: Scope, activation: Activation): Promise<void> {
    await insertActivation(this.session, [scope.account, scope.region, activation.id, JSON.stringify(activation)]);
  }

  async getActivation(scope: Scope, activationId: string): Promise<Activation | undefined> {
    const read = this.inTransaction ? selectActivationForUpdate : selectActivation;
    return parsed((await read(this.session, [scope.account, scope.region, activationId])).rows[0]);
  }

  async updateActivation(scope: Scope, activation: Activation): Promise<void> {
    await updateActivation(this.session, [scope.account, scope.region, activation.id, JSON.stringify(activation)]);
  }

  async deleteActivation(scope: Scope, activationId: string): Promise<boolean> {
    return ((await deleteActivation(this.session, [scope.account, scope.region, activationId])).rowCount ?? 0) > 0;
  }

  async locateActivation(activationId: string): Promise<Scope | undefined> {
    const row = (await locateActivation(this.session, [activationId])).rows[0];
    return row ? { account: String(row.account), region: String(row.region) } : undefined;
  }

  async listActivations(scope: Scope, afterKey: number, limit: number): Promise<Keyed<Activation>[]> {
    return keyed((await listActivations(this.session, [scope.account, scope.region, afterKey, limit])).rows);
  }

  // ---- registered agents

  async locateNode(nodeId: string): Promise<Scope | undefined> {
    const row = (await locateNode(this.session, [nodeId])).rows[0];
    return row ? { account: String(row.account), region: String(row.region) } : undefined;
  }

  async putAgentCredential(scope: Scope, credential: AgentCredential, now: number): Promise<void> {
    await deleteExpiredAgentCredentials(this.session, [scope.account, scope.region, credential.nodeId, now]);
    await insertAgentCredential(this.session, [credential.accessKeyId, scope.account, scope.region, credential.nodeId, credential.expiresAt, JSON.stringify(credential)]);
  }

  async findAgentCredential(accessKeyId: string): Promise<{ scope: Scope; credential: AgentCredential } | undefined> {
    const row = (await selectAgentCredential(this.session, [accessKeyId])).rows[0];
    return row ? { scope: { account: String(row.account), region: String(row.region) }, credential: JSON.parse(String(row.doc)) as AgentCredential } : undefined;
  }
}
