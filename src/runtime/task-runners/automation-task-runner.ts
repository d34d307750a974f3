// The runner of AUTOMATION invocations: each invocation is a real automation execution of the task's
// runbook (its ExecutionId is the execution's id), started with what the invocation's Parameters record
// (the runbook's parameters after pseudo-parameter substitution, its DocumentVersion). The execution's
// status reaches the invocation through WindowReports as it moves (runtime/automation-executor.ts); a
// CANCEL_TASK cutoff stops it. An outcome rule that matches the invocation still decides it (tests force
// outcomes that way), through the simulated runner. A runbook that cannot start (an unknown document,
// wrong parameters) fails the invocation at once with the error, as StartAutomationExecution would.

import { type AutomationExecution } from '../../domain/automation/execution.ts';
import { newAutomationExecution } from '../../domain/automation/new-execution.ts';
import { ServiceError } from '../../domain/errors.ts';
import { matchingRule } from '../../domain/inventory.ts';
import type { Scope, TaskType } from '../../domain/model.ts';
import type { StoreOperations } from '../../service/ports.ts';
import { findRunbook } from '../../service/runbooks.ts';
import type { AutomationExecutor, PendingCall } from '../automation-executor.ts';
import type { InvocationRequest, StartedWork, TaskRunner } from './task-runner.ts';

const STATUS_DETAILS_MAX = 250;

/** The runbook request an AUTOMATION invocation's Parameters record (domain/invocation-parameters.ts). */
function runbookRequest(parameters: string): { documentName: string; documentVersion?: string; parameters?: Record<string, string[]> } {
  const sent = JSON.parse(parameters) as Record<string, unknown>;
  const values = sent.parameters;
  return {
    documentName: String(sent.documentName),
    documentVersion: typeof sent.documentVersion === 'string' ? sent.documentVersion : undefined,
    parameters: values && typeof values === 'object' ? (values as Record<string, string[]>) : undefined,
  };
}

export class AutomationTaskRunner implements TaskRunner {
  private readonly automations: AutomationExecutor;
  private readonly simulated: TaskRunner;
  private pending: PendingCall[] = [];

  constructor(automations: AutomationExecutor, simulated: TaskRunner) {
    this.automations = automations;
    this.simulated = simulated;
  }

  async start(tx: StoreOperations, requests: InvocationRequest[]): Promise<StartedWork[]> {
    const started: StartedWork[] = [];
    for (const request of requests) {
      const rules = await tx.getOutcomeRules(request.scope);
      if (matchingRule(rules, { ...request, resourceId: request.resourceIds[0] }) >= 0) {
        started.push(...(await this.simulated.start(tx, [request])));
        continue;
      }
      try {
        const execution = await this.newExecution(tx, request);
        const { execution: now, calls } = await this.automations.start(tx, request.scope, execution, request.startTime);
        this.pending.push(...calls);
        started.push(workOf(now));
      } catch (error) {
        if (!(error instanceof ServiceError)) throw error;
        started.push({ kind: 'scheduled', report: { status: 'FAILED', statusDetails: `${error.code}: ${error.message}`.slice(0, STATUS_DETAILS_MAX) }, afterMs: 0 });
      }
    }
    return started;
  }

  /** Calls the executions' first steps asked for begin once the engine's step has committed. */
  afterCommit(): void {
    const calls = this.pending;
    this.pending = [];
    this.automations.afterCommit(calls);
  }

  discard(): void {
    this.pending = [];
  }

  async cancel(tx: StoreOperations, scope: Scope, _taskType: TaskType, executionId: string, now: number): Promise<void> {
    await tx.putAutomationInbox(scope, executionId, { kind: 'stop', type: 'Cancel' }, now);
  }

  private async newExecution(tx: StoreOperations, request: InvocationRequest): Promise<AutomationExecution> {
    const wanted = runbookRequest(request.parameters);
    const runbook = await findRunbook(tx, request.scope, wanted.documentName, wanted.documentVersion);
    return newAutomationExecution({
      id: request.executionId, account: request.scope.account, region: request.scope.region,
      documentName: runbook.name, documentVersion: runbook.version, document: runbook.document, parameters: wanted.parameters,
      executedBy: `arn:aws:iam::${request.scope.account}:role/maintenance-window`, now: request.startTime,
      window: {
        windowId: request.windowId, windowTaskId: request.windowTaskId, taskArn: request.taskArn,
        windowExecutionId: request.windowExecutionId, taskExecutionId: request.taskExecutionId, invocationId: request.invocationId,
      },
    });
  }
}

/** The invocation follows the execution from here; even an execution that ended at once reports its end through the window mailbox. */
function workOf(execution: AutomationExecution): StartedWork {
  return { kind: 'started', executionId: execution.id, status: 'IN_PROGRESS', statusDetails: 'InProgress' };
}
