// DescribeMaintenanceWindowExecutions, GetMaintenanceWindowExecution, DescribeMaintenanceWindowExecutionTasks,
// GetMaintenanceWindowExecutionTask, DescribeMaintenanceWindowExecutionTaskInvocations,
// GetMaintenanceWindowExecutionTaskInvocation. Only what the model shows leaves here: the engine's own
// bookkeeping on these records (plans, counters, planned outcomes) never does. `TaskId` in these requests is
// a task *execution* id (the seed's sample: TaskId equals the TaskExecutionId it returns).

import type { Invocation, TaskExecution, WindowExecution } from '../domain/execution.ts';
import type { Scope } from '../domain/model.ts';
import type { HistoryService } from '../service/history.ts';
import type { Shared } from '../service/ports.ts';
import type { Handler } from '../wire/api.ts';
import type { MaintenanceWindowExecutionTaskInvocationIdentity } from '../wire/generated/types.ts';
import { RecordTexts } from '../wire/json-text.ts';
import { filtersIn, seconds, startingToken } from './mapping.ts';

function optionalSeconds(ms: number | undefined): number | undefined {
  return ms === undefined ? undefined : seconds(ms);
}

function executionStatus(record: { status: WindowExecution['status']; statusDetails?: string; startTime?: number; endTime?: number }) {
  return {
    Status: record.status,
    StatusDetails: record.statusDetails,
    StartTime: optionalSeconds(record.startTime),
    EndTime: optionalSeconds(record.endTime),
  };
}

// Members common to the Describe item and the Get output.
function taskExecutionFields(task: TaskExecution) {
  return {
    WindowExecutionId: task.windowExecutionId,
    TaskExecutionId: task.id,
    TaskArn: task.taskArn,
    ...executionStatus(task),
    AlarmConfiguration: task.alarmConfiguration,
    // The model's list holds 1..1 entries: an empty list is no list.
    TriggeredAlarms: task.triggeredAlarms !== undefined && task.triggeredAlarms.length > 0 ? task.triggeredAlarms : undefined,
  };
}

function invocationFields(invocation: Invocation): MaintenanceWindowExecutionTaskInvocationIdentity {
  return {
    WindowExecutionId: invocation.windowExecutionId,
    TaskExecutionId: invocation.taskExecutionId,
    InvocationId: invocation.id,
    ExecutionId: invocation.executionId,
    TaskType: invocation.taskType,
    Parameters: invocation.parameters,
    ...executionStatus(invocation),
    OwnerInformation: invocation.ownerInformation,
    WindowTargetId: invocation.windowTargetId,
  };
}

export function historyHandlers(history: HistoryService) {
  // Serialized once per invocation and version: a page of a finished task is the same text on every call
  // (wire/json-text.ts); the answer's serializer splices the texts in.
  const invocationTexts = new RecordTexts<MaintenanceWindowExecutionTaskInvocationIdentity>();
  const invocationJson = (scope: Scope, invocation: Shared<Invocation>) => invocationTexts.text(scope, invocation, () => invocationFields(invocation));

  const DescribeMaintenanceWindowExecutions: Handler<'DescribeMaintenanceWindowExecutions'> = async (input, { scope }) => {
    const page = await history.listExecutions(scope, input.WindowId, {
      filters: filtersIn(input.Filters),
      maxResults: input.MaxResults,
      nextToken: startingToken(input.NextToken),
    });
    return {
      WindowExecutions: page.executions.map((execution) => ({
        WindowId: execution.windowId,
        WindowExecutionId: execution.id,
        ...executionStatus(execution),
      })),
      NextToken: page.nextToken,
    };
  };

  const GetMaintenanceWindowExecution: Handler<'GetMaintenanceWindowExecution'> = async (input, { scope }) => {
    const { execution, taskExecutionIds } = await history.getExecution(scope, input.WindowExecutionId);
    return {
      WindowExecutionId: execution.id,
      TaskIds: taskExecutionIds,
      ...executionStatus(execution),
    };
  };

  const DescribeMaintenanceWindowExecutionTasks: Handler<'DescribeMaintenanceWindowExecutionTasks'> = async (input, { scope }) => {
    const page = await history.listTaskExecutions(scope, input.WindowExecutionId, {
      filters: filtersIn(input.Filters),
      maxResults: input.MaxResults,
      nextToken: startingToken(input.NextToken),
    });
    return {
      WindowExecutionTaskIdentities: page.taskExecutions.map((task) => ({
        ...taskExecutionFields(task),
        TaskType: task.taskType,
      })),
      NextToken: page.nextToken,
    };
  };

  const GetMaintenanceWindowExecutionTask: Handler<'GetMaintenanceWindowExecutionTask'> = async (input, { scope }) => {
    const task = await history.getTaskExecution(scope, input.WindowExecutionId, input.TaskId);
    return {
      ...taskExecutionFields(task),
      ServiceRole: task.serviceRole,
      Type: task.taskType,
      // One map of parameters, with aws:InstanceId for Run Command (domain/invocation-parameters.ts).
      TaskParameters: await history.taskParametersOf(scope, task),
      Priority: task.priority,
      MaxConcurrency: task.maxConcurrency,
      MaxErrors: task.maxErrors,
    };
  };

  const DescribeMaintenanceWindowExecutionTaskInvocations: Handler<'DescribeMaintenanceWindowExecutionTaskInvocations'> = async (input, { scope }) => {
    const page = await history.listInvocations(scope, input.WindowExecutionId, input.TaskId, {
      filters: filtersIn(input.Filters),
      maxResults: input.MaxResults,
      nextToken: startingToken(input.NextToken),
    });
    return {
      WindowExecutionTaskInvocationIdentities: page.invocations.map((invocation) => invocationJson(scope, invocation)),
      NextToken: page.nextToken,
    };
  };

  const GetMaintenanceWindowExecutionTaskInvocation: Handler<'GetMaintenanceWindowExecutionTaskInvocation'> = async (input, { scope }) =>
    invocationJson(scope, await history.getInvocation(scope, input.WindowExecutionId, input.TaskId, input.InvocationId));

  return {
    DescribeMaintenanceWindowExecutions,
    GetMaintenanceWindowExecution,
    DescribeMaintenanceWindowExecutionTasks,
    GetMaintenanceWindowExecutionTask,
    DescribeMaintenanceWindowExecutionTaskInvocations,
    GetMaintenanceWindowExecutionTaskInvocation,
  };
}
