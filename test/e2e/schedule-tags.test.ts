// DescribeMaintenanceWindowSchedule, DescribeMaintenanceWindowsForTarget and the tagging operations,
// through the real AWS SDK.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  AddTagsToResourceCommand,
  CreateMaintenanceWindowCommand,
  DescribeMaintenanceWindowScheduleCommand,
  DescribeMaintenanceWindowsForTargetCommand,
  ListTagsForResourceCommand,
  RegisterTargetWithMaintenanceWindowCommand,
  RegisterTaskWithMaintenanceWindowCommand,
  RemoveTagsFromResourceCommand,
  UpdateMaintenanceWindowCommand,
  paginateDescribeMaintenanceWindowSchedule,
} from '@aws-sdk/client-ssm';
import { rejectsWith } from '../support/errors.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const W0 = 'mw-00000000000000000';

describe('schedule, windows for a target, tags', () => {
  let server: TestServer;
  const send = (command: any): Promise<any> => server.client.send(command);
  const create = async (extra: object = {}) =>
    (await send(new CreateMaintenanceWindowCommand({ Name: 'sched', Schedule: 'cron(0 2 ? * SUN *)', Duration: 3, Cutoff: 1, AllowUnassociatedTargets: true, ...extra }))).WindowId as string;

  before(async () => {
    server = await startTestServer();
  });
  after(() => server.stop());

  test('upcoming runs of one window, in its zone, paged without gaps', async () => {
    const windowId = await create({ ScheduleTimezone: 'Europe/Berlin', Schedule: 'cron(30 3 ? * * *)' });
    const first = await send(new DescribeMaintenanceWindowScheduleCommand({ WindowId: windowId, MaxResults: 5 }));
    assert.equal(first.ScheduledWindowExecutions.length, 5);
    for (const run of first.ScheduledWindowExecutions) {
      assert.equal(run.WindowId, windowId);
      assert.equal(run.Name, 'sched');
      assert.match(run.ExecutionTime, /^\d{4}-\d\d-\d\dT03:30\+0[12]:00$/);
    }
    const times: string[] = [];
    let pages = 0;
    for await (const page of paginateDescribeMaintenanceWindowSchedule({ client: server.client, pageSize: 7 }, { WindowId: windowId, Filters: [{ Key: 'ScheduledBefore', Values: [new Date(Date.now() + 30 * 86_400_000).toISOString()] }] })) {
      times.push(...page.ScheduledWindowExecutions!.map((r) => r.ExecutionTime!));
      pages++;
    }
    assert.ok(times.length >= 29 && times.length <= 30, `${times.length} runs in 30 days`);
    assert.equal(new Set(times).size, times.length);
    assert.ok(pages >= 5);
    const sorted = [...times].sort((a, b) => new Date(a).getTime() - new Date(b).getTime());
    assert.deepEqual(times, sorted);

    const after = await send(new DescribeMaintenanceWindowScheduleCommand({ WindowId: windowId, MaxResults: 2, Filters: [{ Key: 'ScheduledAfter', Values: ['2099-01-01T00:00:00Z'] }] }));
    assert.equal(after.ScheduledWindowExecutions.length, 0);
  });

  test('schedule errors', async () => {
    await rejectsWith(send(new DescribeMaintenanceWindowScheduleCommand({ MaxResults: 0, WindowId: W0 })), 'ValidationException', "1 validation error detected: Value '0' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 1");
    await rejectsWith(send(new DescribeMaintenanceWindowScheduleCommand({})), 'ValidationException');
    await rejectsWith(send(new DescribeMaintenanceWindowScheduleCommand({ WindowId: W0 })), 'DoesNotExistException', `Maintenance window ${W0} does not exist`);
    const windowId = await create();
    await rejectsWith(send(new DescribeMaintenanceWindowScheduleCommand({ WindowId: windowId, Filters: [{ Key: 'ScheduledBefore', Values: ['soon'] }] })), 'ValidationException');
    await rejectsWith(send(new DescribeMaintenanceWindowScheduleCommand({ WindowId: windowId, Filters: [{ Key: 'Status', Values: ['x'] }] })), 'ValidationException');
  });

  test('a disabled window has no upcoming runs', async () => {
    const windowId = await create();
    await send(new UpdateMaintenanceWindowCommand({ WindowId: windowId, Enabled: false }));
    const runs = await send(new DescribeMaintenanceWindowScheduleCommand({ WindowId: windowId }));
    assert.deepEqual(runs.ScheduledWindowExecutions, []);
  });

  test('runs and windows found by target', async () => {
    const daily = await create({ Name: 'daily-node', Schedule: 'cron(0 4 ? * * *)' });
    const weekly = await create({ Name: 'weekly-node', Schedule: 'cron(0 5 ? * MON *)' });
    const unrelated = await create({ Name: 'unrelated' });
    const byTask = await create({ Name: 'by-task', Schedule: 'cron(0 6 ? * * *)' });
    await send(new RegisterTargetWithMaintenanceWindowCommand({ WindowId: daily, ResourceType: 'INSTANCE', Targets: [{ Key: 'InstanceIds', Values: ['i-target', 'i-other'] }] }));
    await send(new RegisterTargetWithMaintenanceWindowCommand({ WindowId: weekly, ResourceType: 'INSTANCE', Targets: [{ Key: 'InstanceIds', Values: ['i-target'] }] }));
    await send(new RegisterTargetWithMaintenanceWindowCommand({ WindowId: unrelated, ResourceType: 'INSTANCE', Targets: [{ Key: 'InstanceIds', Values: ['i-nope'] }] }));
    await send(new RegisterTaskWithMaintenanceWindowCommand({ WindowId: byTask, TaskArn: 'AWS-RunShellScript', TaskType: 'RUN_COMMAND', Targets: [{ Key: 'InstanceIds', Values: ['i-target'] }], MaxConcurrency: '1', MaxErrors: '0' }));

    const found = await send(new DescribeMaintenanceWindowsForTargetCommand({ ResourceType: 'INSTANCE', Targets: [{ Key: 'InstanceIds', Values: ['i-target'] }] }));
    assert.deepEqual(found.WindowIdentities, [
      { WindowId: daily, Name: 'daily-node' },
      { WindowId: weekly, Name: 'weekly-node' },
      { WindowId: byTask, Name: 'by-task' },
    ]);
    const paged = await send(new DescribeMaintenanceWindowsForTargetCommand({ ResourceType: 'INSTANCE', Targets: [{ Key: 'InstanceIds', Values: ['i-target'] }], MaxResults: 2 }));
    assert.equal(paged.WindowIdentities.length, 2);
    const rest = await send(new DescribeMaintenanceWindowsForTargetCommand({ ResourceType: 'INSTANCE', Targets: [{ Key: 'InstanceIds', Values: ['i-target'] }], MaxResults: 2, NextToken: paged.NextToken }));
    assert.deepEqual(rest.WindowIdentities, [{ WindowId: byTask, Name: 'by-task' }]);
    assert.equal(rest.NextToken, undefined);

    const none = await send(new DescribeMaintenanceWindowsForTargetCommand({ ResourceType: 'RESOURCE_GROUP', Targets: [{ Key: 'InstanceIds', Values: ['i-target'] }] }));
    assert.deepEqual(none.WindowIdentities, []);
    await rejectsWith(send(new DescribeMaintenanceWindowsForTargetCommand({ Targets: [{ Key: 'InstanceIds', Values: ['i-target'] }] } as never)), 'ValidationException', "1 validation error detected: Value null at 'resourceType' failed to satisfy constraint: Member must not be null");

    const merged = await send(new DescribeMaintenanceWindowScheduleCommand({ ResourceType: 'INSTANCE', Targets: [{ Key: 'InstanceIds', Values: ['i-target'] }], MaxResults: 20 }));
    const windows = new Set(merged.ScheduledWindowExecutions.map((r: any) => r.WindowId));
    assert.deepEqual([...windows].sort(), [daily, weekly, byTask].sort());
    const ms = merged.ScheduledWindowExecutions.map((r: any) => new Date(r.ExecutionTime).getTime());
    assert.deepEqual(ms, [...ms].sort((a, b) => a - b));
  });

  test('add, list, overwrite and remove tags', async () => {
    const windowId = await create();
    await send(new AddTagsToResourceCommand({ ResourceType: 'MaintenanceWindow', ResourceId: windowId, Tags: [{ Key: 'k', Value: 'v' }, { Key: 'env', Value: 'dev' }] }));
    await send(new AddTagsToResourceCommand({ ResourceType: 'MaintenanceWindow', ResourceId: windowId, Tags: [{ Key: 'k', Value: 'v2' }, { Key: 'empty', Value: '' }] }));
    let list = await send(new ListTagsForResourceCommand({ ResourceType: 'MaintenanceWindow', ResourceId: windowId }));
    assert.deepEqual(list.TagList, [{ Key: 'k', Value: 'v2' }, { Key: 'env', Value: 'dev' }, { Key: 'empty', Value: '' }]);
    await send(new RemoveTagsFromResourceCommand({ ResourceType: 'MaintenanceWindow', ResourceId: windowId, TagKeys: ['k', 'absent'] }));
    list = await send(new ListTagsForResourceCommand({ ResourceType: 'MaintenanceWindow', ResourceId: windowId }));
    assert.deepEqual(list.TagList, [{ Key: 'env', Value: 'dev' }, { Key: 'empty', Value: '' }]);
  });

  test('tag errors', async () => {
    const windowId = await create();
    await rejectsWith(send(new AddTagsToResourceCommand({ ResourceType: 'MaintenanceWindow', ResourceId: W0, Tags: [{ Key: 'k', Value: 'v' }] })), 'InvalidResourceId');
    await rejectsWith(send(new ListTagsForResourceCommand({ ResourceType: 'MaintenanceWindow', ResourceId: W0 })), 'InvalidResourceId');
    await rejectsWith(send(new AddTagsToResourceCommand({ ResourceType: 'Window' as never, ResourceId: windowId, Tags: [{ Key: 'k', Value: 'v' }] })), 'ValidationException', /Member must satisfy enum value set: \[/);
    await rejectsWith(send(new AddTagsToResourceCommand({ ResourceType: 'PatchBaseline', ResourceId: windowId, Tags: [{ Key: 'k', Value: 'v' }] })), 'InvalidResourceType');
    const tooMany = Array.from({ length: 51 }, (_, i) => ({ Key: `k${i}`, Value: 'v' }));
    await rejectsWith(send(new AddTagsToResourceCommand({ ResourceType: 'MaintenanceWindow', ResourceId: windowId, Tags: tooMany })), 'TooManyTagsError');
    const list = await send(new ListTagsForResourceCommand({ ResourceType: 'MaintenanceWindow', ResourceId: windowId }));
    assert.deepEqual(list.TagList, [], 'a refused AddTags changes nothing');
  });
});
