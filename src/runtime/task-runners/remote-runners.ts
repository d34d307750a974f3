// Which task types run on a real endpoint: LAMBDA and STEP_FUNCTIONS each get the remote runner when the
// SDK's endpoint configuration names an endpoint for their service (service/aws-endpoints.ts); the task
// types no runner takes stay with the simulated runner, and the service says which at start.

import type { TaskType } from '../../domain/model.ts';
import { awsEndpointsFrom } from '../../service/aws-endpoints.ts';
import type { RemoteCallMetrics } from '../metrics.ts';
import { SdkRemoteCalls } from './remote-clients.ts';
import { RemoteTaskRunner, type RemoteTaskRunnerOptions } from './remote-task-runner.ts';
import type { TaskRunner } from './task-runner.ts';

export interface RemoteRunners {
  /** The runners of the task types with an endpoint. */
  runners: Partial<Record<TaskType, TaskRunner>>;
  /** Where each remote task type's calls go. */
  endpoints: Partial<Record<TaskType, string>>;
}

export function remoteRunners(env: Record<string, string | undefined>, options: Omit<RemoteTaskRunnerOptions, 'calls'> & { metrics?: RemoteCallMetrics }): RemoteRunners {
  const endpoints = awsEndpointsFrom(env);
  if (!endpoints.lambda && !endpoints.stepFunctions) return { runners: {}, endpoints: {} };
  // One runner for both: one set of clients, one stop.
  const runner = new RemoteTaskRunner({ ...options, calls: new SdkRemoteCalls(endpoints) });
  const runners: Partial<Record<TaskType, TaskRunner>> = {};
  const where: Partial<Record<TaskType, string>> = {};
  if (endpoints.lambda) {
    runners.LAMBDA = runner;
    where.LAMBDA = endpoints.lambda;
  }
  if (endpoints.stepFunctions) {
    runners.STEP_FUNCTIONS = runner;
    where.STEP_FUNCTIONS = endpoints.stepFunctions;
  }
  return { runners, endpoints: where };
}

/** The task types no runner of their own takes (the simulated fallback runs them), for the start-up line. */
export function simulatedTaskTypes(runners: Partial<Record<TaskType, TaskRunner>>): TaskType[] {
  return (['RUN_COMMAND', 'AUTOMATION', 'LAMBDA', 'STEP_FUNCTIONS'] as const).filter((type) => !runners[type]);
}
