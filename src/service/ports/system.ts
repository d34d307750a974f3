// The system port: what the service keeps for itself rather than for a resource: ClientToken records
// (idempotency) and small named values that must survive restarts (the page-token signing key).

import type { Scope } from '../../domain/model.ts';

export interface IdempotencyRecord {
  fingerprint: string;
  result: string;
  createdAt: number;
}

export interface SystemPort {
  getIdempotencyRecord(scope: Scope, operation: string, token: string): Promise<IdempotencyRecord | undefined>;
  putIdempotencyRecord(scope: Scope, operation: string, token: string, record: IdempotencyRecord): Promise<void>;
  deleteIdempotencyRecordsBefore(createdBefore: number): Promise<void>;

  /** A small named value that must survive restarts (e.g. the page-token signing key). */
  getSetting(name: string): Promise<string | undefined>;
  putSettingIfAbsent(name: string, value: string): Promise<void>;
}
