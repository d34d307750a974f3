// The lifecycle of one automation execution (a runbook run), as a pure state machine:
// next(execution, event, now, terms) -> { state, effects }. Events: the execution starts; the clock reaches
// its due instant (a sleep ends, a step's timeoutSeconds passes); the work of a step reports (a Run Command
// command, a call to a service, a child execution: performed by the runtime, which the `start-work` effect
// asks for); a signal arrives (Approve, Reject, Resume, StartStep, StopStep); StopAutomationExecution.
// Step semantics as AWS's Automation actions reference documents them: onFailure (Abort, Continue,
// step:NAME), onCancel (Abort, step:NAME), isEnd, nextStep, maxAttempts, timeoutSeconds, isCritical (a
// critical step that fails makes the execution Failed; default true, false when onFailure is Continue).
// aws:sleep, aws:pause, aws:approve and aws:branch are decided here; every other action is work.

import { chooseBranch, BranchError } from './branch.ts';
import { durationMs, instantMs } from './durations.ts';
import { type ReferenceContext, resolveReferences, UnresolvedReference } from './references.ts';
import type { WindowLink } from '../commands.ts';
import type { Runbook, RunbookStep } from './runbook.ts';
import { isRunFinal, type RateControl, rateControlledEnd, startableRuns } from './rate-control.ts';

// The maintenance-window invocation an execution runs for: the same link a window's command carries.
export type { WindowLink } from '../commands.ts';

export type AutomationStatus = 'Pending' | 'InProgress' | 'Waiting' | 'Success' | 'TimedOut' | 'Cancelling' | 'Cancelled' | 'Failed';
export type StepStatus = 'Pending' | 'InProgress' | 'Waiting' | 'Success' | 'TimedOut' | 'Cancelling' | 'Cancelled' | 'Failed';

export interface FailureDetails {
  failureStage: string;
  failureType: string;
  details?: Record<string, string[]>;
}

export interface ApprovalDecision {
  approver: string;
  decision: 'Approve' | 'Reject';
  comment?: string;
  at: number;
}

/** What a running step waits for. */
export type StepWait =
  | { kind: 'timer'; until: number }
  | { kind: 'resume' }
  | { kind: 'approval'; approvers: string[]; needed: number; decisions: ApprovalDecision[] }
  /** Work the runtime performs (a command, a call, a child execution) and reports with `work-ended`. */
  /** `until`: the runtime's limit for the work; past it the step ends TimedOut when `timesOut`, else Failed (no answer). */
  | { kind: 'work'; ref?: string; until?: number; timesOut?: boolean };

export interface StepExecution {
  stepExecutionId: string;
  stepName: string;
  action: string;
  status: StepStatus;
  /** The step's inputs with every reference resolved (as they were when it started). */
  inputs: Record<string, unknown>;
  outputs?: Record<string, unknown>;
  startedAt: number;
  endedAt?: number;
  /** 1 for the first attempt; maxAttempts bounds it. */
  attempt: number;
  maxAttempts: number;
  timeoutSeconds?: number;
  onFailure: string;
  onCancel: string;
  isEnd: boolean;
  nextStep?: string;
  isCritical: boolean;
  failureMessage?: string;
  failureDetails?: FailureDetails;
  response?: string;
  responseCode?: string;
  wait?: StepWait;
  /** aws:branch: the step it chose. */
  chosen?: string;
}

