// The automations port: automation executions (a runbook's run) and the inbox of what reaches a running
// one from elsewhere (its step's command ended, a call to a service answered, a signal). Whoever has such
// news puts it in the inbox, in its own transaction, without touching the execution; the engine step that
// moves the execution takes it (so a writer never waits on, or overwrites, the engine's copy).

import type { AutomationEvent, AutomationExecution } from '../../domain/automation/execution.ts';
import type { Scope } from '../../domain/model.ts';
import type { Keyed } from './keyed.ts';

export interface DueAutomation {
  scope: Scope;
  executionId: string;
}

export interface AutomationsPort {
  insertAutomationExecution(scope: Scope, execution: AutomationExecution): Promise<void>;
  /** Inside a transaction the execution is held until the transaction ends. */
  getAutomationExecution(scope: Scope, id: string): Promise<AutomationExecution | undefined>;
  updateAutomationExecution(scope: Scope, execution: AutomationExecution): Promise<void>;
  /** How many of the scope's executions have not ended (AWS's concurrency quota counts them). */
  countRunningAutomations(scope: Scope): Promise<number>;
  /** Newest first: rows with key < beforeKey (the children of `parentId` only, when given). */
  listAutomationExecutions(scope: Scope, beforeKey: number, limit: number, parentId?: string): Promise<Keyed<AutomationExecution>[]>;
  /** News for an execution, applied after what was put before it, at or after `at`. */
  putAutomationInbox(scope: Scope, executionId: string, event: AutomationEvent, at: number): Promise<void>;
  /** The execution's news in the order put (at or before `now`), removed. */
  takeAutomationInbox(scope: Scope, executionId: string, now: number): Promise<AutomationEvent[]>;
  /** The earliest instant an execution has something to do: its own due time, or news in its inbox. */
  earliestAutomationEvent(): Promise<number | undefined>;
  /** Executions with something to do at or before `now`, in (account, Region, id) order. */
  listDueAutomations(now: number, limit: number): Promise<DueAutomation[]>;
}
