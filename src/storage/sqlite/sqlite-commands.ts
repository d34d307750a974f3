// Run Command's tables on SQLite: commands and their per-node invocations. An invocation row carries the
// instant it is next due to move on its own (`due_at`), so the engine finds due work with one index.

import type { Activation } from '../../domain/activations.ts';
import type { AgentCredential } from '../../domain/agent-credentials.ts';
import { type Command, type CommandInvocation, hasQueuedMessage, type WindowReport } from '../../domain/commands.ts';
import type { Scope } from '../../domain/model.ts';
import type { Keyed } from '../../service/ports.ts';
import { SqliteControlPlane } from './sqlite-control-plane.ts';
import { keyed, parsed, type Row } from './sqlite-database.ts';

export class SqliteCommands extends SqliteControlPlane {
  async insertCommand(scope: Scope, command: Command, invocations: CommandInvocation[]): Promise<void> {
    this.statement('INSERT INTO commands (account, region, id, doc) VALUES (?, ?, ?, ?)').run(scope.account, scope.region, command.id, JSON.stringify(command));
    const insert = this.statement('INSERT INTO command_invocations (account, region, command_id, instance_id, status, due_at, doc) VALUES (?, ?, ?, ?, ?, ?, ?)');
    // Inserted last instance first: descending seq then lists the newest command first, each in instance order.
    for (const i of [...invocations].reverse()) {
      insert.run(scope.account, scope.region, i.commandId, i.instanceId, i.status, i.dueAt ?? null, JSON.stringify(i));
    }
  }

  async getCommand(scope: Scope, commandId: string): Promise<Command | undefined> {
    return parsed(this.statement('SELECT doc FROM commands WHERE account = ? AND region = ? AND id = ?').get(scope.account, scope.region, commandId) as Row | undefined);
  }

  async updateCommand(scope: Scope, command: Command): Promise<void> {
    this.statement('UPDATE commands SET doc = ? WHERE account = ? AND region = ? AND id = ?').run(JSON.stringify(command), scope.account, scope.region, command.id);
  }

  async listCommands(scope: Scope, beforeKey: number, limit: number, instanceId?: string): Promise<Keyed<Command>[]> {
    if (instanceId === undefined) {
      return keyed(this.statement('SELECT seq, doc FROM commands WHERE account = ? AND region = ? AND seq < ? ORDER BY seq DESC LIMIT ?')
        .all(scope.account, scope.region, beforeKey, limit) as Row[]);
    }
    return keyed(this.statement(`SELECT c.seq, c.doc FROM commands c WHERE c.account = ? AND c.region = ? AND c.seq < ?
      AND EXISTS (SELECT 1 FROM command_invocations i WHERE i.account = c.account AND i.region = c.region AND i.command_id = c.id AND i.instance_id = ?)
      ORDER BY c.seq DESC LIMIT ?`).all(scope.account, scope.region, beforeKey, instanceId, limit) as Row[]);
  }

  async getCommandInvocations(scope: Scope, commandId: string): Promise<CommandInvocation[]> {
    const rows = this.statement('SELECT doc FROM command_invocations WHERE account = ? AND region = ? AND command_id = ? ORDER BY seq DESC')
      .all(scope.account, scope.region, commandId) as Row[];
    return rows.map((row) => JSON.parse(String(row.doc)) as CommandInvocation);
  }

  async updateCommandInvocations(scope: Scope, invocations: CommandInvocation[]): Promise<void> {
    const update = this.statement('UPDATE command_invocations SET status = ?, due_at = ?, delivery = ?, doc = ? WHERE account = ? AND region = ? AND command_id = ? AND instance_id = ?');
    for (const i of invocations) update.run(i.status, i.dueAt ?? null, hasQueuedMessage(i) ? 'queued' : null, JSON.stringify(i), scope.account, scope.region, i.commandId, i.instanceId);
  }

