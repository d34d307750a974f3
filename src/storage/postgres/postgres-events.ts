// The state-change event outbox on PostgreSQL. Writers of events take turns (a transaction-scoped
// advisory lock taken before the insert and held until commit), so seq order is commit order and a
// reader that has seen seq N never later finds a smaller seq committed behind it.

import type { EventTarget, EventTargetState, RecordedEvent, SequencedEvent } from '../../domain/events.ts';
import { PostgresCommands } from './postgres-commands.ts';
import { LOCK_CLASS_EVENTS, type Row, statement } from './postgres-database.ts';

const lockEvents = statement('lock_events', 'SELECT pg_advisory_xact_lock($1)');
const insertEvents = statement('insert_events', `
  INSERT INTO events (id, window_id, doc)
  SELECT id, window_id, doc FROM unnest($1::text[], $2::text[], $3::text[]) WITH ORDINALITY AS e(id, window_id, doc, n) ORDER BY n`);
const readEvents = statement('read_events', 'SELECT seq, window_id, doc FROM events WHERE seq > $1 ORDER BY seq LIMIT $2');
const lastEventSeq = statement('last_event_seq', 'SELECT coalesce(max(seq), 0) AS s FROM events');
const firstEventSeq = statement('first_event_seq', 'SELECT min(seq) AS s FROM events');
const pruneEvents = statement('prune_events', 'DELETE FROM events WHERE seq <= (SELECT max(seq) FROM events) - $1');
const addEventTarget = statement('add_event_target', 'INSERT INTO event_targets (id, doc, delivered_seq) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING');
const listEventTargets = statement('list_event_targets', 'SELECT doc, delivered_seq, failures, last_error FROM event_targets ORDER BY id');
const deleteEventTarget = statement('delete_event_target', 'DELETE FROM event_targets WHERE id = $1');
const claimEventTarget = statement('claim_event_target', 'UPDATE event_targets SET owner = $2, lease_until = $4 WHERE id = $1 AND (owner IS NULL OR owner = $2 OR lease_until < $3)');
const releaseEventTarget = statement('release_event_target', 'UPDATE event_targets SET owner = NULL, lease_until = NULL WHERE id = $1 AND owner = $2');
const saveEventTargetProgress = statement('save_event_target_progress', 'UPDATE event_targets SET delivered_seq = $3, failures = $4, last_error = $5 WHERE id = $1 AND owner = $2');

function targetState(row: Row): EventTargetState {
  return {
    target: JSON.parse(String(row.doc)) as EventTarget,
    deliveredSeq: Number(row.delivered_seq),
    failures: Number(row.failures),
    lastError: row.last_error === null ? undefined : String(row.last_error),
  };
}

export class PostgresEvents extends PostgresCommands {
  async appendEvents(events: RecordedEvent[]): Promise<void> {
    if (events.length === 0) return;
    await lockEvents(this.session, [LOCK_CLASS_EVENTS]);
    await insertEvents(this.session, [events.map((e) => e.event.id), events.map((e) => e.windowId ?? null), events.map((e) => JSON.stringify(e.event))]);
  }

  async readEvents(afterSeq: number, limit: number): Promise<SequencedEvent[]> {
    const rows = (await readEvents(this.session, [afterSeq, limit])).rows;
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
    await addEventTarget(this.session, [target.id, JSON.stringify(target), fromSeq]);
  }

  async listEventTargets(): Promise<EventTargetState[]> {
    return (await listEventTargets(this.session, [])).rows.map(targetState);
  }

  async deleteEventTarget(id: string): Promise<boolean> {
    return ((await deleteEventTarget(this.session, [id])).rowCount ?? 0) > 0;
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
