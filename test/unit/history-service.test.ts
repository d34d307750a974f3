// The read side of the execution history (SPEC 1.2, 2.2, 4.4, 4.6) against a real SQLite store seeded
// directly: ordering, filters, keyset pages and their tokens, every not-found path, and the wire mapping.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { ServiceError } from '../../src/domain/errors.ts';
import type { ExecutionStatus, Invocation, TaskExecution, WindowExecution } from '../../src/domain/execution.ts';
import type { Scope, Window } from '../../src/domain/model.ts';
import { historyHandlers } from '../../src/operations/executions.ts';
import { defaultQuotas, type ServiceContext } from '../../src/service/context.ts';
import { HistoryService } from '../../src/service/history.ts';
import { PageTokens } from '../../src/service/page-tokens.ts';
import { randomIds } from '../../src/service/system.ts';
import { SqliteStore } from '../../src/storage/sqlite/sqlite-store.ts';

const scope: Scope = { account: '123456789012', region: 'us-east-1' };
const T0 = Date.parse('2024-05-01T00:00:00Z');
const HOUR = 60 * 60 * 1000;
const MINUTE = 60 * 1000;
const UNKNOWN = '00000000-0000-4000-8000-000000000000';

let store: SqliteStore;
let history: HistoryService;

beforeEach(() => {
  store = new SqliteStore({ path: ':memory:' });
  const ctx: ServiceContext = {
    store,
    clock: { now: () => T0 },
    ids: randomIds,
    tokens: new PageTokens('00'.repeat(32)),
    quotas: defaultQuotas,
    pingTimeoutMs: 600_000,
    clockMode: 'system',
  };
  history = new HistoryService(ctx);
});

afterEach(async () => {
  await store.close();
});

// ---- fixtures, inserted straight into the store

async function addWindow(at: Scope = scope): Promise<string> {
  const window: Window = {
    id: randomIds.windowId(),
    name: 'history-test',
    schedule: 'rate(1 hour)',
    durationHours: 2,
    cutoffHours: 1,
    allowUnassociatedTargets: false,
    enabled: true,
    createdAt: T0,
    modifiedAt: T0,
    rateAnchorMs: T0,
    scheduleFromMs: T0,
  };
  await store.insertWindow(at, window, undefined);
  return window.id;
}

async function addExecution(windowId: string, startTime: number, extra: Partial<WindowExecution> = {}, at: Scope = scope): Promise<WindowExecution> {
  const execution: WindowExecution = {
    windowId,
    id: randomIds.orderedUuid(),
    status: 'SUCCESS',
    startTime,
    endTime: startTime + MINUTE,
    cutoffAt: startTime + HOUR,
    endAt: startTime + 2 * HOUR,
    ...extra,
  };
  await store.insertWindowExecution(at, execution);
  return execution;
}

function taskExecution(execution: WindowExecution, extra: Partial<TaskExecution> = {}): TaskExecution {
  return {
    windowId: execution.windowId,
    windowExecutionId: execution.id,
    id: randomIds.orderedUuid(),
    windowTaskId: randomIds.uuid(),
    taskArn: 'AWS-RunShellScript',
    taskType: 'RUN_COMMAND',
    priority: 1,
    maxConcurrency: '2',
    maxErrors: '1',
    cutoffBehavior: 'CONTINUE_TASK',
    status: 'SUCCESS',
    startTime: execution.startTime,
    endTime: execution.startTime + MINUTE,
    targets: [{ key: 'InstanceIds', values: ['i-0123456789abcdef0'] }],
    plan: [{ resourceIds: ['i-0123456789abcdef0'], group: 0 }],
    nextPlanIndex: 1,
    inFlight: 0,
    errorCount: 0,
    ...extra,
  };
}

async function addTaskExecutions(execution: WindowExecution, statuses: ExecutionStatus[], at: Scope = scope): Promise<TaskExecution[]> {
  const rows = statuses.map((status) => taskExecution(execution, { status }));
  await store.insertTaskExecutions(at, rows);
  return rows;
}

