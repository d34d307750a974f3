// Run Command's commands and the rules over all of a command's invocations: which may start
// (MaxConcurrency), when the rest are stopped (MaxErrors), what the command's status and counts are made
// of, what its window is told, and a cancel or a deregistration applied across its invocations. One
// invocation's own life is command-invocation.ts. Pure: new objects out, inputs never changed; the service
// and the runtime decide when, this module decides what.

import { ServiceError } from './errors.ts';
import { concurrencyLimit, errorThreshold, type ExecutionStatus } from './execution.ts';
import type { TargetSpec } from './model.ts';
import { documentTimeLimitSeconds, isPluginFinal, type PluginResult, type PluginSpec, pluginsOf } from './command-plugins.ts';
import { resolveDeclaredValues } from './document-parameters.ts';
import type { RunnableDocument } from './runnable-document.ts';
import {
  AGENT_SILENCE_GRACE_MS, agentTimeLimitSeconds, applyEach, type CommandInvocation, type InvocationEffect, type InvocationTerms, isFinal, UNDELIVERABLE,
} from './command-invocation.ts';

export type CommandStatus = 'Pending' | 'InProgress' | 'Success' | 'Cancelled' | 'Failed' | 'TimedOut' | 'Cancelling';
// An invocation's own life is in command-invocation.ts; its types are named here too, for the callers.
export type { CommandInvocation, CommandInvocationStatus, RunReport } from './command-invocation.ts';
export { hasQueuedMessage, isFinal, UNDELIVERABLE } from './command-invocation.ts';
export { apiOutput, elapsedTime, pluginOutput, shownOutput, STDERR_API_LIMIT, STDOUT_API_LIMIT, TRUNCATED_MARKER } from './command-output.ts';
import { pluginOutput } from './command-output.ts';

export interface Command {
  id: string;
  documentName: string;
  documentVersion: string;
  /** The first plugin (step) of the document, e.g. `aws:runShellScript` (all of them: `plugins`). */
  pluginName: string;
  /**
   * The document's plugins in the order they run. Absent in commands stored before documents had several:
   * those ran one plugin, `pluginName` (see commandPlugins).
   */
  plugins?: PluginSpec[];
  /** The version that ran, as a number (DocumentVersion echoes what was asked: $DEFAULT, $LATEST or one). */
  ranVersion?: string;
  /**
   * The content the agent runs, as JSON text, for an account's own document (it may change or go after the
   * command is sent); absent for an Amazon document, whose content the catalogue keeps.
   */
  documentContent?: string;
  comment: string;
  /** What the run uses: the parameters as sent, with the document's defaults filled in (the agent's message). */
  parameters: Record<string, string[]>;
  /**
   * The parameters as sent, which SendCommand and ListCommands echo (AWS shows no defaults there: the AWS
   * CLI's send-command example). Absent in commands stored before it was kept apart: those echo `parameters`.
   */
  sentParameters?: Record<string, string[]>;
  instanceIds: string[];
  targets: TargetSpec[];
  requestedAt: number;
  /** Delivery deadline: an invocation not delivered by then ends TimedOut, "DeliveryTimedOut". */
  timeoutSeconds: number;
  /** The document's executionTimeout: a delivered invocation still running after it ends "ExecutionTimedOut". */
  executionTimeoutSeconds: number;
  maxConcurrency: string;
  maxErrors: string;
  status: CommandStatus;
  statusDetails: string;
  /** The status its last status-change event told. */
  eventStatus?: string;
  targetCount: number;
  completedCount: number;
  errorCount: number;
  deliveryTimedOutCount: number;
  outputS3Region?: string;
  outputS3BucketName?: string;
  outputS3KeyPrefix?: string;
  serviceRole?: string;
  notificationConfig?: Record<string, unknown>;
  cloudWatchOutputConfig?: Record<string, unknown>;
  alarmConfiguration?: Record<string, unknown>;
  /** CancelCommand was called for all of its instances. */
  cancelRequested?: boolean;
  /** Set when a maintenance window's RUN_COMMAND invocation sent this command: its status is reported there. */
  window?: WindowLink;
  /** Set when an automation step (aws:runCommand) sent this command: its end is reported there. */
  automation?: { executionId: string; stepExecutionId: string };
  /** Its invocations' counts, kept with every change (rollUp, rollUpOne); absent in commands stored before. */
  tally?: CommandTally;
}

