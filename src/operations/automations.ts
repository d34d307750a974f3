// StartAutomationExecution, GetAutomationExecution, DescribeAutomationExecutions,
// DescribeAutomationStepExecutions, StopAutomationExecution, SendAutomationSignal. Times are epoch
// seconds on the wire; a step's Inputs are each input as JSON text and Outputs lists of strings, as AWS
// shows them.

import { type AutomationExecution, shownCurrentStep, shownValues, type StepExecution } from '../domain/automation/execution.ts';
import { progressCounters } from '../domain/automation/rate-control.ts';
import type { Scope } from '../domain/model.ts';
import { type AutomationService, checkMode } from '../service/automations.ts';
import type { Handler } from '../wire/api.ts';
import type {
  AutomationExecution as WireExecution, AutomationExecutionMetadata, StepExecution as WireStep,
} from '../wire/generated/types.ts';
import { seconds, startingToken } from './mapping.ts';

/** [I] Who started an execution: the caller's account (this service does not know IAM users). */
function caller(scope: Scope): string {
  return `arn:aws:iam::${scope.account}:root`;
}

function outputsOut(outputs: Record<string, unknown> | undefined): Record<string, string[]> | undefined {
  if (!outputs) return undefined;
  return Object.fromEntries(Object.entries(outputs).map(([k, v]) => [k, shownValues(v)]));
}

function stepOut(s: StepExecution): WireStep {
  return {
    StepName: s.stepName,
    Action: s.action,
    TimeoutSeconds: s.timeoutSeconds,
    OnFailure: s.onFailure,
    MaxAttempts: s.maxAttempts,
    ExecutionStartTime: seconds(s.startedAt),
    ExecutionEndTime: s.endedAt === undefined ? undefined : seconds(s.endedAt),
    StepStatus: s.status,
    ResponseCode: s.responseCode,
    Inputs: Object.fromEntries(Object.entries(s.inputs).map(([k, v]) => [k, JSON.stringify(v)])),
    Outputs: outputsOut(s.outputs),
    Response: s.response,
    FailureMessage: s.failureMessage,
    FailureDetails: s.failureDetails && { FailureStage: s.failureDetails.failureStage, FailureType: s.failureDetails.failureType, Details: s.failureDetails.details },
    StepExecutionId: s.stepExecutionId,
    IsEnd: s.isEnd,
    NextStep: s.chosen ?? s.nextStep,
    IsCritical: s.isCritical,
    ValidNextSteps: s.chosen ? [s.chosen] : undefined,
  };
}

/** What rate control shows of an execution (its targets, counters), or nothing. */
function rateOut(e: AutomationExecution) {
  const rate = e.rate;
  if (!rate) return {};
  return {
    TargetParameterName: rate.targetParameterName,
    Targets: rate.targets?.map((t) => ({ Key: t.key, Values: t.values })),
    TargetMaps: rate.targetMaps,
    ResolvedTargets: { ParameterValues: rate.runs.map((r) => r.target), Truncated: false },
    MaxConcurrency: rate.maxConcurrency,
    MaxErrors: rate.maxErrors,
  };
}

/** What GetAutomationExecution and DescribeAutomationExecutions both show of an execution. */
function commonOut(e: AutomationExecution) {
  const step = shownCurrentStep(e);
  return {
    ...rateOut(e),
    AutomationExecutionId: e.id,
    DocumentName: e.documentName,
    DocumentVersion: e.documentVersion,
    AutomationExecutionStatus: e.status,
    ExecutionStartTime: seconds(e.startedAt ?? e.createdAt),
    ExecutionEndTime: e.endedAt === undefined ? undefined : seconds(e.endedAt),
    ExecutedBy: e.executedBy,
    Outputs: e.outputs ?? {},
    Mode: e.mode,
    ParentAutomationExecutionId: e.parentId,
    CurrentStepName: step?.stepName,
    CurrentAction: step?.action,
    FailureMessage: e.failureMessage,
  };
}

function executionOut(e: AutomationExecution): WireExecution {
  return {
    ...commonOut(e),
    ...(e.rate ? { ProgressCounters: progressCounters(e.rate) } : {}),
    StepExecutions: e.steps.map(stepOut),
    StepExecutionsTruncated: false,
    Parameters: e.parameters,
  };
}

function metadataOut(e: AutomationExecution): AutomationExecutionMetadata {
  return { ...commonOut(e), LogFile: '', AutomationType: 'Local' };
}

export function automationHandlers(automations: AutomationService) {
  const StartAutomationExecution: Handler<'StartAutomationExecution'> = async (input, { scope }) => {
    const id = await automations.start(scope, {
      documentName: input.DocumentName,
      documentVersion: input.DocumentVersion,
      parameters: input.Parameters,
      clientToken: input.ClientToken,
      mode: checkMode(input.Mode),
      tags: input.Tags?.map((t) => ({ key: t.Key, value: t.Value })),
      targetParameterName: input.TargetParameterName,
      targets: input.Targets?.map((t) => ({ key: t.Key ?? '', values: t.Values ?? [] })),
      targetMaps: input.TargetMaps,
      maxConcurrency: input.MaxConcurrency,
      maxErrors: input.MaxErrors,
      executedBy: caller(scope),
    });
    return { AutomationExecutionId: id };
  };

  const GetAutomationExecution: Handler<'GetAutomationExecution'> = async (input, { scope }) => ({
    AutomationExecution: executionOut(await automations.get(scope, input.AutomationExecutionId)),
  });

  const DescribeAutomationExecutions: Handler<'DescribeAutomationExecutions'> = async (input, { scope }) => {
    const page = await automations.list(scope, {
      filters: input.Filters?.map((f) => ({ key: f.Key, values: f.Values })), maxResults: input.MaxResults, nextToken: startingToken(input.NextToken),
    });
    return { AutomationExecutionMetadataList: page.executions.map(metadataOut), NextToken: page.nextToken };
  };

  const DescribeAutomationStepExecutions: Handler<'DescribeAutomationStepExecutions'> = async (input, { scope }) => {
    const page = await automations.steps(scope, input.AutomationExecutionId, {
      filters: input.Filters?.map((f) => ({ key: f.Key, values: f.Values })), maxResults: input.MaxResults,
      nextToken: startingToken(input.NextToken), reverseOrder: input.ReverseOrder,
    });
    return { StepExecutions: page.steps.map(stepOut), NextToken: page.nextToken };
  };

  const StopAutomationExecution: Handler<'StopAutomationExecution'> = async (input, { scope }) => {
    await automations.stop(scope, input.AutomationExecutionId, input.Type);
    return {};
  };

  const SendAutomationSignal: Handler<'SendAutomationSignal'> = async (input, { scope }) => {
    await automations.signal(scope, input.AutomationExecutionId, input.SignalType, input.Payload ?? {}, caller(scope));
    return {};
  };

  return { StartAutomationExecution, GetAutomationExecution, DescribeAutomationExecutions, DescribeAutomationStepExecutions, StopAutomationExecution, SendAutomationSignal };
}