  async listCommandInvocations(scope: Scope, where: { commandId?: string; instanceId?: string }, beforeKey: number, limit: number): Promise<Keyed<CommandInvocation>[]> {
    // One statement per case, so each uses its index instead of scanning every invocation of the Region.
    const base = 'SELECT seq, doc FROM command_invocations WHERE account = ? AND region = ? AND seq < ?';
    const { commandId, instanceId } = where;
    const [condition, values] = commandId !== undefined && instanceId !== undefined
      ? [' AND command_id = ? AND instance_id = ?', [commandId, instanceId]]
      : commandId !== undefined ? [' AND command_id = ?', [commandId]]
        : instanceId !== undefined ? [' AND instance_id = ?', [instanceId]] : ['', []];
    return keyed(this.statement(`${base}${condition} ORDER BY seq DESC LIMIT ?`).all(scope.account, scope.region, beforeKey, ...values, limit) as Row[]);
  }

  async getCommandInvocation(scope: Scope, commandId: string, instanceId: string): Promise<CommandInvocation | undefined> {
    return parsed(this.statement('SELECT doc FROM command_invocations WHERE account = ? AND region = ? AND command_id = ? AND instance_id = ?')
      .get(scope.account, scope.region, commandId, instanceId) as Row | undefined);
  }

  async listQueuedInvocations(scope: Scope, instanceId: string, limit: number): Promise<CommandInvocation[]> {
    const rows = this.statement("SELECT doc FROM command_invocations WHERE account = ? AND region = ? AND instance_id = ? AND delivery = 'queued' ORDER BY seq DESC LIMIT ?")
      .all(scope.account, scope.region, instanceId, limit) as Row[];
    return rows.map((row) => JSON.parse(String(row.doc)) as CommandInvocation).reverse();
  }

  async earliestCommandEvent(owner: string): Promise<number | undefined> {
    const t = (this.statement(`SELECT min(
      coalesce((SELECT min(due_at) FROM command_invocations WHERE due_at IS NOT NULL), 9e15),
      coalesce((SELECT min(r.at) FROM window_reports r JOIN window_executions e ON e.account = r.account AND e.region = r.region AND e.id = r.window_execution_id WHERE e.owner = ?), 9e15)
    ) AS t`).get(owner) as Row).t;
    // SQLite's min() of several values is NULL if one is: absent ones count as 9e15, after any real instant.
    return Number(t) >= 9e15 ? undefined : Number(t);
  }

  async listDueCommands(now: number, limit: number): Promise<{ scope: Scope; commandId: string }[]> {
    // In key order, as on PostgreSQL (where the order is the lock order): the same commands under a limit.
    const rows = this.statement('SELECT DISTINCT account, region, command_id FROM command_invocations WHERE due_at IS NOT NULL AND due_at <= ? ORDER BY account, region, command_id LIMIT ?').all(now, limit) as Row[];
    return rows.map((row) => ({ scope: { account: String(row.account), region: String(row.region) }, commandId: String(row.command_id) }));
  }

  async putWindowReport(scope: Scope, report: WindowReport): Promise<void> {
    // Only for a running execution: a report reaching an execution that ended has nobody to read it.
    this.statement(`INSERT INTO window_reports (account, region, invocation_id, window_execution_id, at, doc)
      SELECT ?1, ?2, ?3, ?4, ?5, ?6 WHERE EXISTS (
        SELECT 1 FROM window_executions WHERE account = ?1 AND region = ?2 AND id = ?4 AND status IN ('PENDING', 'IN_PROGRESS', 'CANCELLING'))
      ON CONFLICT (account, region, invocation_id) DO UPDATE SET at = excluded.at, doc = excluded.doc`)
      .run(scope.account, scope.region, report.invocationId, report.windowExecutionId, report.at, JSON.stringify(report));
  }

