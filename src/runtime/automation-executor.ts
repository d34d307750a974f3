// Moves automation executions on the service's clock, as the engine's steps (domain/automation/
// execution.ts decides; this performs). An execution moves when it is due (a sleep ends, a step times
// out) or when news reached its inbox (its step's command ended, a call answered, a signal, a stop): each
// step of the engine loads it (held), applies the news then `due`, does in the same transaction the work
// that lives in the store (a Run Command command for aws:runCommand, a child execution for
// aws:executeAutomation, a cancel), and saves it with its window's report. Work outside the store (a call
// to a service) starts only after the commit (afterCommit) and answers through the inbox, so a rolled-back
// step calls nothing and an answer is applied by whichever replica moves the execution next.

import { type AutomationEffect, type AutomationEvent, type AutomationExecution, type AutomationStatus, isAutomationFinal, next, type StepExecution, type WorkResult } from '../domain/automation/execution.ts';
import { newAutomationExecution } from '../domain/automation/new-execution.ts';
import { cancelInvocations, isFinal as isCommandFinal, newCommand, type SendCommandInput, type WindowReport } from '../domain/commands.ts';
import { ServiceError } from '../domain/errors.ts';
import type { ExecutionStatus } from '../domain/execution.ts';
import type { Scope, TargetSpec } from '../domain/model.ts';
import { saveCommandChange } from '../service/command-changes.ts';
import { commandInstances } from '../service/commands.ts';
import { type AutomationCount, AutomationChanges, countAutomation } from './automation-events.ts';
import type { AutomationMetrics } from './metrics.ts';
import type { Clock, IdGenerator, Store, StoreOperations } from '../service/ports.ts';
import { findRunbook } from '../service/runbooks.ts';
import { runnableDocument } from '../service/runnable-documents.ts';

/** Work done outside the store for one step (a call to a service), answered with how it ended. */
export type AutomationCall = (request: { scope: Scope; execution: AutomationExecution; step: StepExecution; signal?: AbortSignal }) => Promise<WorkResult>;

export interface AutomationActions {
  /** Actions performed by calls, by action name (aws:executeAwsApi, aws:changeInstanceState, ...). */
  calls: Partial<Record<string, AutomationCall>>;
  /** aws:executeScript runs user code on this machine: only when the operator turned it on. */
  scripts?: AutomationCall;
  /** Executions not ended per account and Region past which a start is refused (default AUTOMATIONS_NOT_ENDED_LIMIT). */
  notEndedLimit?: number;
}

/** A call to make once the step that asked for it has committed. */
export interface PendingCall {
  scope: Scope;
  execution: AutomationExecution;
  step: StepExecution;
  call: AutomationCall;
}

const DUE_BATCH = 25;
/** The default of the executions-not-ended quota (service/context.ts Quotas.automationsNotEnded). */
export const AUTOMATIONS_NOT_ENDED_LIMIT = 1100;
/** How long a call without its own timeoutSeconds may stay unanswered (a lost process, a hung endpoint) [ours]. */
export const CALL_LIMIT_SECONDS = 600;
/**
 * Actions with a default time limit of their own, on the service clock like timeoutSeconds: an hour for
 * aws:waitForAwsResourceProperty (the actions reference's note) and, [I], for the other waits; 600 s for a
 * script (aws:executeScript's maximum); 15 minutes for a Lambda function. Past it the step is TimedOut.
 */
const DEFAULT_LIMIT_BY_ACTION: Record<string, number> = {
  'aws:waitForAwsResourceProperty': 3600, 'aws:changeInstanceState': 3600, 'aws:createImage': 3600, 'aws:executeStateMachine': 3600,
  'aws:executeScript': 600, 'aws:invokeLambdaFunction': 900,
};

const WINDOW_STATUS: Record<AutomationStatus, ExecutionStatus> = {
  Pending: 'PENDING', InProgress: 'IN_PROGRESS', Waiting: 'IN_PROGRESS', Success: 'SUCCESS', TimedOut: 'TIMED_OUT',
  Cancelling: 'CANCELLING', Cancelled: 'CANCELLED', Failed: 'FAILED',
};

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function strings(value: unknown): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  return Array.isArray(value) ? value.map(String) : [String(value)];
}

