// checkInput: exact SerializationException / ValidationException answers, table-driven.
// Vector numbers refer to SPEC.md §5.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkInput, type InputCheck } from '../../src/wire/validate.ts';
import type { OperationName } from '../../src/wire/generated/shapes.ts';

const W = 'mw-0123456789abcdef0';
const U0 = '00000000-0000-4000-8000-000000000000';
const UUID_PATTERN = '^[0-9a-fA-F]{8}\\-[0-9a-fA-F]{4}\\-[0-9a-fA-F]{4}\\-[0-9a-fA-F]{4}\\-[0-9a-fA-F]{12}$';
const NAME_PATTERN = '^[a-zA-Z0-9_\\-.]{3,128}$';
const TAG_PATTERN = '^([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)$';

const create = { Name: 'nightly', Schedule: 'cron(0 2 ? * SUN *)', Duration: 3, Cutoff: 1, AllowUnassociatedTargets: false };
const registerTarget = { WindowId: W, ResourceType: 'INSTANCE', Targets: [{ Key: 'InstanceIds', Values: ['i-0123456789abcdef0'] }] };
const registerTask = {
  WindowId: W,
  TaskArn: 'AWS-RunShellScript',
  TaskType: 'RUN_COMMAND',
  Targets: [{ Key: 'WindowTargetIds', Values: [U0] }],
  MaxConcurrency: '2',
  MaxErrors: '1',
  Priority: 1,
};

/** One message item; `value` undefined renders the sensitive form `Value at '...'`. */
function item(value: string | null | undefined, path: string, rule: string): string {
  const v = value === undefined ? 'Value' : value === null ? 'Value null' : `Value '${value}'`;
  return `${v} at '${path}' failed to satisfy constraint: ${rule}`;
}
const minLen = (n: number) => `Member must have length greater than or equal to ${n}`;
const maxLen = (n: number) => `Member must have length less than or equal to ${n}`;
const minVal = (n: number) => `Member must have value greater than or equal to ${n}`;
const maxVal = (n: number) => `Member must have value less than or equal to ${n}`;
const pattern = (p: string) => `Member must satisfy regular expression pattern: ${p}`;
const oneOf = (...v: string[]) => `Member must satisfy enum value set: [${v.join(', ')}]`;
const NOT_NULL = 'Member must not be null';

function ve(...items: string[]): InputCheck {
  const n = items.length;
  return { ok: false, code: 'ValidationException', message: `${n} validation error${n === 1 ? '' : 's'} detected: ${items.join('; ')}` };
}
function se(message: string): InputCheck {
  return { ok: false, code: 'SerializationException', message };
}
/** A passing check (what the handler then receives is tested below, under projection). */
const OK = { ok: true } as const;
type Want = Exclude<InputCheck, { ok: true }> | typeof OK;

interface Case {
  name: string;
  op: OperationName;
  body: unknown;
  want: Want;
}

function run(cases: Case[]): void {
  for (const c of cases) {
    test(c.name, () => {
      const got = checkInput(c.op, c.body);
      assert.deepEqual(got.ok ? OK : got, c.want);
    });
  }
}

const targets = (n: number) => Array.from({ length: n }, (_, i) => ({ Key: 'InstanceIds', Values: [`i-${i}`] }));
const filters = (n: number) => Array.from({ length: n }, (_, i) => ({ Key: 'Name', Values: [`w${i}`] }));

