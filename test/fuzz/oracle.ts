// What every answer must be, whatever was sent: never a 5xx, never silence; errors are AWS-shaped JSON
// (`__type`, and `message`/`Message` strings) naming an error the model lists for the operation or one
// the AWS front end itself sends; input the model forbids is refused before any handler sees it; and a
// 200 carries exactly the operation's output shape.

import { operations, type OperationName } from '../../src/wire/generated/shapes.ts';
import type { Answer } from './http-client.ts';
import type { Expect } from './mutations.ts';
import { outputProblems } from './output-check.ts';

export interface Finding {
  kind: string;
  detail: string;
  /** Enough to send the same request again by hand. */
  reproducer: string;
  /** The case's number in its run: `--seed S --requests at+1` replays the run up to it. */
  at?: number;
}

/** Errors the AWS JSON front end sends for any operation (not in the model's per-operation lists). */
export const COMMON_ERRORS = new Set([
  'ValidationException', 'SerializationException', 'UnknownOperationException', 'AccessDeniedException',
  'ThrottlingException', 'MissingAuthenticationTokenException', 'InvalidSignatureException', 'IncompleteSignature',
  'RequestEntityTooLargeException',
]);
/** What the HTTP layer answers to requests it cannot parse as HTTP (http-server.ts). */
export const PROTOCOL_ERRORS = new Set(['BadRequest', 'RequestHeaderFieldsTooLarge', 'RequestTimeout', 'ExpectationFailed', 'MethodNotAllowed', 'NotFound']);
/** The control API's own error names (control.ts). */
export const CONTROL_ERRORS = new Set(['ValidationException', 'DoesNotExistException', 'ClockNotManual', 'NotFound', 'MethodNotAllowed', 'RequestEntityTooLargeException']);
/** Checked before any handler runs: a request the model forbids may only get these. */
const INPUT_ERRORS = new Set(['ValidationException', 'SerializationException', 'RequestEntityTooLargeException']);
/** Never acceptable, even where the model lists them: they are 5xx on AWS. */
const SERVER_ERRORS = new Set(['InternalFailure', 'InternalServerError', 'ServiceUnavailable']);

export function allowedErrors(operation: OperationName): Set<string> {
  return new Set([...COMMON_ERRORS, ...operations[operation].errors].filter((e) => !SERVER_ERRORS.has(e)));
}

const ANY_API_ERROR = new Set([...COMMON_ERRORS, ...PROTOCOL_ERRORS, ...Object.values(operations).flatMap((o) => o.errors)].filter((e) => !SERVER_ERRORS.has(e)));

type Check = (kind: string, detail: string) => void;

/** Parses an error body and checks its shape; returns its __type, or undefined (after reporting). */
function errorName(answer: Answer, check: Check, allowed: Set<string>): string | undefined {
  let body: unknown;
  try {
    body = JSON.parse(answer.body);
  } catch {
    check('error body is not JSON', `HTTP ${answer.status}: ${answer.body.slice(0, 200)}`);
    return undefined;
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    check('error body is not an object', `HTTP ${answer.status}: ${answer.body.slice(0, 200)}`);
    return undefined;
  }
  const o = body as Record<string, unknown>;
  if (typeof o.__type !== 'string' || o.__type === '') {
    check('error without __type', `HTTP ${answer.status}: ${answer.body.slice(0, 200)}`);
    return undefined;
  }
  for (const [k, v] of Object.entries(o)) {
    if (k === '__type') continue;
    if ((k !== 'message' && k !== 'Message') || typeof v !== 'string') check('error body has other members', `${k}: ${JSON.stringify(v)?.slice(0, 80)}`);
  }
  if (o.__type === 'ValidationException' && typeof o.message !== 'string') check('ValidationException without a message', answer.body.slice(0, 200));
  if (!allowed.has(o.__type)) check('error name not allowed here', `${o.__type} (HTTP ${answer.status}): ${String(o.message ?? o.Message ?? '').slice(0, 160)}`);
  return o.__type;
}

function common(answer: Answer, check: Check, needsAnswer: boolean): boolean {
  if (answer.status === 0) {
    if (needsAnswer) check('no answer', answer.failure ?? 'closed');
    return false;
  }
  if (answer.status >= 500) {
    check('5xx answer', `HTTP ${answer.status}: ${answer.body.slice(0, 200)}`);
    return false;
  }
  if (!/json/.test(String(answer.headers['content-type'] ?? ''))) check('answer is not JSON', `HTTP ${answer.status} content-type ${answer.headers['content-type']}`);
  if (!answer.headers['x-amzn-requestid']) check('answer without x-amzn-requestid', `HTTP ${answer.status}`);
  return true;
}

/** How much of an answer to expect: `needsAnswer` false when the client broke off itself; `headersOnly` for HEAD. */
export interface AnswerKind {
  needsAnswer?: boolean;
  headersOnly?: boolean;
}