export interface AutomationExecution {
  id: string;
  account: string;
  region: string;
  documentName: string;
  /** The version that runs, a number as text. */
  documentVersion: string;
  mode: 'Auto' | 'Interactive';
  runbook: Runbook;
  /** As the API shows them: every parameter of the runbook, defaults filled in. */
  parameters: Record<string, string[]>;
  /** The same values typed as the runbook declares them (a StringList a list, an Integer a number), for references. */
  values: Record<string, unknown>;
  status: AutomationStatus;
  /** The steps that ran or run, in the order they started. */
  steps: StepExecution[];
  createdAt: number;
  startedAt?: number;
  endedAt?: number;
  /** The next instant something happens on its own (a sleep ends, a timeout); none while it waits for others. */
  dueAt?: number;
  failureMessage?: string;
  outputs?: Record<string, string[]>;
  executedBy: string;
  /** StartAutomationExecution's Tags (the TagKey filter reads them). */
  tags?: { key: string; value: string }[];
  parentId?: string;
  /** Rate control: the runbook runs once per target as a child execution (rate-control.ts); no steps of its own. */
  rate?: RateControl;
  /** A child execution (aws:executeAutomation, or a target of rate control): the parent's step it reports its end to. */
  parentStepExecutionId?: string;
  window?: WindowLink;
  /** A critical step failed and the runbook went on (onFailure Continue or step:NAME): the end is Failed. */
  failedCritical?: boolean;
  /** StopAutomationExecution asked for it: the end is Cancelled whatever the onCancel step does. */
  stopping?: 'Cancel' | 'Complete';
  /** The status its last status-change event told. */
  eventStatus?: string;
  /** The store's row version (optimistic concurrency), not part of the execution's meaning. */
  version?: number;
}

/** How a step's work ended, as the runtime reports it. */
export interface WorkResult {
  status: 'Success' | 'Failed' | 'TimedOut' | 'Cancelled';
  outputs?: Record<string, unknown>;
  failureMessage?: string;
  failureType?: string;
  response?: string;
  responseCode?: string;
}

export type SignalType = 'Approve' | 'Reject' | 'StartStep' | 'StopStep' | 'Resume' | 'Revoke';

export type AutomationEvent =
  | { kind: 'start' }
  /** The runtime started a step's work as `ref` (a command id, a child execution id): kept to stop it later. */
  | { kind: 'work-started'; stepExecutionId: string; ref: string; until?: number; timesOut?: boolean }
  | { kind: 'due' }
  | { kind: 'work-ended'; stepExecutionId: string; result: WorkResult }
  | { kind: 'signal'; signal: SignalType; payload: Record<string, string[]>; by: string }
  | { kind: 'stop'; type: 'Cancel' | 'Complete' };

export type AutomationEffect =
  /** Perform the step's action (its inputs are resolved); report with `work-ended`. */
  | { kind: 'start-work'; step: StepExecution }
  /** Stop the step's work (a cancel, a timeout): its report, if any comes, is ignored. */
  | { kind: 'stop-work'; step: StepExecution }
  /** The execution's status changed (events, its window's report). */
  | { kind: 'status-changed'; status: AutomationStatus; ended: boolean }
  /** A step started or changed status (step events). */
  | { kind: 'step-changed'; step: StepExecution }
  /** Rate control: start the child execution of target `index` (it reports as `work-ended` for `target:<index>`). */
  | { kind: 'start-target'; index: number }
  /** Rate control: stop the running child of target `index`. */
  | { kind: 'stop-target'; index: number; childId?: string };

export interface AutomationTerms {
  /** A new step execution id (the runtime's id generator: this module has no randomness). */
  newId: () => string;
}

export interface Transition {
  state: AutomationExecution;
  effects: AutomationEffect[];
}

const FINAL: ReadonlySet<AutomationStatus> = new Set(['Success', 'Failed', 'TimedOut', 'Cancelled']);
const STEP_FINAL: ReadonlySet<StepStatus> = new Set(['Success', 'Failed', 'TimedOut', 'Cancelled']);

export function isAutomationFinal(status: AutomationStatus): boolean {
  return FINAL.has(status);
}

/** The step now running (or waiting), if any. */
export function currentStep(state: AutomationExecution): StepExecution | undefined {
  const last = state.steps.at(-1);
  return last && !STEP_FINAL.has(last.status) ? last : undefined;
}

/** The step an execution that has not ended shows as current (CurrentStepName, CurrentAction): its last one. */
export function shownCurrentStep(state: AutomationExecution): StepExecution | undefined {
  return isAutomationFinal(state.status) ? undefined : state.steps.at(-1);
}

