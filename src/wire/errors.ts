// How a failure becomes an AWS JSON 1.1 error response: `{"__type": ..., "message": ...}` with 400 for
// client faults and 500 for server faults. Framework errors (validation, serialization, routing) use
// `message`, modelled service errors `Message`, as AWS does; both SDKs read either.

import { ServiceError } from '../domain/errors.ts';

export const FRAMEWORK_ERRORS = new Set([
  'ValidationException',
  'SerializationException',
  'UnknownOperationException',
  'RequestEntityTooLargeException',
  'InternalFailure',
  // Authentication, answered by AWS's front end before the service (seen: {"__type":"InvalidSignatureException","message":...}).
  'MissingAuthenticationTokenException',
  'IncompleteSignatureException',
  'InvalidSignatureException',
  'UnrecognizedClientException',
]);

export interface ErrorResponse {
  status: number;
  body: Record<string, string>;
}

export function errorResponse(code: string, message: string, status = 400): ErrorResponse {
  const key = FRAMEWORK_ERRORS.has(code) ? 'message' : 'Message';
  // AWS sends no message member at all when it has nothing to say (e.g. a body that is not an object).
  return { status, body: message === '' ? { __type: code } : { __type: code, [key]: message } };
}

/** Any thrown value as an error response; unexpected ones become a 500 without internals. */
export function toErrorResponse(error: unknown, onUnexpected: (error: unknown) => void): ErrorResponse {
  if (error instanceof ServiceError) {
    return errorResponse(error.code, error.message, error.fault === 'server' ? 500 : 400);
  }
  onUnexpected(error);
  return errorResponse('InternalServerError', 'An internal error occurred. The request id has been logged.', 500);
}
