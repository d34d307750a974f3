// Valid requests from the model: every shape gets a value that passes its constraints, and members whose
// meaning the model does not capture (schedules, ARNs, time zones, coherent ids) get realistic ones, so a
// single mutation later reaches the handler instead of failing an unrelated check first.

import { shapes, type ShapeName } from '../../src/wire/generated/shapes.ts';
import type { Chain, ScopePool } from './pools.ts';
import type { Prng } from './prng.ts';

export interface Gen {
  prng: Prng;
  chain: Chain;
  pool: ScopePool;
  /** The operation being built (filters and targets depend on it). */
  operation: string;
}

const SCHEDULES = ['rate(1 day)', 'rate(2 hours)', 'rate(7 days)', 'cron(0 2 ? * SUN *)', 'cron(30 23 ? * MON-FRI *)', 'cron(0 0 1 * ? *)', 'at(2027-03-01T10:00:00)'];
const ZONES = ['UTC', 'Europe/Paris', 'America/New_York', 'Asia/Tokyo', 'Etc/GMT+5'];
const STARTS = ['2026-01-15T00:00:00Z', '2026-03-01T08:00:00+02:00'];
const ENDS = ['2027-01-01T00:00:00Z', '2028-12-31T23:59:59Z'];
const ARNS: Record<string, string[]> = {
  RUN_COMMAND: ['AWS-RunShellScript', 'AWS-RunPowerShellScript'],
  AUTOMATION: ['AWS-RestartEC2Instance'],
  LAMBDA: ['arn:aws:lambda:us-east-1:123456789012:function:patch'],
  STEP_FUNCTIONS: ['arn:aws:states:us-east-1:123456789012:stateMachine:patch'],
};
const INVOCATION_KEY: Record<string, string> = { RUN_COMMAND: 'RunCommand', AUTOMATION: 'Automation', LAMBDA: 'Lambda', STEP_FUNCTIONS: 'StepFunctions' };
const DATES = ['2026-01-01T00:00:00Z', '2027-06-01T12:00:00Z', '2025-01-01'];
/** The filter keys each Describe accepts (the service's own tables), with values that fit them. */
const FILTERS: Record<string, Record<string, (g: Gen) => string>> = {
  DescribeMaintenanceWindows: { Name: (g) => g.prng.pick(['seed-0', 'seed-1', 'nightly']), Enabled: (g) => g.prng.pick(['true', 'False']) },
  DescribeMaintenanceWindowTargets: { Type: () => 'INSTANCE', WindowTargetId: (g) => g.chain.targetId, OwnerInformation: () => 'ops' },
  DescribeMaintenanceWindowTasks: { WindowTaskId: (g) => g.chain.taskId, TaskArn: () => 'AWS-RunShellScript', Priority: (g) => String(g.prng.int(0, 3)), TaskType: () => 'RUN_COMMAND' },
  DescribeMaintenanceWindowExecutions: { ExecutedBefore: (g) => g.prng.pick(DATES), ExecutedAfter: (g) => g.prng.pick(DATES) },
  DescribeMaintenanceWindowExecutionTasks: { STATUS: (g) => g.prng.pick(['SUCCESS', 'IN_PROGRESS', 'PENDING']) },
  DescribeMaintenanceWindowExecutionTaskInvocations: { STATUS: (g) => g.prng.pick(['SUCCESS', 'IN_PROGRESS', 'FAILED']) },
  DescribeMaintenanceWindowSchedule: { ScheduledBefore: (g) => g.prng.pick(DATES), ScheduledAfter: (g) => g.prng.pick(DATES) },
};

function filter(g: Gen): unknown {
  const rules = FILTERS[g.operation] ?? {};
  const keys = Object.keys(rules);
  if (keys.length === 0 || g.prng.chance(0.05)) return { Key: 'Nope', Values: ['x'] };
  const key = g.prng.pick(keys);
  return { Key: key, Values: [rules[key](g)] };
}

/** Targets as registered on a window (instances, tags, a resource group), or as named by a task. */
function targets(g: Gen): unknown {
  if (g.operation.includes('Task')) return [{ Key: 'WindowTargetIds', Values: [g.chain.targetId] }];
  return [g.prng.pick([{ Key: 'InstanceIds', Values: [`i-0${g.prng.hex(16)}`] }, { Key: 'tag:Env', Values: ['prod'] }])];
}
const WORDS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

function word(g: Gen, min: number, max: number): string {
  let s = '';
  for (let n = g.prng.int(min, max); s.length < n; ) s += WORDS[g.prng.int(0, WORDS.length - 1)];
  return s;
}