function invocation(task: TaskExecution, index: number, extra: Partial<Invocation> = {}): Invocation {
  return {
    windowId: task.windowId,
    windowExecutionId: task.windowExecutionId,
    taskExecutionId: task.id,
    id: randomIds.orderedUuid(),
    executionId: randomIds.uuid(),
    taskType: task.taskType,
    parameters: JSON.stringify({ documentName: task.taskArn, instanceIds: [`i-${index}`] }),
    status: 'SUCCESS',
    statusDetails: 'Success',
    startTime: (task.startTime ?? T0) + index,
    endTime: (task.startTime ?? T0) + index + MINUTE,
    resourceIds: [`i-${index}`],
    plannedEnd: (task.startTime ?? T0) + index + MINUTE,
    plannedStatus: 'SUCCESS',
    ...extra,
  };
}

async function addInvocations(task: TaskExecution, statuses: ExecutionStatus[]): Promise<Invocation[]> {
  const rows = statuses.map((status, index) => invocation(task, index, { status }));
  await store.insertInvocations(scope, rows);
  return rows;
}

/** A window with one execution holding one task execution: the common parent chain. */
async function chain() {
  const windowId = await addWindow();
  const execution = await addExecution(windowId, T0);
  const [task] = await addTaskExecutions(execution, ['SUCCESS']);
  return { windowId, execution, task };
}

async function fails(promise: Promise<unknown>, code: string, message: string): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof ServiceError, `expected a ServiceError, got ${String(error)}`);
    assert.equal(error.code, code);
    assert.equal(error.message, message);
    return true;
  });
}

const missing = {
  execution: (id: string) => `Maintenance window execution ${id} does not exist`,
  task: (id: string) => `Maintenance window execution task ${id} does not exist`,
  invocation: (id: string) => `Maintenance window execution task invocation ${id} does not exist`,
};

const STATUS_VALUES = 'PENDING, IN_PROGRESS, SUCCESS, FAILED, TIMED_OUT, CANCELLING, CANCELLED';