/** Why a signal does not apply to the execution now (the service answers InvalidAutomationSignalException), or undefined. */
export function signalRefusal(state: AutomationExecution, signal: SignalType, payload: Record<string, string[]>): { code: 'InvalidAutomationSignalException' | 'AutomationStepNotFoundException'; message: string } | undefined {
  const step = currentStep(state);
  const refuse = (message: string) => ({ code: 'InvalidAutomationSignalException' as const, message });
  if (isAutomationFinal(state.status)) return refuse(`Automation execution ${state.id} is ${state.status} and takes no signal.`);
  switch (signal) {
    case 'Approve':
    case 'Reject':
      return step?.wait?.kind === 'approval' ? undefined : refuse(`No step of execution ${state.id} waits for an approval.`);
    case 'Resume':
      return step?.wait?.kind === 'resume' ? undefined : refuse(`No step of execution ${state.id} is paused.`);
    case 'StartStep': {
      if (state.mode !== 'Interactive') return refuse('StartStep is for executions in Interactive mode.');
      if (step) return refuse(`Step ${step.stepName} is still running.`);
      const name = payload.StepName?.[0];
      if (!name) return refuse('StartStep needs the payload StepName.');
      if (!state.runbook.steps.some((s) => s.name === name)) return { code: 'AutomationStepNotFoundException', message: `Step ${name} is not a step of ${state.documentName}.` };
      return undefined;
    }
    case 'StopStep':
      return state.mode === 'Interactive' && step ? undefined : refuse('StopStep stops the running step of an execution in Interactive mode.');
    default:
      return refuse(`Signal ${signal} is not served for this execution.`);
  }
}

/** The execution after `event` at `now`, with what the runtime must do once the change is saved. */
export function next(state: AutomationExecution, event: AutomationEvent, now: number, terms: AutomationTerms): Transition {
  const run = new Run(state, now, terms);
  run.apply(event);
  return run.result();
}

// One transition's work: a copy of the execution changed in place, the effects gathered on the way.
class Run {
  private readonly before: AutomationExecution;
  private state: AutomationExecution;
  private readonly effects: AutomationEffect[] = [];
  private readonly now: number;
  private readonly terms: AutomationTerms;
  private changed = false;

  constructor(state: AutomationExecution, now: number, terms: AutomationTerms) {
    this.before = state;
    this.state = { ...state, steps: [...state.steps] };
    this.now = now;
    this.terms = terms;
  }

  result(): Transition {
    if (!this.changed) return { state: this.before, effects: [] };
    this.state.dueAt = this.dueAt();
    if (this.state.dueAt === undefined) delete this.state.dueAt;
    if (this.state.status !== this.before.status) {
      this.effects.push({ kind: 'status-changed', status: this.state.status, ended: isAutomationFinal(this.state.status) });
    }
    return { state: this.state, effects: this.effects };
  }

  apply(event: AutomationEvent): void {
    if (isAutomationFinal(this.state.status)) return;
    if (this.state.rate) return this.rateControlled(event);
    switch (event.kind) {
      case 'start':
        if (this.state.status !== 'Pending') return;
        this.set({ status: 'InProgress', startedAt: this.now });
        if (this.state.mode === 'Interactive') this.set({ status: 'Waiting' });
        else this.begin(this.state.runbook.steps[0]);
        return;
      case 'due':
        return this.due();
      case 'work-started': {
        const step = currentStep(this.state);
        if (step?.stepExecutionId !== event.stepExecutionId || step.wait?.kind !== 'work') return;
        return this.replaceStep({
          ...step,
          wait: { kind: 'work', ref: event.ref, ...(event.until === undefined ? {} : { until: event.until }), ...(event.timesOut ? { timesOut: true } : {}) },
        });
      }
      case 'work-ended':
        return this.workEnded(event.stepExecutionId, event.result);
      case 'signal':
        return this.signal(event.signal, event.payload, event.by);
      case 'stop':
        return this.stop(event.type);
    }
  }

  // ---- rate control: the runbook once per target, as child executions

