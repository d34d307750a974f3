// SendCommand, ListCommands, ListCommandInvocations, GetCommandInvocation, CancelCommand.
// Command and CommandInvocation times are epoch seconds on the wire; GetCommandInvocation's execution
// times are ISO-8601 strings and its elapsed time an ISO-8601 duration (string shapes in the model).

import { type Command, type CommandInvocation, commandPlugins, elapsedTime, invocationPlugins, pluginOutput, type PluginView, shownOutput } from '../domain/commands.ts';
import type { CommandService } from '../service/commands.ts';
import type { Handler } from '../wire/api.ts';
import type { Command as WireCommand, CommandInvocation as WireInvocation, CommandPlugin } from '../wire/generated/types.ts';
import { seconds, startingToken, targetsIn, targetsOut } from './mapping.ts';


// What AWS returns for a command sent without them.
const NO_NOTIFICATIONS = { NotificationArn: '', NotificationEvents: [] };
const NO_CLOUDWATCH_OUTPUT = { CloudWatchLogGroupName: '', CloudWatchOutputEnabled: false };

function commandOut(c: Command): WireCommand {
  return {
    CommandId: c.id,
    DocumentName: c.documentName,
    DocumentVersion: c.documentVersion,
    Comment: c.comment,
    ExpiresAfter: seconds(c.requestedAt + (c.timeoutSeconds + c.executionTimeoutSeconds) * 1000),
    // As sent: the document's defaults apply to the run but are not echoed.
    Parameters: c.sentParameters ?? c.parameters,
    InstanceIds: c.instanceIds,
    Targets: targetsOut(c.targets),
    RequestedDateTime: seconds(c.requestedAt),
    Status: c.status,
    StatusDetails: c.statusDetails,
    OutputS3Region: c.outputS3Region,
    OutputS3BucketName: c.outputS3BucketName ?? '',
    OutputS3KeyPrefix: c.outputS3KeyPrefix ?? '',
    MaxConcurrency: c.maxConcurrency,
    MaxErrors: c.maxErrors,
    TargetCount: c.targetCount,
    CompletedCount: c.completedCount,
    ErrorCount: c.errorCount,
    DeliveryTimedOutCount: c.deliveryTimedOutCount,
    ServiceRole: c.serviceRole ?? '',
    NotificationConfig: (c.notificationConfig as WireCommand['NotificationConfig']) ?? NO_NOTIFICATIONS,
    CloudWatchOutputConfig: (c.cloudWatchOutputConfig as WireCommand['CloudWatchOutputConfig']) ?? NO_CLOUDWATCH_OUTPUT,
    TimeoutSeconds: c.timeoutSeconds,
    AlarmConfiguration: c.alarmConfiguration as WireCommand['AlarmConfiguration'],
  };
}

function pluginOut(c: Command, p: PluginView): CommandPlugin {
  return {
    Name: p.name,
    Status: p.status,
    StatusDetails: p.statusDetails,
    ResponseCode: p.responseCode,
    ResponseStartDateTime: p.startedAt === undefined ? undefined : seconds(p.startedAt),
    ResponseFinishDateTime: p.endedAt === undefined || p.startedAt === undefined ? undefined : seconds(p.endedAt),
    Output: p.output ?? pluginOutput(p.stdout, p.stderr),
    StandardOutputUrl: '',
    StandardErrorUrl: '',
    OutputS3Region: c.outputS3Region ?? '',
    OutputS3BucketName: c.outputS3BucketName ?? '',
    OutputS3KeyPrefix: c.outputS3KeyPrefix ?? '',
  };
}

function invocationOut(c: Command, i: CommandInvocation, details: boolean): WireInvocation {
  return {
    CommandId: c.id,
    InstanceId: i.instanceId,
    InstanceName: '',
    Comment: c.comment,
    DocumentName: c.documentName,
    DocumentVersion: c.documentVersion,
    RequestedDateTime: seconds(i.requestedAt),
    Status: i.status,
    StatusDetails: i.statusDetails,
    TraceOutput: '',
    StandardOutputUrl: '',
    StandardErrorUrl: '',
    CommandPlugins: details ? invocationPlugins(c, i).map((p) => pluginOut(c, p)) : [],
    ServiceRole: c.serviceRole ?? '',
    NotificationConfig: (c.notificationConfig as WireInvocation['NotificationConfig']) ?? NO_NOTIFICATIONS,
    CloudWatchOutputConfig: (c.cloudWatchOutputConfig as WireInvocation['CloudWatchOutputConfig']) ?? NO_CLOUDWATCH_OUTPUT,
  };
}

