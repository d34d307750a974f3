// State-change events as AWS Systems Manager sends them to EventBridge: an envelope with `source` aws.ssm
// and a `detail` whose members depend on the `detail-type`. An event's id is derived from what it says
// (the resource, the state, the detail-type): stable across delivery retries, so receivers can
// de-duplicate on it.

import { createHash, hash } from 'node:crypto';
import type { Scope } from './model.ts';

export type DetailType =
  | 'Maintenance Window Execution State-change Notification'
  | 'Maintenance Window Task Execution State-change Notification'
  | 'Maintenance Window Task Target Invocation State-change Notification'
  | 'Maintenance Window Target Registration Notification'
  | 'Maintenance Window State-change Notification'
  | 'EC2 Command Status-change Notification'
  | 'EC2 Command Invocation Status-change Notification'
  | 'EC2 Automation Execution Status-change Notification'
  | 'EC2 Automation Step Status-change Notification'
  | 'Session Manager Session State-change Notification';

export const DETAIL_TYPES: readonly DetailType[] = [
  'Maintenance Window Execution State-change Notification',
  'Maintenance Window Task Execution State-change Notification',
  'Maintenance Window Task Target Invocation State-change Notification',
  'Maintenance Window Target Registration Notification',
  'Maintenance Window State-change Notification',
  'EC2 Command Status-change Notification',
  'EC2 Command Invocation Status-change Notification',
  'EC2 Automation Execution Status-change Notification',
  'EC2 Automation Step Status-change Notification',
  'Session Manager Session State-change Notification',
];

/** The EventBridge envelope, member names exactly as AWS sends them. */
export interface ServiceEvent {
  version: '0';
  id: string;
  'detail-type': DetailType;
  source: 'aws.ssm';
  account: string;
  /** ISO 8601 to the second, UTC, as EventBridge writes it. */
  time: string;
  region: string;
  resources: string[];
  detail: Record<string, unknown>;
}

/** An event as it is kept until delivered: the envelope and what it can be filtered and ordered by. */
export interface RecordedEvent {
  event: ServiceEvent;
  /** The window it is about (filters of the live stream), when it is about one. */
  windowId?: string;
}

/** A recorded event with its place in the service's single order of events. */
export interface SequencedEvent extends RecordedEvent {
  seq: number;
}