/** The maintenance-window invocation a command runs for (its ExecutionId is the command's id). */
export interface WindowLink {
  windowId: string;
  windowTaskId: string;
  taskArn: string;
  windowExecutionId: string;
  taskExecutionId: string;
  invocationId: string;
}

/**
 * What a runner tells a maintenance-window invocation about its work: the status it now has and, when
 * final, when it ended. Reports travel through the store (a mailbox per invocation), so the replica that
 * runs the window execution applies them, whichever replica or request produced them.
 */
export interface WindowReport {
  windowExecutionId: string;
  invocationId: string;
  status: ExecutionStatus;
  statusDetails: string;
  at: number;
}

type CommandSettings = 'outputS3Region' | 'outputS3BucketName' | 'outputS3KeyPrefix' | 'serviceRole' | 'notificationConfig' | 'cloudWatchOutputConfig' | 'alarmConfiguration';
const SETTINGS: readonly CommandSettings[] = ['outputS3Region', 'outputS3BucketName', 'outputS3KeyPrefix', 'serviceRole', 'notificationConfig', 'cloudWatchOutputConfig', 'alarmConfiguration'];

/** What SendCommand asks for; the optional settings a command keeps as given share the Command's names. */
export type SendCommandInput = Partial<Pick<Command, CommandSettings>> & {
  documentName: string;
  documentVersion?: string;
  documentHash?: string;
  documentHashType?: string;
  instanceIds?: string[];
  targets?: TargetSpec[];
  parameters?: Record<string, string[]>;
  comment?: string;
  timeoutSeconds?: number;
  maxConcurrency?: string;
  maxErrors?: string;
};

/** SendCommand's defaults (AWS: MaxConcurrency 50, MaxErrors 0, a delivery timeout of an hour). */
const DEFAULT_MAX_CONCURRENCY = '50';
const DEFAULT_MAX_ERRORS = '0';
const DEFAULT_TIMEOUT_SECONDS = 3600;

/** The plugins a command runs (one, `pluginName`, for a command stored before documents had several). */
export function commandPlugins(command: Command): PluginSpec[] {
  return command.plugins ?? [{ name: command.pluginName, action: command.pluginName }];
}

/**
 * One plugin of an invocation as the API shows it (CommandPlugins, GetCommandInvocation with PluginName):
 * its result, with the API's statuses (no Skipped) and their details.
 */
export interface PluginView extends Omit<PluginResult, 'status'> {
  status: 'Pending' | 'InProgress' | 'Success' | 'TimedOut' | 'Cancelled' | 'Failed';
  statusDetails: string;
}

/**
 * Each plugin of an invocation, in the document's order: what its node reported of it; a one-plugin
 * command's plugin is the invocation itself (as before plugins were kept apart); a plugin not reported is
 * Pending while the invocation runs and ends as the invocation ended (a cancel, a timeout, an agent that
 * failed the document). A skipped step shows as Success with the agent's reason as its Output [I].
 */
