// LAMBDA and STEP_FUNCTIONS invocations sent to a real endpoint: what each invocation asks of the remote
// service (read back from its recorded Parameters, pseudo parameters already substituted), and how the
// service's answer becomes the invocation's status and StatusDetails. Pure: the calls themselves are made
// by runtime/task-runners/remote-task-runner.ts.
//
// AWS documents ExecutionId only as "the ID of the action performed in the service that actually handled
// the task invocation"; for Step Functions that action is the execution, so its ARN is the ExecutionId
// [I]. Lambda's request id is known only once Invoke answers, after the invocation was recorded: the
// ExecutionId stays the invocation's own id and the request id is in StatusDetails [I].

/** StatusDetails' length limit (MaintenanceWindowExecutionStatusDetails: 0 to 250). */
const STATUS_DETAILS_MAX = 250;

export type RemoteStatus = 'SUCCESS' | 'FAILED' | 'TIMED_OUT';

export interface RemoteOutcome {
  status: RemoteStatus;
  statusDetails: string;
}

/** Invoke's input as the invocation recorded it (MaintenanceWindowLambdaParameters, text payload). */
export interface LambdaCall {
  functionName: string;
  payload?: string;
  clientContext?: string;
  qualifier?: string;
}

/** StartExecution's input as the invocation recorded it (MaintenanceWindowStepFunctionsParameters). */
export interface StepFunctionsCall {
  stateMachineArn: string;
  input?: string;
  /** The task's Name, or one chosen for the invocation when it has none (the name makes the ARN). */
  name: string;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

export function lambdaCall(parameters: string): LambdaCall {
  const p = JSON.parse(parameters) as Record<string, unknown>;
  return { functionName: String(p.functionName), payload: text(p.payload), clientContext: text(p.clientContext), qualifier: text(p.qualifier) };
}

/** `defaultName`: the execution's name when the task gives none (AWS would pick a UUID). */
export function stepFunctionsCall(parameters: string, defaultName: string): StepFunctionsCall {
  const p = JSON.parse(parameters) as Record<string, unknown>;
  return { stateMachineArn: String(p.stateMachineArn), input: text(p.input), name: text(p.name) || defaultName };
}

const STATE_MACHINE_ARN = /^(arn:[^:]+:states:[^:]*:[^:]*:)stateMachine:([^:]+)$/;

/**
 * The ARN StartExecution gives the execution of `call`: arn:...:execution:<state machine>:<name>. Known
 * before the call is sent, so the invocation records it as its ExecutionId with its start, and a restart
 * finds the execution again by it. Undefined when TaskArn is not a state machine's ARN (the call fails).
 */
export function executionArnOf(call: StepFunctionsCall): string | undefined {
  const match = STATE_MACHINE_ARN.exec(call.stateMachineArn);
  return match ? `${match[1]}execution:${match[2]}:${call.name}` : undefined;
}

/** Text cut to StatusDetails' limit. */
export function details(words: string): string {
  return words.length <= STATUS_DETAILS_MAX ? words : `${words.slice(0, STATUS_DETAILS_MAX - 3)}...`;
}

/** Invoke's answer: FunctionError (Handled or Unhandled) fails the invocation with the function's payload. */
export function lambdaOutcome(answer: { statusCode?: number; functionError?: string; requestId?: string; payload?: string }): RemoteOutcome {
  const request = answer.requestId ? `, RequestId ${answer.requestId}` : '';
  if (answer.functionError) return { status: 'FAILED', statusDetails: details(`FunctionError ${answer.functionError}${request}: ${answer.payload ?? ''}`) };
  return { status: 'SUCCESS', statusDetails: details(`StatusCode ${answer.statusCode ?? 200}${request}: ${answer.payload ?? ''}`) };
}

/** DescribeExecution's status: undefined while the execution runs (RUNNING, PENDING_REDRIVE). */
export function executionOutcome(answer: { status?: string; output?: string; error?: string; cause?: string }): RemoteOutcome | undefined {
  switch (answer.status) {
    case 'SUCCEEDED':
      return { status: 'SUCCESS', statusDetails: details(`SUCCEEDED: ${answer.output ?? ''}`) };
    case 'FAILED':
      return { status: 'FAILED', statusDetails: details(['FAILED', answer.error, answer.cause].filter(Boolean).join(': ')) };
    case 'TIMED_OUT':
      return { status: 'TIMED_OUT', statusDetails: details(['TIMED_OUT', answer.error, answer.cause].filter(Boolean).join(': ')) };
    case 'ABORTED':
      return { status: 'FAILED', statusDetails: details(['ABORTED', answer.error, answer.cause].filter(Boolean).join(': ')) };
    default:
      return undefined;
  }
}

/**
 * A call the remote service refused or never answered (an unknown function or state machine, throttling
 * after the SDK's retries, an endpoint that is down): FAILED with the error's own words.
 */
export function errorOutcome(error: unknown, endpoint: string): RemoteOutcome {
  const e = error as { name?: string; message?: string; code?: string; $metadata?: { httpStatusCode?: number } };
  const name = e?.name && e.name !== 'Error' ? e.name : undefined;
  const message = e?.message ?? String(error);
  // No HTTP answer at all: the endpoint could not be reached (ECONNREFUSED, a DNS failure, a timeout).
  if (!e?.$metadata?.httpStatusCode && !name?.endsWith('Exception')) {
    return { status: 'FAILED', statusDetails: details(`Endpoint ${endpoint} unreachable: ${[name ?? e?.code, message].filter(Boolean).join(': ')}`) };
  }
  return { status: 'FAILED', statusDetails: details(`${name ?? 'Error'}: ${message}`) };
}

/**
 * A Lambda invocation found running after a restart or a takeover, with no answer recorded: Invoke may or
 * may not have reached the function, and Lambda offers no way to ask. It is not sent twice: it fails.
 */
export const LAMBDA_ANSWER_LOST = details('The service stopped before Lambda\'s answer to Invoke was recorded; whether the function ran is unknown, and it was not invoked again');
