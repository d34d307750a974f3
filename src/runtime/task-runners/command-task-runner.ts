// The runner of RUN_COMMAND invocations: each invocation is one Run Command command (SPEC 3.5), sent with
// what the invocation's Parameters record (the SendCommand request the window makes: document, instances,
// the task's MaxConcurrency/MaxErrors, TimeoutSeconds, output and notification settings). The command's
// id is the invocation's ExecutionId; its status reaches the invocation through WindowReports as the
// command moves (runtime/command-executor.ts). A request Run Command refuses (an unknown document, missing
// parameters) fails the invocation at once with the error, as SendCommand's answer would.

import { isFinal, newCommand, type SendCommandInput } from '../../domain/commands.ts';
import { ServiceError } from '../../domain/errors.ts';
import type { Scope, TaskType } from '../../domain/model.ts';
import type { StoreOperations } from '../../service/ports.ts';
import { runnableDocument } from '../../service/runnable-documents.ts';
import type { CommandExecutor } from '../command-executor.ts';
import type { InvocationRequest, StartedWork, TaskRunner } from './task-runner.ts';

const STATUS_DETAILS_MAX = 250;

function upperFirst(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}

/** The recorded request's lowerCamel structure keys as the Run Command API has them (NotificationArn, ...). */
function pascal(record: unknown): Record<string, unknown> | undefined {
  if (!record || typeof record !== 'object') return undefined;
  return Object.fromEntries(Object.entries(record).map(([key, value]) => [upperFirst(key), value]));
}

/** The SendCommand input a RUN_COMMAND invocation's Parameters describe (domain/invocation-parameters.ts). */
export function sendCommandInput(parameters: string): SendCommandInput {
  const sent = JSON.parse(parameters) as Record<string, unknown>;
  const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
  return {
    documentName: String(sent.documentName),
    documentVersion: text(sent.documentVersion),
    documentHash: text(sent.documentHash),
    documentHashType: text(sent.documentHashType),
    instanceIds: Array.isArray(sent.instanceIds) ? sent.instanceIds.map(String) : [],
    parameters: (sent.parameters as Record<string, string[]> | undefined) ?? {},
    comment: text(sent.comment),
    timeoutSeconds: typeof sent.timeoutSeconds === 'number' ? sent.timeoutSeconds : undefined,
    maxConcurrency: text(sent.maxConcurrency),
    maxErrors: text(sent.maxErrors),
    outputS3BucketName: text(sent.outputS3BucketName),
    outputS3KeyPrefix: text(sent.outputS3KeyPrefix),
    outputS3Region: text(sent.outputS3Region),
    serviceRole: text(sent.serviceRoleArn),
    notificationConfig: pascal(sent.notificationConfig),
    cloudWatchOutputConfig: pascal(sent.cloudWatchOutputConfig),
  };
}

export class CommandTaskRunner implements TaskRunner {
  private readonly commands: CommandExecutor;

  constructor(commands: CommandExecutor) {
    this.commands = commands;
  }

  async start(tx: StoreOperations, requests: InvocationRequest[]): Promise<StartedWork[]> {
    const started: StartedWork[] = [];
    for (const request of requests) {
      let built;
      try {
        const input = sendCommandInput(request.parameters);
        // The document as it is when the invocation starts (a $DEFAULT task runs today's default version).
        const document = await runnableDocument(tx, request.scope, {
          name: input.documentName, version: input.documentVersion, hash: input.documentHash, hashType: input.documentHashType,
        });
        built = newCommand(request.executionId, input, document, input.instanceIds ?? [], request.startTime, {
          windowId: request.windowId, windowTaskId: request.windowTaskId, taskArn: request.taskArn,
          windowExecutionId: request.windowExecutionId, taskExecutionId: request.taskExecutionId, invocationId: request.invocationId,
        });
      } catch (error) {
        if (!(error instanceof ServiceError)) throw error;
        const details = `${error.code}: ${error.message}`.slice(0, STATUS_DETAILS_MAX);
        started.push({ kind: 'scheduled', report: { status: 'FAILED', statusDetails: details }, afterMs: 0 });
        continue;
      }
      await tx.insertCommand(request.scope, built.command, built.invocations);
      // A command with no instance is over as it is sent (Success): nothing will report later.
      if (isFinal(built.command.status)) {
        started.push({ kind: 'scheduled', report: { status: 'SUCCESS', statusDetails: built.command.statusDetails }, afterMs: 0 });
        continue;
      }
      started.push({ kind: 'started', executionId: built.command.id, status: 'PENDING', statusDetails: built.command.statusDetails });
    }
    return started;
  }

  async cancel(tx: StoreOperations, scope: Scope, _taskType: TaskType, executionId: string, now: number): Promise<void> {
    await this.commands.cancel(tx, scope, executionId, now);
  }
}
