// Which task types run on a real endpoint: LAMBDA and STEP_FUNCTIONS each get the remote runner when the
// SDK's endpoint configuration names an endpoint for their service (service/aws-endpoints.ts); the others
// stay with the simulated runner, and the service says which at start.

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
  /** Task types (of LAMBDA, STEP_FUNCTIONS and AUTOMATION) that stay simulated. */
  simulated: TaskType[];
}

export function remoteRunners(env: Record<string, string | undefined>, options: Omit<RemoteTaskRunnerOptions, 'calls'> & { metrics?: RemoteCallMetrics }): RemoteRunners {
  const endpoints = awsEndpointsFrom(env);
  const simulated: TaskType[] = ['AUTOMATION'];
  if (!endpoints.lambda && !endpoints.stepFunctions) return { runners: {}, endpoints: {}, simulated: [...simulated, 'LAMBDA', 'STEP_FUNCTIONS'] };
  // One runner for both: one set of clients, one stop.
  const runner = new RemoteTaskRunner({ ...options, calls: new SdkRemoteCalls(endpoints) });
  const runners: Partial<Record<TaskType, TaskRunner>> = {};
  const where: Partial<Record<TaskType, string>> = {};
  if (endpoints.lambda) {
    runners.LAMBDA = runner;
    where.LAMBDA = endpoints.lambda;
  } else simulated.push('LAMBDA');
  if (endpoints.stepFunctions) {
    runners.STEP_FUNCTIONS = runner;
    where.STEP_FUNCTIONS = endpoints.stepFunctions;
  } else simulated.push('STEP_FUNCTIONS');
  return { runners, endpoints: where, simulated };
}