  private rateControlled(event: AutomationEvent): void {
    const rate = this.state.rate!;
    const runs = [...rate.runs];
    const setRuns = () => this.set({ rate: { ...rate, runs } });
    const index = (id: string) => (id.startsWith('target:') ? Number(id.slice('target:'.length)) : -1);
    switch (event.kind) {
      case 'start':
        if (this.state.status !== 'Pending') return;
        this.set({ status: 'InProgress', startedAt: this.now });
        break;
      case 'work-started': {
        const i = index(event.stepExecutionId);
        if (!runs[i]) return;
        runs[i] = { ...runs[i], childId: event.ref.replace(/^automation:/, '') };
        setRuns();
        return;
      }
      case 'work-ended': {
        const i = index(event.stepExecutionId);
        if (!runs[i] || isRunFinal(runs[i])) return;
        runs[i] = { ...runs[i], status: event.result.status };
        setRuns();
        break;
      }
      case 'stop':
        this.set({ stopping: event.type, status: 'Cancelling' });
        runs.forEach((run, i) => {
          if (run.status === 'InProgress') this.effects.push({ kind: 'stop-target', index: i, childId: run.childId });
          if (!isRunFinal(run)) runs[i] = { ...run, status: 'Cancelled' };
        });
        setRuns();
        return this.finish('Cancelled');
      default:
        return;
    }
    const current = this.state.rate!;
    const starting = startableRuns(current);
    if (starting.length > 0) {
      const next = [...current.runs];
      for (const i of starting) {
        next[i] = { ...next[i], status: 'InProgress' };
        this.effects.push({ kind: 'start-target', index: i });
      }
      this.set({ rate: { ...current, runs: next } });
    }
    const end = rateControlledEnd(this.state.rate!);
    if (end) {
      // What MaxErrors kept from starting is not run: Cancelled, as the API's counters show it.
      const settled = this.state.rate!.runs.map((r) => (r.status === 'Pending' ? { ...r, status: 'Cancelled' as const } : r));
      this.set({ rate: { ...this.state.rate!, runs: settled } });
      if (end === 'Failed') this.set({ failureMessage: `${settled.filter((r) => r.status === 'Failed' || r.status === 'TimedOut').length} of ${settled.length} targets failed.` });
      this.finish(end);
    }
  }

  // ---- helpers that change the copy

  private set(fields: Partial<AutomationExecution>): void {
    this.state = { ...this.state, ...fields };
    this.changed = true;
  }

  private replaceStep(step: StepExecution): void {
    const steps = [...this.state.steps];
    const index = steps.findIndex((s) => s.stepExecutionId === step.stepExecutionId);
    if (index < 0) steps.push(step);
    else steps[index] = step;
    this.set({ steps });
    this.effects.push({ kind: 'step-changed', step });
  }

  private context(): ReferenceContext {
    const stepOutputs: Record<string, Record<string, unknown>> = {};
    for (const s of this.state.steps) if (s.outputs) stepOutputs[s.stepName] = s.outputs;
    return { executionId: this.state.id, account: this.state.account, region: this.state.region, now: this.now, parameters: this.state.values, stepOutputs };
  }

  private dueAt(): number | undefined {
    const step = currentStep(this.state);
    if (!step) return undefined;
    const times: number[] = [];
    if (step.wait?.kind === 'timer') times.push(step.wait.until);
    if (step.wait?.kind === 'work' && step.wait.until !== undefined) times.push(step.wait.until);
    if (step.timeoutSeconds !== undefined) times.push(step.startedAt + step.timeoutSeconds * 1000);
    return times.length === 0 ? undefined : Math.min(...times);
  }

  // ---- steps

  private definition(name: string): RunbookStep | undefined {
    return this.state.runbook.steps.find((s) => s.name === name);
  }

