// What an automation execution's change tells the world: AWS's "EC2 Automation Execution Status-change
// Notification" for each status the execution takes and "EC2 Automation Step Status-change Notification"
// for each status a step takes, recorded in the transaction that saves the change (automation-executor.ts
// apply()), and what the metrics count once it commits. Made from the transitions' own effects
// (`status-changed`, `step-changed`): a change is saved once, so it is told once; the execution also keeps
// the status its last event told (`eventStatus`), so a status it already told is never told again.

import type { AutomationExecution, StepExecution, Transition } from '../domain/automation/execution.ts';
import { automationExecutionEvent, automationStepEvent, type RecordedEvent } from '../domain/events.ts';
import type { Scope } from '../domain/model.ts';
import type { AutomationMetrics } from './metrics.ts';

/** One thing for the metrics to count after the commit. */
export type AutomationCount =
  | { kind: 'started'; by: 'api' | 'window' | 'automation' }
  | { kind: 'ended'; status: string }
  | { kind: 'step'; action: string; status: string };

export function countAutomation(metrics: AutomationMetrics, counts: readonly AutomationCount[]): void {
  for (const c of counts) {
    if (c.kind === 'started') metrics.automationStarted(c.by);
    else if (c.kind === 'ended') metrics.automationEnded(c.status);
    else metrics.automationStep(c.action, c.status);
  }
}

const FINAL = new Set(['Success', 'Failed', 'TimedOut', 'Cancelled']);

/** The events and counts of one apply(): fed each transition in order, then asked to mark the state saved. */
export class AutomationChanges {
  readonly events: RecordedEvent[] = [];
  readonly counts: AutomationCount[] = [];
  private readonly scope: Scope;
  private readonly now: number;
  /** The status each step last told (every step change goes through a transition's effects). */
  private readonly stepTold = new Map<string, string>();
  private executionTold: string | undefined;

  constructor(scope: Scope, loaded: AutomationExecution, now: number) {
    this.scope = scope;
    this.now = now;
    this.executionTold = loaded.eventStatus;
    for (const s of loaded.steps) this.stepTold.set(tellKey(s), s.status);
  }

  /** A transition from `before`: its step changes in order, and the execution's status where it happened among them. */
  transition(before: AutomationExecution, out: Transition): void {
    const after = out.state;
    const execution: RecordedEvent[] = [];
    const steps: RecordedEvent[] = [];
    for (const effect of out.effects) {
      if (effect.kind === 'step-changed') this.step(after, effect.step, steps);
      else if (effect.kind === 'status-changed' && effect.status !== 'Pending' && effect.status !== this.executionTold) {
        this.executionTold = effect.status;
        execution.push(automationExecutionEvent(this.scope, facts(after), this.now, `${after.steps.length}:${this.now}`));
        if (before.status === 'Pending') this.counts.push({ kind: 'started', by: after.window ? 'window' : after.parentId ? 'automation' : 'api' });
        if (FINAL.has(effect.status)) this.counts.push({ kind: 'ended', status: effect.status });
      }
    }
    // In the order things happened: an execution that (again) runs does so before its next step starts;
    // one that waits, stops or ends does so after the step that made it.
    const at = execution.length > 0 && after.status === 'InProgress' ? steps.findIndex((e) => e.event.detail.Status === 'InProgress' || e.event.detail.Status === 'Waiting') : -1;
    if (at < 0) this.events.push(...steps, ...execution);
    else this.events.push(...steps.slice(0, at), ...execution, ...steps.slice(at));
  }

  /** The state to save: marked with the status its events told. */
  marked(state: AutomationExecution): AutomationExecution {
    return this.executionTold === state.eventStatus || this.executionTold === undefined ? state : { ...state, eventStatus: this.executionTold };
  }

  private step(execution: AutomationExecution, step: StepExecution, into: RecordedEvent[]): void {
    const key = tellKey(step);
    if (this.stepTold.get(key) === step.status) return; // a change that is no change of status (work started, one approval of two)
    this.stepTold.set(key, step.status);
    into.push(automationStepEvent(this.scope, facts(execution), {
      stepExecutionId: step.stepExecutionId, stepName: step.stepName, action: step.action, status: step.status,
      startTime: step.startedAt, endTime: step.endedAt, attempt: step.attempt,
    }, this.now));
    this.counts.push({ kind: 'step', action: step.action, status: step.status });
  }
}

/** A retried step keeps its id: each attempt tells its own statuses. */
function tellKey(step: StepExecution): string {
  return `${step.stepExecutionId}#${step.attempt}`;
}

function facts(e: AutomationExecution) {
  return {
    id: e.id, documentName: e.documentName, documentVersion: e.documentVersion, status: e.status,
    startTime: e.startedAt ?? e.createdAt, endTime: FINAL.has(e.status) ? e.endedAt : undefined, executedBy: e.executedBy, windowId: e.window?.windowId,
  };
}
