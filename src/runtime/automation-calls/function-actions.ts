// aws:invokeLambdaFunction and aws:executeStateMachine over the Lambda and Step Functions endpoints
// configured, with the inputs and outputs AWS's Automation actions reference gives them. The Region is the
// one a function or state machine ARN names, else the execution's.

import type { WorkResult } from '../../domain/automation/execution.ts';
import { regionOf } from '../task-runners/remote-clients.ts';
import { type CallKit, ServiceStopping, type StepCall, failed, failure, required, text, timedOut } from './kit.ts';

/** How long a state machine's execution is followed without the step's own timeoutSeconds [I]. */
const EXECUTION_DEFAULT_SECONDS = 3600;

export function invokeLambdaFunction(kit: CallKit): StepCall {
  return async (request) => {
    const inputs = request.step.inputs;
    const missing = required(inputs, 'aws:invokeLambdaFunction', 'FunctionName');
    if (missing) return failed(missing);
    const functionName = text(inputs.FunctionName)!;
    // InputPayload (a map) wins over Payload (JSON text) when both are given (the reference).
    const payload = inputs.InputPayload !== undefined ? JSON.stringify(inputs.InputPayload) : text(inputs.Payload);
    const parameters: Record<string, unknown> = { FunctionName: functionName, InvocationType: text(inputs.InvocationType) ?? 'RequestResponse' };
    for (const name of ['Qualifier', 'LogType', 'ClientContext']) if (text(inputs[name])) parameters[name] = text(inputs[name]);
    if (payload !== undefined) parameters.Payload = payload;
    try {
      const answer = await kit.services.call(request.scope, 'lambda', 'Invoke', parameters, { region: regionOf(functionName, request.scope.region), signal: request.signal });
      const outputs: Record<string, unknown> = { StatusCode: answer.StatusCode };
      for (const name of ['FunctionError', 'LogResult', 'Payload']) if (answer[name] !== undefined) outputs[name] = answer[name];
      // [I] a function that raised fails the step; its error payload stays in the outputs.
      if (answer.FunctionError !== undefined) return failed(`Lambda function ${functionName} failed (${String(answer.FunctionError)}): ${String(answer.Payload ?? '').slice(0, 500)}`, 'Execution', outputs);
      return { status: 'Success', outputs };
    } catch (error) {
      return failure(error);
    }
  };
}

const EXECUTION_OUTPUTS = ['executionArn', 'input', 'name', 'output', 'startDate', 'stateMachineArn', 'status', 'stopDate'];

export function executeStateMachine(kit: CallKit): StepCall {
  return async (request) => {
    const inputs = request.step.inputs;
    const missing = required(inputs, 'aws:executeStateMachine', 'stateMachineArn');
    if (missing) return failed(missing);
    const stateMachineArn = text(inputs.stateMachineArn)!;
    const region = regionOf(stateMachineArn, request.scope.region);
    const parameters: Record<string, unknown> = { stateMachineArn };
    if (text(inputs.name)) parameters.name = text(inputs.name);
    if (inputs.input !== undefined) parameters.input = text(inputs.input);
    try {
      const { executionArn } = await kit.services.call(request.scope, 'stepfunctions', 'StartExecution', parameters, { region, signal: request.signal });
      const stop = () => kit.services.call(request.scope, 'stepfunctions', 'StopExecution', { executionArn, cause: 'The Automation step that started it ended.' }, { region }).catch(() => undefined);
      const end = await kit.poll(request, EXECUTION_DEFAULT_SECONDS, async (): Promise<WorkResult | undefined> => {
        const execution = await kit.services.call(request.scope, 'stepfunctions', 'DescribeExecution', { executionArn }, { region, signal: request.signal });
        if (execution.status === 'RUNNING' || execution.status === 'PENDING_REDRIVE') return undefined;
        const outputs = Object.fromEntries(EXECUTION_OUTPUTS.filter((k) => execution[k] !== undefined && execution[k] !== null).map((k) => [k, execution[k]]));
        if (execution.status === 'SUCCEEDED') return { status: 'Success', outputs };
        // [I] an execution that failed, timed out or was aborted fails the step, with its error and cause.
        const why = [execution.error, execution.cause].filter((x) => typeof x === 'string' && x !== '').join(': ');
        return failed(`State machine execution ${String(executionArn)} ended ${String(execution.status)}${why ? `: ${why}` : ''}.`, 'Execution', outputs);
      }).catch(async (error: unknown) => {
        // The step was stopped here (not the service): its execution is stopped too.
        if (request.signal.aborted && !(request.signal.reason instanceof ServiceStopping)) await stop();
        throw error;
      });
      if (end.kind === 'done') return end.value;
      // The step no longer waits (stopped elsewhere, timed out on the service clock) or ran out of time: the execution is stopped too.
      await stop();
      if (end.kind === 'unwanted') return { status: 'Cancelled', outputs: { executionArn } };
      return { ...timedOut(`following state machine execution ${String(executionArn)}`), outputs: { executionArn } };
    } catch (error) {
      return failure(error);
    }
  };
}