describe('DescribeMaintenanceWindowExecutions (listExecutions)', () => {
  it('lists newest first, only the window asked for', async () => {
    const windowId = await addWindow();
    const other = await addWindow();
    const made = [];
    for (let i = 0; i < 5; i++) made.push(await addExecution(windowId, T0 + i * HOUR));
    await addExecution(other, T0 + 30 * MINUTE);
    const page = await history.listExecutions(scope, windowId, {});
    assert.deepEqual(page.executions.map((e) => e.id), made.reverse().map((e) => e.id));
    assert.equal(page.nextToken, undefined);
  });

  it('returns an empty list (not an error) for an unknown window', async () => {
    const page = await history.listExecutions(scope, 'mw-00000000000000000', {});
    assert.deepEqual(page, { executions: [], nextToken: undefined });
  });

  it('does not see another Region', async () => {
    const windowId = await addWindow();
    await addExecution(windowId, T0);
    const page = await history.listExecutions({ ...scope, region: 'eu-west-1' }, windowId, {});
    assert.deepEqual(page.executions, []);
  });

  it('pages newest first with no duplicate, no gap and no empty last page', async () => {
    const windowId = await addWindow();
    const made = [];
    for (let i = 0; i < 30; i++) made.push(await addExecution(windowId, T0 + i * HOUR));
    const expected = made.reverse().map((e) => e.id);
    for (const maxResults of [10, 15, 29, 30, 31]) {
      const seen: string[] = [];
      let nextToken: string | undefined;
      do {
        const page = await history.listExecutions(scope, windowId, { maxResults, nextToken });
        assert.ok(page.executions.length > 0, 'no empty page');
        assert.ok(page.executions.length <= maxResults);
        seen.push(...page.executions.map((e) => e.id));
        nextToken = page.nextToken;
      } while (nextToken !== undefined);
      assert.deepEqual(seen, expected, `MaxResults ${maxResults}`);
    }
  });

  it('ExecutedBefore / ExecutedAfter compare StartTime strictly and combine with AND', async () => {
    const windowId = await addWindow();
    const made = [];
    for (let i = 0; i < 6; i++) made.push(await addExecution(windowId, T0 + i * HOUR)); // 00:00 .. 05:00
    const ids = (list: WindowExecution[]) => list.map((e) => e.id);
    const before = await history.listExecutions(scope, windowId, { filters: [{ key: 'ExecutedBefore', values: ['2024-05-01T02:00:00Z'] }] });
    assert.deepEqual(ids(before.executions), [made[1].id, made[0].id]);
    const after = await history.listExecutions(scope, windowId, { filters: [{ key: 'ExecutedAfter', values: ['2024-05-01T03:00:00Z'] }] });
    assert.deepEqual(ids(after.executions), [made[5].id, made[4].id]);
    const between = await history.listExecutions(scope, windowId, {
      filters: [
        { key: 'ExecutedAfter', values: ['2024-05-01T00:30:00Z'] },
        { key: 'ExecutedBefore', values: ['2024-05-01T05:00:00+02:00'] }, // 03:00Z
      ],
    });
    assert.deepEqual(ids(between.executions), [made[2].id, made[1].id]);
    const none = await history.listExecutions(scope, windowId, { filters: [{ key: 'ExecutedBefore', values: ['2024-05-01T00:00:00Z'] }] });
    assert.deepEqual(none.executions, []);
  });

  it('pages through a filtered listing without an empty trailing page', async () => {
    const windowId = await addWindow();
    const made = [];
    for (let i = 0; i < 40; i++) made.push(await addExecution(windowId, T0 + i * HOUR));
    // Executions 10..29 match (20 of them, in the middle of the listing).
    const filters = [
      { key: 'ExecutedAfter', values: [new Date(T0 + 9 * HOUR).toISOString()] },
      { key: 'ExecutedBefore', values: [new Date(T0 + 30 * HOUR).toISOString()] },
    ];
    const first = await history.listExecutions(scope, windowId, { filters, maxResults: 10 });
    assert.equal(first.executions.length, 10);
    assert.ok(first.nextToken);
    const second = await history.listExecutions(scope, windowId, { filters, maxResults: 10, nextToken: first.nextToken });
    assert.equal(second.executions.length, 10);
    assert.equal(second.nextToken, undefined, 'nothing matches after the 20th: no token');
    assert.deepEqual(
      [...first.executions, ...second.executions].map((e) => e.id),
      made.slice(10, 30).reverse().map((e) => e.id),
    );
  });

  it('refuses unknown keys, empty values and dates that do not parse', async () => {
    const windowId = await addWindow();
    await fails(
      history.listExecutions(scope, windowId, { filters: [{ key: 'STATUS', values: ['SUCCESS'] }] }),
      'ValidationException',
      'The filter key STATUS is not valid. Valid filter keys are: ExecutedBefore, ExecutedAfter.',
    );
    await fails(
      history.listExecutions(scope, windowId, { filters: [{ key: 'ExecutedBefore', values: [] }] }),
      'ValidationException',
      'The filter ExecutedBefore must have at least one value.',
    );
    await fails(
      history.listExecutions(scope, windowId, { filters: [{ key: 'ExecutedAfter', values: ['yesterday'] }] }),
      'ValidationException',
      'The filter ExecutedAfter value yesterday is not a valid ISO-8601 date-time.',
    );
    await fails(
      history.listExecutions(scope, windowId, { filters: [{ key: 'ExecutedAfter', values: ['2024-02-30T00:00:00Z'] }] }),
      'ValidationException',
      'The filter ExecutedAfter value 2024-02-30T00:00:00Z is not a valid ISO-8601 date-time.',
    );
  });
});

describe('GetMaintenanceWindowExecution (getExecution)', () => {
  it('returns the execution with its task execution ids in creation order', async () => {
    const windowId = await addWindow();
    const execution = await addExecution(windowId, T0);
    const tasks = await addTaskExecutions(execution, ['SUCCESS', 'FAILED', 'CANCELLED']);
    const otherExecution = await addExecution(windowId, T0 + HOUR);
    await addTaskExecutions(otherExecution, ['SUCCESS']);
    const got = await history.getExecution(scope, execution.id);
    assert.deepEqual(got.execution, { ...execution, version: 1 });
    assert.deepEqual(got.taskExecutionIds, tasks.map((t) => t.id));
  });

  it('an execution without tasks has an empty TaskIds list', async () => {
    const windowId = await addWindow();
    const execution = await addExecution(windowId, T0, { statusDetails: 'No tasks to execute.' });
    assert.deepEqual((await history.getExecution(scope, execution.id)).taskExecutionIds, []);
  });

  it('an unknown id, or one of another Region, does not exist', async () => {
    await fails(history.getExecution(scope, UNKNOWN), 'DoesNotExistException', missing.execution(UNKNOWN));
    const windowId = await addWindow();
    const execution = await addExecution(windowId, T0);
    await fails(history.getExecution({ ...scope, region: 'eu-west-1' }, execution.id), 'DoesNotExistException', missing.execution(execution.id));
  });
});

