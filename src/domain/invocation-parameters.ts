// The `Parameters` string an invocation records: JSON of what was sent to the executing service, after
// pseudo-parameter substitution (SPEC 3.9). Keys are lowerCamel and sorted, as in AWS's recent example.

import type { PlanItem, TaskExecution } from './execution.ts';
import type { ParameterValues, Scope } from './model.ts';

export interface PseudoValues {
  WINDOW_ID: string;
  WINDOW_TASK_ID: string;
  WINDOW_TARGET_ID?: string;
  WINDOW_EXECUTION_ID: string;
  TASK_EXECUTION_ID: string;
  INVOCATION_ID: string;
  TARGET_TYPE?: string;
  TARGET_ID?: string;
  RESOURCE_ID?: string;
  LOGGING_S3_BUCKET_NAME?: string;
  LOGGING_S3_KEY_PREFIX?: string;
  LOGGING_S3_REGION?: string;
}

/** The pseudo-parameter values of one invocation of `task` for `item` (SPEC 3.9). */
export function pseudoValuesFor(scope: Scope, task: TaskExecution, item: PlanItem, invocationId: string): PseudoValues {
  const resourceId = item.resourceIds.length === 1 ? item.resourceIds[0] : undefined;
  // TARGET_ID and RESOURCE_ID are documented as unsupported for Run Command tasks: left as written there.
  const perResource = task.taskType !== 'RUN_COMMAND' && resourceId !== undefined;
  return {
    WINDOW_ID: task.windowId,
    WINDOW_TASK_ID: task.windowTaskId,
    WINDOW_TARGET_ID: item.windowTargetId,
    WINDOW_EXECUTION_ID: task.windowExecutionId,
    TASK_EXECUTION_ID: task.id,
    INVOCATION_ID: invocationId,
    TARGET_TYPE: item.targetType,
    TARGET_ID: !perResource ? undefined
      : item.targetType === 'RESOURCE_GROUP' ? `arn:aws:ec2:${scope.region}:${scope.account}:instance/${resourceId}` : resourceId,
    RESOURCE_ID: perResource ? resourceId : undefined,
    LOGGING_S3_BUCKET_NAME: task.loggingInfo?.S3BucketName,
    LOGGING_S3_KEY_PREFIX: task.loggingInfo?.S3KeyPrefix,
    LOGGING_S3_REGION: task.loggingInfo?.S3Region,
  };
}

// `{{NAME}}`, optionally with inner spaces (`{{ WINDOW_ID }}`, seen in older docs).
const PSEUDO = /\{\{\s*([A-Z_0-9]+)\s*\}\}/g;

/** Replaces known pseudo parameters; unknown or unavailable ones stay as written. */
export function substitute(text: string, values: PseudoValues): string {
  return text.replace(PSEUDO, (whole, name: string) => {
    const value = (values as unknown as Record<string, string | undefined>)[name];
    return value === undefined ? whole : value;
  });
}

function substituteDeep(value: unknown, values: PseudoValues): unknown {
  if (typeof value === 'string') return substitute(value, values);
  if (Array.isArray(value)) return value.map((v) => substituteDeep(v, values));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substituteDeep(v, values)]));
  }
  return value;
}

function lowerFirst(name: string): string {
  return name.charAt(0).toLowerCase() + name.slice(1);
}

/** AWS member names to the lowerCamel request keys, recursively for nested structures (not for maps of user keys). */
function camel(record: Record<string, unknown>, userMaps: readonly string[] = []): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) {
    if (value === undefined) continue;
    const name = lowerFirst(key);
    out[name] = value && typeof value === 'object' && !Array.isArray(value) && !userMaps.includes(key)
      ? camel(value as Record<string, unknown>)
      : value;
  }
  return out;
}

function sorted(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** The Parameters JSON of one invocation of `task`, for the resources of `resourceIds`. */
export function invocationParameters(task: TaskExecution, resourceIds: string[], values: PseudoValues): string {
  const p = task.invocationParameters ?? {};
  let request: Record<string, unknown>;
  switch (task.taskType) {
    case 'RUN_COMMAND': {
      const run = { ...(p.RunCommand ?? {}) } as Record<string, unknown>;
      // The deprecated TaskParameters are used only when no TaskInvocationParameters were given (SPEC 1.2).
      const parameters = run.Parameters ??
        Object.fromEntries(Object.entries(task.taskParameters ?? {}).map(([k, v]) => [k, v.Values ?? []]));
      delete run.Parameters;
      request = {
        comment: '',
        timeoutSeconds: 600,
        ...camel(run),
        documentName: task.taskArn,
        instanceIds: resourceIds,
        maxConcurrency: task.maxConcurrency,
        maxErrors: task.maxErrors,
        parameters,
      };
      if (!p.RunCommand && task.loggingInfo) {
        request.outputS3BucketName = task.loggingInfo.S3BucketName;
        if (task.loggingInfo.S3KeyPrefix) request.outputS3KeyPrefix = task.loggingInfo.S3KeyPrefix;
      }
      break;
    }
    case 'AUTOMATION':
      request = { ...camel(p.Automation ?? {}, ['Parameters']), documentName: task.taskArn };
      break;
    case 'LAMBDA': {
      const lambda = { ...(p.Lambda ?? {}) } as Record<string, unknown>;
      // The payload is a blob (base64 on the wire); the recorded request shows it as text.
      if (typeof lambda.Payload === 'string') lambda.Payload = Buffer.from(lambda.Payload, 'base64').toString('utf8');
      request = { ...camel(lambda), functionName: task.taskArn };
      break;
    }
    case 'STEP_FUNCTIONS':
      request = { ...camel(p.StepFunctions ?? {}), stateMachineArn: task.taskArn };
      break;
  }
  return JSON.stringify(substituteDeep(sorted(request), values));
}

/**
 * GetMaintenanceWindowExecutionTask's TaskParameters: one map of the task's parameters as `{Values}`.
 * For Run Command, AWS fills it also for tasks registered with TaskInvocationParameters, and adds
 * `aws:InstanceId` with every instance the task execution targets (the user guide's CLI walkthrough,
 * mw-cli-tutorial-task-info: `[{"aws:InstanceId": {"Values": ["i-02573cafcfEXAMPLE"]}, "commands":
 * {"Values": ["df"]}}]`). Other task types return the deprecated TaskParameters they were registered
 * with, if any: AWS documents that they ignore them, and no sample shows more. `plan` is undefined for a
 * task that has not started (its instances are not resolved yet).
 */
export function executionTaskParameters(task: TaskExecution, plan: PlanItem[] | undefined): Record<string, ParameterValues>[] {
  const legacy = task.taskParameters ?? {};
  if (task.taskType !== 'RUN_COMMAND') return Object.keys(legacy).length > 0 ? [legacy] : [];
  const registered = task.invocationParameters?.RunCommand?.Parameters as Record<string, string[]> | undefined;
  const parameters: Record<string, ParameterValues> = registered
    ? Object.fromEntries(Object.entries(registered).map(([name, values]) => [name, { Values: values }]))
    : { ...legacy };
  const instanceIds = [...new Set(plan?.flatMap((item) => item.resourceIds) ?? [])];
  if (instanceIds.length > 0) parameters['aws:InstanceId'] = { Values: instanceIds };
  return Object.keys(parameters).length > 0 ? [sorted(parameters) as Record<string, ParameterValues>] : [];
}
