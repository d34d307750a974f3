// This service's own routes under /_mw/, for what the AWS API cannot express. JSON in and out, with
// the same account/Region partitioning as the AWS API: query parameters `account` and `region`,
// defaulting to the AWS API's defaults.

import { ServiceError, ValidationException } from '../domain/errors.ts';
import type { Scope } from '../domain/model.ts';
import type { ControlService } from '../service/control.ts';
import { decodeMoveClock, decodeNode, decodeOutcomeRules } from './control-decode.ts';
import type { EventRoute } from './event-routes.ts';
import type { ControlHandler, ControlRequest, ControlResponse } from './http-server.ts';
import { DEFAULT_ACCOUNT, DEFAULT_REGION } from './scope.ts';

const STATUS_BY_CODE: Record<string, number> = {
  ValidationException: 400,
  DoesNotExistException: 404,
  NotFound: 404,
  ClockNotManual: 409,
  MissingAuthenticationTokenException: 401,
  IncompleteSignatureException: 401,
  InvalidSignatureException: 403,
  UnrecognizedClientException: 403,
  AccessDeniedException: 403,
};

/**
 * Who calls a control route, when credentials are configured: the account of the key that signed it
 * (SigV4, as for the API) or whose bearer token it carries (wire/control-auth.ts). Undefined: no
 * credentials configured, anyone may call, the account is the query's.
 */
export type ControlAuthenticate = (request: ControlRequest) => Promise<ControlCaller>;

/** An authenticated caller: its key's account and Region, and whether the key is an operator's. */
export type ControlCaller = Scope & { operator: boolean };

/** A request once authenticated: the key's scope rides along to the routes. */
type Authenticated = ControlRequest & { authenticated?: ControlCaller };

/**
 * What concerns the whole service rather than one account (the manual clock every account's windows run
 * on): with --credentials only an operator key may do it; without, anyone may.
 */
function requireOperator(request: Authenticated, what: string): void {
  const caller = request.authenticated;
  if (caller && !caller.operator) {
    throw new ServiceError('AccessDeniedException', `Only an operator key ("operator": true in the --credentials file) may ${what}; this key belongs to account ${caller.account}.`);
  }
}

function scopeFromQuery(request: Authenticated): Scope {
  const { query, authenticated } = request;
  if (authenticated) {
    const asked = query.get('account');
    if (asked !== null && asked !== authenticated.account) {
      throw new ServiceError('AccessDeniedException', `The key used belongs to account ${authenticated.account}, not ${asked}.`);
    }
  }
  const account = authenticated?.account ?? query.get('account') ?? DEFAULT_ACCOUNT;
  const region = query.get('region') ?? authenticated?.region ?? DEFAULT_REGION;
  if (!/^\d{12}$/.test(account)) throw new ValidationException(`account must be 12 digits, got '${account}'.`);
  if (!/^[a-z]{2}(-[a-z]+)+-\d+$/.test(region)) throw new ValidationException(`region '${region}' is not a Region name such as us-east-1.`);
  return { account, region };
}

function json(body: string): unknown {
  if (body.trim() === '') return undefined;
  try {
    return JSON.parse(body);
  } catch {
    throw new ValidationException('The request body is not valid JSON.');
  }
}

const ok = (body: unknown, status = 200): ControlResponse => ({ status, body });

/** A path segment such as a node id, percent-decoded; a malformed escape (`%ZZ`) is the caller's error. */
export function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new ValidationException(`The path segment '${segment}' is not valid percent-encoding.`);
  }
}

/** A GET /metrics request, as the HTTP server passes it. */
export type MetricsRequest = Omit<ControlRequest, 'path' | 'query'>;
export type MetricsAnswer = { status: number; contentType: string; body: string };

/**
 * GET /metrics: the Prometheus text. It counts every account's windows and requests, so with --credentials
 * it takes an operator key, as a bearer token (Prometheus' `authorization` setting) or a SigV4 signature.
 */
export function metricsRoute(text: () => Promise<{ contentType: string; body: string }>, authenticate?: ControlAuthenticate) {
  return async (request: MetricsRequest): Promise<MetricsAnswer> => {
    if (authenticate) {
      const asControl: Authenticated = { ...request, path: '/metrics', query: new URLSearchParams() };
      try {
        requireOperator({ ...asControl, authenticated: await authenticate(asControl) }, 'read the metrics of the whole service');
      } catch (error) {
        const refused = clientRefusal(error);
        return { status: refused.status, contentType: 'application/json', body: JSON.stringify(refused.body) };
      }
    }
    return { status: 200, ...(await text()) };
  };
}