/** A UUID-shaped id that is a function of `parts`. */
export function eventId(...parts: string[]): string {
  const h = hash('sha256', parts.join('\u0000'), 'hex');
  // Version 5-like layout: the form of an id AWS gives its events.
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h[16], 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** `2026-12-02T07:00:00Z`: EventBridge's `time` has no fraction of a second. */
let lastSecond = NaN;
let lastTime = '';
export function eventTime(ms: number): string {
  // Every event of an engine step has the same instant: worth keeping the last one.
  const second = Math.floor(ms / 1000);
  if (second !== lastSecond) {
    lastSecond = second;
    lastTime = new Date(second * 1000).toISOString().replace('.000Z', 'Z');
  }
  return lastTime;
}

export function envelope(scope: Scope, detailType: DetailType, at: number, resources: string[], detail: Record<string, unknown>, idParts: string[]): ServiceEvent {
  return {
    version: '0',
    id: eventId(scope.account, scope.region, detailType, ...idParts),
    'detail-type': detailType,
    source: 'aws.ssm',
    account: scope.account,
    time: eventTime(at),
    region: scope.region,
    resources,
    detail,
  };
}

/** Where events are delivered: a webhook (POST of each event as JSON) or an EventBridge endpoint (PutEvents). */
export interface EventTarget {
  /** Derived from kind, url, bus and owner: the same target given twice by one owner is one target. */
  id: string;
  kind: 'webhook' | 'eventbridge';
  url: string;
  /** EventBridge only: the event bus PutEvents names (default `default`). */
  eventBusName?: string;
  /**
   * Whose target it is and whose events it receives: one account in one Region (added through
   * /_mw/event-targets with that account's key). Absent: the operator's target (--event-webhook,
   * --eventbridge-endpoint), which receives every account's events in every Region.
   */
  scope?: Scope;
}

/** A target and how far its delivery has come. */
export interface EventTargetState {
  target: EventTarget;
  /** The seq of the last event it acknowledged. */
  deliveredSeq: number;
  /** Failed attempts at the event after deliveredSeq, since it last succeeded. */
  failures: number;
  lastError?: string;
}

export function eventTargetId(kind: EventTarget['kind'], url: string, eventBusName?: string, scope?: Scope): string {
  // The operator's targets keep the id they had before targets had owners (their progress is kept by id);
  // an account's includes the account and Region, so two accounts adding one URL get two targets.
  const owner = scope ? ` ${scope.account} ${scope.region}` : '';
  return `${kind}-${createHash('sha256').update(`${kind} ${url} ${eventBusName ?? ''}${owner}`).digest('hex').slice(0, 16)}`;
}

/** Whether a target (or stream) of `scope` receives `event`: the operator's (no scope) receive every event. */
export function eventInScope(event: ServiceEvent, scope: Scope | undefined): boolean {
  return scope === undefined || (event.account === scope.account && event.region === scope.region);
}

// ---- the events of each resource, as AWS's samples show them (docs/coverage.md lists what is inferred)

/**
 * ISO 8601 with milliseconds. The events of one step share their few start and end times, so the last
 * two are kept (an ended invocation's event asks for its start, then its end).
 */
const isoKept: [number, string][] = [[NaN, ''], [NaN, '']];
function iso(ms: number): string {
  if (isoKept[0][0] === ms) return isoKept[0][1];
  if (isoKept[1][0] === ms) return isoKept[1][1];
  const text = new Date(ms).toISOString();
  isoKept[1] = isoKept[0];
  isoKept[0] = [ms, text];
  return text;
}

function windowArn(scope: Scope, windowId: string): string {
  return `arn:aws:ssm:${scope.region}:${scope.account}:maintenancewindow/${windowId}`;
}

/** EC2 instances by their EC2 ARN; other managed nodes (mi-) by their Systems Manager ARN. */
function nodeArn(scope: Scope, nodeId: string): string {
  return nodeId.startsWith('i-')
    ? `arn:aws:ec2:${scope.region}:${scope.account}:instance/${nodeId}`
    : `arn:aws:ssm:${scope.region}:${scope.account}:managed-instance/${nodeId}`;
}

interface ExecutionFacts { windowId: string; id: string; status: string; startTime: number; endTime?: number }

/** A window execution's status: every status AWS lists, PENDING and SKIPPED_OVERLAPPING included. */
export function windowExecutionEvent(scope: Scope, e: ExecutionFacts, at: number): RecordedEvent {
  const detail = {
    'start-time': iso(e.startTime),
    ...(e.endTime === undefined ? {} : { 'end-time': iso(e.endTime) }),
    'window-id': e.windowId,
    'window-execution-id': e.id,
    status: e.status,
  };
  return { windowId: e.windowId, event: envelope(scope, 'Maintenance Window Execution State-change Notification', at, [windowArn(scope, e.windowId)], detail, [e.id, e.status]) };
}

interface TaskFacts { windowId: string; windowExecutionId: string; id: string; status: string; startTime?: number; endTime?: number }

/** Task executions: AWS lists IN_PROGRESS and the final statuses (a PENDING task has not started: no event). */
export function taskExecutionEvent(scope: Scope, t: TaskFacts, at: number): RecordedEvent | undefined {
  if (t.status === 'PENDING') return undefined;
  const detail = {
    ...(t.startTime === undefined ? {} : { 'start-time': iso(t.startTime) }),
    'task-execution-id': t.id,
    ...(t.endTime === undefined ? {} : { 'end-time': iso(t.endTime) }),
    'window-id': t.windowId,
    'window-execution-id': t.windowExecutionId,
    status: t.status,
  };
  return { windowId: t.windowId, event: envelope(scope, 'Maintenance Window Task Execution State-change Notification', at, [windowArn(scope, t.windowId)], detail, [t.id, t.status]) };
}

interface InvocationFacts {
  windowId: string; windowExecutionId: string; taskExecutionId: string; id: string; taskType: string; status: string;
  startTime: number; endTime?: number; windowTargetId?: string; ownerInformation?: string;
}

const FINAL = new Set(['SUCCESS', 'FAILED', 'TIMED_OUT', 'CANCELLED', 'SKIPPED_OVERLAPPING']);

/**
 * The status an invocation's event reports, or undefined for none. Run Command tasks report each status
 * but PENDING; "for Automation, AWS Lambda, and AWS Step Functions tasks, EventBridge reports only the
 * states IN_PROGRESS and COMPLETE. COMPLETE is reported whether the task is successful or not."
 */
export function invocationEventStatus(taskType: string, status: string): string | undefined {
  if (status === 'PENDING') return undefined;
  if (taskType === 'RUN_COMMAND') return status;
  if (status === 'IN_PROGRESS') return status;
  return FINAL.has(status) ? 'COMPLETE' : undefined;
}

export function invocationEvent(scope: Scope, i: InvocationFacts, at: number): RecordedEvent | undefined {
  const status = invocationEventStatus(i.taskType, i.status);
  if (status === undefined) return undefined;
  const detail = {
    'start-time': iso(i.startTime),
    ...(i.endTime === undefined ? {} : { 'end-time': iso(i.endTime) }),
    'window-id': i.windowId,
    'window-execution-id': i.windowExecutionId,
    'task-execution-id': i.taskExecutionId,
    ...(i.windowTargetId === undefined ? {} : { 'window-target-id': i.windowTargetId }),
    status,
    ...(i.ownerInformation === undefined ? {} : { 'owner-information': i.ownerInformation }),
  };
  return { windowId: i.windowId, event: envelope(scope, 'Maintenance Window Task Target Invocation State-change Notification', at, [windowArn(scope, i.windowId)], detail, [i.id, status]) };
}

/** RegisterTargetWithMaintenanceWindow, UpdateMaintenanceWindowTarget, DeregisterTargetFromMaintenanceWindow. */
export function targetRegistrationEvent(scope: Scope, windowId: string, windowTargetId: string, status: 'REGISTERED' | 'UPDATED' | 'DEREGISTERED', at: number, change: string): RecordedEvent {
  const resources = [windowArn(scope, windowId), `arn:aws:ssm:${scope.region}:${scope.account}:windowtarget/${windowTargetId}`];
  const detail = { 'window-target-id': windowTargetId, 'window-id': windowId, status };
  // An update can happen many times with the same status: `change` (the update's instant) tells them apart.
  return { windowId, event: envelope(scope, 'Maintenance Window Target Registration Notification', at, resources, detail, [windowTargetId, status, change]) };
}

/** A window enabled or disabled (UpdateMaintenanceWindow changing Enabled). */
export function windowStateEvent(scope: Scope, windowId: string, enabled: boolean, at: number): RecordedEvent {
  const status = enabled ? 'ENABLED' : 'DISABLED';
  return { windowId, event: envelope(scope, 'Maintenance Window State-change Notification', at, [windowArn(scope, windowId)], { 'window-id': windowId, status }, [windowId, status, String(at)]) };
}

/**
 * Run Command's statuses as the event reference lists them (Success, InProgress, TimedOut, Canceled,
 * Failed): Pending, Delayed and Cancelling send nothing; Cancelled is written `Canceled` there.
 */
export function commandEventStatus(status: string): string | undefined {
  switch (status) {
    case 'Success': case 'InProgress': case 'TimedOut': case 'Failed': return status;
    case 'Cancelled': return 'Canceled';
    default: return undefined;
  }
}

interface CommandFacts {
  id: string; documentName: string; parameters: Record<string, string[]>; instanceIds: string[]; requestedAt: number; expiresAt: number; status: string;
  windowId?: string;
}

export function commandEvent(scope: Scope, c: CommandFacts, at: number): RecordedEvent | undefined {
  const status = commandEventStatus(c.status);
  if (status === undefined) return undefined;
  const detail = {
    'command-id': c.id,
    'document-name': c.documentName,
    'expire-after': iso(c.expiresAt),
    parameters: c.parameters,
    'requested-date-time': iso(c.requestedAt),
    status,
  };
  return { windowId: c.windowId, event: envelope(scope, 'EC2 Command Status-change Notification', at, c.instanceIds.map((id) => nodeArn(scope, id)), detail, [c.id, status]) };
}

export function commandInvocationEvent(scope: Scope, c: CommandFacts, instanceId: string, invocationStatus: string, at: number): RecordedEvent | undefined {
  const status = commandEventStatus(invocationStatus);
  if (status === undefined) return undefined;
  const detail = {
    'command-id': c.id,
    'document-name': c.documentName,
    'instance-id': instanceId,
    'requested-date-time': iso(c.requestedAt),
    status,
  };
  return { windowId: c.windowId, event: envelope(scope, 'EC2 Command Invocation Status-change Notification', at, [nodeArn(scope, instanceId)], detail, [c.id, instanceId, status]) };
}

// ---- Automation: the execution's and each step's status, as the user guide's EventBridge examples show them

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * `Nov 29, 2024 7:43:25 PM`: how AWS's samples write an automation's StartTime and EndTime (Java's medium
 * date-time in English). [I] The samples do not name the zone; UTC here.
 */
export function automationEventTime(ms: number): string {
  const d = new Date(ms);
  const hours = d.getUTCHours();
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()}, ${d.getUTCFullYear()} ${hours % 12 === 0 ? 12 : hours % 12}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} ${hours < 12 ? 'AM' : 'PM'}`;
}

interface AutomationFacts {
  id: string; documentName: string; documentVersion: string; status: string; startTime: number; endTime?: number; executedBy: string;
  /** The window whose AUTOMATION task started it, if one did (the live stream's window filter). */
  windowId?: string;
}

interface AutomationStepFacts {
  stepExecutionId: string; stepName: string; action: string; status: string; startTime: number; endTime?: number;
  /** Tells a retry's statuses apart from the first attempt's (a retried step keeps its id). */
  attempt: number;
}

/** The execution and the runbook at its version, as AWS's samples list them in `resources`. */
function automationResources(scope: Scope, a: AutomationFacts): string[] {
  return [
    `arn:aws:ssm:${scope.region}:${scope.account}:automation-execution/${a.id}`,
    `arn:aws:ssm:${scope.region}:${scope.account}:automation-definition/${a.documentName}:${a.documentVersion}`,
  ];
}

/** What both automation events say: the execution, its runbook, a status with its times; `Time` the milliseconds it ran. */
function automationTimes(status: string, startTime: number, endTime: number | undefined): Record<string, unknown> {
  return {
    Status: status,
    StartTime: automationEventTime(startTime),
    // [I] AWS's samples are of ended executions and steps; before the end there is no EndTime or Time.
    ...(endTime === undefined ? {} : { EndTime: automationEventTime(endTime), Time: Math.max(0, endTime - startTime) }),
  };
}

function definition(a: AutomationFacts): Record<string, unknown> {
  const version = Number(a.documentVersion);
  return { ExecutionId: a.id, Definition: a.documentName, DefinitionVersion: Number.isFinite(version) ? version : a.documentVersion };
}

/**
 * An automation execution's status (every status but Pending, which no one sees: it starts in the transaction
 * that stores it). `change` tells apart the times it comes back to a status (InProgress after each approval).
 */
export function automationExecutionEvent(scope: Scope, a: AutomationFacts, at: number, change: string): RecordedEvent {
  const detail = { ...definition(a), ...automationTimes(a.status, a.startTime, a.endTime), ExecutedBy: a.executedBy };
  return { windowId: a.windowId, event: envelope(scope, 'EC2 Automation Execution Status-change Notification', at, automationResources(scope, a), detail, [a.id, a.status, change]) };
}

/** A step's status: each status a step takes (InProgress, Waiting, and its end), each attempt's. */
export function automationStepEvent(scope: Scope, a: AutomationFacts, s: AutomationStepFacts, at: number): RecordedEvent {
  const detail = { ...definition(a), ...automationTimes(s.status, s.startTime, s.endTime), StepName: s.stepName, Action: s.action };
  return {
    windowId: a.windowId,
    event: envelope(scope, 'EC2 Automation Step Status-change Notification', at, automationResources(scope, a), detail, [a.id, s.stepExecutionId, String(s.attempt), s.status]),
  };
}

interface SessionFacts { id: string; target: string; status: string; owner: string; documentName: string; reason?: string; startedAt: number; endedAt?: number }

/**
 * A Session Manager session started (Connecting) or ended (Terminated, Failed). [I] AWS sends no session
 * state-change event of its own (CloudTrail records StartSession); this one is written in the style of the
 * others, with the session's ARN as its resource.
 */
export function sessionEvent(scope: Scope, s: SessionFacts, at: number): RecordedEvent {
  const detail = {
    'session-id': s.id,
    target: s.target,
    status: s.status,
    owner: s.owner,
    'document-name': s.documentName,
    ...(s.reason === undefined ? {} : { reason: s.reason }),
    'start-time': iso(s.startedAt),
    ...(s.endedAt === undefined ? {} : { 'end-time': iso(s.endedAt) }),
  };
  const arn = `arn:aws:ssm:${scope.region}:${scope.account}:session/${s.id}`;
  return { event: envelope(scope, 'Session Manager Session State-change Notification', at, [arn, nodeArn(scope, s.target)], detail, [s.id, s.status]) };
}
