// The state-change event outbox on PostgreSQL. Writers of events take turns (a transaction-scoped
// advisory lock taken before the insert and held until commit), so seq order is commit order and a
// reader that has seen seq N never later finds a smaller seq committed behind it.

import type { EventTarget, EventTargetState, RecordedEvent, SequencedEvent } from '../../domain/events.ts';
import type { Scope } from '../../domain/model.ts';
import { PostgresCommands } from './postgres-commands.ts';
import { LOCK_CLASS_EVENTS, type Row, statement } from './postgres-database.ts';

const lockEvents = statement('lock_events', 'SELECT pg_advisory_xact_lock($1)');
const insertEvents = statement('insert_events', `
  INSERT INTO events (id, window_id, account, region, doc)
  SELECT id, window_id, account, region, doc FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[])
    WITH ORDINALITY AS e(id, window_id, account, region, doc, n) ORDER BY n`);
const readEvents = statement('read_events', 'SELECT seq, window_id, doc FROM events WHERE seq > $1 ORDER BY seq LIMIT $2');
const readScopeEvents = statement('read_scope_events', 'SELECT seq, window_id, doc FROM events WHERE account = $1 AND region = $2 AND seq > $3 ORDER BY seq LIMIT $4');
const lastEventSeq = statement('last_event_seq', 'SELECT coalesce(max(seq), 0) AS s FROM events');
const firstEventSeq = statement('first_event_seq', 'SELECT min(seq) AS s FROM events');
const pruneEvents = statement('prune_events', 'DELETE FROM events WHERE seq <= (SELECT max(seq) FROM events) - $1');
// A known id keeps its progress; its owner is set again (a flag's target made before owners existed is the operator's again).
const addEventTarget = statement('add_event_target', `
  INSERT INTO event_targets (id, doc, delivered_seq, account, region) VALUES ($1, $2, $3, $4, $5)
  ON CONFLICT (id) DO UPDATE SET account = excluded.account, region = excluded.region`);
const TARGET_COLUMNS = 'SELECT doc, delivered_seq, failures, last_error, account, region FROM event_targets';
const listEventTargets = statement('list_event_targets', `${TARGET_COLUMNS} ORDER BY id`);
const listOperatorEventTargets = statement('list_operator_event_targets', `${TARGET_COLUMNS} WHERE account IS NULL ORDER BY id`);
const listScopeEventTargets = statement('list_scope_event_targets', `${TARGET_COLUMNS} WHERE account = $1 AND region = $2 ORDER BY id`);
const deleteEventTarget = statement('delete_event_target', 'DELETE FROM event_targets WHERE id = $1');
const deleteOperatorEventTarget = statement('delete_operator_event_target', 'DELETE FROM event_targets WHERE id = $1 AND account IS NULL');
const deleteScopeEventTarget = statement('delete_scope_event_target', 'DELETE FROM event_targets WHERE id = $1 AND account = $2 AND region = $3');
const claimEventTarget = statement('claim_event_target', 'UPDATE event_targets SET owner = $2, lease_until = $4 WHERE id = $1 AND (owner IS NULL OR owner = $2 OR lease_until < $3)');
const releaseEventTarget = statement('release_event_target', 'UPDATE event_targets SET owner = NULL, lease_until = NULL WHERE id = $1 AND owner = $2');
const saveEventTargetProgress = statement('save_event_target_progress', 'UPDATE event_targets SET delivered_seq = $3, failures = $4, last_error = $5 WHERE id = $1 AND owner = $2');

function targetState(row: Row): EventTargetState {
  const { scope: _, ...target } = JSON.parse(String(row.doc)) as EventTarget;
  return {
    // The owner is the columns' (migration 11 gave owners to targets whose doc has none).
    target: row.account === null ? target : { ...target, scope: { account: String(row.account), region: String(row.region) } },
    deliveredSeq: Number(row.delivered_seq),
    failures: Number(row.failures),
    lastError: row.last_error === null ? undefined : String(row.last_error),
  };
}

export class PostgresEvents extends PostgresCommands {
  async appendEvents(events: RecordedEvent[]): Promise<void> {
    if (events.length === 0) return;
    await lockEvents(this.session, [LOCK_CLASS_EVENTS]);
    await insertEvents(this.session, [
      events.map((e) => e.event.id), events.map((e) => e.windowId ?? null), events.map((e) => e.event.account), events.map((e) => e.event.region),
      events.map((e) => JSON.stringify(e.event)),
    ]);
  }

  async readEvents(afterSeq: number, limit: number, scope?: Scope): Promise<SequencedEvent[]> {
    const rows = (scope
      ? await readScopeEvents(this.session, [scope.account, scope.region, afterSeq, limit])
      : await readEvents(this.session, [afterSeq, limit])).rows;
    return rows.map((row) => ({ seq: Number(row.seq), windowId: row.window_id === null ? undefined : String(row.window_id), event: JSON.parse(String(row.doc)) }));
  }

  async lastEventSeq(): Promise<number> {
    return Number((await lastEventSeq(this.session, [])).rows[0].s);
  }

  async firstEventSeq(): Promise<number | undefined> {
    const s = (await firstEventSeq(this.session, [])).rows[0].s;
    return s === null ? undefined : Number(s);
  }

  async pruneEvents(keep: number): Promise<number> {
    return (await pruneEvents(this.session, [keep])).rowCount ?? 0;
  }

  async addEventTarget(target: EventTarget, fromSeq: number): Promise<void> {
    const { scope, ...doc } = target;
    await addEventTarget(this.session, [target.id, JSON.stringify(doc), fromSeq, scope?.account ?? null, scope?.region ?? null]);
  }

  async listEventTargets(owner?: Scope | null): Promise<EventTargetState[]> {
    const rows = owner === undefined ? await listEventTargets(this.session, [])
      : owner === null ? await listOperatorEventTargets(this.session, [])
        : await listScopeEventTargets(this.session, [owner.account, owner.region]);
    return rows.rows.map(targetState);
  }

  async deleteEventTarget(id: string, owner?: Scope | null): Promise<boolean> {
    const deleted = owner === undefined ? await deleteEventTarget(this.session, [id])
      : owner === null ? await deleteOperatorEventTarget(this.session, [id])
        : await deleteScopeEventTarget(this.session, [id, owner.account, owner.region]);
    return (deleted.rowCount ?? 0) > 0;
  }

  async claimEventTarget(id: string, owner: string, now: number, until: number): Promise<boolean> {
    return ((await claimEventTarget(this.session, [id, owner, now, until])).rowCount ?? 0) > 0;
  }

  async releaseEventTarget(id: string, owner: string): Promise<void> {
    await releaseEventTarget(this.session, [id, owner]);
  }

  async saveEventTargetProgress(id: string, owner: string, progress: Omit<EventTargetState, 'target'>): Promise<boolean> {
    return ((await saveEventTargetProgress(this.session, [id, owner, progress.deliveredSeq, progress.failures, progress.lastError ?? null])).rowCount ?? 0) > 0;
  }
}