// ---------- SPEC §5 vectors that are pure shape checks ----------
run([
  {
    name: '#2 Name ab: length and pattern',
    op: 'CreateMaintenanceWindow',
    body: { ...create, Name: 'ab' },
    want: ve(item('ab', 'name', minLen(3)), item('ab', 'name', pattern(NAME_PATTERN))),
  },
  { name: '#3 Name with a space', op: 'CreateMaintenanceWindow', body: { ...create, Name: 'my window' }, want: ve(item('my window', 'name', pattern(NAME_PATTERN))) },
  { name: '#4 Duration 25', op: 'CreateMaintenanceWindow', body: { ...create, Duration: 25 }, want: ve(item('25', 'duration', maxVal(24))) },
  { name: '#5 Duration 0', op: 'CreateMaintenanceWindow', body: { ...create, Duration: 0 }, want: ve(item('0', 'duration', minVal(1))) },
  {
    name: '#6 Cutoff 24 with Duration 24: only the shape check',
    op: 'CreateMaintenanceWindow',
    body: { ...create, Duration: 24, Cutoff: 24 },
    want: ve(item('24', 'cutoff', maxVal(23))),
  },
  { name: '#7 Cutoff 2 with Duration 2 passes the shape checks (cross-field rule is the handler\'s)', op: 'CreateMaintenanceWindow', body: { ...create, Duration: 2, Cutoff: 2 }, want: OK },
  { name: '#8 Duration 1 Cutoff 0', op: 'CreateMaintenanceWindow', body: { ...create, Duration: 1, Cutoff: 0 }, want: OK },
  {
    name: '#9 AllowUnassociatedTargets omitted',
    op: 'CreateMaintenanceWindow',
    body: { ...create, AllowUnassociatedTargets: undefined },
    want: ve(item(null, 'allowUnassociatedTargets', NOT_NULL)),
  },
  {
    name: '#10 Name and Schedule omitted, in model order',
    op: 'CreateMaintenanceWindow',
    body: { Duration: 3, Cutoff: 1, AllowUnassociatedTargets: false },
    want: ve(item(null, 'name', NOT_NULL), item(null, 'schedule', NOT_NULL)),
  },
  { name: '#11 ScheduleOffset 7', op: 'CreateMaintenanceWindow', body: { ...create, ScheduleOffset: 7 }, want: ve(item('7', 'scheduleOffset', maxVal(6))) },
  {
    name: '#21 WindowId mw-123: length and pattern',
    op: 'GetMaintenanceWindow',
    body: { WindowId: 'mw-123' },
    want: ve(item('mw-123', 'windowId', minLen(20)), item('mw-123', 'windowId', pattern('^mw-[0-9a-f]{17}$'))),
  },
  {
    name: '#22 WindowId with uppercase hex: pattern only',
    op: 'GetMaintenanceWindow',
    body: { WindowId: 'mw-0123456789ABCDEF0' },
    want: ve(item('mw-0123456789ABCDEF0', 'windowId', pattern('^mw-[0-9a-f]{17}$'))),
  },
  { name: '#30 MaxResults 9', op: 'DescribeMaintenanceWindows', body: { MaxResults: 9 }, want: ve(item('9', 'maxResults', minVal(10))) },
  { name: '#31 MaxResults 101', op: 'DescribeMaintenanceWindows', body: { MaxResults: 101 }, want: ve(item('101', 'maxResults', maxVal(100))) },
  {
    name: '#32 six filters',
    op: 'DescribeMaintenanceWindows',
    body: { Filters: filters(6) },
    want: ve(
      item(
        '[' + filters(6).map((f) => `MaintenanceWindowFilter(key=Name, values=[${f.Values[0]}])`).join(', ') + ']',
        'filters',
        maxLen(5),
      ),
    ),
  },
  {
    name: '#38 ResourceType EC2',
    op: 'RegisterTargetWithMaintenanceWindow',
    body: { ...registerTarget, ResourceType: 'EC2' },
    want: ve(item('EC2', 'resourceType', oneOf('INSTANCE', 'RESOURCE_GROUP'))),
  },
  {
    name: '#40 InstanceIds with 51 values',
    op: 'RegisterTargetWithMaintenanceWindow',
    body: { ...registerTarget, Targets: [{ Key: 'InstanceIds', Values: Array.from({ length: 51 }, (_, i) => `i-${i}`) }] },
    want: ve(item(`[${Array.from({ length: 51 }, (_, i) => `i-${i}`).join(', ')}]`, 'targets.1.member.values', maxLen(50))),
  },
  {
    name: '#41 six Target entries',
    op: 'RegisterTargetWithMaintenanceWindow',
    body: { ...registerTarget, Targets: targets(6) },
    want: ve(item('[' + targets(6).map((t) => `Target(key=InstanceIds, values=[${t.Values[0]}])`).join(', ') + ']', 'targets', maxLen(5))),
  },
  ...(['0', '0%', '101%'] as const).map(
    (v): Case => ({
      name: `#47 MaxConcurrency ${v}: pattern`,
      op: 'RegisterTaskWithMaintenanceWindow',
      body: { ...registerTask, MaxConcurrency: v },
      want: ve(item(v, 'maxConcurrency', pattern('^([1-9][0-9]*|[1-9][0-9]%|[1-9]%|100%)$'))),
    }),
  ),
  {
    // 12345678 matches ^([1-9][0-9]*|...)$, so only the length rule fails.
    name: '#47 MaxConcurrency 12345678: length',
    op: 'RegisterTaskWithMaintenanceWindow',
    body: { ...registerTask, MaxConcurrency: '12345678' },
    want: ve(item('12345678', 'maxConcurrency', maxLen(7))),
  },
  { name: '#48 MaxErrors 0 / MaxConcurrency 100%', op: 'RegisterTaskWithMaintenanceWindow', body: { ...registerTask, MaxErrors: '0', MaxConcurrency: '100%' }, want: OK },
  { name: '#48 MaxErrors 0%', op: 'RegisterTaskWithMaintenanceWindow', body: { ...registerTask, MaxErrors: '0%' }, want: OK },
  { name: '#49 Priority -1', op: 'RegisterTaskWithMaintenanceWindow', body: { ...registerTask, Priority: -1 }, want: ve(item('-1', 'priority', minVal(0))) },
  {
    name: '#50 TaskType SHELL',
    op: 'RegisterTaskWithMaintenanceWindow',
    body: { ...registerTask, TaskType: 'SHELL' },
    want: ve(item('SHELL', 'taskType', oneOf('RUN_COMMAND', 'AUTOMATION', 'STEP_FUNCTIONS', 'LAMBDA'))),
  },
  {
    name: '#52 two alarms',
    op: 'RegisterTaskWithMaintenanceWindow',
    body: { ...registerTask, AlarmConfiguration: { Alarms: [{ Name: 'a' }, { Name: 'b' }] } },
    want: ve(item('[Alarm(name=a), Alarm(name=b)]', 'alarmConfiguration.alarms', maxLen(1))),
  },
  {
    name: '#57 WindowTaskId not-a-uuid: length and pattern',
    op: 'GetMaintenanceWindowTask',
    body: { WindowId: W, WindowTaskId: 'not-a-uuid' },
    want: ve(item('not-a-uuid', 'windowTaskId', minLen(36)), item('not-a-uuid', 'windowTaskId', pattern(UUID_PATTERN))),
  },
  {
    name: '#62 MaxResults 9 on task invocations',
    op: 'DescribeMaintenanceWindowExecutionTaskInvocations',
    body: { WindowExecutionId: U0, TaskId: U0, MaxResults: 9 },
    want: ve(item('9', 'maxResults', minVal(10))),
  },
  {
    name: '#63 WindowExecutionId of 35 characters',
    op: 'DescribeMaintenanceWindowExecutionTaskInvocations',
    body: { WindowExecutionId: U0.slice(1), TaskId: U0 },
    want: ve(item(U0.slice(1), 'windowExecutionId', minLen(36)), item(U0.slice(1), 'windowExecutionId', pattern(UUID_PATTERN))),
  },
  { name: '#68 schedule MaxResults 0', op: 'DescribeMaintenanceWindowSchedule', body: { MaxResults: 0 }, want: ve(item('0', 'maxResults', minVal(1))) },
  {
    name: '#71 ResourceType omitted',
    op: 'DescribeMaintenanceWindowsForTarget',
    body: { Targets: [{ Key: 'InstanceIds', Values: ['i-1'] }] },
    want: ve(item(null, 'resourceType', NOT_NULL)),
  },
  {
    name: '#75 ResourceType Window',
    op: 'AddTagsToResource',
    body: { ResourceType: 'Window', ResourceId: W, Tags: [{ Key: 'k', Value: 'v' }] },
    want: ve(
      item(
        'Window',
        'resourceType',
        oneOf('Document', 'ManagedInstance', 'MaintenanceWindow', 'Parameter', 'PatchBaseline', 'OpsItem', 'OpsMetadata', 'Automation', 'Association'),
      ),
    ),
  },
  { name: '#78 Duration as a string', op: 'CreateMaintenanceWindow', body: { ...create, Duration: '3' }, want: se('STRING_VALUE can not be converted to an Integer') },
]);