/** A client's error as a control route answers it (status by code); anything else is rethrown, a 500. */
function clientRefusal(error: unknown): ControlResponse {
  if (error instanceof ServiceError && error.fault === 'client') return ok({ __type: error.code, message: error.message }, STATUS_BY_CODE[error.code] ?? 400);
  throw error;
}

type Route = { method: string; pattern: RegExp; run: (request: Authenticated, params: string[]) => Promise<ControlResponse> };

export function createControlHandler(control?: ControlService, authenticate?: ControlAuthenticate, events?: EventRoute[]): ControlHandler {
  const routes: Route[] = [
    { method: 'GET', pattern: /^\/_mw\/health$/, run: async () => ok({ status: 'ok' }) },
    ...(events ?? []).map((route) => ({ ...route, run: (r: Authenticated, params: string[]) => route.run(r, params, () => scopeFromQuery(r)) })),
  ];
  if (control) {
    routes.push(
      {
        method: 'POST', pattern: /^\/_mw\/windows\/([^/]+)\/executions$/,
        run: async (r, [windowId]) => ok({ WindowExecutionId: await control.startExecution(scopeFromQuery(r), windowId) }),
      },
      { method: 'GET', pattern: /^\/_mw\/clock$/, run: async () => ok(control.clockState()) },
      {
        method: 'POST', pattern: /^\/_mw\/clock$/,
        run: async (r) => {
          requireOperator(r, 'move the service clock');
          const body = json(r.body);
          control.requireManualClock(); // 409 on the system clock, whatever the body says
          await control.moveClock(decodeMoveClock(body));
          return ok(control.clockState());
        },
      },
      { method: 'GET', pattern: /^\/_mw\/nodes$/, run: async (r) => ok({ nodes: await control.listNodes(scopeFromQuery(r)) }) },
      {
        method: 'PUT', pattern: /^\/_mw\/nodes\/([^/]+)$/,
        run: async (r, [id]) => {
          const scope = scopeFromQuery(r);
          return ok(await control.putNode(scope, decodeNode(id, json(r.body))));
        },
      },
      {
        method: 'DELETE', pattern: /^\/_mw\/nodes\/([^/]+)$/,
        run: async (r, [id]) => ((await control.deleteNode(scopeFromQuery(r), id))
          ? ok({ deleted: id })
          : ok({ __type: 'NotFound', message: `Node ${id} is not in the inventory.` }, 404)),
      },
      {
        // The whole output a node reported (AWS's API shows only the first 24,000 / 8,000 characters).
        method: 'GET', pattern: /^\/_mw\/commands\/([^/]+)\/invocations\/([^/]+)\/output$/,
        run: async (r, [commandId, instanceId]) => ok(await control.commandOutput(scopeFromQuery(r), commandId, instanceId)),
      },
      { method: 'GET', pattern: /^\/_mw\/outcomes$/, run: async (r) => ok({ rules: await control.getOutcomeRules(scopeFromQuery(r)) }) },
      {
        method: 'PUT', pattern: /^\/_mw\/outcomes$/,
        run: async (r) => {
          const scope = scopeFromQuery(r);
          return ok({ rules: await control.setOutcomeRules(scope, decodeOutcomeRules(json(r.body))) });
        },
      },
      {
        method: 'DELETE', pattern: /^\/_mw\/outcomes$/,
        run: async (r) => {
          await control.clearOutcomeRules(scopeFromQuery(r));
          return ok({ rules: [] });
        },
      },
    );
  }

  return async (request) => {
    let pathMatched = false;
    for (const route of routes) {
      const match = route.pattern.exec(request.path);
      if (!match) continue;
      pathMatched = true;
      if (route.method !== request.method) continue;
      try {
        // Health stays open: load balancers and `wait for ready` scripts hold no key.
        const scope = authenticate && request.path !== '/_mw/health' ? await authenticate(request) : undefined;
        return await route.run({ ...request, authenticated: scope } as Authenticated, match.slice(1).map(decodeSegment));
      } catch (error) {
        return clientRefusal(error);
      }
    }
    return pathMatched ? ok({ __type: 'MethodNotAllowed', message: `${request.method} is not allowed on ${request.path}.` }, 405) : undefined;
  };
}