export function invocationPlugins(command: Command, invocation: CommandInvocation): PluginView[] {
  const specs = commandPlugins(command);
  const running = invocation.status === 'Delayed' || invocation.status === 'Cancelling' ? 'InProgress' : invocation.status;
  const whole = (name: string): PluginView => ({
    name, status: running, statusDetails: invocation.statusDetails, responseCode: invocation.responseCode,
    stdout: invocation.stdout, stderr: invocation.stderr, startedAt: invocation.startedAt, endedAt: invocation.endedAt,
  });
  return specs.map((spec) => {
    const result = invocation.plugins?.find((r) => r.name === spec.name);
    if (!result) {
      if (specs.length === 1) return whole(spec.name);
      if (!isFinal(invocation.status)) return { name: spec.name, status: 'Pending', statusDetails: 'Pending', responseCode: -1, stdout: '', stderr: '' };
      return { ...whole(spec.name), responseCode: -1, stdout: '', stderr: '' };
    }
    // The invocation's own words for a one-plugin command that ended (a rule's StatusDetails, "Cancelled").
    const own = specs.length === 1 && isFinal(invocation.status);
    const status = result.status === 'Skipped' ? 'Success' : result.status;
    return {
      name: spec.name,
      status: own ? running : status,
      statusDetails: own ? invocation.statusDetails : status === 'TimedOut' ? 'ExecutionTimedOut' : status,
      responseCode: own ? invocation.responseCode : result.responseCode,
      stdout: own ? invocation.stdout : result.stdout,
      stderr: own ? invocation.stderr : result.stderr,
      ...(result.output === undefined ? {} : { output: result.output }),
      startedAt: result.startedAt ?? invocation.startedAt,
      endedAt: result.endedAt ?? (isPluginFinal(result.status) ? invocation.endedAt : undefined),
    };
  });
}

/**
 * The plugin GetCommandInvocation's PluginName names: a step name, or a 1.2 document's plugin name with or
 * without its `aws:` prefix. None of the command's: InvalidPluginName.
 */
export function namedPlugin(command: Command, invocation: CommandInvocation, pluginName: string): PluginView {
  const found = invocationPlugins(command, invocation).find((p) => p.name === pluginName || p.name.replace(/^aws:/, '') === pluginName);
  if (!found) throw new InvalidPluginName();
  return found;
}

/**
 * A new command for `instanceIds` (already resolved from the input's targets) running `document` (the
 * version SendCommand named, already found), and its invocations, all Pending and due now. Validates the
 * parameters against the document's declarations (InvalidParameters) and fills in their defaults.
 */
export function newCommand(id: string, input: SendCommandInput, document: RunnableDocument, instanceIds: string[], now: number, window?: WindowLink): { command: Command; invocations: CommandInvocation[] } {
  const parameters = resolveDeclaredValues(document.parsed.parameters, input.parameters);
  const plugins = pluginsOf(document.parsed.steps, parameters);
  const settings = Object.fromEntries(SETTINGS.filter((key) => input[key] !== undefined).map((key) => [key, input[key]]));
  const command: Command = {
    id,
    documentName: document.name,
    documentVersion: input.documentVersion ?? '$DEFAULT',
    pluginName: plugins[0]?.name ?? '',
    plugins,
    ranVersion: document.version,
    ...(document.builtIn ? {} : { documentContent: JSON.stringify(document.parsed.body) }),
    comment: input.comment ?? '',
    parameters,
    sentParameters: Object.fromEntries(Object.entries(input.parameters ?? {}).map(([name, values]) => [name, [...values]])),
    instanceIds: input.instanceIds ? instanceIds : [],
    targets: input.targets ?? [],
    requestedAt: now,
    timeoutSeconds: input.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS,
    executionTimeoutSeconds: documentTimeLimitSeconds(plugins, 3600),
    maxConcurrency: input.maxConcurrency ?? DEFAULT_MAX_CONCURRENCY,
    maxErrors: input.maxErrors ?? DEFAULT_MAX_ERRORS,
    status: 'Pending',
    statusDetails: 'Pending',
    targetCount: instanceIds.length,
    completedCount: 0,
    errorCount: 0,
    deliveryTimedOutCount: 0,
    ...settings,
    ...(window ? { window } : {}),
  };
  const invocations: CommandInvocation[] = instanceIds.map((instanceId, index) => ({
    commandId: id, instanceId, index, status: 'Pending', statusDetails: 'Pending', requestedAt: now,
    responseCode: -1, stdout: '', stderr: '', dueAt: now,
  }));
  if (invocations.length === 0) Object.assign(command, { status: 'Success', statusDetails: 'Success' });
  command.tally = tallyOf(invocations);
  return { command, invocations };
}