// ---------- SerializationException (type phase) ----------
run([
  { name: 'body is a JSON array', op: 'GetMaintenanceWindow', body: [], want: se('Start of list found where not expected') },
  { name: 'body is JSON null: no message', op: 'GetMaintenanceWindow', body: null, want: se('') },
  { name: 'body is a string: no message', op: 'GetMaintenanceWindow', body: 'x', want: se('') },
  { name: 'body is a number: no message', op: 'GetMaintenanceWindow', body: 5, want: se('') },
  { name: 'number where a string is expected', op: 'GetMaintenanceWindow', body: { WindowId: 5 }, want: se('NUMBER_VALUE can not be converted to a String') },
  { name: 'decimal where a string is expected', op: 'GetMaintenanceWindow', body: { WindowId: 1.5 }, want: se('DECIMAL_VALUE can not be converted to a String') },
  { name: 'true where a string is expected', op: 'CreateMaintenanceWindow', body: { ...create, Name: true }, want: se('TRUE_VALUE can not be converted to a String') },
  { name: 'false where a string is expected', op: 'CreateMaintenanceWindow', body: { ...create, Schedule: false }, want: se('FALSE_VALUE can not be converted to a String') },
  { name: 'list where a string is expected', op: 'GetMaintenanceWindow', body: { WindowId: ['x'] }, want: se('Start of list found where not expected') },
  { name: 'object where a string is expected', op: 'GetMaintenanceWindow', body: { WindowId: {} }, want: se('Start of structure or map found where not expected.') },
  { name: 'true where an integer is expected', op: 'CreateMaintenanceWindow', body: { ...create, Cutoff: true }, want: se('TRUE_VALUE can not be converted to an Integer') },
  { name: 'decimal where an integer is expected', op: 'CreateMaintenanceWindow', body: { ...create, Duration: 1.5 }, want: se('DECIMAL_VALUE can not be converted to an Integer') },
  { name: 'list where an integer is expected', op: 'DescribeMaintenanceWindows', body: { MaxResults: [10] }, want: se('Start of list found where not expected') },
  { name: 'object where an integer is expected', op: 'DescribeMaintenanceWindows', body: { MaxResults: { a: 1 } }, want: se('Start of structure or map found where not expected.') },
  { name: 'string where a boolean is expected', op: 'CreateMaintenanceWindow', body: { ...create, AllowUnassociatedTargets: 'false' }, want: se('STRING_VALUE can not be converted to a Boolean') },
  { name: 'number where a boolean is expected', op: 'CreateMaintenanceWindow', body: { ...create, AllowUnassociatedTargets: 0 }, want: se('NUMBER_VALUE can not be converted to a Boolean') },
  { name: 'object where a list is expected', op: 'RegisterTargetWithMaintenanceWindow', body: { ...registerTarget, Targets: {} }, want: se('Start of structure or map found where not expected.') },
  { name: 'string where a list is expected', op: 'RegisterTargetWithMaintenanceWindow', body: { ...registerTarget, Targets: 'x' }, want: se('Expected list or null') },
  { name: 'string where a structure is expected', op: 'RegisterTaskWithMaintenanceWindow', body: { ...registerTask, LoggingInfo: 'x' }, want: se('Expected null') },
  { name: 'list where a structure is expected', op: 'RegisterTaskWithMaintenanceWindow', body: { ...registerTask, LoggingInfo: [] }, want: se('Start of list found where not expected') },
  { name: 'string where a map is expected', op: 'RegisterTaskWithMaintenanceWindow', body: { ...registerTask, TaskParameters: 'x' }, want: se('Expected map or null') },
  { name: 'list where a map is expected', op: 'RegisterTaskWithMaintenanceWindow', body: { ...registerTask, TaskParameters: [] }, want: se('Start of list found where not expected') },
  { name: 'nested: number in a list of strings', op: 'RegisterTargetWithMaintenanceWindow', body: { ...registerTarget, Targets: [{ Key: 'InstanceIds', Values: [1] }] }, want: se('NUMBER_VALUE can not be converted to a String') },
  { name: 'nested: string where a list is expected inside a list element', op: 'RegisterTargetWithMaintenanceWindow', body: { ...registerTarget, Targets: [{ Key: 'InstanceIds', Values: 'i-1' }] }, want: se('Expected list or null') },
  {
    name: 'nested: number where a list is expected inside a map value',
    op: 'RegisterTaskWithMaintenanceWindow',
    body: { ...registerTask, TaskInvocationParameters: { RunCommand: { Parameters: { commands: 5 } } } },
    want: se('Expected list or null'),
  },
  { name: 'first problem in document order (1)', op: 'CreateMaintenanceWindow', body: { Duration: '3', Name: 5 }, want: se('STRING_VALUE can not be converted to an Integer') },
  { name: 'first problem in document order (2)', op: 'CreateMaintenanceWindow', body: { Name: 5, Duration: '3' }, want: se('NUMBER_VALUE can not be converted to a String') },
  { name: 'type problems win over constraint violations', op: 'CreateMaintenanceWindow', body: { Name: 'ab', Duration: '3' }, want: se('STRING_VALUE can not be converted to an Integer') },
]);

