// Rows for the storage contract: every entity with its optional and nested members filled, and strings
// that a careless engine would mangle (quotes, backslashes, NUL, non-BMP characters, SQL-looking text).

import type { Activation } from '../../src/domain/activations.ts';
import type { AgentCredential } from '../../src/domain/agent-credentials.ts';
import { type Command, type CommandInvocation, newCommand } from '../../src/domain/commands.ts';
import type { ExecutionStatus, Invocation, TaskExecution, WindowExecution } from '../../src/domain/execution.ts';
import type { ManagedNode, OutcomeRule } from '../../src/domain/inventory.ts';
import type { Scope, Window, WindowTarget, WindowTask } from '../../src/domain/model.ts';
import type { Store } from '../../src/service/ports.ts';
import { randomIds } from '../../src/service/system.ts';
import { catalogueDocument } from '../../src/service/runnable-documents.ts';

/** What an engine's test file hands the contract: a fresh, empty store and how to dispose of it. */
export interface OpenedStore {
  store: Store;
  cleanup(): Promise<void>;
}

export type OpenStore = () => Promise<OpenedStore>;

export const A: Scope = { account: '111111111111', region: 'us-east-1' };
/** Same Region, another account. */
export const B: Scope = { account: '222222222222', region: 'us-east-1' };
/** Same account, another Region. */
export const C: Scope = { account: '111111111111', region: 'eu-west-1' };

export const AWKWARD = `It's "quoted" \\ back\\slash \u0000 nul, ünïcödé ☃ 𝄞, '; DROP TABLE windows; --`;

export const T0 = Date.UTC(2030, 0, 1);

export function window(id: string, overrides: Partial<Window> = {}): Window {
  return {
    id,
    name: `window-${id}`,
    description: AWKWARD,
    schedule: 'cron(0 4 ? * SUN *)',
    timeZone: 'Europe/Berlin',
    offsetDays: 2,
    startDate: '2030-01-01T00:00:00Z',
    durationHours: 4,
    cutoffHours: 1,
    allowUnassociatedTargets: false,
    enabled: true,
    createdAt: T0,
    modifiedAt: T0 + 1,
    rateAnchorMs: T0,
    scheduleFromMs: T0,
    ...overrides,
  };
}

export function target(windowId: string, id: string): WindowTarget {
  return {
    windowId,
    id,
    resourceType: 'INSTANCE',
    targets: [{ key: 'tag:Env', values: ['prod', 'stage'] }, { key: 'InstanceIds', values: ['i-0123456789abcdef0'] }],
    ownerInformation: AWKWARD,
    name: `target-${id}`,
  };
}

export function task(windowId: string, id: string): WindowTask {
  return {
    windowId,
    id,
    taskArn: 'AWS-RunShellScript',
    taskType: 'RUN_COMMAND',
    targets: [{ key: 'WindowTargetIds', values: ['t-1'] }],
    serviceRoleArn: 'arn:aws:iam::111111111111:role/mw',
    taskParameters: { commands: { Values: ['echo "hi"', AWKWARD] } },
    invocationParameters: { RunCommand: { Comment: AWKWARD, TimeoutSeconds: 600, Parameters: { a: ['1'] }, Nested: { deep: [1, 2.5, -3, true, null] } } },
    priority: 3,
    maxConcurrency: '10%',
    maxErrors: '1',
    loggingInfo: { S3BucketName: 'bucket', S3Region: 'us-east-1' },
    cutoffBehavior: 'CANCEL_TASK',
    alarmConfiguration: { IgnorePollAlarmFailure: true, Alarms: [{ Name: 'alarm' }] },
  };
}

export function windowExecution(windowId: string, id: string, status: ExecutionStatus = 'IN_PROGRESS', startTime = T0): WindowExecution {
  return { windowId, id, status, statusDetails: AWKWARD, startTime, cutoffAt: startTime + 3_600_000, endAt: startTime + 7_200_000 };
}