/** The invocations that may start now: Pending ones, in order, up to MaxConcurrency minus those running. */
export function startable(command: Command, invocations: readonly CommandInvocation[]): CommandInvocation[] {
  if (isFinal(command.status) || command.status === 'Cancelling') return [];
  const limit = concurrencyLimit(command.maxConcurrency, command.targetCount);
  // A message waiting for its agent counts as started: MaxConcurrency limits what is sent.
  const running = invocations.filter((i) => i.status === 'InProgress' || i.status === 'Delayed' || i.delivery === 'queued').length;
  const room = Math.max(0, limit - running);
  return invocations.filter((i) => i.status === 'Pending' && i.delivery === undefined).sort((a, b) => a.index - b.index).slice(0, room);
}

function isUndeliverable(invocation: CommandInvocation): boolean {
  return invocation.status === 'Failed' && invocation.statusDetails === UNDELIVERABLE;
}

/** TimeoutSeconds after the command was sent: an invocation not delivered by then ends DeliveryTimedOut. */
export function deliveryDeadline(command: Command): number {
  return command.requestedAt + command.timeoutSeconds * 1000;
}

/** What each invocation's life depends on from its command (command-invocation.ts). */
export function invocationTerms(command: Command): InvocationTerms {
  return {
    deliveryDeadline: deliveryDeadline(command),
    executionTimeoutMs: command.executionTimeoutSeconds * 1000,
    agentSilenceMs: agentTimeLimitSeconds(command.executionTimeoutSeconds) * 1000 + AGENT_SILENCE_GRACE_MS,
    killedExitCode: commandPlugins(command).some((p) => p.action === 'aws:runPowerShellScript') ? -1 : 137,
    plugins: commandPlugins(command).map((p) => p.name),
  };
}

/** A command after an event applied to some of its invocations: the new rows, those that changed, the effects. */
export interface CommandChange {
  command: Command;
  invocations: CommandInvocation[];
  changed: CommandInvocation[];
  effects: InvocationEffect[];
}

/**
 * DeregisterManagedInstance: each invocation on the node gets `node-deregistered` (what its agent does
 * not have ends Undeliverable; command-invocation.ts), and the command rolls up.
 */
export function endUndeliverable(command: Command, invocations: readonly CommandInvocation[], instanceId: string, now: number): CommandChange {
  const applied = applyEach(invocations, (i) => (i.instanceId === instanceId ? { kind: 'node-deregistered' } : undefined), now, invocationTerms(command));
  return { ...applied, command: rollUp(command, applied.invocations, command.cancelRequested === true) };
}

/** True once more invocations failed than MaxErrors allows: the ones not started are then not run. */
export function errorsExceeded(command: Command): boolean {
  return command.errorCount > errorThreshold(command.maxErrors, command.targetCount);
}

/**
 * The command's counts and status from its invocations (Run Command's "Understanding command statuses"):
 * in progress while any invocation is not final; then Success when all succeeded, Cancelled when it was
 * cancelled, TimedOut when every failure was a timeout, else Failed. A command stopped by MaxErrors is
 * Failed.
 */
export function rollUp(command: Command, invocations: readonly CommandInvocation[], cancelRequested: boolean): Command {
  return fromTally(command, tallyOf(invocations), cancelRequested, invocations.length === 1 ? invocations[0] : undefined);
}

/**
 * The counts a command's status is rolled up from, kept with the command so that one invocation's change
 * moves them by its own difference (rollUpOne) instead of a read of every invocation: a command to 10,000
 * nodes is not re-read 10,000 times as their replies come in.
 */
export interface CommandTally {
  total: number;
  /** Final (completedCount). */
  final: number;
  /** Failed (not undeliverable) or TimedOut. */
  failed: number;
  timedOut: number;
  deliveryTimedOut: number;
  /** No longer Pending, or with its message queued for the agent. */
  started: number;
  undeliverable: number;
  success: number;
  /** Pending and not sent anywhere: what rate control may still start. */
  waiting: number;
}

