// The AWS SDK for JavaScript's Lambda and Step Functions clients, one per Region, pointed at the endpoints
// configured (service/aws-endpoints.ts): the SDK's standard retry mode with a bounded number of attempts,
// credentials from the SDK's usual chain. The runner sees only the four calls it makes.

import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { SFNClient } from '@aws-sdk/client-sfn';
import type { ExecutionState, LambdaAnswer, LambdaCall, StepFunctionsCall } from '../../domain/remote-invocation.ts';
import type { AwsEndpoints } from '../../service/aws-endpoints.ts';

export interface RemoteCalls {
  readonly endpoints: AwsEndpoints;
  invoke(region: string, call: LambdaCall): Promise<LambdaAnswer>;
  startExecution(region: string, call: StepFunctionsCall): Promise<{ executionArn: string }>;
  /** Undefined when the endpoint knows no such execution. */
  describeExecution(region: string, executionArn: string): Promise<ExecutionState | undefined>;
  stopExecution(region: string, executionArn: string, cause: string): Promise<void>;
  destroy(): void;
}

/** A connection that is not made in this time fails the attempt (an endpoint that is down fails fast). */
const CONNECT_TIMEOUT_MS = 5_000;
/** Invoke waits for the function: Lambda's longest run is 15 minutes. */
const INVOKE_TIMEOUT_MS = 15 * 60_000 + 30_000;
const STEP_FUNCTIONS_TIMEOUT_MS = 30_000;

// The SDK's clients are loaded on the first call: they cost a service that calls no Lambda or Step Functions
// endpoint (every service without one configured) about a tenth of a second at start.
let lambdaSdk: Promise<typeof import('@aws-sdk/client-lambda')> | undefined;
let sfnSdk: Promise<typeof import('@aws-sdk/client-sfn')> | undefined;
const loadLambda = () => (lambdaSdk ??= import('@aws-sdk/client-lambda'));
const loadSfn = () => (sfnSdk ??= import('@aws-sdk/client-sfn'));

/** The Region named by an ARN (arn:aws:lambda:REGION:...), else `fallback` (the window's Region). */
export function regionOf(nameOrArn: string, fallback: string): string {
  const parts = nameOrArn.split(':');
  return parts[0] === 'arn' && parts.length > 3 && parts[3] ? parts[3] : fallback;
}

export class SdkRemoteCalls implements RemoteCalls {
  readonly endpoints: AwsEndpoints;
  private readonly lambdas = new Map<string, LambdaClient>();
  private readonly machines = new Map<string, SFNClient>();

  constructor(endpoints: AwsEndpoints) {
    this.endpoints = endpoints;
  }

  async invoke(region: string, call: LambdaCall): Promise<LambdaAnswer> {
    const { InvokeCommand, LambdaClient } = await loadLambda();
    const answer = await this.lambda(region, LambdaClient).send(new InvokeCommand({
      FunctionName: call.functionName,
      InvocationType: 'RequestResponse',
      Qualifier: call.qualifier,
      ClientContext: call.clientContext,
      Payload: call.payload === undefined ? undefined : Buffer.from(call.payload, 'utf8'),
    }));
    return {
      statusCode: answer.StatusCode,
      functionError: answer.FunctionError,
      requestId: answer.$metadata.requestId,
      payload: answer.Payload ? Buffer.from(answer.Payload).toString('utf8') : undefined,
    };
  }

  async startExecution(region: string, call: StepFunctionsCall): Promise<{ executionArn: string }> {
    const { SFNClient, StartExecutionCommand } = await loadSfn();
    const answer = await this.machine(region, SFNClient).send(new StartExecutionCommand({ stateMachineArn: call.stateMachineArn, input: call.input, name: call.name }));
    return { executionArn: answer.executionArn! };
  }

  async describeExecution(region: string, executionArn: string): Promise<ExecutionState | undefined> {
    const { DescribeExecutionCommand, ExecutionDoesNotExist, SFNClient } = await loadSfn();
    try {
      const answer = await this.machine(region, SFNClient).send(new DescribeExecutionCommand({ executionArn }));
      return { status: answer.status, output: answer.output, error: answer.error, cause: answer.cause };
    } catch (error) {
      if (error instanceof ExecutionDoesNotExist) return undefined;
      throw error;
    }
  }

  async stopExecution(region: string, executionArn: string, cause: string): Promise<void> {
    const { SFNClient, StopExecutionCommand } = await loadSfn();
    await this.machine(region, SFNClient).send(new StopExecutionCommand({ executionArn, cause }));
  }

  destroy(): void {
    for (const client of [...this.lambdas.values(), ...this.machines.values()]) client.destroy();
    this.lambdas.clear();
    this.machines.clear();
  }

  private lambda(region: string, Client: typeof LambdaClient): LambdaClient {
    let client = this.lambdas.get(region);
    if (!client) {
      client = new Client({
        region, endpoint: this.endpoints.lambda, retryMode: 'standard', maxAttempts: this.endpoints.maxAttempts,
        requestHandler: { connectionTimeout: CONNECT_TIMEOUT_MS, requestTimeout: INVOKE_TIMEOUT_MS },
      });
      this.lambdas.set(region, client);
    }
    return client;
  }

  private machine(region: string, Client: typeof SFNClient): SFNClient {
    let client = this.machines.get(region);
    if (!client) {
      client = new Client({
        region, endpoint: this.endpoints.stepFunctions, retryMode: 'standard', maxAttempts: this.endpoints.maxAttempts,
        requestHandler: { connectionTimeout: CONNECT_TIMEOUT_MS, requestTimeout: STEP_FUNCTIONS_TIMEOUT_MS },
      });
      this.machines.set(region, client);
    }
    return client;
  }
}
