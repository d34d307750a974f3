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

// A state machine's ARN, or one of its versions' or aliases' (their executions are named after the machine).
const STATE_MACHINE_ARN = /^(arn:[^:]+:states:[^:]*:[^:]*:)stateMachine:([^:]+)(?::[^:]+)?$/;

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
  // The first line: the SDK adds hints of its own on the next ones (how to inspect a raw response).
  const message = (e?.message ?? String(error)).split('\n')[0].trim();
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

// ---- the remote call's lifecycle, as a pure state machine: next(state, event) -> { state, effects }. The
// runner performs each effect and feeds back the event it produced, one at a time.

/** Invoke's answer. */
export interface LambdaAnswer {
  statusCode?: number;
  functionError?: string;
  requestId?: string;
  payload?: string;
}

/** DescribeExecution's answer. */
export interface ExecutionState {
  status?: string;
  output?: string;
  error?: string;
  cause?: string;
}

export type RemoteCallState =
  /** Recorded IN_PROGRESS; nothing sent yet. `resumed`: found so after a restart or a takeover. */
  | { phase: 'recorded'; taskType: 'LAMBDA' | 'STEP_FUNCTIONS'; resumed: boolean }
  /** Invoke sent, its answer awaited. */
  | { phase: 'invoking' }
  /** After a restart: does the endpoint know the execution already? */
  | { phase: 'checking' }
  /** StartExecution sent. */
  | { phase: 'starting' }
  /** The execution exists; described every poll. `failures`: describe calls in a row that failed. */
  | { phase: 'following'; failures: number }
  /** The end is known (and recorded by the effect that came with it). */
  | { phase: 'ended'; outcome: RemoteOutcome }
  /** The invocation ended without it (the window's end): nothing more to do or record. */
  | { phase: 'dropped' };

export type RemoteCallEvent =
  /** The step that recorded the invocation committed, or the invocation was taken back after a restart. */
  | { kind: 'go' }
  | { kind: 'lambda-answered'; answer: LambdaAnswer }
  | { kind: 'execution-started' }
  /** DescribeExecution's answer; undefined: the endpoint knows no such execution. */
  | { kind: 'execution-described'; state: ExecutionState | undefined }
  /** A call failed: refused by the endpoint, or no answer at all. */
  | { kind: 'call-failed'; error: unknown; endpoint: string }
  /** The invocation is no longer running (seen before a describe). */
  | { kind: 'invocation-ended' };

export type RemoteCallEffect =
  | { kind: 'invoke' }
  | { kind: 'start-execution' }
  /** `afterPoll`: wait a poll interval first (and check the invocation still runs). */
  | { kind: 'describe-execution'; afterPoll: boolean }
  | { kind: 'record'; outcome: RemoteOutcome };

export interface RemoteTransition {
  state: RemoteCallState;
  effects: RemoteCallEffect[];
}

/** Describe calls in a row that may fail while an execution is followed before the invocation fails. */
export const FOLLOW_FAILURES = 5;

const ended = (outcome: RemoteOutcome): RemoteTransition => ({ state: { phase: 'ended', outcome }, effects: [{ kind: 'record', outcome }] });
const poll = (failures: number): RemoteTransition => ({ state: { phase: 'following', failures }, effects: [{ kind: 'describe-execution', afterPoll: true }] });

function described(state: ExecutionState | undefined, executionArn: string): RemoteTransition {
  if (!state) return ended({ status: 'FAILED', statusDetails: details(`ExecutionDoesNotExist: ${executionArn}`) });
  const outcome = executionOutcome(state);
  return outcome ? ended(outcome) : poll(0);
}

/** The next state of a remote call on `event`; an event that does not apply leaves it as it is, with no effect. */
export function nextRemote(state: RemoteCallState, event: RemoteCallEvent, executionArn = ''): RemoteTransition {
  const same: RemoteTransition = { state, effects: [] };
  if (state.phase === 'ended' || state.phase === 'dropped') return same;
  if (event.kind === 'invocation-ended') return { state: { phase: 'dropped' }, effects: [] };
  switch (state.phase) {
    case 'recorded':
      if (event.kind !== 'go') return same;
      if (state.taskType === 'LAMBDA') return { state: { phase: 'invoking' }, effects: [{ kind: 'invoke' }] };
      return state.resumed
        ? { state: { phase: 'checking' }, effects: [{ kind: 'describe-execution', afterPoll: false }] }
        : { state: { phase: 'starting' }, effects: [{ kind: 'start-execution' }] };
    case 'invoking':
      if (event.kind === 'lambda-answered') return ended(lambdaOutcome(event.answer));
      if (event.kind === 'call-failed') return ended(errorOutcome(event.error, event.endpoint));
      return same;
    case 'checking':
      // Unknown to the endpoint: the crash came before StartExecution reached it; send it now.
      if (event.kind === 'execution-described') return event.state ? described(event.state, executionArn) : { state: { phase: 'starting' }, effects: [{ kind: 'start-execution' }] };
      if (event.kind === 'call-failed') return poll(1);
      return same;
    case 'starting':
      if (event.kind === 'execution-started') return poll(0);
      if (event.kind === 'call-failed') return ended(errorOutcome(event.error, event.endpoint));
      return same;
    case 'following':
      if (event.kind === 'execution-described') return described(event.state, executionArn);
      if (event.kind === 'call-failed') return state.failures + 1 >= FOLLOW_FAILURES ? ended(errorOutcome(event.error, event.endpoint)) : poll(state.failures + 1);
      return same;
  }
}
