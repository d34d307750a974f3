// One AWS API call for an Automation step, by the service's namespace as runbooks name it (boto3's: ec2,
// lambda, stepfunctions, ssm) and the operation's name (DescribeInstances). ssm is this service itself,
// called in process in the execution's account and Region. Any other service goes to the endpoint the
// SDK's environment names for it (service/aws-endpoints.ts), through the AWS SDK for JavaScript's own client
// for it: the `<Api>Command` its module exports, the step's inputs as the command's input. A service with no
// endpoint configured, or whose client is not installed, is refused: this service never calls AWS unless
// told where. Failures read as boto3's, which Automation runs on: "An error occurred (Code) when calling
// the Api operation: message".

import { ServiceError } from '../../domain/errors.ts';
import type { Scope } from '../../domain/model.ts';
import { endpointFor, maxAttemptsFrom } from '../../service/aws-endpoints.ts';

/** This service's own API, called in process with the wire's checks (wire/in-process-calls.ts). */
export type SelfCall = (scope: Scope, operation: string, input: unknown) => Promise<Record<string, unknown>>;

/** A call that failed, in the words the step's FailureMessage shows. */
export class ServiceCallError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

/** The SDK client module and service id (for AWS_ENDPOINT_URL_<ID>) of namespaces whose names differ. */
const KNOWN: Record<string, { module: string; serviceId: string }> = {
  ec2: { module: '@aws-sdk/client-ec2', serviceId: 'EC2' },
  lambda: { module: '@aws-sdk/client-lambda', serviceId: 'Lambda' },
  stepfunctions: { module: '@aws-sdk/client-sfn', serviceId: 'SFN' },
  sfn: { module: '@aws-sdk/client-sfn', serviceId: 'SFN' },
};

/** A connection that is not made in this time fails the attempt (an endpoint that is down fails fast). */
const CONNECT_TIMEOUT_MS = 5_000;
/** Lambda's Invoke waits for the function (aws:invokeLambdaFunction allows 300 s); others answer at once. */
const REQUEST_TIMEOUT_MS: Record<string, number> = { lambda: 310_000 };
const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

interface SdkClient {
  send(command: unknown, options?: { abortSignal?: AbortSignal }): Promise<Record<string, unknown>>;
  destroy(): void;
}
type SdkModule = Record<string, unknown>;

/** `describe_instances` and `DescribeInstances` both name DescribeInstances [I]. */
export function operationName(api: string): string {
  return api.includes('_') || /^[a-z]/.test(api) ? api.split('_').map((p) => p.charAt(0).toUpperCase() + p.slice(1)).join('') : api;
}

const failedCall = (code: string, api: string, message: string) => new ServiceCallError(code, `An error occurred (${code}) when calling the ${api} operation: ${message}`);

/** The answer as JSON a selector reads: no SDK metadata, dates as ISO text, blobs as UTF-8 text. */
function plain(answer: Record<string, unknown>): Record<string, unknown> {
  const { $metadata: _, ...rest } = answer;
  return JSON.parse(JSON.stringify(rest, (_key, value) => (value instanceof Uint8Array ? Buffer.from(value).toString('utf8') : value))) as Record<string, unknown>;
}

export class ServiceCalls {
  private readonly env: Record<string, string | undefined>;
  private readonly self: () => SelfCall | undefined;
  private readonly clients = new Map<string, SdkClient>();
  private readonly modules = new Map<string, Promise<SdkModule | undefined>>();

  /** `self` is looked up at each call: the handlers are built after the runtime. */
  constructor(env: Record<string, string | undefined>, self: () => SelfCall | undefined) {
    this.env = env;
    this.self = self;
  }

  /** Where calls to `service` go, or undefined when none is configured (ssm: this service). */
  endpoint(service: string): string | undefined {
    return endpointFor(this.env, KNOWN[service]?.serviceId ?? service);
  }