/** Values for members whose validity the model cannot express, keyed by `Structure.Member` or shape. */
const HINTS: Record<string, (g: Gen) => unknown> = {
  MaintenanceWindowId: (g) => g.chain.windowId,
  MaintenanceWindowTargetId: (g) => g.chain.targetId,
  MaintenanceWindowTaskId: (g) => g.chain.taskId,
  MaintenanceWindowExecutionId: (g) => g.chain.executionId,
  MaintenanceWindowExecutionTaskId: (g) => g.chain.taskExecutionId,
  MaintenanceWindowExecutionTaskInvocationId: (g) => g.chain.invocationId,
  ResourceId: (g) => g.chain.windowId,
  ResourceTypeForTagging: (g) => (g.prng.chance(0.9) ? 'MaintenanceWindow' : g.prng.pick(shapes.ResourceTypeForTagging.enum!)),
  MaintenanceWindowName: (g) => `${word(g, 3, 12)}${g.prng.pick(['', '-a', '_b', '.c'])}`,
  MaintenanceWindowSchedule: (g) => g.prng.pick(SCHEDULES),
  MaintenanceWindowTimezone: (g) => g.prng.pick(ZONES),
  'CreateMaintenanceWindowRequest.StartDate': (g) => g.prng.pick(STARTS),
  'UpdateMaintenanceWindowRequest.StartDate': (g) => g.prng.pick(STARTS),
  MaintenanceWindowStringDateTime: (g) => g.prng.pick(ENDS),
  MaintenanceWindowDurationHours: (g) => g.prng.int(2, 24),
  MaintenanceWindowCutoff: (g) => g.prng.int(0, 1),
  MaintenanceWindowTaskArn: (g) => g.prng.pick(ARNS.RUN_COMMAND),
  ServiceRole: () => 'arn:aws:iam::123456789012:role/MaintenanceWindows',
  NotificationArn: () => 'arn:aws:sns:us-east-1:123456789012:mw-events',
  MaxConcurrency: (g) => g.prng.pick(['1', '2', '10%', '100%']),
  MaxErrors: (g) => g.prng.pick(['0', '1', '5%', '100%']),
  DocumentVersion: (g) => g.prng.pick(['$LATEST', '$DEFAULT', '1', '3']),
  TagKey: (g) => g.prng.pick(['Env', 'team:owner', 'cost-center', word(g, 1, 10)]),
  TagValue: (g) => g.prng.pick(['prod', '', 'a b', word(g, 1, 10)]),
  Targets: targets,
  MaintenanceWindowFilterList: (g) => [filter(g)],
  PatchOrchestratorFilterList: (g) => [filter(g)],
  // Mostly a token the service handed out; an invented one is refused, so only now and then.
  NextToken: (g) => {
    const known = g.pool.tokens.get(g.operation) ?? [];
    return known.length && g.prng.chance(0.7) ? g.prng.pick(known) : g.prng.chance(0.7) ? undefined : word(g, 1, 40);
  },
  ClientToken: (g) => (g.pool.clientTokens.length && g.prng.chance(0.3) ? g.prng.pick(g.pool.clientTokens) : g.prng.uuid()),
  MaintenanceWindowLambdaPayload: () => 'eyJhIjoxfQ==',
  Parameters: () => ({ commands: ['echo hello'] }),
  MaintenanceWindowTaskParameters: () => ({ commands: { Values: ['echo hello'] } }),
  AutomationParameterMap: () => ({ InstanceId: ['{{RESOURCE_ID}}'] }),
  AlarmName: () => 'cpu-high',
  // Run Command: mostly the built-in documents, a command the service handed out, a well-formed node id.
  DocumentARN: (g) => g.prng.pick(['AWS-RunShellScript', 'AWS-RunShellScript', 'AWS-RunPowerShellScript', 'No-Such-Document']),
  CommandId: (g) => (g.pool.commands.length && g.prng.chance(0.8) ? g.prng.pick(g.pool.commands) : g.prng.uuid()),
  InstanceId: (g) => g.prng.pick(['i-0aaaaaaaaaaaaaaa1', `i-0${g.prng.hex(16)}`]),
  CommandPluginName: (g) => g.prng.pick(['aws:runShellScript', 'runShellScript', 'aws:runPowerShellScript']),
  S3Region: () => 'us-east-1',
  S3BucketName: () => 'mw-logs',
};