/** aws:runCommand's Parameters as SendCommand takes them: each value a list of strings. */
function commandParameters(value: unknown): Record<string, string[]> | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, Array.isArray(v) ? v.map((x) => (typeof x === 'string' ? x : JSON.stringify(x))) : [typeof v === 'string' ? v : JSON.stringify(v)]]));
}

function targetsOf(value: unknown): TargetSpec[] | undefined {
  if (!Array.isArray(value)) return undefined;
  return value.map((t) => ({ key: String((t as Record<string, unknown>).Key), values: strings((t as Record<string, unknown>).Values) ?? [] }));
}

const failed = (failureMessage: string, failureType = 'Verification'): WorkResult => ({ status: 'Failed', failureMessage, failureType });

export class AutomationExecutor {
  private readonly ids: IdGenerator;
  private readonly actions: AutomationActions;
  private store: Store | undefined;
  private clock: Clock | undefined;
  private wake: () => void = () => {};
  private log: (message: string, fields?: Record<string, unknown>) => void = () => {};
  /** Calls running in this process, by execution and step: a stop aborts them (a script is killed at once). */
  private readonly running = new Map<string, AbortController>();
  private metrics: AutomationMetrics | undefined;
  private readonly counts: AutomationCount[] = [];

  constructor(ids: IdGenerator, actions: AutomationActions) {
    this.ids = ids;
    this.actions = actions;
  }

  /** Where call answers are written, and who is woken when one arrives (the engine). */
  connect(store: Store, clock: Clock, wake: () => void, log: (message: string, fields?: Record<string, unknown>) => void): void {
    this.store = store;
    this.clock = clock;
    this.wake = wake;
    this.log = log;
  }

  /** Where executions and steps are counted (GET /metrics). */
  countWith(metrics: AutomationMetrics): void {
    this.metrics = metrics;
  }

  /**
   * A new execution, stored and started in the caller's transaction (StartAutomationExecution, a window's
   * AUTOMATION task, a child or a target of another). Past the quota of executions not ended in the account
   * and Region it is refused (a runbook that starts itself ends there).
   */
  async start(tx: StoreOperations, scope: Scope, execution: AutomationExecution, now: number): Promise<{ execution: AutomationExecution; calls: PendingCall[] }> {
    const limit = this.actions.notEndedLimit ?? AUTOMATIONS_NOT_ENDED_LIMIT;
    if ((await tx.countRunningAutomations(scope)) >= limit) {
      throw new ServiceError('AutomationExecutionLimitExceededException',
        `There are already ${limit} automation executions running or waiting in this account and Region.`);
    }
    await tx.insertAutomationExecution(scope, execution);
    return this.apply(tx, scope, execution, [{ kind: 'start' }], now);
  }

  /** Moves every execution with something due at or before `now` (one batch; the engine comes back for more). */
  async advanceDue(tx: StoreOperations, now: number): Promise<PendingCall[]> {
    const calls: PendingCall[] = [];
    for (const { scope, executionId } of await tx.listDueAutomations(now, DUE_BATCH)) {
      const news = await tx.takeAutomationInbox(scope, executionId, now);
      const execution = await tx.getAutomationExecution(scope, executionId);
      if (!execution) continue; // news for an execution that is gone: taken, and dropped
      const events: AutomationEvent[] = [...news];
      if (execution.dueAt !== undefined && execution.dueAt <= now) events.push({ kind: 'due' });
      calls.push(...(await this.apply(tx, scope, execution, events, now)).calls);
    }
    return calls;
  }

  /** Makes the calls steps asked for, now that their step has committed; each answer goes to the execution's inbox. */
  afterCommit(calls: readonly PendingCall[]): void {
    // What the committed steps changed is counted now (a step rolled back counts at the next commit, rarely).
    if (this.metrics) countAutomation(this.metrics, this.counts.splice(0));
    else this.counts.length = 0;
    for (const pending of calls) {
      void this.makeCall(pending);
    }
  }

