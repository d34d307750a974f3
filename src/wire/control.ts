// This service's own routes under /_mw/, for what the AWS API cannot express. JSON in and out.

import type { ControlHandler } from './http-server.ts';

export function createControlHandler(): ControlHandler {
  return async (request) => {
    if (request.path === '/_mw/health' && request.method === 'GET') {
      return { status: 200, body: { status: 'ok' } };
    }
    return undefined;
  };
}
