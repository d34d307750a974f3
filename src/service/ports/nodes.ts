// The nodes port: the managed-node inventory, the hybrid activations nodes register with, and the
// credentials their agents sign with. The outcome rules (what a simulated node's run turns out to be) are
// here too: they are the inventory's other half in the control API, per account and Region like the nodes.

import type { Activation } from '../../domain/activations.ts';
import type { AgentCredential } from '../../domain/agent-credentials.ts';
import type { ManagedNode, OutcomeRule } from '../../domain/inventory.ts';
import type { Scope } from '../../domain/model.ts';
import type { Keyed } from './keyed.ts';

export interface NodesPort {
  putNode(scope: Scope, node: ManagedNode): Promise<void>;
  /** Removes a node; its agent's credentials stop working with it. False when it did not exist. */
  deleteNode(scope: Scope, nodeId: string): Promise<boolean>;
  listNodes(scope: Scope): Promise<ManagedNode[]>;
  /**
   * One node. Inside a transaction it is held until the transaction ends (read-modify-write of its tags),
   * unless `lock` is false: a read only, which must not hold the node (the engine's step reads nodes
   * between its command locks, and holding them would break the lock order of postgres-store.ts).
   */
  getNode(scope: Scope, nodeId: string, options?: { lock?: boolean }): Promise<ManagedNode | undefined>;
  /** The account and Region of a managed node id (mi- ids are unique across scopes). */
  locateNode(nodeId: string): Promise<Scope | undefined>;
  getOutcomeRules(scope: Scope): Promise<OutcomeRule[]>;
  setOutcomeRules(scope: Scope, rules: OutcomeRule[]): Promise<void>;

  // ---- hybrid activations
  insertActivation(scope: Scope, activation: Activation): Promise<void>;
  /** Inside a transaction the activation is held until it ends (a registration counts against its limit). */
  getActivation(scope: Scope, activationId: string): Promise<Activation | undefined>;
  updateActivation(scope: Scope, activation: Activation): Promise<void>;
  deleteActivation(scope: Scope, activationId: string): Promise<boolean>;
  /** The account and Region of an activation id (ids are UUIDs: unique across scopes). */
  locateActivation(activationId: string): Promise<Scope | undefined>;
  /** In creation order: rows with key > afterKey. */
  listActivations(scope: Scope, afterKey: number, limit: number): Promise<Keyed<Activation>[]>;

  // ---- registered agents' credentials
  /** Keeps a credential issued to a node, dropping that node's credentials expired before `now`. */
  putAgentCredential(scope: Scope, credential: AgentCredential, now: number): Promise<void>;
  /** The credential with that access key id, while its node is registered (deleteNode revokes them all). */
  findAgentCredential(accessKeyId: string): Promise<{ scope: Scope; credential: AgentCredential } | undefined>;
}