  private async makeCall({ scope, execution, step, call }: PendingCall): Promise<void> {
    let result: WorkResult;
    const key = `${execution.id}|${step.stepExecutionId}`;
    const abort = new AbortController();
    this.running.set(key, abort);
    try {
      result = await call({ scope, execution, step, signal: abort.signal });
    } catch (error) {
      result = failed(error instanceof Error ? error.message : String(error), 'Execution');
    } finally {
      this.running.delete(key);
    }
    // A stopped step takes no answer (the execution moved on): nothing to record.
    if (abort.signal.aborted) return;
    const { store, clock } = this;
    if (!store || !clock) return;
    try {
      // Due at the service's now (the manual clock's, when it is manual): the next step applies it.
      await store.transaction((tx) => tx.putAutomationInbox(scope, execution.id, { kind: 'work-ended', stepExecutionId: step.stepExecutionId, result }, clock.now()));
      this.wake();
    } catch (error) {
      this.log('an automation step\'s answer could not be recorded; the step ends at its time limit', { executionId: execution.id, step: step.stepName, error: String(error) });
    }
  }

  /** Applies `events` in order (and what the work they start reports at once), then saves the execution. */
  private async apply(tx: StoreOperations, scope: Scope, loaded: AutomationExecution, events: AutomationEvent[], now: number): Promise<{ execution: AutomationExecution; calls: PendingCall[] }> {
    const queue = [...events];
    const calls: PendingCall[] = [];
    let state = loaded;
    const terms = { newId: () => this.ids.uuid() };
    // The status-change events of the execution and its steps, recorded with the change (runtime/automation-events.ts).
    const told = new AutomationChanges(scope, loaded, now);
    for (let i = 0; i < queue.length; i++) {
      const out = next(state, queue[i], now, terms);
      told.transition(state, out);
      state = out.state;
      for (const effect of out.effects) queue.push(...(await this.performEffect(tx, scope, state, effect, now, calls)));
    }
    if (state !== loaded) {
      state = told.marked(state);
      if (told.events.length > 0) await tx.appendEvents(told.events);
      this.counts.push(...told.counts);
      await tx.updateAutomationExecution(scope, state);
      const report = windowReport(loaded, state, now);
      if (report) await tx.putWindowReport(scope, report);
      if (state.parentId && state.parentStepExecutionId && isAutomationFinal(state.status) && !isAutomationFinal(loaded.status)) {
        await tx.putAutomationInbox(scope, state.parentId, { kind: 'work-ended', stepExecutionId: state.parentStepExecutionId, result: childResult(state) }, now);
      }
    }
    return { execution: state, calls };
  }

  /** One effect: the events it gives back at once (work that ended as it started), calls to make after the commit. */
  private async performEffect(tx: StoreOperations, scope: Scope, state: AutomationExecution, effect: AutomationEffect, now: number, calls: PendingCall[]): Promise<AutomationEvent[]> {
    if (effect.kind === 'stop-work') {
      await this.stopWork(tx, scope, state.id, effect.step, now);
      return [];
    }
    if (effect.kind === 'start-target') return this.startTarget(tx, scope, state, effect.index, now, calls);
    if (effect.kind === 'stop-target') {
      if (effect.childId) await tx.putAutomationInbox(scope, effect.childId, { kind: 'stop', type: 'Cancel' }, now);
      return [];
    }
    if (effect.kind !== 'start-work') return [];
    const step = effect.step;
    const ended = (result: WorkResult): AutomationEvent[] => [{ kind: 'work-ended', stepExecutionId: step.stepExecutionId, result }];
    try {
      switch (step.action) {
        case 'aws:runCommand':
          return await this.sendCommand(tx, scope, state, step, now);
        case 'aws:executeAutomation':
          return await this.startChild(tx, scope, state, step, now, calls);
        case 'aws:executeScript':
          if (!this.actions.scripts) {
            return ended(failed('aws:executeScript runs code on the service\'s machine and is off: the operator turns it on with --allow-execute-script.'));
          }
          calls.push({ scope, execution: state, step, call: this.actions.scripts });
          return this.callLimit(step, now);
        default: {
          const call = this.actions.calls[step.action];
          if (!call) return ended(failed(`Action ${step.action} is not run by this service (docs/coverage.md lists the actions it runs).`, 'Unsupported'));
          calls.push({ scope, execution: state, step, call });
          return this.callLimit(step, now);
        }
      }
    } catch (error) {
      // A request the service refuses (an unknown document, wrong parameters) fails the step with its words.
      if (error instanceof ServiceError) return ended(failed(`${error.code}: ${error.message}`));
      throw error;
    }
  }