export function checkApi(operation: OperationName | undefined, expect: Expect, answer: Answer, check: Check, kind: AnswerKind = {}): unknown {
  if (!common(answer, check, kind.needsAnswer ?? true) || kind.headersOnly) return undefined;
  if (answer.status >= 400) {
    // Without a known operation (raw requests), any operation's errors may come back.
    const name = errorName(answer, check, operation ? allowedErrors(operation) : ANY_API_ERROR);
    if (expect === 'reject' && name && !INPUT_ERRORS.has(name)) check('input the model forbids reached a handler', `answered ${name}`);
    return undefined;
  }
  if (expect === 'reject') check('input the model forbids was accepted', `HTTP ${answer.status}`);
  let body: unknown;
  try {
    body = JSON.parse(answer.body);
  } catch {
    check('200 body is not JSON', answer.body.slice(0, 200));
    return undefined;
  }
  if (operation) for (const p of outputProblems(operations[operation].output, body)) check('200 body does not fit the output shape', p);
  return body;
}

export function checkControl(expect: Expect, answer: Answer, check: Check, kind: AnswerKind = {}): unknown {
  if (!common(answer, check, kind.needsAnswer ?? true) || kind.headersOnly) return undefined;
  if (answer.status >= 400) {
    const name = errorName(answer, check, new Set([...CONTROL_ERRORS, ...PROTOCOL_ERRORS]));
    if (name && (name === 'ValidationException' || name === 'ClockNotManual') && typeof JSON.parse(answer.body).message !== 'string') check('control error without a message', answer.body);
    return undefined;
  }
  if (expect === 'reject') check('control route accepted a bad request', `HTTP ${answer.status}: ${answer.body.slice(0, 160)}`);
  try {
    return JSON.parse(answer.body);
  } catch {
    check('control answer is not JSON', answer.body.slice(0, 200));
    return undefined;
  }
}

/** The clock's state as the control API shows it: a real instant, the same in both forms. */
export function checkClockState(body: unknown, check: Check): void {
  const state = body as { mode?: unknown; now?: unknown; epochMillis?: unknown };
  if (state?.mode !== 'manual' && state?.mode !== 'system') check('clock state is malformed', JSON.stringify(body));
  else if (typeof state.now !== 'string' || typeof state.epochMillis !== 'number' || Date.parse(state.now) !== state.epochMillis) check('clock state is malformed', JSON.stringify(body));
}

/** A 4xx's JSON with its __type (any name: the agent's protocol and the event routes have no model to list them). */
function anyErrorName(answer: Answer, check: Check): string | undefined {
  try {
    const body = JSON.parse(answer.body) as Record<string, unknown>;
    if (typeof body?.__type === 'string' && body.__type !== '') return body.__type;
  } catch {
    check('error body is not JSON', `HTTP ${answer.status}: ${answer.body.slice(0, 200)}`);
    return undefined;
  }
  check('error without __type', `HTTP ${answer.status}: ${answer.body.slice(0, 200)}`);
  return undefined;
}

/** An agent call's answer: never 5xx, a 4xx with __type, a 200 JSON object; refused when it had to be. */
export function checkAgent(expect: Expect, answer: Answer, check: Check): Record<string, unknown> | undefined {
  if (!common(answer, check, true)) return undefined;
  if (answer.status >= 400) {
    anyErrorName(answer, check);
    return undefined;
  }
  if (expect === 'reject') check('agent call that must be refused was accepted', `HTTP ${answer.status}: ${answer.body.slice(0, 200)}`);
  try {
    const body = JSON.parse(answer.body) as unknown;
    if (typeof body === 'object' && body !== null && !Array.isArray(body)) return body as Record<string, unknown>;
  } catch {
    // reported below
  }
  check('agent answer is not a JSON object', answer.body.slice(0, 200));
  return undefined;
}

/** An event route's answer: a JSON control answer, or (an opened stream) text/event-stream. */
export function checkEvents(expect: Expect, answer: Answer, check: Check, stream: boolean): unknown {
  if (stream && answer.status === 200) {
    if (!/^text\/event-stream/.test(String(answer.headers['content-type'] ?? ''))) check('event stream is not text/event-stream', String(answer.headers['content-type']));
    if (expect === 'reject') check('control route accepted a bad request', `HTTP 200 (event stream): ${answer.body.slice(0, 160)}`);
    return answer.body;
  }
  if (answer.status === 0 || answer.status >= 500) {
    common(answer, check, true);
    return undefined;
  }
  if (answer.status >= 400) {
    if (common(answer, check, true)) anyErrorName(answer, check);
    return undefined;
  }
  return checkControl(expect, answer, check);
}

/** POST / with an X-Amz-Target no operation has: UnknownOperationException, 400, whatever objects inherit. */
export function checkUnknownOperation(answer: Answer, check: Check): void {
  if (!common(answer, check, true)) return;
  let type: unknown;
  try {
    type = (JSON.parse(answer.body) as Record<string, unknown>)?.__type;
  } catch {
    // reported below
  }
  if (answer.status !== 400 || type !== 'UnknownOperationException') check('an operation name from Object.prototype is not UnknownOperationException', `HTTP ${answer.status}: ${answer.body.slice(0, 200)}`);
}