const EMPTY_TALLY: CommandTally = { total: 0, final: 0, failed: 0, timedOut: 0, deliveryTimedOut: 0, started: 0, undeliverable: 0, success: 0, waiting: 0 };

/** One invocation's share of a tally. */
function shareOf(i: CommandInvocation): CommandTally {
  const undeliverable = isUndeliverable(i);
  return {
    total: 1,
    final: isFinal(i.status) ? 1 : 0,
    failed: (i.status === 'Failed' && !undeliverable) || i.status === 'TimedOut' ? 1 : 0,
    timedOut: i.status === 'TimedOut' ? 1 : 0,
    deliveryTimedOut: i.status === 'TimedOut' && i.statusDetails === 'DeliveryTimedOut' ? 1 : 0,
    started: i.status !== 'Pending' || i.delivery === 'queued' ? 1 : 0,
    undeliverable: undeliverable ? 1 : 0,
    success: i.status === 'Success' ? 1 : 0,
    waiting: i.status === 'Pending' && i.delivery === undefined ? 1 : 0,
  };
}

function addTally(a: CommandTally, b: CommandTally, sign = 1): CommandTally {
  const out = { ...a };
  for (const key of Object.keys(EMPTY_TALLY) as (keyof CommandTally)[]) out[key] += sign * b[key];
  return out;
}

export function tallyOf(invocations: readonly CommandInvocation[]): CommandTally {
  return invocations.reduce((t, i) => addTally(t, shareOf(i)), EMPTY_TALLY);
}

/**
 * The command after one of its invocations changed from `before` to `after`, from its kept tally; undefined
 * for a command stored without one (before tallies were kept): roll it up from its invocations instead.
 */
export function rollUpOne(command: Command, before: CommandInvocation, after: CommandInvocation): Command | undefined {
  if (!command.tally) return undefined;
  const tally = addTally(addTally(command.tally, shareOf(before), -1), shareOf(after));
  return fromTally(command, tally, command.cancelRequested === true, command.tally.total === 1 ? after : undefined);
}

/** The command's counts and status from its tally; `only`: its one invocation, when it has one. */
function fromTally(command: Command, tally: CommandTally, cancelRequested: boolean, only: CommandInvocation | undefined): Command {
  const next: Command = {
    ...command,
    tally,
    targetCount: tally.total,
    completedCount: tally.final,
    // Run Command counts delivery timeouts apart (DeliveryTimedOutCount), not as errors; undeliverable ones
    // (a deregistered node) are no error either.
    errorCount: tally.failed - tally.deliveryTimedOut,
    deliveryTimedOutCount: tally.deliveryTimedOut,
  };
  if (tally.final < tally.total) {
    // (a queued message is still Pending: the command is Pending until some node has it)
    const started = tally.started > 0;
    next.status = cancelRequested ? 'Cancelling' : started ? 'InProgress' : 'Pending';
    next.statusDetails = cancelRequested ? 'Cancelling' : started ? 'InProgress' : 'Pending';
    return next;
  }
  // Undeliverable invocations do not decide the command's status, unless all are (then it is Failed).
  const counted = tally.total - tally.undeliverable;
  if (counted === 0) [next.status, next.statusDetails] = ['Failed', 'Failed'];
  else if (tally.success === counted) [next.status, next.statusDetails] = ['Success', 'Success'];
  else if (cancelRequested) [next.status, next.statusDetails] = ['Cancelled', 'Cancelled'];
  else if (tally.failed > 0 && tally.timedOut === tally.failed) {
    [next.status, next.statusDetails] = ['TimedOut', tally.deliveryTimedOut === tally.failed ? 'DeliveryTimedOut' : 'ExecutionTimedOut'];
  } else if (tally.failed > 0) [next.status, next.statusDetails] = ['Failed', 'Failed'];
  else [next.status, next.statusDetails] = ['Cancelled', 'Cancelled'];
  // A command on one node ends with that node's details (a simulated node's rule may give its own words).
  if (only) next.statusDetails = only.statusDetails;
  return next;
}

