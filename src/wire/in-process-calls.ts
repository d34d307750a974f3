// This service's own API called from inside it (an Automation step's aws:executeAwsApi on ssm, aws:createTags
// on managed instances): the same model check as a request over the wire (validate.ts), then the
// operation's handler in the caller's account and Region, the answer as the JSON a client would read.
// A refusal throws a ServiceError with the words the wire would send.

import { ServiceError } from '../domain/errors.ts';
import type { Scope } from '../domain/model.ts';
import type { Handler, Handlers } from './api.ts';
import { type OperationName, operationNames } from './generated/shapes.ts';
import { checkInput } from './validate.ts';

/** Calls `operation` with `input` as `scope`; answers its output as plain JSON. */
export type InProcessCall = (scope: Scope, operation: string, input: unknown) => Promise<Record<string, unknown>>;

const known = new Set<string>(operationNames);
let sequence = 0;

export function inProcessCaller(handlers: Handlers): InProcessCall {
  const served = new Map(Object.entries(handlers) as [OperationName, Handler<OperationName>][]);
  return async (scope, operation, input) => {
    if (!known.has(operation)) throw new ServiceError('UnknownOperationException', `Unknown operation AmazonSSM.${operation}.`);
    const check = checkInput(operation as OperationName, input);
    if (!check.ok) throw new ServiceError(check.code, check.message);
    const handler = served.get(operation as OperationName);
    if (!handler) throw new ServiceError('UnknownOperationException', `${operation} is not served by this service yet; see docs/coverage.md.`);
    const answer = await handler(check.input as never, { scope, requestId: `in-process-${++sequence}` });
    // As a client reads it: texts already serialized (JsonText) become values again.
    return JSON.parse(JSON.stringify(answer ?? {})) as Record<string, unknown>;
  };
}