export function taskExecution(windowExecutionId: string, id: string, status: ExecutionStatus = 'PENDING', priority = 1): TaskExecution {
  return {
    windowId: 'mw-0123456789abcdef0',
    windowExecutionId,
    id,
    windowTaskId: randomIds.uuid(),
    taskArn: 'AWS-RunShellScript',
    taskType: 'RUN_COMMAND',
    taskParameters: { commands: { Values: [AWKWARD] } },
    priority,
    maxConcurrency: '1',
    maxErrors: '0',
    cutoffBehavior: 'CONTINUE_TASK',
    status,
    targets: [{ key: 'tag:Env', values: ['prod'] }],
    plan: [{ resourceIds: ['i-1', 'i-2'], windowTargetId: 't-1', targetType: 'INSTANCE', group: 0 }],
    nextPlanIndex: 0,
    inFlight: 0,
    errorCount: 0,
  };
}

export function invocation(taskExecutionId: string, id: string, status: ExecutionStatus = 'IN_PROGRESS', startTime = T0): Invocation {
  return {
    windowId: 'mw-0123456789abcdef0',
    windowExecutionId: randomIds.uuid(),
    taskExecutionId,
    id,
    executionId: randomIds.uuid(),
    taskType: 'RUN_COMMAND',
    parameters: JSON.stringify({ commands: [AWKWARD] }),
    status,
    startTime,
    resourceIds: ['i-1'],
    plannedEnd: startTime + 30_000,
    plannedStatus: 'SUCCESS',
  };
}

export function node(id: string): ManagedNode {
  return { id, tags: { Env: 'prod', Name: AWKWARD }, resourceGroups: ['group-a'] };
}

export const RULES: OutcomeRule[] = [
  { match: { taskArn: 'AWS-RunShellScript', resourceId: 'i-1' }, status: 'FAILED', statusDetails: AWKWARD, times: 2 },
  { match: {}, status: 'SUCCESS', durationSeconds: 5 },
];

/** Time-ordered ids, as the engine makes them for history rows. */
export function orderedIds(n: number): string[] {
  return Array.from({ length: n }, () => randomIds.orderedUuid());
}

/** Each row's item; a stored record without its version (the store's column, service/ports/keyed.ts). */
export function items<T extends object>(rows: { item: T }[]): Omit<T, 'version'>[] {
  return rows.map((row) => unversioned(row.item));
}

/** A stored record as it was written: without the version the store keeps beside it. */
export function unversioned<T extends object>(record: T): Omit<T, 'version'>;
export function unversioned<T extends object>(record: T | undefined): Omit<T, 'version'> | undefined;
export function unversioned<T extends object>(record: T | undefined): Omit<T, 'version'> | undefined {
  if (record === undefined || !('version' in record)) return record;
  const { version: _, ...rest } = record;
  return rest;
}

export function keys(rows: { key: number }[]): number[] {
  return rows.map((row) => row.key);
}

/** A Run Command command on `instanceIds` and its invocations (Pending, due at `dueAt`), made as SendCommand makes them. */
export function command(id: string, instanceIds: string[], dueAt = T0): { command: Command; invocations: CommandInvocation[] } {
  const sent = newCommand(id, { documentName: 'AWS-RunShellScript', instanceIds, parameters: { commands: [AWKWARD] }, comment: AWKWARD }, catalogueDocument('AWS-RunShellScript'), instanceIds, dueAt);
  return { command: sent.command, invocations: sent.invocations };
}

export function activation(id: string, overrides: Partial<Activation> = {}): Activation {
  return {
    id, code: `code-${id}`, description: AWKWARD, defaultInstanceName: 'web', iamRole: 'SSMServiceRole', registrationLimit: 2,
    registrationsCount: 0, createdAt: T0, expiresAt: T0 + 86_400_000, tags: [{ key: 'Env', value: AWKWARD }], ...overrides,
  };
}

export function agentCredential(nodeId: string, accessKeyId: string, expiresAt = T0 + 3_600_000): AgentCredential {
  return { accessKeyId, secretAccessKey: `secret-${accessKeyId}`, sessionToken: AWKWARD, nodeId, expiresAt };
}
