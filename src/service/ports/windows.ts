// The windows port: maintenance windows, their fire times (what the scheduler reads and moves) and their
// tags. Tags live here because the store holds tags of windows only (a node's tags are in its document)
// and a window's tags go when it goes.

import type { Scope, Tag, Window } from '../../domain/model.ts';
import type { Keyed, Shared } from './keyed.ts';

/** A window that is due to fire, with the scope it lives in. */
export interface DueWindow {
  scope: Scope;
  window: Window;
  fireAt: number;
}

export interface WindowsPort {
  /** `nextFireAt` is when the scheduler should fire the window next (undefined: never). */
  insertWindow(scope: Scope, window: Window, nextFireAt: number | undefined): Promise<void>;
  /**
   * Inside a transaction the window is held until the transaction ends: a concurrent transaction's
   * getWindow of the same window waits, then sees what this one wrote. Every read-modify-write of a
   * window or of what hangs off it (targets, tasks, tags, the per-window quotas) starts with it, so no
   * acknowledged change is lost to a concurrent one on any engine.
   */
  getWindow(scope: Scope, windowId: string): Promise<Shared<Window> | undefined>;
  updateWindow(scope: Scope, window: Window, nextFireAt: number | undefined): Promise<void>;
  /** Removes the window with its targets, tasks, tags and execution history; false when it did not exist. */
  deleteWindow(scope: Scope, windowId: string): Promise<boolean>;
  countWindows(scope: Scope): Promise<number>;
  listWindows(scope: Scope, afterKey: number, limit: number): Promise<Keyed<Shared<Window>>[]>;

  // ---- scheduling
  /**
   * Windows whose next fire time is at or before `now`, earliest first, in every scope. Inside a
   * transaction on PostgreSQL the rows are locked and rows locked by others skipped, so two replicas never
   * fire the same occurrence.
   */
  listDueWindows(now: number, limit: number): Promise<DueWindow[]>;
  /** The earliest next fire time of any window, in every scope. */
  earliestFireTime(): Promise<number | undefined>;
  setNextFire(scope: Scope, windowId: string, nextFireAt: number | undefined): Promise<void>;
  /** Every window of every scope with its stored next fire time, for recomputing stale fire times at start. */
  listAllWindows(): Promise<{ scope: Scope; window: Window; nextFireAt: number | undefined }[]>;

  // ---- tags (of a MaintenanceWindow; `resourceType` names it)
  getTags(scope: Scope, resourceType: string, resourceId: string): Promise<Tag[]>;
  setTags(scope: Scope, resourceType: string, resourceId: string, tags: Tag[]): Promise<void>;
}
