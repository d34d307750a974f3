// Run Command's commands and their per-node invocations, and the rules that move them: which invocations
// may start (MaxConcurrency), when the rest are stopped (MaxErrors), and what the command's status and
// counts are made of. Pure: the service and the runtime decide when, this module decides what.

import { ServiceError } from './errors.ts';
import { concurrencyLimit, errorThreshold, type ExecutionStatus } from './execution.ts';
import type { TargetSpec } from './model.ts';
import { resolveDocumentParameters } from './documents.ts';

export type CommandStatus = 'Pending' | 'InProgress' | 'Success' | 'Cancelled' | 'Failed' | 'TimedOut' | 'Cancelling';
export type CommandInvocationStatus = 'Pending' | 'InProgress' | 'Delayed' | 'Success' | 'Cancelled' | 'TimedOut' | 'Failed' | 'Cancelling';

export interface Command {
  id: string;
  documentName: string;
  documentVersion: string;
  /** The one plugin (step) of the document, e.g. `aws:runShellScript`. */
  pluginName: string;
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

/** What a node's run turned out to be, as its runner reports it. */
export interface RunReport {
  status: 'Success' | 'Failed' | 'TimedOut';
  statusDetails?: string;
  responseCode: number;
  stdout: string;
  stderr: string;
}

export interface CommandInvocation {
  commandId: string;
  instanceId: string;
  /** Position in the command (the order of its instances): invocations start in this order. */
  index: number;
  status: CommandInvocationStatus;
  statusDetails: string;
  requestedAt: number;
  startedAt?: number;
  endedAt?: number;
  /** -1 until the node reports. */
  responseCode: number;
  stdout: string;
  stderr: string;
  /** The next instant something happens to this invocation on its own (a report due, a deadline); none when final. */
  dueAt?: number;
  /** A simulated node's report, decided at start and delivered at `dueAt`; a real node's once its agent replied. */
  pending?: RunReport;
  /**
   * A real node's (a registered agent's) delivery: `queued` while its message waits for the agent's poll,
   * `delivered` once a poll took it. Absent for simulated nodes.
   */
  delivery?: 'queued' | 'delivered';
  /**
   * Taken by a poll and not yet acknowledged (AcknowledgeMessage, or any reply about it): the instant the
   * message becomes visible again, for the next poll to take (ec2messages' visibility timeout). Absent once
   * the agent acknowledged it: an acknowledged message is never delivered again.
   */
  visibleAt?: number;
  /** Set when a CancelCommand must reach a real node's agent: `queued` until its poll takes the cancel message. */
  cancelDelivery?: 'queued' | 'delivered';
  /** The status its last status-change event told: a change is told once. */
  eventStatus?: string;
}

type CommandSettings = 'outputS3Region' | 'outputS3BucketName' | 'outputS3KeyPrefix' | 'serviceRole' | 'notificationConfig' | 'cloudWatchOutputConfig' | 'alarmConfiguration';
const SETTINGS: readonly CommandSettings[] = ['outputS3Region', 'outputS3BucketName', 'outputS3KeyPrefix', 'serviceRole', 'notificationConfig', 'cloudWatchOutputConfig', 'alarmConfiguration'];

/** What SendCommand asks for; the optional settings a command keeps as given share the Command's names. */
export type SendCommandInput = Partial<Pick<Command, CommandSettings>> & {
  documentName: string;
  documentVersion?: string;
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

/**
 * A new command for `instanceIds` (already resolved from the input's targets) and its invocations, all
 * Pending and due now. Validates the document and its parameters (InvalidDocument, InvalidParameters).
 */
export function newCommand(id: string, input: SendCommandInput, instanceIds: string[], now: number, window?: WindowLink): { command: Command; invocations: CommandInvocation[] } {
  const resolved = resolveDocumentParameters(input.documentName, input.documentVersion, input.parameters);
  const settings = Object.fromEntries(SETTINGS.filter((key) => input[key] !== undefined).map((key) => [key, input[key]]));
  const command: Command = {
    id,
    documentName: input.documentName,
    documentVersion: input.documentVersion ?? '$DEFAULT',
    pluginName: resolved.pluginName,
    comment: input.comment ?? '',
    parameters: resolved.parameters,
    sentParameters: Object.fromEntries(Object.entries(input.parameters ?? {}).map(([name, values]) => [name, [...values]])),
    instanceIds: input.instanceIds ? instanceIds : [],
    targets: input.targets ?? [],
    requestedAt: now,
    timeoutSeconds: input.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS,
    executionTimeoutSeconds: resolved.executionTimeoutSeconds,
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
  return { command, invocations };
}

const FINAL: ReadonlySet<CommandInvocationStatus> = new Set(['Success', 'Cancelled', 'TimedOut', 'Failed']);

export function isFinal(status: CommandInvocationStatus | CommandStatus): boolean {
  return FINAL.has(status as CommandInvocationStatus);
}

/** AWS keeps the first 24,000 characters of standard output in the API and 8,000 of standard error. */
export const STDOUT_API_LIMIT = 24_000;
export const STDERR_API_LIMIT = 8_000;
/** The agent's marker when it cut the output short (amazon-ssm-agent's iohandler). */
export const TRUNCATED_MARKER = '--output truncated--';

/** As the agent cuts it: output of `limit` characters or more keeps its first `limit - 20` and the marker. */
export function apiOutput(text: string, limit: number): string {
  return text.length < limit ? text : text.slice(0, limit - TRUNCATED_MARKER.length) + TRUNCATED_MARKER;
}

/** A plugin's Output (at most 2,500 characters): stdout, then stderr after the agent's separator. */
export function pluginOutput(stdout: string, stderr: string): string {
  const limit = 2_500;
  const cut = (text: string, room: number, marker: string) => (text.length <= room ? text : text.slice(0, Math.max(0, room - marker.length)) + marker);
  if (!stderr) return cut(stdout, limit, '\n---Output truncated---');
  const separator = '\n----------ERROR-------\n';
  const out = cut(stdout, Math.floor(limit / 2), '\n---Output truncated---');
  return out + separator + cut(stderr, limit - out.length - separator.length, '\n---Error truncated----');
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

/**
 * What the store indexes for the agents' polls: the invocation has a message waiting for its node (first
 * delivery while Pending; again while InProgress, when a poll took it and the agent never acknowledged it).
 */
export function hasQueuedMessage(invocation: CommandInvocation): boolean {
  return ((invocation.status === 'Pending' || invocation.status === 'InProgress') && invocation.delivery === 'queued') || invocation.cancelDelivery === 'queued';
}

/** StatusDetails of an invocation whose node was deregistered before its agent had the command. */
export const UNDELIVERABLE = 'Undeliverable';

function isUndeliverable(invocation: CommandInvocation): boolean {
  return invocation.status === 'Failed' && invocation.statusDetails === UNDELIVERABLE;
}

/**
 * DeregisterManagedInstance ends the node's invocations its agent does not have: Pending ones (queued or
 * waiting behind MaxConcurrency) and ones taken by a poll but never acknowledged become Failed with
 * StatusDetails `Undeliverable` ("The command can't be delivered to the managed node. The node might not
 * exist"), ResponseCode -1. An acknowledged one, running on the machine, is left to its own deadline (the
 * node's replies are refused from now on). A cancel message still waiting for the node is dropped.
 * Ended invocations are due now, so the engine starts what MaxConcurrency then allows.
 */
export function endUndeliverable(command: Command, invocations: CommandInvocation[], instanceId: string, now: number): { command: Command; changed: CommandInvocation[] } {
  const changed: CommandInvocation[] = [];
  for (const invocation of invocations) {
    if (invocation.instanceId !== instanceId) continue;
    let touched = false;
    if (invocation.cancelDelivery === 'queued') {
      invocation.cancelDelivery = undefined;
      touched = true;
    }
    const notDelivered = invocation.status === 'Pending' || (invocation.status === 'InProgress' && (invocation.delivery === 'queued' || invocation.visibleAt !== undefined));
    if (notDelivered) {
      Object.assign(invocation, { status: 'Failed', statusDetails: UNDELIVERABLE, responseCode: -1, endedAt: now, dueAt: now, pending: undefined, visibleAt: undefined });
      touched = true;
    }
    if (touched) changed.push(invocation);
  }
  return { command: rollUp(command, invocations, command.cancelRequested === true), changed };
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
  const completed = invocations.filter((i) => isFinal(i.status));
  // (a queued message is still Pending: the command is Pending until some node has it)
  const failed = invocations.filter((i) => (i.status === 'Failed' && !isUndeliverable(i)) || i.status === 'TimedOut');
  const deliveryTimedOut = invocations.filter((i) => i.status === 'TimedOut' && i.statusDetails === 'DeliveryTimedOut');
  const next: Command = {
    ...command,
    targetCount: invocations.length,
    completedCount: completed.length,
    // Run Command counts delivery timeouts apart (DeliveryTimedOutCount), not as errors; undeliverable ones
    // (a deregistered node) are no error either.
    errorCount: failed.length - deliveryTimedOut.length,
    deliveryTimedOutCount: deliveryTimedOut.length,
  };
  if (completed.length < invocations.length) {
    const started = invocations.some((i) => i.status !== 'Pending' || i.delivery === 'queued');
    next.status = cancelRequested ? 'Cancelling' : started ? 'InProgress' : 'Pending';
    next.statusDetails = cancelRequested ? 'Cancelling' : started ? 'InProgress' : 'Pending';
    return next;
  }
  // Undeliverable invocations do not decide the command's status, unless all are (then it is Failed).
  const counted = invocations.filter((i) => !isUndeliverable(i));
  if (counted.length === 0) [next.status, next.statusDetails] = ['Failed', 'Failed'];
  else if (counted.every((i) => i.status === 'Success')) [next.status, next.statusDetails] = ['Success', 'Success'];
  else if (cancelRequested) [next.status, next.statusDetails] = ['Cancelled', 'Cancelled'];
  else if (failed.length > 0 && failed.every((i) => i.status === 'TimedOut')) {
    [next.status, next.statusDetails] = ['TimedOut', deliveryTimedOut.length === failed.length ? 'DeliveryTimedOut' : 'ExecutionTimedOut'];
  } else if (failed.length > 0) [next.status, next.statusDetails] = ['Failed', 'Failed'];
  else [next.status, next.statusDetails] = ['Cancelled', 'Cancelled'];
  // A command on one node ends with that node's details (a simulated node's rule may give its own words).
  if (invocations.length === 1) next.statusDetails = invocations[0].statusDetails;
  return next;
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

/** ISO-8601 duration as GetCommandInvocation's ExecutionElapsedTime shows it, e.g. `PT0.123S`, `PT1M5.2S`. */
export function elapsedTime(ms: number): string {
  const totalSeconds = Math.max(0, ms) / 1000;
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = Number((totalSeconds % 60).toFixed(3));
  return `PT${hours ? `${hours}H` : ''}${minutes ? `${minutes}M` : ''}${seconds}S`;
}

/** The first 24,000 / 8,000 characters of an invocation's output, as the API shows them. */
export function shownOutput(invocation: CommandInvocation): { stdout: string; stderr: string } {
  return { stdout: apiOutput(invocation.stdout, STDOUT_API_LIMIT), stderr: apiOutput(invocation.stderr, STDERR_API_LIMIT) };
}

/**
 * CancelCommand on `instanceIds` (all when undefined): invocations not started end Cancelled at once;
 * running ones become Cancelling and are due now, to end Cancelled when the node confirms (a simulated
 * node at once). Finished ones are left as they are. Returns the changed invocations and the command.
 */
export function cancelInvocations(command: Command, invocations: CommandInvocation[], instanceIds: string[] | undefined, now: number): { command: Command; changed: CommandInvocation[] } {
  const changed = invocations.filter((i) => (!instanceIds || instanceIds.includes(i.instanceId)) && !isFinal(i.status) && i.status !== 'Cancelling');
  for (const invocation of changed) {
    if (invocation.status === 'Pending') {
      Object.assign(invocation, { status: 'Cancelled', statusDetails: 'Cancelled', endedAt: now, dueAt: undefined, pending: undefined });
    } else {
      Object.assign(invocation, { status: 'Cancelling', statusDetails: 'Cancelling', dueAt: now, pending: undefined });
    }
  }
  const whole = !instanceIds || invocations.every((i) => instanceIds.includes(i.instanceId));
  const cancelRequested = command.cancelRequested || (whole && !isFinal(command.status));
  return { command: rollUp({ ...command, cancelRequested }, invocations, cancelRequested), changed };
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
