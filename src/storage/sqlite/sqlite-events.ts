// The state-change event outbox on SQLite: events in one sequence (SQLite has one writer, so seq order is
// commit order), and each delivery target's progress and lease.

import type { EventTarget, EventTargetState, RecordedEvent, SequencedEvent } from '../../domain/events.ts';
import type { Scope } from '../../domain/model.ts';
import { SqliteCommands } from './sqlite-commands.ts';
import type { Row } from './sqlite-database.ts';

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

export class SqliteEvents extends SqliteCommands {
  async appendEvents(events: RecordedEvent[]): Promise<void> {
    const insert = this.statement('INSERT INTO events (id, window_id, account, region, doc) VALUES (?, ?, ?, ?, ?)');
    for (const e of events) insert.run(e.event.id, e.windowId ?? null, e.event.account, e.event.region, JSON.stringify(e.event));
  }

  async readEvents(afterSeq: number, limit: number, scope?: Scope): Promise<SequencedEvent[]> {
    const rows = (scope
      ? this.statement('SELECT seq, window_id, doc FROM events WHERE account = ? AND region = ? AND seq > ? ORDER BY seq LIMIT ?').all(scope.account, scope.region, afterSeq, limit)
      : this.statement('SELECT seq, window_id, doc FROM events WHERE seq > ? ORDER BY seq LIMIT ?').all(afterSeq, limit)) as Row[];
    return rows.map((row) => ({ seq: Number(row.seq), windowId: row.window_id === null ? undefined : String(row.window_id), event: JSON.parse(String(row.doc)) }));
  }

  async lastEventSeq(): Promise<number> {
    return Number((this.statement('SELECT coalesce(max(seq), 0) AS s FROM events').get() as Row).s);
  }

  async firstEventSeq(): Promise<number | undefined> {
    const s = (this.statement('SELECT min(seq) AS s FROM events').get() as Row).s;
    return s === null ? undefined : Number(s);
  }

  async pruneEvents(keep: number): Promise<number> {
    return Number(this.statement('DELETE FROM events WHERE seq <= (SELECT max(seq) FROM events) - ?').run(keep).changes);
  }

  async addEventTarget(target: EventTarget, fromSeq: number): Promise<void> {
    const { scope, ...doc } = target;
    // A known id keeps its progress; its owner is set again (a flag's target made before owners existed is the operator's again).
    this.statement('INSERT INTO event_targets (id, doc, delivered_seq, account, region) VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET account = excluded.account, region = excluded.region')
      .run(target.id, JSON.stringify(doc), fromSeq, scope?.account ?? null, scope?.region ?? null);
  }

  async listEventTargets(owner?: Scope | null): Promise<EventTargetState[]> {
    const columns = 'SELECT doc, delivered_seq, failures, last_error, account, region FROM event_targets';
    const rows = owner === undefined ? this.statement(`${columns} ORDER BY id`).all()
      : owner === null ? this.statement(`${columns} WHERE account IS NULL ORDER BY id`).all()
        : this.statement(`${columns} WHERE account = ? AND region = ? ORDER BY id`).all(owner.account, owner.region);
    return (rows as Row[]).map(targetState);
  }

  async deleteEventTarget(id: string, owner?: Scope | null): Promise<boolean> {
    const deleted = owner === undefined ? this.statement('DELETE FROM event_targets WHERE id = ?').run(id)
      : owner === null ? this.statement('DELETE FROM event_targets WHERE id = ? AND account IS NULL').run(id)
        : this.statement('DELETE FROM event_targets WHERE id = ? AND account = ? AND region = ?').run(id, owner.account, owner.region);
    return deleted.changes > 0;
  }

  async claimEventTarget(id: string, owner: string, now: number, until: number): Promise<boolean> {
    return this.statement('UPDATE event_targets SET owner = ?, lease_until = ? WHERE id = ? AND (owner IS NULL OR owner = ? OR lease_until < ?)')
      .run(owner, until, id, owner, now).changes > 0;
  }

  async releaseEventTarget(id: string, owner: string): Promise<void> {
    this.statement('UPDATE event_targets SET owner = NULL, lease_until = NULL WHERE id = ? AND owner = ?').run(id, owner);
  }

  async saveEventTargetProgress(id: string, owner: string, progress: Omit<EventTargetState, 'target'>): Promise<boolean> {
    return this.statement('UPDATE event_targets SET delivered_seq = ?, failures = ?, last_error = ? WHERE id = ? AND owner = ?')
      .run(progress.deliveredSeq, progress.failures, progress.lastError ?? null, id, owner).changes > 0;
  }
}