describe('DescribeMaintenanceWindowExecutionTasks (listTaskExecutions)', () => {
  it('lists the task executions in creation order', async () => {
    const windowId = await addWindow();
    const execution = await addExecution(windowId, T0);
    const tasks = await addTaskExecutions(execution, ['SUCCESS', 'FAILED', 'PENDING', 'IN_PROGRESS']);
    const page = await history.listTaskExecutions(scope, execution.id, {});
    assert.deepEqual(page.taskExecutions.map((t) => t.id), tasks.map((t) => t.id));
    assert.equal(page.nextToken, undefined);
  });

  it('STATUS filters: one value, several values, several filters ANDed', async () => {
    const windowId = await addWindow();
    const execution = await addExecution(windowId, T0);
    const tasks = await addTaskExecutions(execution, ['SUCCESS', 'FAILED', 'TIMED_OUT', 'FAILED', 'CANCELLED']);
    const ids = async (filters: { key: string; values: string[] }[]) =>
      (await history.listTaskExecutions(scope, execution.id, { filters })).taskExecutions.map((t) => t.id);
    assert.deepEqual(await ids([{ key: 'STATUS', values: ['FAILED'] }]), [tasks[1].id, tasks[3].id]);
    assert.deepEqual(await ids([{ key: 'STATUS', values: ['SUCCESS', 'CANCELLED'] }]), [tasks[0].id, tasks[4].id]);
    assert.deepEqual(await ids([{ key: 'STATUS', values: ['PENDING'] }]), []);
    assert.deepEqual(
      await ids([{ key: 'STATUS', values: ['SUCCESS', 'TIMED_OUT'] }, { key: 'STATUS', values: ['TIMED_OUT', 'FAILED'] }]),
      [tasks[2].id],
    );
    assert.deepEqual(await ids([{ key: 'STATUS', values: ['SUCCESS'] }, { key: 'STATUS', values: ['FAILED'] }]), []);
  });

  it('refuses a status outside the filterable set, an unknown key and an empty value list', async () => {
    const { execution } = await chain();
    await fails(
      history.listTaskExecutions(scope, execution.id, { filters: [{ key: 'STATUS', values: ['SKIPPED_OVERLAPPING'] }] }),
      'ValidationException',
      `The filter STATUS value SKIPPED_OVERLAPPING is not valid. Valid values are: ${STATUS_VALUES}.`,
    );
    await fails(
      history.listTaskExecutions(scope, execution.id, { filters: [{ key: 'STATUS', values: ['SUCCESS', 'success'] }] }),
      'ValidationException',
      `The filter STATUS value success is not valid. Valid values are: ${STATUS_VALUES}.`,
    );
    await fails(
      history.listTaskExecutions(scope, execution.id, { filters: [{ key: 'Status', values: ['SUCCESS'] }] }),
      'ValidationException',
      'The filter key Status is not valid. Valid filter keys are: STATUS.',
    );
    await fails(
      history.listTaskExecutions(scope, execution.id, { filters: [{ key: 'STATUS' }] }),
      'ValidationException',
      'The filter STATUS must have at least one value.',
    );
  });

  it('an unknown window execution does not exist', async () => {
    await fails(history.listTaskExecutions(scope, UNKNOWN, {}), 'DoesNotExistException', missing.execution(UNKNOWN));
  });

  it('pages by MaxResults', async () => {
    const windowId = await addWindow();
    const execution = await addExecution(windowId, T0);
    const tasks = await addTaskExecutions(execution, Array.from({ length: 25 }, (_, i) => (i % 2 === 0 ? 'SUCCESS' : 'FAILED')));
    const first = await history.listTaskExecutions(scope, execution.id, { maxResults: 10 });
    const second = await history.listTaskExecutions(scope, execution.id, { maxResults: 10, nextToken: first.nextToken });
    const third = await history.listTaskExecutions(scope, execution.id, { maxResults: 10, nextToken: second.nextToken });
    assert.equal(third.nextToken, undefined);
    assert.deepEqual([first, second, third].flatMap((p) => p.taskExecutions.map((t) => t.id)), tasks.map((t) => t.id));
    // Filtered: the 13 SUCCESS rows over two pages.
    const filters = [{ key: 'STATUS', values: ['SUCCESS'] }];
    const a = await history.listTaskExecutions(scope, execution.id, { filters, maxResults: 10 });
    const b = await history.listTaskExecutions(scope, execution.id, { filters, maxResults: 10, nextToken: a.nextToken });
    assert.equal(b.nextToken, undefined);
    assert.deepEqual(
      [...a.taskExecutions, ...b.taskExecutions].map((t) => t.id),
      tasks.filter((t) => t.status === 'SUCCESS').map((t) => t.id),
    );
  });
});