  /** Starts `definition` (attempt `attempt`, reusing `previous`'s id when it is a retry). */
  private begin(definition: RunbookStep | undefined, attempt = 1, previous?: StepExecution): void {
    if (!definition) return this.finish();
    const base: StepExecution = {
      stepExecutionId: previous?.stepExecutionId ?? this.terms.newId(),
      stepName: definition.name,
      action: definition.action,
      status: 'InProgress',
      inputs: {},
      startedAt: this.now,
      attempt,
      maxAttempts: definition.maxAttempts,
      onFailure: definition.onFailure,
      onCancel: definition.onCancel,
      isEnd: definition.isEnd,
      isCritical: definition.isCritical,
      ...(definition.timeoutSeconds === undefined ? {} : { timeoutSeconds: definition.timeoutSeconds }),
      ...(definition.nextStep === undefined ? {} : { nextStep: definition.nextStep }),
    };
    let inputs: Record<string, unknown>;
    try {
      inputs = resolveReferences(definition.inputs, this.context()) as Record<string, unknown>;
    } catch (error) {
      if (!(error instanceof UnresolvedReference)) throw error;
      return this.stepEnded({ ...base, inputs: definition.inputs }, { status: 'Failed', failureMessage: error.message, failureType: 'Verification' }, 'Inputs');
    }
    const step: StepExecution = { ...base, inputs };
    switch (definition.action) {
      case 'aws:sleep': {
        const until = sleepUntil(inputs, this.now);
        if (typeof until === 'string') return this.stepEnded(step, { status: 'Failed', failureMessage: until, failureType: 'Verification' }, 'Inputs');
        return this.replaceStep({ ...step, wait: { kind: 'timer', until } });
      }
      case 'aws:pause':
        this.replaceStep({ ...step, status: 'Waiting', wait: { kind: 'resume' } });
        return this.set({ status: 'Waiting' });
      case 'aws:approve': {
        const approvers = list(inputs.Approvers);
        const needed = Number(inputs.MinRequiredApprovals ?? 1);
        this.replaceStep({ ...step, status: 'Waiting', wait: { kind: 'approval', approvers, needed: Number.isInteger(needed) && needed > 0 ? needed : 1, decisions: [] } });
        return this.set({ status: 'Waiting' });
      }
      case 'aws:branch': {
        let chosen: string | undefined;
        try {
          chosen = chooseBranch(inputs, this.context());
        } catch (error) {
          if (!(error instanceof BranchError)) throw error;
          return this.stepEnded(step, { status: 'Failed', failureMessage: error.message, failureType: 'Verification' }, 'Execution');
        }
        if (chosen === undefined) return this.stepEnded(step, { status: 'Failed', failureMessage: 'No choice of the branch holds and it has no Default.', failureType: 'Verification' }, 'Execution');
        return this.stepEnded({ ...step, chosen }, { status: 'Success', outputs: {} }, 'Execution');
      }
      default: {
        const working: StepExecution = { ...step, wait: { kind: 'work' } };
        this.replaceStep(working);
        this.effects.push({ kind: 'start-work', step: working });
      }
    }
  }

  /** A step ended with `result`: kept, then the runbook goes on as the step's options say. */
  private stepEnded(step: StepExecution, result: WorkResult, stage: string): void {
    const ended: StepExecution = {
      ...step,
      status: result.status,
      endedAt: this.now,
      ...(result.outputs === undefined ? {} : { outputs: result.outputs }),
      ...(result.response === undefined ? {} : { response: result.response }),
      ...(result.responseCode === undefined ? {} : { responseCode: result.responseCode }),
    };
    delete ended.wait;
    if (result.status !== 'Success') {
      ended.failureMessage = result.failureMessage ?? `Step ${step.stepName} ${result.status === 'TimedOut' ? 'timed out' : result.status.toLowerCase()}.`;
      ended.failureDetails = { failureStage: stage, failureType: result.failureType ?? (result.status === 'TimedOut' ? 'Timeout' : 'Unknown') };
    }
    this.replaceStep(ended);
    if (this.state.status === 'Waiting') this.set({ status: 'InProgress' });
    if (this.state.stopping) return this.afterStop(ended);
    if (result.status === 'Success') return this.goOn(ended, ended.chosen);
    if (result.status === 'Cancelled') return this.finish('Cancelled');
    if (ended.attempt < ended.maxAttempts) {
      const definition = this.definition(ended.stepName);
      // A new attempt of the same step: it keeps its id; what the failed attempt said stays in the message.
      return this.begin(definition, ended.attempt + 1, ended);
    }
    if (ended.isCritical) this.set({ failedCritical: true, failureMessage: ended.failureMessage });
    const onFailure = ended.onFailure;
    if (onFailure === 'Continue') return this.goOn(ended, undefined);
    if (onFailure.startsWith('step:')) return this.begin(this.definition(onFailure.slice(5)));
    // Abort: the execution ends here; TimedOut when the critical step timed out.
    return this.finish(ended.isCritical ? (result.status === 'TimedOut' ? 'TimedOut' : 'Failed') : undefined);
  }

