// Assertions on AWS errors as the SDK surfaces them.

import assert from 'node:assert/strict';

interface SdkError {
  name: string;
  message: string;
  $metadata?: { httpStatusCode?: number };
}

/** Awaits `promise`, expecting it to fail with the named AWS error (and message, when given). */
export async function rejectsWith(promise: Promise<unknown>, name: string, message?: string | RegExp, status = 400): Promise<SdkError> {
  let caught: SdkError | undefined;
  try {
    await promise;
  } catch (error) {
    caught = error as SdkError;
  }
  assert.ok(caught, `expected ${name} but the call succeeded`);
  assert.equal(caught.name, name, `expected ${name}, got ${caught.name}: ${caught.message}`);
  if (typeof message === 'string') assert.equal(caught.message, message);
  else if (message) assert.match(caught.message, message);
  assert.equal(caught.$metadata?.httpStatusCode, status);
  return caught;
}
