// The interfaces the service depends on. Engines (SQLite, PostgreSQL), clocks and id sources plug in here;
// nothing in service/ knows which one it got.

import type { Scope, Tag, Window, WindowTarget, WindowTask } from '../domain/model.ts';

export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
}

export interface IdGenerator {
  /** `mw-` + 17 lowercase hex. */
  windowId(): string;
  /** A lowercase 36-character UUID. */
  uuid(): string;
}

/** A row with its keyset position: pages continue strictly after the last key they returned. */
export interface Keyed<T> {
  key: number;
  item: T;
}

export interface IdempotencyRecord {
  fingerprint: string;
  result: string;
  createdAt: number;
}

/** Everything a transaction may do. All methods are scoped by account and Region. */
export interface StoreOperations {
  insertWindow(scope: Scope, window: Window): Promise<void>;
  getWindow(scope: Scope, windowId: string): Promise<Window | undefined>;
  updateWindow(scope: Scope, window: Window): Promise<void>;
  /** Removes the window with its targets, tasks and tags; false when it did not exist. */
  deleteWindow(scope: Scope, windowId: string): Promise<boolean>;
  countWindows(scope: Scope): Promise<number>;
  listWindows(scope: Scope, afterKey: number, limit: number): Promise<Keyed<Window>[]>;

  insertTarget(scope: Scope, target: WindowTarget): Promise<void>;
  getTarget(scope: Scope, windowId: string, targetId: string): Promise<WindowTarget | undefined>;
  updateTarget(scope: Scope, target: WindowTarget): Promise<void>;
  deleteTarget(scope: Scope, windowId: string, targetId: string): Promise<void>;
  countTargets(scope: Scope, windowId: string): Promise<number>;
  listTargets(scope: Scope, windowId: string, afterKey: number, limit: number): Promise<Keyed<WindowTarget>[]>;

  insertTask(scope: Scope, task: WindowTask): Promise<void>;
  getTask(scope: Scope, windowId: string, taskId: string): Promise<WindowTask | undefined>;
  updateTask(scope: Scope, task: WindowTask): Promise<void>;
  deleteTask(scope: Scope, windowId: string, taskId: string): Promise<void>;
  countTasks(scope: Scope, windowId: string): Promise<number>;
  listTasks(scope: Scope, windowId: string, afterKey: number, limit: number): Promise<Keyed<WindowTask>[]>;

  getTags(scope: Scope, resourceType: string, resourceId: string): Promise<Tag[]>;
  setTags(scope: Scope, resourceType: string, resourceId: string, tags: Tag[]): Promise<void>;

  getIdempotencyRecord(scope: Scope, operation: string, token: string): Promise<IdempotencyRecord | undefined>;
  putIdempotencyRecord(scope: Scope, operation: string, token: string, record: IdempotencyRecord): Promise<void>;
  deleteIdempotencyRecordsBefore(createdBefore: number): Promise<void>;

  /** A small named value that must survive restarts (e.g. the page-token signing key). */
  getSetting(name: string): Promise<string | undefined>;
  putSettingIfAbsent(name: string, value: string): Promise<void>;
}

export interface Store extends StoreOperations {
  /** Runs `work` atomically: all of it commits, or none of it does. */
  transaction<T>(work: (tx: StoreOperations) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