// ---------- blobs (Lambda Payload, sensitive) ----------
const lambda = (Payload: unknown) => ({ ...registerTask, TaskType: 'LAMBDA', TaskInvocationParameters: { Lambda: { Payload } } });
run([
  { name: 'blob: valid base64', op: 'RegisterTaskWithMaintenanceWindow', body: lambda('eyJhIjoxfQ=='), want: OK },
  { name: 'blob: 4096 bytes is the maximum', op: 'RegisterTaskWithMaintenanceWindow', body: lambda(Buffer.alloc(4096, 7).toString('base64')), want: OK },
  {
    name: 'blob: 4097 bytes, sensitive so no value',
    op: 'RegisterTaskWithMaintenanceWindow',
    body: lambda(Buffer.alloc(4097, 7).toString('base64')),
    want: ve(item(undefined, 'taskInvocationParameters.lambda.payload', maxLen(4096))),
  },
  { name: 'blob: length not a multiple of 4', op: 'RegisterTaskWithMaintenanceWindow', body: lambda('abc'), want: se('Base64 encoded length is expected a multiple of 4 bytes but found: 3') },
  { name: 'blob: non-canonical last character', op: 'RegisterTaskWithMaintenanceWindow', body: lambda('+/+='), want: se('Invalid last non-pad Base64 character dectected') },
  { name: 'blob: invalid character', op: 'RegisterTaskWithMaintenanceWindow', body: lambda('ab!d'), want: se("Invalid Base64 character: '!'") },
  { name: 'blob: a number', op: 'RegisterTaskWithMaintenanceWindow', body: lambda(5), want: se('NUMBER_VALUE can not be converted to a Blob') },
]);

