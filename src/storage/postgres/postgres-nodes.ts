// The nodes port on PostgreSQL: the managed-node inventory and its outcome rules, hybrid activations and
// the registered agents' credentials. Inside a transaction a node or an activation read is locked until
// it ends (FOR UPDATE), so a read-modify-write of one (its tags, its registration count) takes turns.

import type { Activation } from '../../domain/activations.ts';
import type { ManagedNode, OutcomeRule } from '../../domain/inventory.ts';
import type { NodesPort } from '../../service/ports.ts';
import { documents, foundCredential, keyed, located, parsed, type Row } from '../row-mappers.ts';
import { type Session, statement } from './postgres-database.ts';

const upsertNode = statement('upsert_node', 'INSERT INTO managed_nodes (account, region, id, doc) VALUES ($1, $2, $3, $4) ON CONFLICT (account, region, id) DO UPDATE SET doc = excluded.doc');
const deleteNode = statement('delete_node', 'DELETE FROM managed_nodes WHERE account = $1 AND region = $2 AND id = $3');
// COLLATE "C": byte order, as SQLite sorts, whatever the database's own collation is.
const listNodes = statement('list_nodes', 'SELECT doc FROM managed_nodes WHERE account = $1 AND region = $2 ORDER BY id COLLATE "C"');
const selectNode = statement('select_node', 'SELECT doc FROM managed_nodes WHERE account = $1 AND region = $2 AND id = $3');
const selectNodeForUpdate = statement('select_node_for_update', 'SELECT doc FROM managed_nodes WHERE account = $1 AND region = $2 AND id = $3 FOR UPDATE');
const locateNode = statement('locate_node', 'SELECT account, region FROM managed_nodes WHERE id = $1 LIMIT 1');
const selectOutcomeRules = statement('select_outcome_rules', 'SELECT doc FROM outcome_rules WHERE account = $1 AND region = $2');
const upsertOutcomeRules = statement('upsert_outcome_rules', 'INSERT INTO outcome_rules (account, region, doc) VALUES ($1, $2, $3) ON CONFLICT (account, region) DO UPDATE SET doc = excluded.doc');
const insertActivation = statement('insert_activation', 'INSERT INTO activations (account, region, id, doc) VALUES ($1, $2, $3, $4)');
const selectActivation = statement('select_activation', 'SELECT doc FROM activations WHERE account = $1 AND region = $2 AND id = $3');
const selectActivationForUpdate = statement('select_activation_for_update', 'SELECT doc FROM activations WHERE account = $1 AND region = $2 AND id = $3 FOR UPDATE');
const updateActivation = statement('update_activation', 'UPDATE activations SET doc = $4 WHERE account = $1 AND region = $2 AND id = $3');
const deleteActivation = statement('delete_activation', 'DELETE FROM activations WHERE account = $1 AND region = $2 AND id = $3');
const locateActivation = statement('locate_activation', 'SELECT account, region FROM activations WHERE id = $1 LIMIT 1');
const listActivations = statement('list_activations', 'SELECT seq, doc FROM activations WHERE account = $1 AND region = $2 AND seq > $3 ORDER BY seq LIMIT $4');
const deleteExpiredAgentCredentials = statement('delete_expired_agent_credentials', 'DELETE FROM agent_credentials WHERE account = $1 AND region = $2 AND node_id = $3 AND expires_at < $4');
const insertAgentCredential = statement('insert_agent_credential', 'INSERT INTO agent_credentials (access_key_id, account, region, node_id, expires_at, doc) VALUES ($1, $2, $3, $4, $5, $6)');
// Only while its node is registered: DeregisterManagedInstance revokes every credential the node holds.
const selectAgentCredential = statement('select_agent_credential', `
  SELECT c.account, c.region, c.doc FROM agent_credentials c WHERE c.access_key_id = $1
  AND EXISTS (SELECT 1 FROM managed_nodes n WHERE n.account = c.account AND n.region = c.region AND n.id = c.node_id)`);

export function postgresNodes(session: Session, inTransaction: boolean): NodesPort {
  // A transaction reads a scope's nodes once (an engine step that fires 25 windows over the same fleet
  // asked 25 times), until it writes a node itself: later calls in it see the nodes as of its first, as if
  // any node another replica registers meanwhile had come just after the step. Rows are kept, not
  // objects, so what one caller does to its nodes never reaches the next.
  const nodeRows = new Map<string, Row[]>();
  return {
    async putNode(scope, node) {
      nodeRows.clear();
      await upsertNode(session, [scope.account, scope.region, node.id, JSON.stringify(node)]);
    },

    async deleteNode(scope, nodeId) {
      nodeRows.clear();
      return ((await deleteNode(session, [scope.account, scope.region, nodeId])).rowCount ?? 0) > 0;
    },

    async listNodes(scope) {
      const key = `${scope.account}|${scope.region}`;
      let rows = inTransaction ? nodeRows.get(key) : undefined;
      if (!rows) {
        rows = (await listNodes(session, [scope.account, scope.region])).rows;
        if (inTransaction) nodeRows.set(key, rows);
      }
      return documents<ManagedNode>(rows);
    },

    async getNode(scope, nodeId, options = {}) {
      // In a transaction the row stays locked until it ends, so concurrent tag changes apply one after another.
      const read = inTransaction && options.lock !== false ? selectNodeForUpdate : selectNode;
      return parsed<ManagedNode>((await read(session, [scope.account, scope.region, nodeId])).rows[0]);
    },

    async locateNode(nodeId) {
      return located((await locateNode(session, [nodeId])).rows[0]);
    },

    async getOutcomeRules(scope) {
      return parsed<OutcomeRule[]>((await selectOutcomeRules(session, [scope.account, scope.region])).rows[0]) ?? [];
    },

    async setOutcomeRules(scope, rules) {
      await upsertOutcomeRules(session, [scope.account, scope.region, JSON.stringify(rules)]);
    },

    // ---- hybrid activations

    async insertActivation(scope, activation) {
      await insertActivation(session, [scope.account, scope.region, activation.id, JSON.stringify(activation)]);
    },

    async getActivation(scope, activationId) {
      const read = inTransaction ? selectActivationForUpdate : selectActivation;
      return parsed<Activation>((await read(session, [scope.account, scope.region, activationId])).rows[0]);
    },

    async updateActivation(scope, activation) {
      await updateActivation(session, [scope.account, scope.region, activation.id, JSON.stringify(activation)]);
    },

    async deleteActivation(scope, activationId) {
      return ((await deleteActivation(session, [scope.account, scope.region, activationId])).rowCount ?? 0) > 0;
    },

    async locateActivation(activationId) {
      return located((await locateActivation(session, [activationId])).rows[0]);
    },

    async listActivations(scope, afterKey, limit) {
      return keyed<Activation>((await listActivations(session, [scope.account, scope.region, afterKey, limit])).rows);
    },

    // ---- registered agents' credentials

    async putAgentCredential(scope, credential, now) {
      await deleteExpiredAgentCredentials(session, [scope.account, scope.region, credential.nodeId, now]);
      await insertAgentCredential(session, [credential.accessKeyId, scope.account, scope.region, credential.nodeId, credential.expiresAt, JSON.stringify(credential)]);
    },

    async findAgentCredential(accessKeyId) {
      return foundCredential((await selectAgentCredential(session, [accessKeyId])).rows[0]);
    },
  };
}
