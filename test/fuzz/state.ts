// Stored state as plain API calls: the resources a run starts with (the baseline the fuzzer must not
// change, and seeds in the fuzz scopes so mutations hit real windows, targets and tasks), and a snapshot of
// everything a scope holds, compared before and after the run.

import assert from 'node:assert/strict';
import { authorization } from './api-requests.ts';
import { send, type Answer } from './http-client.ts';
import type { Scope } from './pools.ts';

const TIMEOUT_MS = 10_000;

export async function callApi(port: number, scope: Scope, operation: string, input: unknown): Promise<Answer & { json: any }> {
  const answer = await send(port, {
    method: 'POST',
    path: '/',
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `AmazonSSM.${operation}`, authorization: authorization(scope) },
    body: JSON.stringify(input),
  }, TIMEOUT_MS);
  return { ...answer, json: parsedOrUndefined(answer.body) };
}

/** The answer's JSON, or undefined when it is not JSON (the fuzzer sends what may get any answer). */
function parsedOrUndefined(body: string): any {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

async function ok(port: number, scope: Scope, operation: string, input: unknown): Promise<any> {
  const answer = await callApi(port, scope, operation, input);
  assert.equal(answer.status, 200, `${operation} ${JSON.stringify(input)}: ${answer.body}`);
  return answer.json;
}

export async function controlCall(port: number, method: string, path: string, body?: unknown): Promise<Answer & { json: any }> {
  const answer = await send(port, { method, path, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) }, TIMEOUT_MS);
  return { ...answer, json: parsedOrUndefined(answer.body) };
}

const q = (scope: Scope) => `?account=${scope.account}&region=${scope.region}`;

/** A few windows with targets, tasks and tags, a node, an outcome rule, and one execution; returns the window ids. */
export async function createResources(port: number, scope: Scope, prefix: string): Promise<string[]> {
  const ids: string[] = [];
  await controlCall(port, 'PUT', `/_mw/nodes/i-0aaaaaaaaaaaaaaa1${q(scope)}`, { tags: { Env: 'prod' }, resourceGroups: ['web'] });
  await controlCall(port, 'PUT', `/_mw/outcomes${q(scope)}`, [{ match: { resourceId: 'i-0bbbbbbbbbbbbbbb1' }, status: 'FAILED', times: 3 }]);
  for (let i = 0; i < 3; i++) {
    const { WindowId } = await ok(port, scope, 'CreateMaintenanceWindow', {
      Name: `${prefix}-${i}`, Schedule: ['rate(1 day)', 'cron(0 2 ? * SUN *)', 'rate(7 days)'][i], Duration: 4, Cutoff: 1,
      AllowUnassociatedTargets: i === 0, Description: `window ${i}`, ScheduleTimezone: 'Europe/Paris',
      Tags: [{ Key: 'Env', Value: 'prod' }, { Key: 'n', Value: String(i) }],
    });
    ids.push(WindowId);
    const { WindowTargetId } = await ok(port, scope, 'RegisterTargetWithMaintenanceWindow', {
      WindowId, ResourceType: 'INSTANCE', Targets: [{ Key: 'InstanceIds', Values: ['i-0aaaaaaaaaaaaaaa1', 'i-0bbbbbbbbbbbbbbb1'] }], Name: 'fleet', OwnerInformation: 'ops',
    });
    await ok(port, scope, 'RegisterTargetWithMaintenanceWindow', { WindowId, ResourceType: 'INSTANCE', Targets: [{ Key: 'tag:Env', Values: ['prod'] }] });
    await ok(port, scope, 'RegisterTaskWithMaintenanceWindow', {
      WindowId, TaskArn: 'AWS-RunShellScript', TaskType: 'RUN_COMMAND', Targets: [{ Key: 'WindowTargetIds', Values: [WindowTargetId] }],
      MaxConcurrency: '1', MaxErrors: '1', Priority: 1, Name: 'patch', TaskInvocationParameters: { RunCommand: { Parameters: { commands: ['echo hi'] }, TimeoutSeconds: 600 } },
    });
    await ok(port, scope, 'RegisterTaskWithMaintenanceWindow', {
      WindowId, TaskArn: 'arn:aws:lambda:us-east-1:123456789012:function:f', TaskType: 'LAMBDA', Priority: 2,
      TaskInvocationParameters: { Lambda: { Payload: 'eyJhIjoxfQ==', Qualifier: '1' } },
    });
  }
  const fired = await controlCall(port, 'POST', `/_mw/windows/${ids[0]}/executions${q(scope)}`);
  assert.equal(fired.status, 200, fired.body);
  return ids;
}

/** Everything `scope` holds, as the API and the control routes show it. */
export async function snapshot(port: number, scope: Scope): Promise<unknown> {
  const windows = (await ok(port, scope, 'DescribeMaintenanceWindows', { MaxResults: 100 })).WindowIdentities;
  const out: Record<string, unknown> = { windows };
  for (const w of windows) {
    const WindowId = w.WindowId;
    const tasks = (await ok(port, scope, 'DescribeMaintenanceWindowTasks', { WindowId, MaxResults: 100 })).Tasks;
    const executions = (await ok(port, scope, 'DescribeMaintenanceWindowExecutions', { WindowId, MaxResults: 100 })).WindowExecutions;
    const history = [];
    for (const { WindowExecutionId } of executions) {
      const taskRuns = (await ok(port, scope, 'DescribeMaintenanceWindowExecutionTasks', { WindowExecutionId, MaxResults: 100 })).WindowExecutionTaskIdentities;
      history.push({
        execution: await ok(port, scope, 'GetMaintenanceWindowExecution', { WindowExecutionId }),
        tasks: taskRuns,
        invocations: await Promise.all(taskRuns.map((t: any) => ok(port, scope, 'DescribeMaintenanceWindowExecutionTaskInvocations', { WindowExecutionId, TaskId: t.TaskExecutionId, MaxResults: 100 }))),
      });
    }
    out[WindowId] = {
      window: await ok(port, scope, 'GetMaintenanceWindow', { WindowId }),
      targets: await ok(port, scope, 'DescribeMaintenanceWindowTargets', { WindowId, MaxResults: 100 }),
      tasks: await Promise.all(tasks.map((t: any) => ok(port, scope, 'GetMaintenanceWindowTask', { WindowId, WindowTaskId: t.WindowTaskId }))),
      tags: await ok(port, scope, 'ListTagsForResource', { ResourceType: 'MaintenanceWindow', ResourceId: WindowId }),
      executions,
      history,
    };
  }
  out.nodes = (await controlCall(port, 'GET', `/_mw/nodes${q(scope)}`)).json;
  out.outcomes = (await controlCall(port, 'GET', `/_mw/outcomes${q(scope)}`)).json;
  return out;
}