// ---------- sensitive members ----------
const longDescription = 'd'.repeat(129);
run([
  { name: 'sensitive Description too short', op: 'CreateMaintenanceWindow', body: { ...create, Description: '' }, want: ve(item(undefined, 'description', minLen(1))) },
  { name: 'sensitive Description too long', op: 'UpdateMaintenanceWindow', body: { WindowId: W, Description: longDescription }, want: ve(item(undefined, 'description', maxLen(128))) },
  { name: 'sensitive OwnerInformation', op: 'RegisterTargetWithMaintenanceWindow', body: { ...registerTarget, OwnerInformation: '' }, want: ve(item(undefined, 'ownerInformation', minLen(1))) },
  {
    name: 'sensitive StepFunctions Input',
    op: 'RegisterTaskWithMaintenanceWindow',
    body: { ...registerTask, TaskInvocationParameters: { StepFunctions: { Input: 'x'.repeat(4097) } } },
    want: ve(item(undefined, 'taskInvocationParameters.stepFunctions.input', maxLen(4096))),
  },
  {
    name: 'inside a sensitive map: TaskParameters value list',
    op: 'RegisterTaskWithMaintenanceWindow',
    body: { ...registerTask, TaskParameters: { commands: { Values: [''] } } },
    want: ve(item(undefined, 'taskParameters.commands.member.values', `Member must satisfy constraint: [${maxLen(255)}, ${minLen(1)}]`)),
  },
  {
    name: 'sensitive map keys',
    op: 'RegisterTaskWithMaintenanceWindow',
    body: { ...registerTask, TaskParameters: { '': { Values: ['x'] } } },
    want: ve(item(undefined, 'taskParameters', `Map keys must satisfy constraint: [${maxLen(255)}, ${minLen(1)}]`)),
  },
  {
    name: 'null map value of structures',
    op: 'RegisterTaskWithMaintenanceWindow',
    body: { ...registerTask, TaskParameters: { commands: null } },
    want: ve(item(null, 'taskParameters.commands.member', NOT_NULL)),
  },
  {
    name: 'null element in the sensitive RunCommand Parameters map',
    op: 'RegisterTaskWithMaintenanceWindow',
    body: { ...registerTask, TaskInvocationParameters: { RunCommand: { Parameters: { commands: [null] } } } },
    want: ve(item(undefined, 'taskInvocationParameters.runCommand.parameters', 'Map value must satisfy constraint: [Member must not be null]')),
  },
  { name: 'length counts code points (128 emoji fit)', op: 'CreateMaintenanceWindow', body: { ...create, Description: '😀'.repeat(128) }, want: OK },
  { name: 'length counts code points (129 emoji do not)', op: 'CreateMaintenanceWindow', body: { ...create, Description: '😀'.repeat(129) }, want: ve(item(undefined, 'description', maxLen(128))) },
]);

