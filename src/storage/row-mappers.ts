// Rows to domain objects, shared by both engines: both return rows as plain objects keyed by column name,
// NULL as null, and an entity as its JSON document (`doc`). PostgreSQL's bigint columns (seq, times,
// counts) arrive as strings and SQLite's as numbers: Number() reads both, and every key and time we
// store fits a double exactly.

import type { AgentCredential } from '../domain/agent-credentials.ts';
import type { WindowReport } from '../domain/commands.ts';
import type { EventTarget, EventTargetState, SequencedEvent } from '../domain/events.ts';
import type { ExecutionStatus, PlanItem, WindowExecution } from '../domain/execution.ts';
import type { Scope, Window } from '../domain/model.ts';
import { eventFromDocument } from './event-rows.ts';
import type { DueWindow, IdempotencyRecord, Keyed, Stored } from '../service/ports.ts';

export type Row = Record<string, unknown>;

/** Rows of `seq, doc` as keyed items. */
export function keyed<T>(rows: Row[]): Keyed<T>[] {
  return rows.map((row) => ({ key: Number(row.seq), item: JSON.parse(String(row.doc)) as T }));
}

/** A row's document, or undefined for no row. */
export function parsed<T>(row: Row | undefined): T | undefined {
  return row ? (JSON.parse(String(row.doc)) as T) : undefined;
}

/** Each row's document. */
export function documents<T>(rows: Row[]): T[] {
  return rows.map((row) => JSON.parse(String(row.doc)) as T);
}

/** A row of `doc, version` as the stored record (service/ports/keyed.ts). */
export function stored<T extends object>(row: Row): Stored<T> {
  return Object.assign(JSON.parse(String(row.doc)) as T, { version: Number(row.version) });
}

/** A row of `doc, version` as the stored record, or undefined for no row. */
export function storedOrNone<T extends object>(row: Row | undefined): Stored<T> | undefined {
  return row ? stored<T>(row) : undefined;
}

/** Rows of `seq, doc, version` as keyed stored records. */
export function keyedStored<T extends object>(rows: Row[]): Keyed<Stored<T>>[] {
  return rows.map((row) => ({ key: Number(row.seq), item: stored<T>(row) }));
}

/**
 * The document column of a record the store is given to write. A record spread from a stored one still
 * carries the version it was read with; the version is the store's column, never part of the document.
 */
export function documentOf<T extends object>(record: T & { version?: number }): string {
  if (record.version === undefined) return JSON.stringify(record);
  const { version: _, ...doc } = record;
  return JSON.stringify(doc);
}

export function scopeOf(row: Row): Scope {
  return { account: String(row.account), region: String(row.region) };
}

/** The scope of a row found by an id unique across scopes, or undefined for no row. */
export function located(row: Row | undefined): Scope | undefined {
  return row ? scopeOf(row) : undefined;
}

/** A nullable number column (an instant, a sequence number). */
export function optionalNumber(value: unknown): number | undefined {
  return value === null || value === undefined ? undefined : Number(value);
}

export function idempotencyRecord(row: Row | undefined): IdempotencyRecord | undefined {
  return row ? { fingerprint: String(row.fingerprint), result: String(row.result), createdAt: Number(row.created_at) } : undefined;
}

/** Rows of `account, region, doc, next_fire_at`. */
export function dueWindow(row: Row): DueWindow {
  return { scope: scopeOf(row), window: JSON.parse(String(row.doc)) as Window, fireAt: Number(row.next_fire_at) };
}

/** Rows of `account, region, doc, next_fire_at`, whose fire time may be NULL. */
export function storedWindow(row: Row): { scope: Scope; window: Window; nextFireAt: number | undefined } {
  return { scope: scopeOf(row), window: JSON.parse(String(row.doc)) as Window, nextFireAt: optionalNumber(row.next_fire_at) };
}

export function claimedExecution(row: Row): { scope: Scope; execution: WindowExecution } {
  return { scope: scopeOf(row), execution: JSON.parse(String(row.doc)) as WindowExecution };
}

/** A task execution's `plan` column (NULL until saved). */
export function taskPlan(row: Row | undefined): PlanItem[] | undefined {
  return row?.plan ? (JSON.parse(String(row.plan)) as PlanItem[]) : undefined;
}

/** Rows of `status, n`. */
export function countsByStatus(rows: Row[]): Partial<Record<ExecutionStatus, number>> {
  return Object.fromEntries(rows.map((row) => [String(row.status), Number(row.n)]));
}

/** Rows of `account, region, doc` taken from the mailbox, oldest first. */
export function takenReports(rows: Row[]): { scope: Scope; report: WindowReport }[] {
  return rows.map((row) => ({ scope: scopeOf(row), report: JSON.parse(String(row.doc)) as WindowReport }))
    .sort((a, b) => a.report.at - b.report.at);
}

/** Rows of `account, region, command_id`. */
export function dueCommand(row: Row): { scope: Scope; commandId: string } {
  return { scope: scopeOf(row), commandId: String(row.command_id) };
}

/** A node's invocations read newest first (the limit keeps the newest), returned oldest first. */
export function oldestFirst<T>(rows: Row[]): T[] {
  return documents<T>(rows).reverse();
}

export function foundCredential(row: Row | undefined): { scope: Scope; credential: AgentCredential } | undefined {
  return row ? { scope: scopeOf(row), credential: JSON.parse(String(row.doc)) as AgentCredential } : undefined;
}

/** Rows of `seq, window_id, doc` (and `account, region`, which a compact doc needs: storage/event-rows.ts). */
export function sequencedEvent(row: Row): SequencedEvent {
  return { seq: Number(row.seq), windowId: row.window_id === null ? undefined : String(row.window_id), event: eventFromDocument(String(row.doc), row.account, row.region) };
}

/** Rows of `doc, delivered_seq, failures, last_error, account, region`. */
export function eventTargetState(row: Row): EventTargetState {
  const { scope: _, ...target } = JSON.parse(String(row.doc)) as EventTarget;
  return {
    // The owner is the columns' (migration 11 gave owners to targets whose doc has none).
    target: row.account === null ? target : { ...target, scope: { account: String(row.account), region: String(row.region) } },
    deliveredSeq: Number(row.delivered_seq),
    failures: Number(row.failures),
    lastError: row.last_error === null ? undefined : String(row.last_error),
  };
}

/** What an event target's row holds of it: the owner in its own columns, the rest as the document. */
export function eventTargetRow(target: EventTarget): { doc: string; account: string | null; region: string | null } {
  const { scope, ...doc } = target;
  return { doc: JSON.stringify(doc), account: scope?.account ?? null, region: scope?.region ?? null };
}
