// The AWS JSON 1.1 pipeline for one call: resolve X-Amz-Target, decode the JSON body, check it against
// the model, then run the operation's handler. Handlers see a decoded, valid input and the caller's scope.

import { ServiceError } from '../domain/errors.ts';
import type { Scope } from '../domain/model.ts';
import { type OperationName, operationNames } from './generated/shapes.ts';
import type { OperationTypes } from './generated/types.ts';
import { type AgentOperation, NOT_AN_AGENT_CALL, RunAsNode } from './agent-api.ts';
import type { ApiHandler, ApiRequest } from './http-server.ts';
import type { Answer } from './json-text.ts';
import { scopeOf } from './scope.ts';
import { checkInput } from './validate.ts';

const TARGET_PREFIX = 'AmazonSSM.';

export interface CallContext {
  scope: Scope;
  requestId: string;
  /**
   * Where the caller reached this service: the Host header it sent and whether over TLS. StartSession's
   * StreamUrl points there. Absent for calls made inside the process (Automation's calls to ssm).
   */
  endpoint?: { host: string; secure: boolean };
}

export interface ApiOptions {
  /** The server answers over TLS (StreamUrls are wss://). Default false. */
  secure?: boolean;
}

export type Handler<Op extends OperationName> = (
  input: OperationTypes[Op]['input'],
  call: CallContext,
) => Promise<Answer<OperationTypes[Op]['output']>>;

/** The operations this service answers, keyed by their exact AWS names. */
export type Handlers = { [Op in OperationName]?: Handler<Op> };

class FrameworkError extends ServiceError {}

const known = new Set<string>(operationNames);

function resolveOperation(target: string | undefined): OperationName {
  if (!target) {
    throw new FrameworkError('UnknownOperationException', 'Missing X-Amz-Target header: expected AmazonSSM.<Operation>.');
  }
  const name = target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : '';
  if (!known.has(name)) throw new FrameworkError('UnknownOperationException', `Unknown operation ${target}.`);
  return name as OperationName;
}

function decode(body: string): unknown {
  if (body.trim() === '') return {};
  try {
    return JSON.parse(body);
  } catch {
    throw new FrameworkError('SerializationException', 'Request body is not valid JSON.');
  }
}

/** Who is calling: the scope of a verified signature, or (without keys configured) of the key's shape. */
export type Authenticate = (request: ApiRequest) => Scope | Promise<Scope>;

const unverified: Authenticate = (request) => scopeOf(request.authorization);

export function createApiHandler(handlers: Handlers, authenticate: Authenticate = unverified, agent: Record<string, AgentOperation> = {}, options: ApiOptions = {}): ApiHandler {
  const secure = options.secure ?? false;
  // Names from the request are looked up in Maps only: a plain object would also answer to the names it
  // inherits (`AmazonSSM.constructor`, `toString`, `__proto__`), reaching code no operation names.
  const agentOperations = new Map(Object.entries(agent));
  const served = new Map(Object.entries(handlers) as [OperationName, Handler<OperationName>][]);
  /** Everything after the signature: target, body, model checks, then the handler. */
  const call = (request: ApiRequest, scope: Scope): Promise<unknown> => {
    const operation = resolveOperation(request.target);
    const handler = served.get(operation);
    const input = decode(request.body);
    const check = checkInput(operation, input);
    if (!check.ok) throw new FrameworkError(check.code, check.message);
    if (!handler) {
      throw new FrameworkError(
        'UnknownOperationException',
        `${operation} is not served by this service yet; see docs/coverage.md.`,
      );
    }
    const host = request.headers.host ?? 'localhost';
    return handler(check.input as never, { scope, requestId: request.requestId, endpoint: { host, secure } });
  };
  const viaAgent = async (request: ApiRequest, agentOperation: AgentOperation): Promise<unknown> => {
    const answer = await agentOperation(request);
    if (answer instanceof RunAsNode) return call(request, answer.scope);
    if (answer !== NOT_AN_AGENT_CALL) return answer;
    return call(request, await authenticate(request));
  };
  // Not an async function: a call whose signature is checked synchronously (or not at all) goes straight
  // to its handler's promise, with no frames of promises of its own around it.
  return (request: ApiRequest) => {
    try {
      // The agent's own calls authenticate in their own ways (wire/agent-api.ts).
      const agentOperation = request.target === undefined ? undefined : agentOperations.get(request.target);
      if (agentOperation) return viaAgent(request, agentOperation);
      // As AWS does, the signature is checked before anything else about the call.
      const scope = authenticate(request);
      return scope instanceof Promise ? scope.then((verified) => call(request, verified)) : call(request, scope);
    } catch (error) {
      return Promise.reject(error);
    }
  };
}