// ---------- nested paths, lists and maps ----------
run([
  {
    name: 'filters.1.member.key and a list of plain values',
    op: 'DescribeMaintenanceWindows',
    body: { Filters: [{ Key: '', Values: ['', 'a'] }] },
    want: ve(item('', 'filters.1.member.key', minLen(1)), item('[, a]', 'filters.1.member.values', `Member must satisfy constraint: [${maxLen(256)}, ${minLen(1)}]`)),
  },
  {
    name: 'taskInvocationParameters.runCommand.timeoutSeconds',
    op: 'RegisterTaskWithMaintenanceWindow',
    body: { ...registerTask, TaskInvocationParameters: { RunCommand: { TimeoutSeconds: 29 } } },
    want: ve(item('29', 'taskInvocationParameters.runCommand.timeoutSeconds', minVal(30))),
  },
  {
    name: 'required member inside a structure',
    op: 'RegisterTaskWithMaintenanceWindow',
    body: { ...registerTask, AlarmConfiguration: { IgnorePollAlarmFailure: true }, LoggingInfo: { S3BucketName: 'bucket' } },
    want: ve(item(null, 'loggingInfo.s3Region', NOT_NULL), item(null, 'alarmConfiguration.alarms', NOT_NULL)),
  },
  {
    name: 'AlarmName must not be blank (Java \\s, lookahead)',
    op: 'RegisterTaskWithMaintenanceWindow',
    body: { ...registerTask, AlarmConfiguration: { Alarms: [{ Name: '  ' }] } },
    want: ve(item('  ', 'alarmConfiguration.alarms.1.member.name', pattern('^(?!\\s*$).+'))),
  },
  { name: 'AlarmName with a Unicode space is not blank to Java', op: 'RegisterTaskWithMaintenanceWindow', body: { ...registerTask, AlarmConfiguration: { Alarms: [{ Name: '\u3000' }] } }, want: OK },
  {
    name: 'tags.2.member.value and tags.1.member.key',
    op: 'CreateMaintenanceWindow',
    body: { ...create, Tags: [{ Key: 'a b!', Value: 'v' }, { Key: 'k' }] },
    want: ve(item('a b!', 'tags.1.member.key', pattern(TAG_PATTERN)), item(null, 'tags.2.member.value', NOT_NULL)),
  },
  {
    name: 'null element in a list of structures',
    op: 'RegisterTargetWithMaintenanceWindow',
    body: { ...registerTarget, Targets: [null] },
    want: ve(item(null, 'targets.1.member', NOT_NULL)),
  },
  {
    name: 'list of enum values',
    op: 'RegisterTaskWithMaintenanceWindow',
    body: { ...registerTask, TaskInvocationParameters: { RunCommand: { NotificationConfig: { NotificationEvents: ['All', 'Nope'] } } } },
    want: ve(
      item(
        '[All, Nope]',
        'taskInvocationParameters.runCommand.notificationConfig.notificationEvents',
        `Member must satisfy constraint: [${oneOf('All', 'InProgress', 'Success', 'TimedOut', 'Cancelled', 'Failed')}]`,
      ),
    ),
  },
  {
    name: 'list of tag keys: one item for the list, all element constraints',
    op: 'RemoveTagsFromResource',
    body: { ResourceType: 'MaintenanceWindow', ResourceId: W, TagKeys: ['ok', 'bad!', ''] },
    want: ve(item('[ok, bad!, ]', 'tagKeys', `Member must satisfy constraint: [${maxLen(128)}, ${minLen(1)}, ${pattern(TAG_PATTERN)}]`)),
  },
  {
    name: 'Automation parameters: map size, keys, values',
    op: 'RegisterTaskWithMaintenanceWindow',
    body: { ...registerTask, TaskInvocationParameters: { Automation: { Parameters: { ['k'.repeat(51)]: [''] } } } },
    want: ve(
      item(`{${'k'.repeat(51)}=[]}`, 'taskInvocationParameters.automation.parameters', `Map keys must satisfy constraint: [${maxLen(50)}, ${minLen(1)}]`),
      item(
        `{${'k'.repeat(51)}=[]}`,
        'taskInvocationParameters.automation.parameters',
        `Map value must satisfy constraint: [${maxLen(50)}, ${minLen(0)}, Member must satisfy constraint: [${maxLen(512)}, ${minLen(1)}]]`,
      ),
    ),
  },
  {
    name: 'empty Automation parameters map',
    op: 'RegisterTaskWithMaintenanceWindow',
    body: { ...registerTask, TaskInvocationParameters: { Automation: { Parameters: {} } } },
    want: ve(item('{}', 'taskInvocationParameters.automation.parameters', minLen(1))),
  },
  {
    name: 'at most 10 items are listed',
    op: 'CreateMaintenanceWindow',
    body: { ...create, Tags: Array.from({ length: 12 }, () => ({})) },
    want: ve(...Array.from({ length: 5 }, (_, i) => [item(null, `tags.${i + 1}.member.key`, NOT_NULL), item(null, `tags.${i + 1}.member.value`, NOT_NULL)]).flat()),
  },
  { name: 'integer beyond Java int range: the value the int holds (issue 26)', op: 'DescribeMaintenanceWindows', body: { MaxResults: 99999999999 }, want: ve(item('2147483647', 'maxResults', maxVal(100))) },
  { name: 'integer just past Java int range: 2147483647', op: 'DescribeMaintenanceWindows', body: { MaxResults: 2147483648 }, want: ve(item('2147483647', 'maxResults', maxVal(100))) },
  { name: 'integer below Java int range: -2147483648', op: 'DescribeMaintenanceWindows', body: { MaxResults: -1e12 }, want: ve(item('-2147483648', 'maxResults', minVal(10))) },
]);