describe('GetMaintenanceWindowExecutionTask (getTaskExecution)', () => {
  it('returns the task execution of that window execution', async () => {
    const { execution, task } = await chain();
    assert.deepEqual(await history.getTaskExecution(scope, execution.id, task.id), { ...task, version: 1 });
  });

  it('reports the first level that is wrong', async () => {
    const { windowId, execution, task } = await chain();
    const other = await addExecution(windowId, T0 + HOUR);
    await fails(history.getTaskExecution(scope, UNKNOWN, task.id), 'DoesNotExistException', missing.execution(UNKNOWN));
    await fails(history.getTaskExecution(scope, UNKNOWN, UNKNOWN), 'DoesNotExistException', missing.execution(UNKNOWN));
    await fails(history.getTaskExecution(scope, execution.id, UNKNOWN), 'DoesNotExistException', missing.task(UNKNOWN));
    // A real task execution, asked for under another window execution.
    await fails(history.getTaskExecution(scope, other.id, task.id), 'DoesNotExistException', missing.task(task.id));
  });
});

describe('DescribeMaintenanceWindowExecutionTaskInvocations (listInvocations)', () => {
  it('pages through 250 invocations in start order at every page size, with no duplicate or gap', async () => {
    const { execution, task } = await chain();
    const made = await addInvocations(task, Array.from({ length: 250 }, () => 'SUCCESS' as const));
    // Another task execution's invocations, interleaved in the table, must not show up.
    const [sibling] = await addTaskExecutions(execution, ['SUCCESS']);
    await addInvocations(sibling, ['SUCCESS', 'FAILED']);
    const expected = made.map((i) => i.id);
    for (const maxResults of [10, 11, 17, 25, 50, 99, 100]) {
      const seen: string[] = [];
      let nextToken: string | undefined;
      let pages = 0;
      do {
        const page = await history.listInvocations(scope, execution.id, task.id, { maxResults, nextToken });
        pages++;
        nextToken = page.nextToken;
        if (nextToken !== undefined) assert.equal(page.invocations.length, maxResults, 'pages before the last are full');
        else assert.ok(page.invocations.length > 0, 'no empty last page');
        seen.push(...page.invocations.map((i) => i.id));
      } while (nextToken !== undefined);
      assert.equal(pages, Math.ceil(250 / maxResults), `MaxResults ${maxResults}`);
      assert.deepEqual(seen, expected, `MaxResults ${maxResults}`);
    }
  });

  it('without MaxResults a page holds 100', async () => {
    const { execution, task } = await chain();
    await addInvocations(task, Array.from({ length: 101 }, () => 'SUCCESS' as const));
    const first = await history.listInvocations(scope, execution.id, task.id, {});
    assert.equal(first.invocations.length, 100);
    const second = await history.listInvocations(scope, execution.id, task.id, { nextToken: first.nextToken });
    assert.equal(second.invocations.length, 1);
    assert.equal(second.nextToken, undefined);
  });

  it('STATUS filters are applied across pages', async () => {
    const { execution, task } = await chain();
    const statuses: ExecutionStatus[] = Array.from({ length: 250 }, (_, i) => (i % 7 === 0 ? 'FAILED' : i % 11 === 0 ? 'TIMED_OUT' : 'SUCCESS'));
    const made = await addInvocations(task, statuses);
    const walk = async (values: string[]) => {
      const seen: string[] = [];
      let nextToken: string | undefined;
      do {
        const page = await history.listInvocations(scope, execution.id, task.id, { filters: [{ key: 'STATUS', values }], maxResults: 10, nextToken });
        assert.ok(page.invocations.length > 0);
        assert.ok(page.invocations.every((i) => values.includes(i.status)));
        seen.push(...page.invocations.map((i) => i.id));
        nextToken = page.nextToken;
      } while (nextToken !== undefined);
      return seen;
    };
    assert.deepEqual(await walk(['FAILED']), made.filter((i) => i.status === 'FAILED').map((i) => i.id));
    assert.deepEqual(await walk(['FAILED', 'TIMED_OUT']), made.filter((i) => i.status !== 'SUCCESS').map((i) => i.id));
    const none = await history.listInvocations(scope, execution.id, task.id, { filters: [{ key: 'STATUS', values: ['CANCELLING'] }] });
    assert.deepEqual(none, { invocations: [], nextToken: undefined });
  });

  it('refuses a bad STATUS value or key', async () => {
    const { execution, task } = await chain();
    await fails(
      history.listInvocations(scope, execution.id, task.id, { filters: [{ key: 'STATUS', values: ['DONE'] }] }),
      'ValidationException',
      `The filter STATUS value DONE is not valid. Valid values are: ${STATUS_VALUES}.`,
    );
    await fails(
      history.listInvocations(scope, execution.id, task.id, { filters: [{ key: 'InvocationId', values: [UNKNOWN] }] }),
      'ValidationException',
      'The filter key InvocationId is not valid. Valid filter keys are: STATUS.',
    );
  });

  it('unknown or mismatched parents do not exist', async () => {
    const { windowId, execution, task } = await chain();
    const other = await addExecution(windowId, T0 + HOUR);
    await fails(history.listInvocations(scope, UNKNOWN, task.id, {}), 'DoesNotExistException', missing.execution(UNKNOWN));
    await fails(history.listInvocations(scope, execution.id, UNKNOWN, {}), 'DoesNotExistException', missing.task(UNKNOWN));
    await fails(history.listInvocations(scope, other.id, task.id, {}), 'DoesNotExistException', missing.task(task.id));
  });
});

