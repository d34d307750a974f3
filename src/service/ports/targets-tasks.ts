// The targets-and-tasks port: what hangs off a window and is registered, changed and deregistered with it.

import type { Scope, WindowTarget, WindowTask } from '../../domain/model.ts';
import type { Keyed } from './keyed.ts';

export interface TargetsAndTasksPort {
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
}