// ---------- patterns: whole-value matching ----------
const automation = (DocumentVersion: string) => ({ ...registerTask, TaskType: 'AUTOMATION', TaskInvocationParameters: { Automation: { DocumentVersion } } });
const DOC_VERSION = '([$]LATEST|[$]DEFAULT|^[1-9][0-9]*$)';
run([
  ...['$LATEST', '$DEFAULT', '12'].map((v): Case => ({ name: `DocumentVersion ${v} matches`, op: 'RegisterTaskWithMaintenanceWindow', body: automation(v), want: OK })),
  ...['$LATESTX', 'x$DEFAULT', '01', '1\n'].map(
    (v): Case => ({
      name: `DocumentVersion ${JSON.stringify(v)} must match as a whole`,
      op: 'RegisterTaskWithMaintenanceWindow',
      body: automation(v),
      want: ve(item(v, 'taskInvocationParameters.automation.documentVersion', pattern(DOC_VERSION))),
    }),
  ),
  ...['resource-groups:Name', 'tag:Patch Group', 'InstanceIds'].map(
    (Key): Case => ({ name: `TargetKey ${Key} matches`, op: 'RegisterTargetWithMaintenanceWindow', body: { ...registerTarget, Targets: [{ Key, Values: ['x'] }] }, want: OK }),
  ),
  {
    name: 'TargetKey with a character outside the set',
    op: 'RegisterTargetWithMaintenanceWindow',
    body: { ...registerTarget, Targets: [{ Key: 'tag:a!', Values: ['x'] }] },
    want: ve(item('tag:a!', 'targets.1.member.key', pattern('^[\\p{L}\\p{Z}\\p{N}_.:/=\\-@]*$|resource-groups:ResourceTypeFilters|resource-groups:Name'))),
  },
  { name: 'UUID pattern (\\- outside a class)', op: 'GetMaintenanceWindowExecution', body: { WindowExecutionId: U0 }, want: OK },
  { name: 'WindowId with a trailing newline', op: 'GetMaintenanceWindow', body: { WindowId: 'mw-0123456789abcdef\n' }, want: ve(item('mw-0123456789abcdef\n', 'windowId', pattern('^mw-[0-9a-f]{17}$'))) },
]);