describe('GetMaintenanceWindowExecutionTaskInvocation (getInvocation)', () => {
  it('returns the invocation', async () => {
    const { execution, task } = await chain();
    const [made] = await addInvocations(task, ['FAILED']);
    assert.deepEqual(await history.getInvocation(scope, execution.id, task.id, made.id), { ...made, version: 1 });
  });

  it('reports the first level that is wrong', async () => {
    const { windowId, execution, task } = await chain();
    const [made] = await addInvocations(task, ['SUCCESS']);
    const [sibling] = await addTaskExecutions(execution, ['SUCCESS']);
    const [siblingInvocation] = await addInvocations(sibling, ['SUCCESS']);
    const other = await addExecution(windowId, T0 + HOUR);
    const [otherTask] = await addTaskExecutions(other, ['SUCCESS']);

    await fails(history.getInvocation(scope, UNKNOWN, UNKNOWN, UNKNOWN), 'DoesNotExistException', missing.execution(UNKNOWN));
    await fails(history.getInvocation(scope, UNKNOWN, task.id, made.id), 'DoesNotExistException', missing.execution(UNKNOWN));
    await fails(history.getInvocation(scope, execution.id, UNKNOWN, made.id), 'DoesNotExistException', missing.task(UNKNOWN));
    await fails(history.getInvocation(scope, execution.id, task.id, UNKNOWN), 'DoesNotExistException', missing.invocation(UNKNOWN));
    // Mismatched pairs: each id exists, but not under the parent given.
    await fails(history.getInvocation(scope, other.id, task.id, made.id), 'DoesNotExistException', missing.task(task.id));
    await fails(history.getInvocation(scope, execution.id, otherTask.id, made.id), 'DoesNotExistException', missing.task(otherTask.id));
    await fails(history.getInvocation(scope, execution.id, task.id, siblingInvocation.id), 'DoesNotExistException', missing.invocation(siblingInvocation.id));
    await fails(history.getInvocation({ ...scope, account: '210987654321' }, execution.id, task.id, made.id), 'DoesNotExistException', missing.execution(execution.id));
  });
});

