// RegisterTaskWithMaintenanceWindow, UpdateMaintenanceWindowTask, GetMaintenanceWindowTask,
// DeregisterTaskFromMaintenanceWindow, DescribeMaintenanceWindowTasks.

import type { InvocationParameters, WindowTask } from '../domain/model.ts';
import type { TaskFields, TaskService } from '../service/tasks.ts';
import type { Handler } from '../wire/api.ts';
import type { MaintenanceWindowTaskInvocationParameters, RegisterTaskWithMaintenanceWindowRequest } from '../wire/generated/types.ts';
import { filtersIn, startingToken, targetsIn, targetsOut } from './mapping.ts';

type TaskMembers = Omit<RegisterTaskWithMaintenanceWindowRequest, 'WindowId' | 'TaskType' | 'TaskArn' | 'ClientToken'> & { TaskArn?: string };

function taskFieldsIn(input: TaskMembers): Omit<TaskFields, 'taskType' | 'taskArn'> & { taskArn?: string } {
  return {
    taskArn: input.TaskArn,
    targets: targetsIn(input.Targets),
    serviceRoleArn: input.ServiceRoleArn,
    taskParameters: input.TaskParameters,
    invocationParameters: input.TaskInvocationParameters as InvocationParameters | undefined,
    priority: input.Priority,
    maxConcurrency: input.MaxConcurrency,
    maxErrors: input.MaxErrors,
    loggingInfo: input.LoggingInfo,
    name: input.Name,
    description: input.Description,
    cutoffBehavior: input.CutoffBehavior,
    alarmConfiguration: input.AlarmConfiguration,
  };
}

// Members shared by Get, Update and the Describe item. TaskParameters is always present, `{}` when
// none were given, as AWS's responses show (SPEC 1.2).
function taskFieldsOut(task: WindowTask) {
  return {
    WindowId: task.windowId,
    WindowTaskId: task.id,
    Targets: targetsOut(task.targets),
    TaskArn: task.taskArn,
    ServiceRoleArn: task.serviceRoleArn,
    TaskParameters: task.taskParameters ?? {},
    Priority: task.priority,
    MaxConcurrency: task.maxConcurrency,
    MaxErrors: task.maxErrors,
    LoggingInfo: task.loggingInfo,
    Name: task.name,
    Description: task.description,
    CutoffBehavior: task.cutoffBehavior,
    AlarmConfiguration: task.alarmConfiguration,
  };
}

function withInvocationParameters(task: WindowTask) {
  return {
    ...taskFieldsOut(task),
    TaskInvocationParameters: task.invocationParameters as MaintenanceWindowTaskInvocationParameters | undefined,
  };
}

export function taskHandlers(tasks: TaskService) {
  const RegisterTaskWithMaintenanceWindow: Handler<'RegisterTaskWithMaintenanceWindow'> = async (input, { scope }) => ({
    WindowTaskId: await tasks.register(scope, {
      ...taskFieldsIn(input),
      windowId: input.WindowId,
      taskArn: input.TaskArn,
      taskType: input.TaskType,
      clientToken: input.ClientToken,
    }),
  });

  const UpdateMaintenanceWindowTask: Handler<'UpdateMaintenanceWindowTask'> = async (input, { scope }) =>
    withInvocationParameters(
      await tasks.update(scope, {
        ...taskFieldsIn(input),
        windowId: input.WindowId,
        taskId: input.WindowTaskId,
        replace: input.Replace,
      }),
    );

  const GetMaintenanceWindowTask: Handler<'GetMaintenanceWindowTask'> = async (input, { scope }) => {
    const task = await tasks.get(scope, input.WindowId, input.WindowTaskId);
    return { ...withInvocationParameters(task), TaskType: task.taskType };
  };

  const DeregisterTaskFromMaintenanceWindow: Handler<'DeregisterTaskFromMaintenanceWindow'> = async (input, { scope }) => {
    await tasks.deregister(scope, input.WindowId, input.WindowTaskId);
    return { WindowId: input.WindowId, WindowTaskId: input.WindowTaskId };
  };

  const DescribeMaintenanceWindowTasks: Handler<'DescribeMaintenanceWindowTasks'> = async (input, { scope }) => {
    const page = await tasks.list(scope, input.WindowId, {
      filters: filtersIn(input.Filters),
      maxResults: input.MaxResults,
      nextToken: startingToken(input.NextToken),
    });
    // The Describe item names the task type `Type` and carries no TaskInvocationParameters (model).
    return { Tasks: page.tasks.map((task) => ({ ...taskFieldsOut(task), Type: task.taskType })), NextToken: page.nextToken };
  };

  return { RegisterTaskWithMaintenanceWindow, UpdateMaintenanceWindowTask, GetMaintenanceWindowTask, DeregisterTaskFromMaintenanceWindow, DescribeMaintenanceWindowTasks };
}