/**
 * What an automation's aws:runCommand step is told when its command ends (none before, or for a command
 * no automation sent): the step's outputs as AWS's actions reference names them (CommandId, Status,
 * ResponseCode, Output: of the first node for the last two) and Success only when the command succeeded.
 */
export function automationReportFor(before: Command | undefined, after: Command, invocations: readonly CommandInvocation[]): { executionId: string; stepExecutionId: string; result: { status: 'Success' | 'Failed' | 'TimedOut' | 'Cancelled'; outputs: Record<string, unknown>; failureMessage?: string } } | undefined {
  if (!after.automation || !isFinal(after.status) || (before && isFinal(before.status))) return undefined;
  const first = invocations[0];
  const outputs = {
    CommandId: after.id, Status: after.status, ResponseCode: first?.responseCode ?? -1, Output: first ? pluginOutputOf(first) : '',
  };
  const status = after.status === 'Success' ? 'Success' : after.status === 'TimedOut' ? 'TimedOut' : after.status === 'Cancelled' ? 'Cancelled' : 'Failed';
  return {
    executionId: after.automation.executionId, stepExecutionId: after.automation.stepExecutionId,
    result: { status, outputs, ...(status === 'Success' ? {} : { failureMessage: `Command ${after.id} ended ${after.status} (${after.statusDetails}).` }) },
  };
}

function pluginOutputOf(invocation: CommandInvocation): string {
  return pluginOutput(invocation.stdout, invocation.stderr);
}

const WINDOW_STATUS: Record<CommandStatus, ExecutionStatus> = {
  Pending: 'PENDING', InProgress: 'IN_PROGRESS', Cancelling: 'CANCELLING',
  Success: 'SUCCESS', Failed: 'FAILED', TimedOut: 'TIMED_OUT', Cancelled: 'CANCELLED',
};

/**
 * The report a window's command owes its invocation after a change from `before` to `after` (SPEC 3.5:
 * the invocation's status is the command's): none when the command is not a window's or nothing it
 * shows changed. A final report carries the instant its last node ended.
 */
export function windowReportFor(before: Command | undefined, after: Command, invocations: readonly CommandInvocation[], now: number): WindowReport | undefined {
  if (!after.window) return undefined;
  if (before && before.status === after.status && before.statusDetails === after.statusDetails) return undefined;
  const ends = invocations.map((i) => i.endedAt).filter((t): t is number => t !== undefined);
  const at = isFinal(after.status) && ends.length > 0 ? Math.min(now, Math.max(...ends)) : now;
  return {
    windowExecutionId: after.window.windowExecutionId,
    invocationId: after.window.invocationId,
    status: WINDOW_STATUS[after.status],
    statusDetails: after.statusDetails,
    at,
  };
}

/**
 * CancelCommand on `instanceIds` (all when undefined): each gets `cancel-asked` (not started: Cancelled at
 * once; running: Cancelling, due now; finished: as it is), and the command rolls up; cancelling every
 * instance of a command not yet final marks the command cancelled.
 */
export function cancelInvocations(command: Command, invocations: readonly CommandInvocation[], instanceIds: string[] | undefined, now: number): CommandChange {
  const applied = applyEach(invocations, (i) => (!instanceIds || instanceIds.includes(i.instanceId) ? { kind: 'cancel-asked' } : undefined), now, invocationTerms(command));
  const whole = !instanceIds || invocations.every((i) => instanceIds.includes(i.instanceId));
  const cancelRequested = command.cancelRequested || (whole && !isFinal(command.status));
  return { ...applied, command: rollUp({ ...command, cancelRequested }, applied.invocations, cancelRequested) };
}

export class InvalidCommandId extends ServiceError {
  constructor() {
    super('InvalidCommandId', '');
  }
}

export class InvocationDoesNotExist extends ServiceError {
  constructor() {
    super('InvocationDoesNotExist', '');
  }
}

export class InvalidPluginName extends ServiceError {
  constructor() {
    super('InvalidPluginName', '');
  }
}