  /** A call has no answer for ever: without its own timeoutSeconds, the step is given CALL_LIMIT_SECONDS. */
  private callLimit(step: StepExecution, now: number): AutomationEvent[] {
    if (step.timeoutSeconds !== undefined) return [{ kind: 'work-started', stepExecutionId: step.stepExecutionId, ref: 'call' }];
    const own = DEFAULT_LIMIT_BY_ACTION[step.action];
    const until = now + (own ?? CALL_LIMIT_SECONDS) * 1000;
    return [{ kind: 'work-started', stepExecutionId: step.stepExecutionId, ref: 'call', until, ...(own === undefined ? {} : { timesOut: true }) }];
  }

  /** aws:runCommand: a Run Command command on this service's nodes, told to the step when it ends. */
  private async sendCommand(tx: StoreOperations, scope: Scope, state: AutomationExecution, step: StepExecution, now: number): Promise<AutomationEvent[]> {
    const inputs = step.inputs;
    const input: SendCommandInput = {
      documentName: text(inputs.DocumentName) ?? '',
      documentVersion: text(inputs.DocumentVersion),
      documentHash: text(inputs.DocumentHash),
      documentHashType: text(inputs.DocumentHashType),
      instanceIds: strings(inputs.InstanceIds),
      targets: targetsOf(inputs.Targets),
      parameters: commandParameters(inputs.Parameters),
      comment: text(inputs.Comment) ?? `Automation ${state.id} step ${step.stepName}`,
      timeoutSeconds: inputs.TimeoutSeconds === undefined ? undefined : Number(inputs.TimeoutSeconds),
      maxConcurrency: text(inputs.MaxConcurrency),
      maxErrors: text(inputs.MaxErrors),
      outputS3BucketName: text(inputs.OutputS3BucketName),
      outputS3KeyPrefix: text(inputs.OutputS3KeyPrefix),
      serviceRole: text(inputs.ServiceRoleArn),
    };
    const instanceIds = await commandInstances(tx, scope, input);
    const document = await runnableDocument(tx, scope, { name: input.documentName, version: input.documentVersion, hash: input.documentHash, hashType: input.documentHashType });
    const { command, invocations } = newCommand(this.ids.uuid(), input, document, instanceIds, now);
    const linked = { ...command, automation: { executionId: state.id, stepExecutionId: step.stepExecutionId } };
    await tx.insertCommand(scope, linked, invocations);
    const started: AutomationEvent = { kind: 'work-started', stepExecutionId: step.stepExecutionId, ref: `command:${command.id}` };
    // A command on no node is over as it is sent.
    if (isCommandFinal(command.status)) {
      return [started, { kind: 'work-ended', stepExecutionId: step.stepExecutionId, result: { status: 'Success', outputs: { CommandId: command.id, Status: command.status, ResponseCode: 0, Output: '' } } }];
    }
    return [started];
  }

  /** aws:executeAutomation: a child execution of another runbook; its end is told to this step. */
  private async startChild(tx: StoreOperations, scope: Scope, state: AutomationExecution, step: StepExecution, now: number, calls: PendingCall[]): Promise<AutomationEvent[]> {
    const inputs = step.inputs;
    const runbook = await findRunbook(tx, scope, text(inputs.DocumentName) ?? '', text(inputs.DocumentVersion));
    const child = newAutomationExecution({
      id: this.ids.uuid(), account: scope.account, region: scope.region, documentName: runbook.name, documentVersion: runbook.version,
      document: runbook.document, parameters: commandParameters(inputs.RuntimeParameters), executedBy: state.executedBy, now,
      parentId: state.id, parentStepExecutionId: step.stepExecutionId,
    });
    const started = await this.start(tx, scope, child, now);
    calls.push(...started.calls);
    return [{ kind: 'work-started', stepExecutionId: step.stepExecutionId, ref: `automation:${child.id}` }];
  }