/** A valid value of `shape` (at `owner.member`, for hints that depend on the place). */
export function validValue(g: Gen, shape: ShapeName, owner = '', member = '', depth = 0): unknown {
  const hint = HINTS[`${owner}.${member}`] ?? HINTS[shape];
  if (hint) return hint(g);
  const s = shapes[shape];
  switch (s.type) {
    case 'structure': {
      const out: Record<string, unknown> = {};
      for (const [name, ref] of Object.entries(s.members ?? {})) {
        if (s.required?.includes(name) || (depth < 3 && g.prng.chance(0.35))) out[name] = validValue(g, ref.shape, shape, name, depth + 1);
      }
      return out;
    }
    case 'list': {
      const n = g.prng.int(Math.max(s.min ?? 0, 1), Math.min(s.max ?? 2, 2));
      return Array.from({ length: n }, () => validValue(g, s.member!.shape, shape, 'member', depth + 1));
    }
    case 'map': {
      const out: Record<string, unknown> = {};
      for (let i = Math.min(s.max ?? 2, 2); i > 0; i--) out[word(g, 1, 8)] = validValue(g, s.value!.shape, shape, 'value', depth + 1);
      return out;
    }
    case 'string':
      if (s.enum) return g.prng.pick(s.enum);
      return word(g, Math.max(s.min ?? 1, 1), Math.min(s.max ?? 24, 24));
    case 'integer':
    case 'long':
      return g.prng.int(s.min ?? 0, Math.min(s.max ?? 100, 100));
    case 'boolean':
      return g.prng.chance(0.5);
    case 'blob':
      return 'eyJhIjoxfQ==';
    default:
      return 1_700_000_000;
  }
}

/** Relations between members that handlers check (Cutoff < Duration, an ARN that fits the task type, ...). */
export function fixRelations(op: string, input: Record<string, unknown>, g: Gen): void {
  if (input.ScheduleOffset !== undefined) input.Schedule = 'cron(0 2 ? * SUN *)';
  if (op === 'UpdateMaintenanceWindow' && input.Replace === true) {
    input.Schedule ??= 'rate(1 day)';
    input.Duration ??= 3;
    input.Cutoff ??= 1;
    input.AllowUnassociatedTargets ??= false;
    input.Name ??= 'replaced';
  }
  if (op === 'UpdateMaintenanceWindowTask' && input.Replace === true) input.TaskArn ??= 'AWS-RunShellScript';
  if (op === 'DescribeMaintenanceWindowSchedule') {
    if (input.WindowId === undefined && input.Targets === undefined) input.WindowId = g.chain.windowId;
    if (input.WindowId !== undefined) delete input.Targets;
  }
  if (typeof input.Duration === 'number' && typeof input.Cutoff === 'number' && input.Cutoff >= input.Duration) input.Cutoff = input.Duration - 1;
  if (op === 'RegisterTaskWithMaintenanceWindow') {
    const type = input.TaskType as string;
    input.TaskArn = g.prng.pick(ARNS[type]);
    const invocation = input.TaskInvocationParameters as Record<string, unknown> | undefined;
    if (invocation) {
      const key = INVOCATION_KEY[type];
      const kept = invocation[key] ?? validValue(g, `MaintenanceWindow${key}Parameters` as ShapeName);
      input.TaskInvocationParameters = { [key]: kept };
    }
    if (type === 'RUN_COMMAND' || type === 'AUTOMATION') {
      input.Targets ??= [{ Key: 'WindowTargetIds', Values: [g.chain.targetId] }];
      input.MaxConcurrency ??= '1';
      input.MaxErrors ??= '0';
    }
  }
  if (op === 'SendCommand') {
    // Exactly one of the two, as SendCommand requires; parameters of the shell documents.
    if (input.InstanceIds !== undefined && input.Targets !== undefined) delete input[g.prng.chance(0.5) ? 'InstanceIds' : 'Targets'];
    if (input.InstanceIds === undefined && input.Targets === undefined) input.Targets = [{ Key: 'tag:Env', Values: ['prod'] }];
    if (input.Parameters !== undefined) input.Parameters = { commands: ['echo hello'] };
  }
  if (op === 'RegisterTargetWithMaintenanceWindow' || op === 'DescribeMaintenanceWindowsForTarget') {
    const group = input.ResourceType === 'RESOURCE_GROUP';
    input.Targets = group ? [{ Key: 'resource-groups:Name', Values: ['web'] }] : [g.prng.pick([{ Key: 'InstanceIds', Values: [`i-0${g.prng.hex(16)}`] }, { Key: 'tag:Env', Values: ['prod'] }])];
  }
}