describe('page tokens', () => {
  const refused = 'The specified NextToken is not valid.';

  it('a token only continues the listing it came from', async () => {
    const { windowId, execution, task } = await chain();
    await addInvocations(task, Array.from({ length: 30 }, () => 'SUCCESS' as const));
    const [sibling] = await addTaskExecutions(execution, Array.from({ length: 15 }, () => 'SUCCESS' as const));
    await addInvocations(sibling, Array.from({ length: 30 }, () => 'SUCCESS' as const));
    const otherWindow = await addWindow();
    for (let i = 0; i < 15; i++) {
      await addExecution(windowId, T0 + (i + 1) * HOUR);
      await addExecution(otherWindow, T0 + (i + 1) * HOUR);
    }

    const invocationToken = (await history.listInvocations(scope, execution.id, task.id, { maxResults: 10 })).nextToken!;
    const taskToken = (await history.listTaskExecutions(scope, execution.id, { maxResults: 10 })).nextToken!;
    const executionToken = (await history.listExecutions(scope, windowId, { maxResults: 10 })).nextToken!;
    assert.ok(invocationToken && taskToken && executionToken);

    // Same listing: accepted.
    await history.listInvocations(scope, execution.id, task.id, { maxResults: 10, nextToken: invocationToken });
    await history.listTaskExecutions(scope, execution.id, { maxResults: 10, nextToken: taskToken });
    await history.listExecutions(scope, windowId, { maxResults: 10, nextToken: executionToken });

    // Another parent, another operation, another scope: refused.
    await fails(history.listInvocations(scope, execution.id, sibling.id, { nextToken: invocationToken }), 'ValidationException', refused);
    await fails(history.listInvocations(scope, execution.id, task.id, { nextToken: taskToken }), 'ValidationException', refused);
    await fails(history.listTaskExecutions(scope, execution.id, { nextToken: invocationToken }), 'ValidationException', refused);
    await fails(history.listExecutions(scope, otherWindow, { nextToken: executionToken }), 'ValidationException', refused);
    await fails(history.listExecutions(scope, windowId, { nextToken: taskToken }), 'ValidationException', refused);
    await fails(history.listExecutions({ ...scope, region: 'eu-west-1' }, windowId, { nextToken: executionToken }), 'ValidationException', refused);
  });

  it('a forged or altered token is refused', async () => {
    const { execution, task } = await chain();
    await addInvocations(task, Array.from({ length: 20 }, () => 'SUCCESS' as const));
    const token = (await history.listInvocations(scope, execution.id, task.id, { maxResults: 10 })).nextToken!;
    const altered = Buffer.from(token, 'base64');
    altered[altered.length - 2] ^= 1;
    for (const nextToken of ['', 'AAEABUXdceT92FvtKld/dGHELj5Mi+GKW/EXAMPLE', altered.toString('base64')]) {
      await fails(history.listInvocations(scope, execution.id, task.id, { nextToken }), 'ValidationException', refused);
    }
  });
});