  async takeWindowReports(owner: string, now: number, limit: number): Promise<{ scope: Scope; report: WindowReport }[]> {
    const rows = this.statement(`DELETE FROM window_reports WHERE rowid IN (
      SELECT r.rowid FROM window_reports r JOIN window_executions e ON e.account = r.account AND e.region = r.region AND e.id = r.window_execution_id
      WHERE e.owner = ? AND r.at <= ? ORDER BY r.at LIMIT ?) RETURNING account, region, doc`).all(owner, now, limit) as Row[];
    return rows.map((row) => ({ scope: { account: String(row.account), region: String(row.region) }, report: JSON.parse(String(row.doc)) as WindowReport }))
      .sort((a, b) => a.report.at - b.report.at);
  }

  // ---- hybrid activations (one writer at a time on SQLite, so a read inside a transaction is held)

  async insertActivation(scope: Scope, activation: Activation): Promise<void> {
    this.statement('INSERT INTO activations (account, region, id, doc) VALUES (?, ?, ?, ?)').run(scope.account, scope.region, activation.id, JSON.stringify(activation));
  }

  async getActivation(scope: Scope, activationId: string): Promise<Activation | undefined> {
    return parsed(this.statement('SELECT doc FROM activations WHERE account = ? AND region = ? AND id = ?').get(scope.account, scope.region, activationId) as Row | undefined);
  }

  async updateActivation(scope: Scope, activation: Activation): Promise<void> {
    this.statement('UPDATE activations SET doc = ? WHERE account = ? AND region = ? AND id = ?').run(JSON.stringify(activation), scope.account, scope.region, activation.id);
  }

  async deleteActivation(scope: Scope, activationId: string): Promise<boolean> {
    return this.statement('DELETE FROM activations WHERE account = ? AND region = ? AND id = ?').run(scope.account, scope.region, activationId).changes > 0;
  }

  async locateActivation(activationId: string): Promise<Scope | undefined> {
    const row = this.statement('SELECT account, region FROM activations WHERE id = ? LIMIT 1').get(activationId) as Row | undefined;
    return row ? { account: String(row.account), region: String(row.region) } : undefined;
  }

  async listActivations(scope: Scope, afterKey: number, limit: number): Promise<Keyed<Activation>[]> {
    return keyed(this.statement('SELECT seq, doc FROM activations WHERE account = ? AND region = ? AND seq > ? ORDER BY seq LIMIT ?')
      .all(scope.account, scope.region, afterKey, limit) as Row[]);
  }

  // ---- registered agents

  async locateNode(nodeId: string): Promise<Scope | undefined> {
    const row = this.statement('SELECT account, region FROM managed_nodes WHERE id = ? LIMIT 1').get(nodeId) as Row | undefined;
    return row ? { account: String(row.account), region: String(row.region) } : undefined;
  }

  async putAgentCredential(scope: Scope, credential: AgentCredential, now: number): Promise<void> {
    this.statement('DELETE FROM agent_credentials WHERE account = ? AND region = ? AND node_id = ? AND expires_at < ?').run(scope.account, scope.region, credential.nodeId, now);
    this.statement('INSERT INTO agent_credentials (access_key_id, account, region, node_id, expires_at, doc) VALUES (?, ?, ?, ?, ?, ?)')
      .run(credential.accessKeyId, scope.account, scope.region, credential.nodeId, credential.expiresAt, JSON.stringify(credential));
  }

  async findAgentCredential(accessKeyId: string): Promise<{ scope: Scope; credential: AgentCredential } | undefined> {
    // Only while its node is registered: DeregisterManagedInstance revokes every credential the node holds.
    const row = this.statement(`SELECT c.account, c.region, c.doc FROM agent_credentials c WHERE c.access_key_id = ?
      AND EXISTS (SELECT 1 FROM managed_nodes n WHERE n.account = c.account AND n.region = c.region AND n.id = c.node_id)`).get(accessKeyId) as Row | undefined;
    return row ? { scope: { account: String(row.account), region: String(row.region) }, credential: JSON.parse(String(row.doc)) as AgentCredential } : undefined;
  }
}
