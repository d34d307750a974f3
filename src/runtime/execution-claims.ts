// Which running executions this replica holds: its lease (renewed at every step and tick, measured on the
// real clock), taking over executions nobody holds or whose holder stopped renewing, and taking back at
// start the leases of this host's processes that died.

import type { Clock, Lease, Store } from '../service/ports.ts';
import { loadActiveExecution } from './active-execution.ts';
import type { Executor } from './executor.ts';
import type { EngineMetrics } from './metrics.ts';
import { isDeadLocalReplica, processIsAlive, type ReplicaIdentity } from './replica-identity.ts';

const CLAIM_BATCH = 500;

export interface ExecutionClaimsOptions {
  store: Store;
  executor: Executor;
  /** This replica's name in leases. */
  owner: string;
  /** Who this replica is, to recognise leases left by dead processes of this host. */
  identity?: ReplicaIdentity;
  /** How long a lease lasts unrenewed. */
  leaseMs: number;
  /** The real time: a lease is about a process being alive, whatever the engine's clock. */
  realClock: Clock;
  metrics?: EngineMetrics;
  log: (message: string, fields?: Record<string, unknown>) => void;
}

export class ExecutionClaims {
  private readonly options: ExecutionClaimsOptions;

  constructor(options: ExecutionClaimsOptions) {
    this.options = options;
  }

  /** This replica's lease as of now, to renew its executions with. */
  lease(): Lease {
    return { owner: this.options.owner, until: this.options.realClock.now() + this.options.leaseMs };
  }

  /** Hands back this replica's executions (it stops, or its memory is behind the store). */
  async release(): Promise<void> {
    await this.options.store.releaseLeases(this.options.owner);
  }

  /** Releases the leases of processes of this host that are gone, so their executions are taken over at once. */
  async releaseDeadLocalReplicas(): Promise<void> {
    const { identity, store } = this.options;
    if (!identity) return;
    for (const owner of await store.listLeaseOwners()) {
      if (!isDeadLocalReplica(owner, identity, processIsAlive)) continue;
      this.options.log('taking back the executions of a stopped process of this host', { owner });
      await store.releaseLeases(owner);
    }
  }

  /**
   * Renews this replica's leases (dropping executions a peer took over) and takes over running executions
   * that no replica holds, or whose holder stopped renewing, loading them from the store. Runs at every
   * tick, so leases stay fresh even while nothing happens in the executions.
   */
  async claimWork(): Promise<void> {
    const { store, executor } = this.options;
    for (;;) {
      const claimed = await store.transaction(async (tx) => {
        const lease = this.lease();
        executor.forgetAllBut(new Set(await tx.renewLeases(lease)));
        return tx.claimExecutions(lease, this.options.realClock.now(), CLAIM_BATCH);
      });
      const taken = claimed.filter(({ execution }) => !executor.active.has(execution.id));
      if (taken.length > 0) this.options.metrics?.executionsTakenOver(taken.length);
      for (const { scope, execution } of taken) executor.resume(await loadActiveExecution(store, scope, execution));
      if (claimed.length < CLAIM_BATCH) return;
    }
  }
}