describe('wire mapping (historyHandlers)', () => {
  const handlers = () => historyHandlers(history);
  const call = { scope, requestId: 'test' };

  it('window executions: epoch seconds, absent members omitted', async () => {
    const windowId = await addWindow();
    const done = await addExecution(windowId, T0 + 1234, { statusDetails: 'No tasks to execute.' });
    const running = await addExecution(windowId, T0 + HOUR, { status: 'IN_PROGRESS', endTime: undefined });
    const out = await handlers().DescribeMaintenanceWindowExecutions({ WindowId: windowId }, call);
    assert.deepEqual(JSON.parse(JSON.stringify(out)), {
      WindowExecutions: [
        { WindowId: windowId, WindowExecutionId: running.id, Status: 'IN_PROGRESS', StartTime: (T0 + HOUR) / 1000 },
        {
          WindowId: windowId, WindowExecutionId: done.id, Status: 'SUCCESS', StatusDetails: 'No tasks to execute.',
          StartTime: (T0 + 1234) / 1000, EndTime: (T0 + 1234 + MINUTE) / 1000,
        },
      ],
    });
    const tasks = await addTaskExecutions(done, ['SUCCESS', 'SUCCESS']);
    const got = await handlers().GetMaintenanceWindowExecution({ WindowExecutionId: done.id }, call);
    assert.deepEqual(JSON.parse(JSON.stringify(got)), {
      WindowExecutionId: done.id,
      TaskIds: tasks.map((t) => t.id),
      Status: 'SUCCESS',
      StatusDetails: 'No tasks to execute.',
      StartTime: (T0 + 1234) / 1000,
      EndTime: (T0 + 1234 + MINUTE) / 1000,
    });
  });

  it('task executions: Describe item and Get, TaskParameters as a list, no engine bookkeeping', async () => {
    const windowId = await addWindow();
    const execution = await addExecution(windowId, T0);
    const withParameters = taskExecution(execution, {
      serviceRole: 'arn:aws:iam::123456789012:role/MaintenanceWindowRole',
      taskParameters: { commands: { Values: ['df'] } },
      alarmConfiguration: { Alarms: [{ Name: 'cpu-high' }], IgnorePollAlarmFailure: true },
      triggeredAlarms: [{ Name: 'cpu-high', State: 'ALARM' }],
      status: 'FAILED',
      statusDetails: 'The maximum error count was exceeded.',
      stopReason: 'max-errors',
    });
    const pending = taskExecution(execution, { status: 'PENDING', startTime: undefined, endTime: undefined, triggeredAlarms: [] });
    await store.insertTaskExecutions(scope, [withParameters, pending]);

    const list = await handlers().DescribeMaintenanceWindowExecutionTasks({ WindowExecutionId: execution.id }, call);
    assert.deepEqual(JSON.parse(JSON.stringify(list)), {
      WindowExecutionTaskIdentities: [
        {
          WindowExecutionId: execution.id, TaskExecutionId: withParameters.id, TaskArn: 'AWS-RunShellScript',
          Status: 'FAILED', StatusDetails: 'The maximum error count was exceeded.',
          StartTime: T0 / 1000, EndTime: (T0 + MINUTE) / 1000,
          AlarmConfiguration: { Alarms: [{ Name: 'cpu-high' }], IgnorePollAlarmFailure: true },
          TriggeredAlarms: [{ Name: 'cpu-high', State: 'ALARM' }],
          TaskType: 'RUN_COMMAND',
        },
        { WindowExecutionId: execution.id, TaskExecutionId: pending.id, TaskArn: 'AWS-RunShellScript', Status: 'PENDING', TaskType: 'RUN_COMMAND' },
      ],
    });

    const got = await handlers().GetMaintenanceWindowExecutionTask({ WindowExecutionId: execution.id, TaskId: withParameters.id }, call);
    assert.deepEqual(JSON.parse(JSON.stringify(got)), {
      WindowExecutionId: execution.id,
      TaskExecutionId: withParameters.id,
      TaskArn: 'AWS-RunShellScript',
      ServiceRole: 'arn:aws:iam::123456789012:role/MaintenanceWindowRole',
      Type: 'RUN_COMMAND',
      TaskParameters: [{ commands: { Values: ['df'] } }],
      Priority: 1,
      MaxConcurrency: '2',
      MaxErrors: '1',
      Status: 'FAILED',
      StatusDetails: 'The maximum error count was exceeded.',
      StartTime: T0 / 1000,
      EndTime: (T0 + MINUTE) / 1000,
      AlarmConfiguration: { Alarms: [{ Name: 'cpu-high' }], IgnorePollAlarmFailure: true },
      TriggeredAlarms: [{ Name: 'cpu-high', State: 'ALARM' }],
    });
    // As the wire sends it: a handler may answer with texts (wire/json-text.ts).
    const bare = JSON.parse(JSON.stringify(await handlers().GetMaintenanceWindowExecutionTask({ WindowExecutionId: execution.id, TaskId: pending.id }, call)));
    assert.deepEqual(bare.TaskParameters, []);
    assert.equal('TriggeredAlarms' in bare, false);
  });

  it('invocations: Describe item and Get carry the same members', async () => {
    const { execution, task } = await chain();
    const direct = invocation(task, 0, { statusDetails: undefined, status: 'IN_PROGRESS', endTime: undefined });
    const viaTarget = invocation(task, 1, { ownerInformation: 'team-a', windowTargetId: randomIds.uuid() });
    await store.insertInvocations(scope, [direct, viaTarget]);
    const wire = (i: Invocation) => ({
      WindowExecutionId: execution.id,
      TaskExecutionId: task.id,
      InvocationId: i.id,
      ExecutionId: i.executionId,
      TaskType: 'RUN_COMMAND',
      Parameters: i.parameters,
      Status: i.status,
      ...(i.statusDetails === undefined ? {} : { StatusDetails: i.statusDetails }),
      StartTime: i.startTime / 1000,
      ...(i.endTime === undefined ? {} : { EndTime: i.endTime / 1000 }),
      ...(i.ownerInformation === undefined ? {} : { OwnerInformation: i.ownerInformation }),
      ...(i.windowTargetId === undefined ? {} : { WindowTargetId: i.windowTargetId }),
    });
    const list = await handlers().DescribeMaintenanceWindowExecutionTaskInvocations({ WindowExecutionId: execution.id, TaskId: task.id }, call);
    assert.deepEqual(JSON.parse(JSON.stringify(list)), { WindowExecutionTaskInvocationIdentities: [wire(direct), wire(viaTarget)] });
    const got = await handlers().GetMaintenanceWindowExecutionTaskInvocation(
      { WindowExecutionId: execution.id, TaskId: task.id, InvocationId: viaTarget.id },
      call,
    );
    assert.deepEqual(JSON.parse(JSON.stringify(got)), wire(viaTarget));
  });
});
