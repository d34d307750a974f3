// The nodes port on SQLite: the managed-node inventory and its outcome rules, hybrid activations and the
// registered agents' credentials. One writer at a time on SQLite (transactions are BEGIN IMMEDIATE): a
// read inside a transaction is already held, so reads need no lock of their own.

import type { Activation } from '../../domain/activations.ts';
import type { ManagedNode, OutcomeRule } from '../../domain/inventory.ts';
import type { NodesPort } from '../../service/ports.ts';
import { documents, foundCredential, keyed, located, parsed, type Row } from '../row-mappers.ts';
import type { SqliteDatabase } from './sqlite-database.ts';

const SCOPE_AND_ID = 'account = ? AND region = ? AND id = ?';

const statements = {
  upsertNode: 'INSERT INTO managed_nodes (account, region, id, doc) VALUES (?, ?, ?, ?) ON CONFLICT (account, region, id) DO UPDATE SET doc = excluded.doc',
  deleteNode: `DELETE FROM managed_nodes WHERE ${SCOPE_AND_ID}`,
  listNodes: 'SELECT doc FROM managed_nodes WHERE account = ? AND region = ? ORDER BY id',
  selectNode: `SELECT doc FROM managed_nodes WHERE ${SCOPE_AND_ID}`,
  locateNode: 'SELECT account, region FROM managed_nodes WHERE id = ? LIMIT 1',
  selectOutcomeRules: 'SELECT doc FROM outcome_rules WHERE account = ? AND region = ?',
  upsertOutcomeRules: 'INSERT INTO outcome_rules (account, region, doc) VALUES (?, ?, ?) ON CONFLICT (account, region) DO UPDATE SET doc = excluded.doc',

  insertActivation: 'INSERT INTO activations (account, region, id, doc) VALUES (?, ?, ?, ?)',
  selectActivation: `SELECT doc FROM activations WHERE ${SCOPE_AND_ID}`,
  updateActivation: `UPDATE activations SET doc = ? WHERE ${SCOPE_AND_ID}`,
  deleteActivation: `DELETE FROM activations WHERE ${SCOPE_AND_ID}`,
  locateActivation: 'SELECT account, region FROM activations WHERE id = ? LIMIT 1',
  listActivations: 'SELECT seq, doc FROM activations WHERE account = ? AND region = ? AND seq > ? ORDER BY seq LIMIT ?',

  deleteExpiredAgentCredentials: 'DELETE FROM agent_credentials WHERE account = ? AND region = ? AND node_id = ? AND expires_at < ?',
  insertAgentCredential: 'INSERT INTO agent_credentials (access_key_id, account, region, node_id, expires_at, doc) VALUES (?, ?, ?, ?, ?, ?)',
  // Only while its node is registered: DeregisterManagedInstance revokes every credential the node holds.
  selectAgentCredential: `SELECT c.account, c.region, c.doc FROM agent_credentials c WHERE c.access_key_id = ?
    AND EXISTS (SELECT 1 FROM managed_nodes n WHERE n.account = c.account AND n.region = c.region AND n.id = c.node_id)`,
};

export function sqliteNodes(db: SqliteDatabase): NodesPort {
  const sql = db.prepare(statements);
  return {
    async putNode(scope, node) {
      sql.upsertNode.run(scope.account, scope.region, node.id, JSON.stringify(node));
    },

    async deleteNode(scope, nodeId) {
      return Number(sql.deleteNode.run(scope.account, scope.region, nodeId).changes) > 0;
    },

    async listNodes(scope) {
      return documents<ManagedNode>(sql.listNodes.all(scope.account, scope.region) as Row[]);
    },

    // Transactions are BEGIN IMMEDIATE: the writer lock is already held, so a plain read is enough.
    async getNode(scope, nodeId) {
      return parsed<ManagedNode>(sql.selectNode.get(scope.account, scope.region, nodeId) as Row | undefined);
    },

    async locateNode(nodeId) {
      return located(sql.locateNode.get(nodeId) as Row | undefined);
    },

    async getOutcomeRules(scope) {
      return parsed<OutcomeRule[]>(sql.selectOutcomeRules.get(scope.account, scope.region) as Row | undefined) ?? [];
    },

    async setOutcomeRules(scope, rules) {
      sql.upsertOutcomeRules.run(scope.account, scope.region, JSON.stringify(rules));
    },

    // ---- hybrid activations

    async insertActivation(scope, activation) {
      sql.insertActivation.run(scope.account, scope.region, activation.id, JSON.stringify(activation));
    },

    async getActivation(scope, activationId) {
      return parsed<Activation>(sql.selectActivation.get(scope.account, scope.region, activationId) as Row | undefined);
    },

    async updateActivation(scope, activation) {
      sql.updateActivation.run(JSON.stringify(activation), scope.account, scope.region, activation.id);
    },

    async deleteActivation(scope, activationId) {
      return Number(sql.deleteActivation.run(scope.account, scope.region, activationId).changes) > 0;
    },

    async locateActivation(activationId) {
      return located(sql.locateActivation.get(activationId) as Row | undefined);
    },

    async listActivations(scope, afterKey, limit) {
      return keyed<Activation>(sql.listActivations.all(scope.account, scope.region, afterKey, limit) as Row[]);
    },

    // ---- registered agents' credentials

    async putAgentCredential(scope, credential, now) {
      sql.deleteExpiredAgentCredentials.run(scope.account, scope.region, credential.nodeId, now);
      sql.insertAgentCredential.run(credential.accessKeyId, scope.account, scope.region, credential.nodeId, credential.expiresAt, JSON.stringify(credential));
    },

    async findAgentCredential(accessKeyId) {
      return foundCredential(sql.selectAgentCredential.get(accessKeyId) as Row | undefined);
    },
  };
}
