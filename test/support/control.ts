// Typed helpers for the service's own control API (/_mw/...): fire a window now, move the manual clock,
// keep the managed-node inventory, set outcome rules. Each control call asserts the HTTP status it
// expects and gives up after a bounded time, so a hung server fails a test instead of hanging it.
// Also small readers of the recorded history through the real SDK (paginators included).

import assert from 'node:assert/strict';
import {
  DescribeMaintenanceWindowExecutionTasksCommand,
  GetMaintenanceWindowExecutionCommand,
  paginateDescribeMaintenanceWindowExecutions,
  paginateDescribeMaintenanceWindowExecutionTaskInvocations,
  type MaintenanceWindowExecution,
  type MaintenanceWindowExecutionTaskIdentity,
  type MaintenanceWindowExecutionTaskInvocationIdentity,
  type SSMClient,
} from '@aws-sdk/client-ssm';
import type { TestServer } from './server.ts';

const TIMEOUT_MS = 30_000;

/** Anything with the server's endpoint (a TestServer, or a bare endpoint string). */
export type Target = TestServer | string;

export interface Scope {
  account?: string;
  region?: string;
}

export interface OutcomeRule {
  match?: { windowId?: string; windowTaskId?: string; taskArn?: string; taskType?: string; resourceId?: string; documentName?: string };
  status: 'SUCCESS' | 'FAILED' | 'TIMED_OUT';
  durationSeconds?: number;
  statusDetails?: string;
  stdout?: string;
  stderr?: string;
  responseCode?: number;
  times?: number;
}

export interface ManagedNode {
  id: string;
  tags: Record<string, string>;
  resourceGroups: string[];
}

export interface ClockState {
  mode: 'manual' | 'system';
  now: string;
  epochMillis: number;
}

function endpointOf(target: Target): string {
  return typeof target === 'string' ? target : target.app.endpoint;
}

function url(target: Target, path: string, scope: Scope = {}): string {
  const query = new URLSearchParams();
  if (scope.account) query.set('account', scope.account);
  if (scope.region) query.set('region', scope.region);
  const q = query.toString();
  return `${endpointOf(target)}${path}${q ? `?${q}` : ''}`;
}