  /** Rate control: the child execution of one target, with the parent's parameters and the target's. */
  private async startTarget(tx: StoreOperations, scope: Scope, parent: AutomationExecution, index: number, now: number, calls: PendingCall[]): Promise<AutomationEvent[]> {
    const run = parent.rate!.runs[index];
    const stepExecutionId = `target:${index}`;
    try {
      const runbook = await findRunbook(tx, scope, parent.documentName, parent.documentVersion);
      const child = newAutomationExecution({
        id: this.ids.uuid(), account: scope.account, region: scope.region, documentName: runbook.name, documentVersion: runbook.version,
        document: runbook.document, parameters: { ...parent.parameters, ...run.parameters }, mode: parent.mode, executedBy: parent.executedBy, now,
        parentId: parent.id, parentStepExecutionId: stepExecutionId,
      });
      const started = await this.start(tx, scope, child, now);
      calls.push(...started.calls);
      return [{ kind: 'work-started', stepExecutionId, ref: `automation:${child.id}` }];
    } catch (error) {
      if (!(error instanceof ServiceError)) throw error;
      return [{ kind: 'work-ended', stepExecutionId, result: failed(`${error.code}: ${error.message}`) }];
    }
  }

  /** Stops what a step started: its command is cancelled, its child execution stopped; a call's answer is ignored. */
  private async stopWork(tx: StoreOperations, scope: Scope, executionId: string, step: StepExecution, now: number): Promise<void> {
    const ref = step.wait?.kind === 'work' ? step.wait.ref : undefined;
    if (ref?.startsWith('command:')) {
      const commandId = ref.slice('command:'.length);
      const command = await tx.getCommand(scope, commandId);
      if (!command || isCommandFinal(command.status)) return;
      const invocations = await tx.getCommandInvocations(scope, commandId);
      const change = cancelInvocations(command, invocations, undefined, now);
      await saveCommandChange(tx, scope, command, change.command, change.invocations, change.changed, now);
    } else if (ref?.startsWith('automation:')) {
      await tx.putAutomationInbox(scope, ref.slice('automation:'.length), { kind: 'stop', type: 'Cancel' }, now);
    } else if (ref === 'call') {
      // Stopped now (a script is killed, a wait ends); another replica's call ends at its own limit and its
      // answer is ignored (the step no longer waits for it).
      this.running.get(`${executionId}|${step.stepExecutionId}`)?.abort();
    }
  }
}

/** The report a window's AUTOMATION invocation is owed after a change (none when nothing it shows changed). */
function windowReport(before: AutomationExecution, after: AutomationExecution, now: number): WindowReport | undefined {
  if (!after.window || WINDOW_STATUS[before.status] === WINDOW_STATUS[after.status] && before.failureMessage === after.failureMessage) return undefined;
  const details = after.status === 'Failed' || after.status === 'TimedOut' ? (after.failureMessage ?? after.status) : after.status;
  return {
    windowExecutionId: after.window.windowExecutionId,
    invocationId: after.window.invocationId,
    status: WINDOW_STATUS[after.status],
    statusDetails: details.slice(0, 250),
    at: isAutomationFinal(after.status) ? (after.endedAt ?? now) : now,
  };
}

/** What a parent's aws:executeAutomation step is told when its child ends (ExecutionId, Status, Output). */
function childResult(child: AutomationExecution): WorkResult {
  const outputs = { ExecutionId: child.id, Status: child.status, Output: JSON.stringify(child.outputs ?? {}) };
  if (child.status === 'Success') return { status: 'Success', outputs };
  return { status: child.status === 'TimedOut' ? 'TimedOut' : child.status === 'Cancelled' ? 'Cancelled' : 'Failed', outputs, failureMessage: `Child execution ${child.id} ended ${child.status}${child.failureMessage ? `: ${child.failureMessage}` : ''}.` };
}