export function commandHandlers(commands: CommandService) {
  const SendCommand: Handler<'SendCommand'> = async (input, { scope }) => {
    const command = await commands.send(scope, {
      documentName: input.DocumentName,
      documentVersion: input.DocumentVersion,
      documentHash: input.DocumentHash,
      documentHashType: input.DocumentHashType,
      instanceIds: input.InstanceIds,
      targets: targetsIn(input.Targets),
      parameters: input.Parameters,
      comment: input.Comment,
      timeoutSeconds: input.TimeoutSeconds,
      maxConcurrency: input.MaxConcurrency,
      maxErrors: input.MaxErrors,
      outputS3Region: input.OutputS3Region,
      outputS3BucketName: input.OutputS3BucketName,
      outputS3KeyPrefix: input.OutputS3KeyPrefix,
      serviceRole: input.ServiceRoleArn,
      notificationConfig: input.NotificationConfig as Record<string, unknown> | undefined,
      cloudWatchOutputConfig: input.CloudWatchOutputConfig as Record<string, unknown> | undefined,
      alarmConfiguration: input.AlarmConfiguration as Record<string, unknown> | undefined,
    });
    return { Command: commandOut(command) };
  };

  const ListCommands: Handler<'ListCommands'> = async (input, { scope }) => {
    const page = await commands.list(scope, {
      commandId: input.CommandId, instanceId: input.InstanceId, maxResults: input.MaxResults, nextToken: startingToken(input.NextToken),
      filters: input.Filters?.map((f) => ({ key: f.key, value: f.value })),
    });
    return { Commands: page.commands.map(commandOut), NextToken: page.nextToken };
  };

  const ListCommandInvocations: Handler<'ListCommandInvocations'> = async (input, { scope }) => {
    const page = await commands.listInvocations(scope, {
      commandId: input.CommandId, instanceId: input.InstanceId, maxResults: input.MaxResults, nextToken: startingToken(input.NextToken),
      filters: input.Filters?.map((f) => ({ key: f.key, value: f.value })),
    });
    return { CommandInvocations: page.invocations.map(({ command, invocation }) => invocationOut(command, invocation, input.Details === true)), NextToken: page.nextToken };
  };

  const GetCommandInvocation: Handler<'GetCommandInvocation'> = async (input, { scope }) => {
    const { command, invocation, plugin } = await commands.getInvocation(scope, input.CommandId, input.InstanceId, input.PluginName);
    // With PluginName: that plugin's run; without: the invocation's (for a several-plugin document, its
    // plugins' output joined).
    const subject = plugin ?? invocation;
    const shown = shownOutput(subject);
    const started = subject.startedAt;
    const ended = subject.endedAt;
    const several = commandPlugins(command).length > 1;
    return {
      CommandId: command.id,
      InstanceId: invocation.instanceId,
      Comment: command.comment,
      DocumentName: command.documentName,
      DocumentVersion: command.documentVersion,
      PluginName: plugin?.name ?? (several ? undefined : command.pluginName),
      ResponseCode: subject.responseCode,
      ExecutionStartDateTime: started === undefined ? '' : new Date(started).toISOString(),
      ExecutionElapsedTime: started === undefined ? '' : elapsedTime((ended ?? started) - started),
      ExecutionEndDateTime: started === undefined || ended === undefined ? '' : new Date(ended).toISOString(),
      Status: plugin?.status ?? invocation.status,
      StatusDetails: subject.statusDetails,
      StandardOutputContent: shown.stdout,
      StandardOutputUrl: '',
      StandardErrorContent: shown.stderr,
      StandardErrorUrl: '',
      CloudWatchOutputConfig: (command.cloudWatchOutputConfig as WireCommand['CloudWatchOutputConfig']) ?? NO_CLOUDWATCH_OUTPUT,
    };
  };

  const CancelCommand: Handler<'CancelCommand'> = async (input, { scope }) => {
    await commands.cancel(scope, input.CommandId, input.InstanceIds);
    return {};
  };

  return { SendCommand, ListCommands, ListCommandInvocations, GetCommandInvocation, CancelCommand };
}