/** One control call: sends JSON, checks the status, returns the parsed body. */
export async function control<T = unknown>(
  target: Target,
  method: 'GET' | 'POST' | 'PUT' | 'DELETE',
  path: string,
  options: { body?: unknown; scope?: Scope; expect?: number } = {},
): Promise<T> {
  const response = await fetch(url(target, path, options.scope), {
    method,
    headers: options.body === undefined ? undefined : { 'content-type': 'application/json' },
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
  const text = await response.text();
  const expected = options.expect ?? 200;
  assert.equal(response.status, expected, `${method} ${path}: expected HTTP ${expected}, got ${response.status}: ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

/** Starts an execution of the window now; returns its WindowExecutionId. */
export async function fire(target: Target, windowId: string, scope?: Scope): Promise<string> {
  const body = await control<{ WindowExecutionId: string }>(target, 'POST', `/_mw/windows/${encodeURIComponent(windowId)}/executions`, { scope });
  assert.match(body.WindowExecutionId, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  return body.WindowExecutionId;
}

/** Moves the manual clock forward by `seconds`, running every event on the way. */
export function advance(target: Target, seconds: number): Promise<ClockState> {
  return control<ClockState>(target, 'POST', '/_mw/clock', { body: { advanceSeconds: seconds } });
}

/** Sets the manual clock to an instant (ISO text, Date or epoch ms); it never goes back. */
export function setClock(target: Target, to: string | Date | number): Promise<ClockState> {
  const iso = typeof to === 'string' ? to : new Date(to).toISOString();
  return control<ClockState>(target, 'POST', '/_mw/clock', { body: { setTo: iso } });
}

export function getClock(target: Target): Promise<ClockState> {
  return control<ClockState>(target, 'GET', '/_mw/clock');
}

/** The service's current time as a Date. */
export async function now(target: Target): Promise<Date> {
  return new Date((await getClock(target)).epochMillis);
}

export function putNode(target: Target, id: string, node: { tags?: Record<string, string>; resourceGroups?: string[] } = {}, scope?: Scope): Promise<ManagedNode> {
  return control<ManagedNode>(target, 'PUT', `/_mw/nodes/${encodeURIComponent(id)}`, { body: node, scope });
}

export async function listNodes(target: Target, scope?: Scope): Promise<ManagedNode[]> {
  return (await control<{ nodes: ManagedNode[] }>(target, 'GET', '/_mw/nodes', { scope })).nodes;
}

export function deleteNode(target: Target, id: string, scope?: Scope, expect = 200): Promise<unknown> {
  return control(target, 'DELETE', `/_mw/nodes/${encodeURIComponent(id)}`, { scope, expect });
}

/** Replaces the outcome rules (first match wins). */
export async function setOutcomes(target: Target, rules: OutcomeRule[], scope?: Scope): Promise<OutcomeRule[]> {
  return (await control<{ rules: OutcomeRule[] }>(target, 'PUT', '/_mw/outcomes', { body: rules, scope })).rules;
}

export async function getOutcomes(target: Target, scope?: Scope): Promise<OutcomeRule[]> {
  return (await control<{ rules: OutcomeRule[] }>(target, 'GET', '/_mw/outcomes', { scope })).rules;
}

export async function clearOutcomes(target: Target, scope?: Scope): Promise<void> {
  await control(target, 'DELETE', '/_mw/outcomes', { scope });
}

// ---- reading what the engine recorded, through the real SDK

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Every invocation of a task execution, in the service's order (paged with the SDK paginator). */
export async function allInvocations(client: SSMClient, windowExecutionId: string, taskExecutionId: string, pageSize = 100): Promise<MaintenanceWindowExecutionTaskInvocationIdentity[]> {
  const items: MaintenanceWindowExecutionTaskInvocationIdentity[] = [];
  for await (const page of paginateDescribeMaintenanceWindowExecutionTaskInvocations({ client, pageSize }, { WindowExecutionId: windowExecutionId, TaskId: taskExecutionId })) {
    items.push(...(page.WindowExecutionTaskInvocationIdentities ?? []));
  }
  return items;
}

/** Every execution of a window, newest first. */
export async function allExecutions(client: SSMClient, windowId: string, pageSize = 100): Promise<MaintenanceWindowExecution[]> {
  const items: MaintenanceWindowExecution[] = [];
  for await (const page of paginateDescribeMaintenanceWindowExecutions({ client, pageSize }, { WindowId: windowId })) {
    items.push(...(page.WindowExecutions ?? []));
  }
  return items;
}

export interface TaskRun {
  task: MaintenanceWindowExecutionTaskIdentity;
  invocations: MaintenanceWindowExecutionTaskInvocationIdentity[];
}

/** A window execution (GetMaintenanceWindowExecution, without $metadata) with its task executions in start order and each one's invocations. */
export async function executionTree(client: SSMClient, windowExecutionId: string) {
  const { $metadata: _, ...execution } = await client.send(new GetMaintenanceWindowExecutionCommand({ WindowExecutionId: windowExecutionId }));
  const listed = await client.send(new DescribeMaintenanceWindowExecutionTasksCommand({ WindowExecutionId: windowExecutionId }));
  const tasks: TaskRun[] = [];
  for (const task of listed.WindowExecutionTaskIdentities ?? []) {
    tasks.push({ task, invocations: await allInvocations(client, windowExecutionId, task.TaskExecutionId!) });
  }
  assert.deepEqual(tasks.map((t) => t.task.TaskExecutionId), execution.TaskIds ?? [], 'Describe lists the task executions Get names, in the same order');
  return { execution, tasks };
}

/** The largest number of [StartTime, EndTime) intervals open at one instant (an end and a start at the same instant do not overlap). */
export function maxOverlap(items: { StartTime?: Date; EndTime?: Date }[]): number {
  const events: [number, number][] = [];
  for (const item of items) {
    assert.ok(item.StartTime && item.EndTime, 'every item has a StartTime and an EndTime');
    events.push([item.StartTime.getTime(), +1], [item.EndTime.getTime(), -1]);
  }
  events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let open = 0;
  let max = 0;
  for (const [, delta] of events) {
    open += delta;
    max = Math.max(max, open);
  }
  return max;
}