  /** The step after `ended` on the success path: isEnd, the branch's choice, nextStep, or the next in order. */
  private goOn(ended: StepExecution, chosen: string | undefined): void {
    if (this.state.mode === 'Interactive') return this.set({ status: 'Waiting' });
    if (ended.isEnd) return this.finish();
    const name = chosen ?? ended.nextStep;
    if (name !== undefined) return this.begin(this.definition(name));
    const index = this.state.runbook.steps.findIndex((s) => s.name === ended.stepName);
    return this.begin(this.state.runbook.steps[index + 1]);
  }

  /** The execution ends: `status`, or Failed when a critical step failed on the way, else Success. */
  private finish(status?: AutomationStatus): void {
    const final = status ?? (this.state.failedCritical ? 'Failed' : 'Success');
    this.set({ status: final, endedAt: this.now, outputs: this.state.rate ? {} : runbookOutputs(this.state) });
  }

  // ---- events

  private due(): void {
    const step = currentStep(this.state);
    if (!step || this.state.dueAt === undefined || this.state.dueAt > this.now) return;
    const deadline = step.timeoutSeconds === undefined ? undefined : step.startedAt + step.timeoutSeconds * 1000;
    if (step.wait?.kind === 'timer' && step.wait.until <= this.now && (deadline === undefined || step.wait.until <= deadline)) {
      return this.stepEnded(step, { status: 'Success', outputs: {} }, 'Execution');
    }
    if (step.wait?.kind === 'work' && step.wait.until !== undefined && step.wait.until <= this.now && (deadline === undefined || step.wait.until < deadline)) {
      // The runtime's limit: the action's own default time limit (a wait's hour), or the longest a call may
      // take to answer (a call whose process died is not made again).
      this.effects.push({ kind: 'stop-work', step });
      if (step.wait.timesOut) {
        return this.stepEnded(step, { status: 'TimedOut', failureMessage: `Step timed out after ${Math.round((step.wait.until - step.startedAt) / 1000)} seconds.`, failureType: 'Timeout' }, 'Execution');
      }
      return this.stepEnded(step, { status: 'Failed', failureMessage: 'The step\'s work gave no answer in time (the service may have restarted while it ran); it was not repeated.', failureType: 'Execution' }, 'Execution');
    }
    if (deadline !== undefined && deadline <= this.now) {
      if (step.wait?.kind === 'work') this.effects.push({ kind: 'stop-work', step });
      return this.stepEnded(step, { status: 'TimedOut', failureMessage: `Step timed out after ${step.timeoutSeconds} seconds.`, failureType: 'Timeout' }, 'Execution');
    }
  }

  private workEnded(stepExecutionId: string, result: WorkResult): void {
    const step = currentStep(this.state);
    if (!step || step.stepExecutionId !== stepExecutionId || step.wait?.kind !== 'work') return;
    this.stepEnded(step, result, 'Execution');
  }