// ---------- absent, null, unknown ----------
run([
  { name: 'unknown members are ignored, whatever their type', op: 'GetMaintenanceWindow', body: { WindowId: W, Foo: 1, bar: { x: [] }, __proto__x: null }, want: OK },
  { name: 'null counts as absent for optional members', op: 'CreateMaintenanceWindow', body: { ...create, Description: null, Tags: null, ScheduleOffset: null }, want: OK },
  { name: 'null counts as absent for required members', op: 'GetMaintenanceWindow', body: { WindowId: null }, want: ve(item(null, 'windowId', NOT_NULL)) },
  {
    name: 'a __proto__ key from JSON.parse is just an unknown member / map key',
    op: 'RegisterTaskWithMaintenanceWindow',
    body: JSON.parse(`{"__proto__":{"WindowId":1},"WindowId":"${W}","TaskArn":"a","TaskType":"RUN_COMMAND","TaskParameters":{"__proto__":{"Values":[""]}}}`),
    want: ve(item(undefined, 'taskParameters.__proto__.member.values', `Member must satisfy constraint: [${maxLen(255)}, ${minLen(1)}]`)),
  },
  { name: 'empty body object', op: 'DescribeMaintenanceWindows', body: {}, want: OK },
  { name: 'a full valid RegisterTask', op: 'RegisterTaskWithMaintenanceWindow', body: { ...registerTask, TaskInvocationParameters: { RunCommand: { Parameters: { commands: ['df'] }, TimeoutSeconds: 600 } } }, want: OK },
]);

// ---------- projection: what the handler receives ----------
function accepted(op: OperationName, body: unknown): unknown {
  const check = checkInput(op, body);
  assert.ok(check.ok, JSON.stringify(check));
  return check.input;
}

test('null members are absent in what the handler receives (issue 11: "Name": null was stored)', () => {
  assert.deepEqual(accepted('UpdateMaintenanceWindow', { WindowId: W, Name: null, Duration: 4, NextToken: null }), { WindowId: W, Duration: 4 });
  assert.deepEqual(accepted('DescribeMaintenanceWindows', { NextToken: null, MaxResults: null }), {});
});

test('unknown members are dropped at every depth, however large (issue 11: nested junk was echoed)', () => {
  const junk = 'x'.repeat(900_000);
  const body = {
    ...registerTask, Junk: junk,
    TaskInvocationParameters: { Automation: { DocumentVersion: '$LATEST', Junk: junk, Parameters: { p: ['v'] } }, Other: { a: 1 } },
    LoggingInfo: { S3BucketName: 'bucket', S3Region: 'us-east-1', Junk: junk },
    AlarmConfiguration: { Alarms: [{ Name: 'a', Junk: junk }], Junk: junk },
  };
  assert.deepEqual(accepted('RegisterTaskWithMaintenanceWindow', body), {
    ...registerTask,
    TaskInvocationParameters: { Automation: { DocumentVersion: '$LATEST', Parameters: { p: ['v'] } } },
    LoggingInfo: { S3BucketName: 'bucket', S3Region: 'us-east-1' },
    AlarmConfiguration: { Alarms: [{ Name: 'a' }] },
  });
});

test('a clean body reaches the handler as the same object, and map keys such as __proto__ stay plain members', () => {
  const body = { ...registerTask, TaskParameters: { commands: { Values: ['df'] } } };
  assert.equal(accepted('RegisterTaskWithMaintenanceWindow', body), body);
  const parsed = JSON.parse(`{"WindowId":"${W}","TaskArn":"a","TaskType":"RUN_COMMAND","Priority":null,"TaskParameters":{"__proto__":{"Values":["x"]},"b":{"Values":["y"],"Junk":1}}}`);
  const input = accepted('RegisterTaskWithMaintenanceWindow', parsed) as { TaskParameters: Record<string, unknown> };
  assert.deepEqual(Object.keys(input.TaskParameters), ['__proto__', 'b']);
  assert.equal(Object.getPrototypeOf(input.TaskParameters), Object.prototype);
  assert.equal(JSON.stringify(input.TaskParameters), '{"__proto__":{"Values":["x"]},"b":{"Values":["y"]}}');
});

test('integers beyond Java\'s int range are held at its end, not stored with lost precision (issue 11)', () => {
  const held = accepted('RegisterTaskWithMaintenanceWindow', { ...registerTask, Priority: 1e20 }) as { Priority: number };
  assert.equal(held.Priority, 2147483647);
  assert.equal((accepted('RegisterTaskWithMaintenanceWindow', { ...registerTask, Priority: 2147483648 }) as { Priority: number }).Priority, 2147483647);
  const inRange = { ...registerTask, Priority: 2147483647 };
  assert.equal(accepted('RegisterTaskWithMaintenanceWindow', inRange), inRange, 'a value in range is passed as it is');
});

test('unknown operation is a programming error', () => {
  assert.throws(() => checkInput('NoSuchOperation' as OperationName, {}), TypeError);
});
