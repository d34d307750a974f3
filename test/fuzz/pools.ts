// The ids a fuzz run knows, per scope (account + Region): learned from the server's answers, so generated
// requests name resources that really exist as well as ones that do not. Bounded, newest kept.

import type { Prng } from './prng.ts';

export interface Scope {
  account: string;
  region: string;
}

export const scopeKey = (s: Scope): string => `${s.account}/${s.region}`;

const CAP = 40;

function remember<T>(list: T[], item: T, same: (a: T) => boolean): void {
  const at = list.findIndex(same);
  if (at >= 0) list.splice(at, 1);
  list.push(item);
  if (list.length > CAP) list.shift();
}

export interface Chain {
  windowId: string;
  targetId: string;
  taskId: string;
  executionId: string;
  taskExecutionId: string;
  invocationId: string;
}

export class ScopePool {
  readonly windows: string[] = [];
  readonly targets: { windowId: string; id: string }[] = [];
  readonly tasks: { windowId: string; id: string }[] = [];
  readonly executions: { windowId: string; id: string }[] = [];
  readonly taskExecutions: { executionId: string; id: string }[] = [];
  readonly invocations: { executionId: string; taskId: string; id: string }[] = [];
  /** Run Command command ids the service handed out. */
  readonly commands: string[] = [];
  /** NextTokens by the operation that handed them out (a token is only valid for its own listing). */
  readonly tokens = new Map<string, string[]>();
  readonly clientTokens: string[] = [];

  /** Drops what a successful delete or deregister removed, so later requests aim at what still exists. */
  forget(operation: string, input: Record<string, unknown>): void {
    const drop = <T extends { id: string }>(list: T[], id: unknown) => {
      const at = list.findIndex((x) => x.id === id);
      if (at >= 0) list.splice(at, 1);
    };
    if (operation === 'DeleteMaintenanceWindow') {
      const at = this.windows.indexOf(input.WindowId as string);
      if (at >= 0) this.windows.splice(at, 1);
    }
    if (operation === 'DeregisterTargetFromMaintenanceWindow') drop(this.targets, input.WindowTargetId);
    if (operation === 'DeregisterTaskFromMaintenanceWindow') drop(this.tasks, input.WindowTaskId);
  }

  /** Learns every id in a successful answer (`request` fills in the parent ids answers leave out). */
  harvest(answer: unknown, request: Record<string, unknown> = {}, operation = ''): void {
    const walk = (v: unknown, parent: Record<string, unknown>) => {
      if (Array.isArray(v)) return v.forEach((x) => walk(x, parent));
      if (typeof v !== 'object' || v === null) return;
      const o = { ...parent, ...(v as Record<string, unknown>) };
      const str = (k: string) => (typeof o[k] === 'string' ? (o[k] as string) : undefined);
      const windowId = str('WindowId');
      const executionId = str('WindowExecutionId');
      if (windowId && /^mw-[0-9a-f]{17}$/.test(windowId)) remember(this.windows, windowId, (w) => w === windowId);
      if (windowId && str('WindowTargetId')) this.add(this.targets, { windowId, id: str('WindowTargetId')! });
      if (windowId && str('WindowTaskId')) this.add(this.tasks, { windowId, id: str('WindowTaskId')! });
      if (windowId && executionId) this.add(this.executions, { windowId, id: executionId });
      const taskExecutionId = str('TaskExecutionId') ?? (typeof o.TaskId === 'string' && executionId ? o.TaskId : undefined);
      if (executionId && taskExecutionId) this.add(this.taskExecutions, { executionId, id: taskExecutionId });
      if (executionId && Array.isArray(o.TaskIds)) for (const id of o.TaskIds) if (typeof id === 'string') this.add(this.taskExecutions, { executionId, id });
      if (executionId && taskExecutionId && str('InvocationId')) this.add(this.invocations, { executionId, taskId: taskExecutionId, id: str('InvocationId')! });
      const commandId = str('CommandId');
      if (commandId) remember(this.commands, commandId, (c) => c === commandId);
      const token = str('NextToken');
      if (token && operation) {
        const list = this.tokens.get(operation) ?? this.tokens.set(operation, []).get(operation)!;
        remember(list, token, (t) => t === token);
      }
      // Items of a list inherit their container's parent ids (a window's targets, an execution's tasks).
      const inherited = { WindowId: windowId, WindowExecutionId: executionId, TaskExecutionId: taskExecutionId };
      for (const x of Object.values(v as Record<string, unknown>)) if (typeof x === 'object' && x !== null) walk(x, inherited);
    };
    walk(answer, request);
  }

  private add<T extends { id: string }>(list: T[], item: T): void {
    remember(list, item, (x) => x.id === item.id);
  }

  /** A coherent set of ids: mostly known ones that belong together, sometimes random ones. */
  chain(prng: Prng): Chain {
    const known = <T>(list: readonly T[], fits: (x: T) => boolean): T | undefined => {
      const fitting = list.filter(fits);
      if (fitting.length && prng.chance(0.85)) return prng.pick(fitting);
      return list.length && prng.chance(0.5) ? prng.pick(list) : undefined;
    };
    const windowId = (this.windows.length && prng.chance(0.85) ? prng.pick(this.windows) : undefined) ?? `mw-${prng.hex(17)}`;
    const target = known(this.targets, (t) => t.windowId === windowId);
    const task = known(this.tasks, (t) => t.windowId === windowId);
    const execution = known(this.executions, (e) => e.windowId === windowId);
    const executionId = execution?.id ?? prng.uuid();
    const taskExecution = known(this.taskExecutions, (t) => t.executionId === executionId);
    const taskExecutionId = taskExecution?.id ?? prng.uuid();
    const invocation = known(this.invocations, (i) => i.executionId === executionId && i.taskId === taskExecutionId);
    return {
      windowId,
      targetId: target?.id ?? prng.uuid(),
      taskId: task?.id ?? prng.uuid(),
      executionId,
      taskExecutionId,
      invocationId: invocation?.id ?? prng.uuid(),
    };
  }
}