  /** Calls `api` of `service` with `input` for `scope` (in `region`, else the scope's); throws ServiceCallError. */
  async call(scope: Scope, service: string, api: string, input: Record<string, unknown>, options: { region?: string; signal?: AbortSignal } = {}): Promise<Record<string, unknown>> {
    const operation = operationName(api);
    if (service === 'ssm') return this.callSelf(scope, operation, input);
    if (!/^[a-z0-9-]+$/.test(service)) throw new ServiceCallError('InvalidService', `Service ${service} is not the namespace of an AWS service (ec2, lambda, stepfunctions, ssm...).`);
    const endpoint = this.endpoint(service);
    if (!endpoint) {
      const id = (KNOWN[service]?.serviceId ?? service).toUpperCase().replace(/-/g, '_');
      throw new ServiceCallError('EndpointNotConfigured', `Service ${service} is not reached by this service: no endpoint is configured for it (AWS_ENDPOINT_URL_${id} or AWS_ENDPOINT_URL); see docs/coverage.md.`);
    }
    const module = await this.module(service);
    if (!module) throw new ServiceCallError('ServiceNotServed', `Service ${service} is not reached by this service: its AWS SDK for JavaScript client is not installed here; see docs/coverage.md.`);
    const Command = module[`${operation}Command`] as (new (input: unknown) => unknown) | undefined;
    if (typeof Command !== 'function') throw new ServiceCallError('InvalidApi', `Api ${api} is not an operation of service ${service}.`);
    const client = this.client(service, module, options.region ?? scope.region, endpoint);
    try {
      return plain(await client.send(new Command(input), { abortSignal: options.signal }));
    } catch (error) {
      // The service stops: the abort's own reason, not a connection failure.
      if (options.signal?.aborted) throw options.signal.reason;
      throw this.failure(error, operation, endpoint);
    }
  }

  destroy(): void {
    for (const client of this.clients.values()) client.destroy();
    this.clients.clear();
  }

  private async callSelf(scope: Scope, operation: string, input: Record<string, unknown>): Promise<Record<string, unknown>> {
    const self = this.self();
    if (!self) throw new ServiceCallError('ServiceUnavailable', 'This service\'s own API is not reachable from its engine yet.');
    try {
      return await self(scope, operation, input);
    } catch (error) {
      if (error instanceof ServiceError) throw failedCall(error.code, operation, error.message);
      throw error;
    }
  }

  private module(service: string): Promise<SdkModule | undefined> {
    let found = this.modules.get(service);
    if (!found) {
      // Only installed client packages load; the name was checked to be a plain namespace above.
      found = import(KNOWN[service]?.module ?? `@aws-sdk/client-${service}`).then((m: SdkModule) => m, () => undefined);
      this.modules.set(service, found);
    }
    return found;
  }

  private client(service: string, module: SdkModule, region: string, endpoint: string): SdkClient {
    const key = `${service} ${region}`;
    let client = this.clients.get(key);
    if (!client) {
      const name = Object.keys(module).find((k) => k.endsWith('Client') && k !== '__Client' && typeof module[k] === 'function');
      const Client = module[name ?? ''] as new (config: object) => SdkClient;
      client = new Client({
        region, endpoint, retryMode: 'standard', maxAttempts: maxAttemptsFrom(this.env),
        requestHandler: { connectionTimeout: CONNECT_TIMEOUT_MS, requestTimeout: REQUEST_TIMEOUT_MS[service] ?? DEFAULT_REQUEST_TIMEOUT_MS },
      });
      this.clients.set(key, client);
    }
    return client;
  }

  private failure(error: unknown, operation: string, endpoint: string): ServiceCallError {
    const e = error as { name?: string; code?: string; message?: string; $metadata?: { httpStatusCode?: number } };
    // No answer at all (refused, reset, timed out): boto3's words for it.
    if (e?.$metadata?.httpStatusCode === undefined && (e?.code || e?.name === 'TimeoutError' || e?.name === 'AbortError')) {
      return new ServiceCallError('EndpointConnectionError', `Could not connect to the endpoint URL: "${endpoint}" (${e.code ?? e.name}: ${e.message ?? ''})`);
    }
    return failedCall(e?.name ?? 'Unknown', operation, e?.message ?? String(error));
  }
}
