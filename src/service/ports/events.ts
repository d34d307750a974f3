// The events port: state-change events, an outbox written in the transaction of the change and delivered
// after it, and the delivery targets with their progress and leases.

import type { EventTarget, EventTargetState, RecordedEvent, SequencedEvent } from '../../domain/events.ts';
import type { Scope } from '../../domain/model.ts';

export interface EventsPort {
  /**
   * Records events after every event recorded before (commit order: on PostgreSQL writers of events
   * take turns). Each change is recorded once by its writer (the rows carry what their events told).
   */
  appendEvents(events: RecordedEvent[]): Promise<void>;
  /** Events with seq > afterSeq, oldest first; only those of one account and Region when `scope` is given. */
  readEvents(afterSeq: number, limit: number, scope?: Scope): Promise<SequencedEvent[]>;
  /** The seq of the newest event (0 when there is none). */
  lastEventSeq(): Promise<number>;
  /** The seq of the oldest event kept (undefined when there is none). */
  firstEventSeq(): Promise<number | undefined>;
  /** Keeps the newest `keep` events and drops the older ones; how many were dropped. */
  pruneEvents(keep: number): Promise<number>;
  /**
   * Adds a target that will receive the events after `fromSeq` (its `scope`'s, or every event for an
   * operator's target); a target already known keeps its progress and takes the owner given.
   */
  addEventTarget(target: EventTarget, fromSeq: number): Promise<void>;
  /** Every target (undefined), the operator's (null), or one account and Region's (a scope). */
  listEventTargets(owner?: Scope | null): Promise<EventTargetState[]>;
  /** Deletes a target of that owner (null: the operator's; undefined: whoever's); false when it has none of that id. */
  deleteEventTarget(id: string, owner?: Scope | null): Promise<boolean>;
  /** Takes or renews the right to deliver to a target until `until`; false while another replica holds it. */
  claimEventTarget(id: string, owner: string, now: number, until: number): Promise<boolean>;
  /** Gives up the right to deliver to a target (a replica stopping), so another may take it at once. */
  releaseEventTarget(id: string, owner: string): Promise<void>;
  /** Records a target's progress, if `owner` still holds it. */
  saveEventTargetProgress(id: string, owner: string, progress: Omit<EventTargetState, 'target'>): Promise<boolean>;
}
