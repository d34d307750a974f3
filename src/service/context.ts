// What every use case receives from the composition root.

import type { PageTokens } from './page-tokens.ts';
import type { Clock, IdGenerator, Store } from './ports.ts';

export interface Quotas {
  /** Maintenance windows per account and Region (AWS default 50). */
  windowsPerRegion: number;
  /** Targets registered with one window (commonly cited AWS default 100). */
  targetsPerWindow: number;
  /** Tasks registered with one window (commonly cited AWS default 20). */
  tasksPerWindow: number;
  /** User tags on one resource (AWS: 50). */
  tagsPerResource: number;
  /** Documents one account may own in a Region ([I] AWS's commonly cited 500; DocumentLimitExceeded past it). */
  documentsPerRegion: number;
  /**
   * Automation executions not ended per account and Region: AWS runs 100 at once and queues 1,000 more,
   * refusing past that (AutomationExecutionLimitExceededException); this service runs them all at once,
   * so it refuses past the sum [I]. Absent: the default.
   */
  automationsNotEnded?: number;
}

export const defaultQuotas: Quotas = {
  windowsPerRegion: 50,
  targetsPerWindow: 100,
  tasksPerWindow: 20,
  tagsPerResource: 50,
  documentsPerRegion: 500,
  automationsNotEnded: 1100,
};

export interface ServiceContext {
  store: Store;
  clock: Clock;
  /**
   * 'system': time moves by itself. 'manual' (--clock manual): `clock` moves only when the control API
   * advances it, through the engine, which sets it to each event time on the way.
   */
  clockMode: 'system' | 'manual';
  ids: IdGenerator;
  tokens: PageTokens;
  quotas: Quotas;
  /** How long a registered node stays Online without word from its agent (DEFAULT_PING_TIMEOUT_MS). */
  pingTimeoutMs: number;
}

/** Page sizes: the model's MaxResults when given; the shape's maximum (SPEC 4.6) otherwise. */
export function pageSize(maxResults: number | undefined, fallback = 100, ceiling = 1000): number {
  return Math.min(maxResults ?? fallback, ceiling);
}