  private signal(signal: SignalType, payload: Record<string, string[]>, by: string): void {
    if (signalRefusal(this.state, signal, payload)) return;
    const step = currentStep(this.state);
    switch (signal) {
      case 'Resume':
        return this.stepEnded(step!, { status: 'Success', outputs: {} }, 'Execution');
      case 'Approve':
      case 'Reject': {
        const wait = step!.wait as Extract<StepWait, { kind: 'approval' }>;
        const decisions = [...wait.decisions, { approver: by, decision: signal, ...(payload.Comment?.[0] ? { comment: payload.Comment[0] } : {}), at: this.now }];
        const outputs = (status: string) => ({ ApprovalStatus: status, ApproverDecisions: decisions.map((d) => JSON.stringify({ approver: d.approver, decision: d.decision, comment: d.comment })) });
        if (signal === 'Reject') {
          return this.stepEnded(step!, { status: 'Failed', outputs: outputs('Rejected'), failureMessage: `Step ${step!.stepName} was rejected by ${by}.`, failureType: 'Verification' }, 'Execution');
        }
        const approvals = decisions.filter((d) => d.decision === 'Approve').length;
        if (approvals >= wait.needed) return this.stepEnded(step!, { status: 'Success', outputs: outputs('Approved') }, 'Execution');
        return this.replaceStep({ ...step!, wait: { ...wait, decisions } });
      }
      case 'StartStep':
        this.set({ status: 'InProgress' });
        return this.begin(this.definition(payload.StepName[0]));
      case 'StopStep':
        if (step!.wait?.kind === 'work') this.effects.push({ kind: 'stop-work', step: step! });
        this.replaceStep({ ...step!, status: 'Cancelled', endedAt: this.now, wait: undefined });
        return this.set({ status: 'Waiting' });
    }
  }

  private stop(type: 'Cancel' | 'Complete'): void {
    if (this.state.stopping) return;
    this.set({ stopping: type, status: 'Cancelling' });
    const step = currentStep(this.state);
    if (!step) return this.finish('Cancelled');
    if (step.wait?.kind === 'work') this.effects.push({ kind: 'stop-work', step });
    const cancelled: StepExecution = { ...step, status: 'Cancelled', endedAt: this.now };
    delete cancelled.wait;
    this.replaceStep(cancelled);
    this.afterStop(cancelled);
  }

  /** After a stop: a Cancel runs the stopped step's onCancel step (step:NAME) once, then the execution is Cancelled. */
  private afterStop(ended: StepExecution): void {
    const onCancel = this.state.stopping === 'Cancel' && ended.status === 'Cancelled' ? ended.onCancel : 'Abort';
    if (onCancel.startsWith('step:')) {
      const definition = this.definition(onCancel.slice(5));
      if (definition) return this.begin({ ...definition, onCancel: 'Abort', isEnd: true });
    }
    return this.finish('Cancelled');
  }
}

/** aws:sleep's end: `Duration` after now, or `Timestamp`; a message when neither reads. */
function sleepUntil(inputs: Record<string, unknown>, now: number): number | string {
  if (typeof inputs.Duration === 'string') {
    const ms = durationMs(inputs.Duration);
    return ms === undefined ? `Duration ${inputs.Duration} is not an ISO 8601 duration such as PT10M.` : now + ms;
  }
  if (typeof inputs.Timestamp === 'string') {
    const at = instantMs(inputs.Timestamp);
    return at === undefined ? `Timestamp ${inputs.Timestamp} is not an ISO 8601 instant such as 2026-10-01T02:00:00Z.` : Math.max(now, at);
  }
  return 'aws:sleep needs a Duration or a Timestamp.';
}

function list(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String);
  return value === undefined || value === null ? [] : [String(value)];
}

/** An output value as the API shows it: a list of strings. */
export function shownValues(value: unknown): string[] {
  if (Array.isArray(value)) return value.map((v) => (typeof v === 'string' ? v : JSON.stringify(v)));
  if (value === undefined || value === null) return [];
  return [typeof value === 'string' ? value : JSON.stringify(value)];
}

/** The runbook's `outputs` (`Step.Output`) from the steps that produced them. */
function runbookOutputs(state: AutomationExecution): Record<string, string[]> {
  const outputs: Record<string, string[]> = {};
  for (const name of state.runbook.outputs) {
    const [stepName, key] = [name.slice(0, name.indexOf('.')), name.slice(name.indexOf('.') + 1)];
    const step = [...state.steps].reverse().find((s) => s.stepName === stepName && s.outputs && Object.hasOwn(s.outputs, key));
    outputs[name] = step ? shownValues(step.outputs![key]) : ['No output available yet because the step is not successfully executed'];
  }
  return outputs;
}
