// Maintenance windows through the real AWS SDK: create, get, update, delete, describe, with every error path.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  CreateMaintenanceWindowCommand,
  DeleteMaintenanceWindowCommand,
  DescribeMaintenanceWindowsCommand,
  GetMaintenanceWindowCommand,
  ListTagsForResourceCommand,
  UpdateMaintenanceWindowCommand,
  paginateDescribeMaintenanceWindows,
  type CreateMaintenanceWindowCommandInput,
} from '@aws-sdk/client-ssm';
import { rejectsWith } from '../support/errors.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const W0 = 'mw-00000000000000000';

const nightly: CreateMaintenanceWindowCommandInput = {
  Name: 'nightly',
  Schedule: 'cron(0 2 ? * SUN *)',
  Duration: 3,
  Cutoff: 1,
  AllowUnassociatedTargets: false,
};

describe('maintenance windows', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ quotas: { windowsPerRegion: 500, targetsPerWindow: 100, tasksPerWindow: 20, tagsPerResource: 50, documentsPerRegion: 500 } });
  });
  after(() => server.stop());
  // The SDK's send() is typed per command; these tests look at responses loosely.
  const send = (command: any): Promise<any> => server.client.send(command);

  test('create returns only a WindowId of the AWS form, and Get returns every field', async () => {
    const created = await send(new CreateMaintenanceWindowCommand({
      ...nightly,
      Description: 'weekly patching',
      ScheduleTimezone: 'America/Los_Angeles',
      ScheduleOffset: 2,
      StartDate: '2021-01-01T00:00:00-08:00',
      EndDate: '2099-12-31T00:00:00Z',
      Tags: [{ Key: 'team', Value: 'ops' }],
    }));
    assert.match(created.WindowId, /^mw-[0-9a-f]{17}$/);
    assert.deepEqual(Object.keys(created).filter((k) => k !== '$metadata'), ['WindowId']);
    assert.match(created.$metadata.requestId, /^[0-9a-f-]{36}$/);

    const got = await send(new GetMaintenanceWindowCommand({ WindowId: created.WindowId }));
    assert.equal(got.Name, 'nightly');
    assert.equal(got.Description, 'weekly patching');
    assert.equal(got.Schedule, 'cron(0 2 ? * SUN *)');
    assert.equal(got.ScheduleTimezone, 'America/Los_Angeles');
    assert.equal(got.ScheduleOffset, 2);
    assert.equal(got.StartDate, '2021-01-01T00:00:00-08:00');
    assert.equal(got.EndDate, '2099-12-31T00:00:00Z');
    assert.equal(got.Duration, 3);
    assert.equal(got.Cutoff, 1);
    assert.equal(got.AllowUnassociatedTargets, false);
    assert.equal(got.Enabled, true);
    assert.ok(got.CreatedDate instanceof Date);
    assert.ok(got.ModifiedDate instanceof Date);
    assert.ok(Math.abs(got.CreatedDate.getTime() - Date.now()) < 60_000);
    // Sunday 02:00 Pacific plus two days: a Tuesday at 02:00 with the Pacific offset.
    assert.match(got.NextExecutionTime, /^\d{4}-\d\d-\d\dT02:00-0[78]:00$/);
    assert.equal(new Date(got.NextExecutionTime).getUTCDay(), 2);

    const tags = await send(new ListTagsForResourceCommand({ ResourceType: 'MaintenanceWindow', ResourceId: created.WindowId }));
    assert.deepEqual(tags.TagList, [{ Key: 'team', Value: 'ops' }]);
  });

  test('NextExecutionTime is a UTC string on a Sunday at 02:00 for the SPEC example', async () => {
    const { WindowId } = await send(new CreateMaintenanceWindowCommand(nightly));
    const got = await send(new GetMaintenanceWindowCommand({ WindowId }));
    assert.match(got.NextExecutionTime, /T02:00Z$/);
    assert.equal(new Date(got.NextExecutionTime).getUTCDay(), 0);
    assert.ok(new Date(got.NextExecutionTime).getTime() > Date.now());
    assert.equal(got.ScheduleTimezone, undefined);
    assert.equal(got.Description, undefined);
  });

  test('shape violations give the exact AWS ValidationException text', async () => {
    const cases: [Partial<CreateMaintenanceWindowCommandInput>, string][] = [
      [{ Name: 'ab' }, "2 validation errors detected: Value 'ab' at 'name' failed to satisfy constraint: Member must have length greater than or equal to 3; Value 'ab' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9_\\-.]{3,128}$"],
      [{ Name: 'my window' }, "1 validation error detected: Value 'my window' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9_\\-.]{3,128}$"],
      [{ Duration: 25 }, "1 validation error detected: Value '25' at 'duration' failed to satisfy constraint: Member must have value less than or equal to 24"],
      [{ Duration: 0 }, "1 validation error detected: Value '0' at 'duration' failed to satisfy constraint: Member must have value greater than or equal to 1"],
      [{ Duration: 24, Cutoff: 24 }, "1 validation error detected: Value '24' at 'cutoff' failed to satisfy constraint: Member must have value less than or equal to 23"],
      [{ AllowUnassociatedTargets: undefined }, "1 validation error detected: Value null at 'allowUnassociatedTargets' failed to satisfy constraint: Member must not be null"],
      [{ ScheduleOffset: 7 }, "1 validation error detected: Value '7' at 'scheduleOffset' failed to satisfy constraint: Member must have value less than or equal to 6"],
    ];
    for (const [delta, message] of cases) {
      await rejectsWith(send(new CreateMaintenanceWindowCommand({ ...nightly, ...delta } as CreateMaintenanceWindowCommandInput)), 'ValidationException', message);
    }
    await rejectsWith(
      send(new CreateMaintenanceWindowCommand({ ...nightly, Name: undefined, Schedule: undefined } as never)),
      'ValidationException',
      "2 validation errors detected: Value null at 'name' failed to satisfy constraint: Member must not be null; Value null at 'schedule' failed to satisfy constraint: Member must not be null",
    );
  });

  test('Cutoff must be smaller than Duration, in AWS words', async () => {
    await rejectsWith(send(new CreateMaintenanceWindowCommand({ ...nightly, Duration: 2, Cutoff: 2 })), 'ValidationException', 'Cuttoff was 2 but must be smaller than 1 (Duration  - 1 )');
    const ok = await send(new CreateMaintenanceWindowCommand({ ...nightly, Duration: 1, Cutoff: 0 }));
    assert.match(ok.WindowId, /^mw-/);
  });

  test('schedules, offsets and time zones are checked', async () => {
    const invalid = ['cron(0 2 * * * *)', 'cron(0 2 * *)', 'cron(60 2 ? * * *)', 'cron(0 2 ? * 3#6 *)', 'rate(1 hours)', 'rate(5 hour)', 'rate(0 minutes)', 'every day'];
    for (const Schedule of invalid) {
      await rejectsWith(send(new CreateMaintenanceWindowCommand({ ...nightly, Schedule })), 'ValidationException', undefined);
    }
    await rejectsWith(send(new CreateMaintenanceWindowCommand({ ...nightly, Schedule: 'rate(7 days)', ScheduleOffset: 2 })), 'ValidationException');
    await rejectsWith(send(new CreateMaintenanceWindowCommand({ ...nightly, ScheduleTimezone: 'Mars/Olympus' })), 'ValidationException');
    await rejectsWith(send(new CreateMaintenanceWindowCommand({ ...nightly, StartDate: '2031-01-01T00:00:00Z', EndDate: '2030-01-01T00:00:00Z' })), 'ValidationException', 'EndDate must be later than StartDate.');
    // An EndDate already past is accepted (issue 11, B.6; test/e2e/aws-fidelity.test.ts).
    await rejectsWith(send(new CreateMaintenanceWindowCommand({ ...nightly, StartDate: 'tomorrow' })), 'ValidationException');
    const seven = await send(new CreateMaintenanceWindowCommand({ ...nightly, Schedule: 'cron(24 30 09 ? * * *)' }));
    assert.match(seven.WindowId, /^mw-/);
  });

  test('a rate window runs one interval after creation, milliseconds kept', async () => {
    const before = Date.now();
    const { WindowId } = await send(new CreateMaintenanceWindowCommand({ ...nightly, Schedule: 'rate(180 minutes)' }));
    const got = await send(new GetMaintenanceWindowCommand({ WindowId }));
    const next = new Date(got.NextExecutionTime).getTime();
    assert.ok(next >= before + 180 * 60_000 && next <= Date.now() + 180 * 60_000, got.NextExecutionTime);
    assert.match(got.NextExecutionTime, /Z$/);
  });

  test('unknown and malformed ids', async () => {
    await rejectsWith(send(new GetMaintenanceWindowCommand({ WindowId: W0 })), 'DoesNotExistException', `Maintenance window ${W0} does not exist`);
    await rejectsWith(
      send(new GetMaintenanceWindowCommand({ WindowId: 'mw-123' })),
      'ValidationException',
      "2 validation errors detected: Value 'mw-123' at 'windowId' failed to satisfy constraint: Member must have length greater than or equal to 20; Value 'mw-123' at 'windowId' failed to satisfy constraint: Member must satisfy regular expression pattern: ^mw-[0-9a-f]{17}$",
    );
    await rejectsWith(
      send(new GetMaintenanceWindowCommand({ WindowId: 'mw-0123456789ABCDEF0' })),
      'ValidationException',
      "1 validation error detected: Value 'mw-0123456789ABCDEF0' at 'windowId' failed to satisfy constraint: Member must satisfy regular expression pattern: ^mw-[0-9a-f]{17}$",
    );
    await rejectsWith(send(new UpdateMaintenanceWindowCommand({ WindowId: W0, Name: 'x-y-z' })), 'DoesNotExistException', `Maintenance window ${W0} does not exist`);
    const deleted = await send(new DeleteMaintenanceWindowCommand({ WindowId: W0 }));
    assert.equal(deleted.WindowId, W0);
    await rejectsWith(send(new DeleteMaintenanceWindowCommand({ WindowId: 'mw-1' })), 'ValidationException');
  });

  test('update changes only what it is given, checks the merged window, and Replace clears the rest', async () => {
    const { WindowId } = await send(new CreateMaintenanceWindowCommand({ ...nightly, Description: 'd1', ScheduleTimezone: 'UTC' }));
    const updated = await send(new UpdateMaintenanceWindowCommand({ WindowId, Enabled: false, Name: 'renamed' }));
    assert.equal(updated.Name, 'renamed');
    assert.equal(updated.Description, 'd1');
    assert.equal(updated.Enabled, false);
    assert.equal(updated.Duration, 3);
    assert.equal(updated.NextExecutionTime, undefined);
    assert.equal(updated.CreatedDate, undefined);
    const got = await send(new GetMaintenanceWindowCommand({ WindowId }));
    assert.equal(got.Enabled, false);
    assert.equal(got.NextExecutionTime, undefined);
    assert.ok(got.ModifiedDate.getTime() >= got.CreatedDate.getTime());

    await rejectsWith(send(new UpdateMaintenanceWindowCommand({ WindowId, Duration: 1 })), 'ValidationException', 'Cuttoff was 1 but must be smaller than 0 (Duration  - 1 )');
    await rejectsWith(send(new UpdateMaintenanceWindowCommand({ WindowId, Replace: true, Name: 'only-name' })), 'ValidationException');

    const replaced = await send(new UpdateMaintenanceWindowCommand({
      WindowId, Replace: true, Name: 'replaced', Schedule: 'rate(1 day)', Duration: 4, Cutoff: 0, AllowUnassociatedTargets: true,
    }));
    assert.equal(replaced.Description, undefined);
    assert.equal(replaced.ScheduleTimezone, undefined);
    assert.equal(replaced.Schedule, 'rate(1 day)');
    assert.equal(replaced.AllowUnassociatedTargets, true);
  });

  test('describe pages with MaxResults and filters by Name and Enabled', async () => {
    const scoped = server.clientFor({ account: '111122223333' });
    const ids: string[] = [];
    for (let i = 0; i < 25; i++) {
      const { WindowId } = await scoped.send(new CreateMaintenanceWindowCommand({ ...nightly, Name: `page-${i % 3 === 0 ? 'a' : 'b'}` }));
      ids.push(WindowId!);
    }
    await scoped.send(new UpdateMaintenanceWindowCommand({ WindowId: ids[1], Enabled: false }));

    const first = await scoped.send(new DescribeMaintenanceWindowsCommand({ MaxResults: 10 }));
    assert.equal(first.WindowIdentities!.length, 10);
    assert.ok(first.NextToken);
    const seen: string[] = [];
    for await (const page of paginateDescribeMaintenanceWindows({ client: scoped, pageSize: 10 }, {})) {
      seen.push(...page.WindowIdentities!.map((w) => w.WindowId!));
    }
    assert.deepEqual(seen, ids, 'every window once, in creation order');

    const identity = first.WindowIdentities![0];
    assert.equal(identity.Name, 'page-a');
    assert.equal(identity.Duration, 3);
    assert.equal(identity.Cutoff, 1);
    assert.equal(identity.Enabled, true);
    assert.match(identity.NextExecutionTime!, /T02:00Z$/);

    const named = await scoped.send(new DescribeMaintenanceWindowsCommand({ Filters: [{ Key: 'Name', Values: ['page-a'] }] }));
    assert.equal(named.WindowIdentities!.length, 9);
    const disabled = await scoped.send(new DescribeMaintenanceWindowsCommand({ Filters: [{ Key: 'Enabled', Values: ['False'] }] }));
    assert.deepEqual(disabled.WindowIdentities!.map((w) => w.WindowId), [ids[1]]);
    const both = await scoped.send(new DescribeMaintenanceWindowsCommand({ Filters: [{ Key: 'Name', Values: ['page-b'] }, { Key: 'Enabled', Values: ['true'] }] }));
    assert.equal(both.WindowIdentities!.length, 15);

    // A filtered listing pages too, and its token cannot be used for another listing.
    const filteredPage = await scoped.send(new DescribeMaintenanceWindowsCommand({ MaxResults: 10, Filters: [{ Key: 'Name', Values: ['page-b'] }] }));
    assert.equal(filteredPage.WindowIdentities!.length, 10);
    const rest = await scoped.send(new DescribeMaintenanceWindowsCommand({ MaxResults: 10, NextToken: filteredPage.NextToken, Filters: [{ Key: 'Name', Values: ['page-b'] }] }));
    assert.equal(rest.WindowIdentities!.length, 6);
    assert.equal(rest.NextToken, undefined);
    await rejectsWith(send(new DescribeMaintenanceWindowsCommand({ NextToken: filteredPage.NextToken })), 'ValidationException');
    await rejectsWith(scoped.send(new DescribeMaintenanceWindowsCommand({ NextToken: 'AAEAforged' })), 'ValidationException');
  });

  test('describe refuses bad paging and filter input', async () => {
    await rejectsWith(send(new DescribeMaintenanceWindowsCommand({ MaxResults: 9 })), 'ValidationException', "1 validation error detected: Value '9' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 10");
    await rejectsWith(send(new DescribeMaintenanceWindowsCommand({ MaxResults: 101 })), 'ValidationException', "1 validation error detected: Value '101' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 100");
    const six = Array.from({ length: 6 }, () => ({ Key: 'Name', Values: ['x'] }));
    await rejectsWith(send(new DescribeMaintenanceWindowsCommand({ Filters: six })), 'ValidationException', /at 'filters' failed to satisfy constraint: Member must have length less than or equal to 5$/);
    await rejectsWith(send(new DescribeMaintenanceWindowsCommand({ Filters: [{ Key: 'Owner', Values: ['x'] }] })), 'ValidationException', /Owner/);
    await rejectsWith(send(new DescribeMaintenanceWindowsCommand({ Filters: [{ Key: 'Enabled', Values: ['maybe'] }] })), 'ValidationException');
  });

  test('accounts and Regions are separate', async () => {
    const west = server.clientFor({ region: 'eu-west-1' });
    const { WindowId } = await west.send(new CreateMaintenanceWindowCommand({ ...nightly, Name: 'west-only' }));
    const got = await west.send(new GetMaintenanceWindowCommand({ WindowId }));
    assert.equal(got.Name, 'west-only');
    await rejectsWith(send(new GetMaintenanceWindowCommand({ WindowId })), 'DoesNotExistException');
    await rejectsWith(server.clientFor({ account: '999999999999', region: 'eu-west-1' }).send(new GetMaintenanceWindowCommand({ WindowId })), 'DoesNotExistException');
  });

  test('ClientToken makes create idempotent', async () => {
    const token = 'create-token-1';
    const a = await send(new CreateMaintenanceWindowCommand({ ...nightly, Name: 'idem', ClientToken: token }));
    const b = await send(new CreateMaintenanceWindowCommand({ ...nightly, Name: 'idem', ClientToken: token }));
    assert.equal(a.WindowId, b.WindowId);
    await rejectsWith(send(new CreateMaintenanceWindowCommand({ ...nightly, Name: 'idem-2', ClientToken: token })), 'IdempotentParameterMismatch');
  });

  test('the window quota is enforced per account and Region', async () => {
    const limited = await startTestServer({ quotas: { windowsPerRegion: 2, targetsPerWindow: 100, tasksPerWindow: 20, tagsPerResource: 50, documentsPerRegion: 500 } });
    try {
      await limited.client.send(new CreateMaintenanceWindowCommand(nightly));
      await limited.client.send(new CreateMaintenanceWindowCommand(nightly));
      await rejectsWith(limited.client.send(new CreateMaintenanceWindowCommand(nightly)), 'ResourceLimitExceededException');
      const other = limited.clientFor({ region: 'ap-south-1' });
      assert.ok((await other.send(new CreateMaintenanceWindowCommand(nightly))).WindowId);
    } finally {
      await limited.stop();
    }
  });
});
