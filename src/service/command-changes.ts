// The one way a command's change is saved: its invocations, the command, and, for a maintenance window's
// command, the report its window invocation is owed (for an automation's, the news its step is owed) (domain/commands.ts windowReportFor). API calls and
// the engine both save through here, so no change of a window's command escapes the window waiting on it.

import { automationReportFor, type Command, type CommandInvocation, windowReportFor } from '../domain/commands.ts';
import { commandEvent, commandInvocationEvent, type RecordedEvent } from '../domain/events.ts';
import type { Scope } from '../domain/model.ts';
import type { StoreOperations } from './ports.ts';

export async function saveCommandChange(
  tx: StoreOperations, scope: Scope, before: Command, after: Command,
  invocations: readonly CommandInvocation[], changed: Iterable<CommandInvocation>, now: number,
): Promise<void> {
  // The rows are written marked as told by the events recorded with them.
  const told = commandEvents(scope, after, [...changed], now);
  await tx.updateCommandInvocations(scope, told.invocations);
  await tx.updateCommand(scope, told.command);
  const report = windowReportFor(before, after, invocations, now);
  if (report) await tx.putWindowReport(scope, report);
  // An automation's aws:runCommand step learns its end through the execution's inbox (ports/automations.ts).
  const step = automationReportFor(before, after, invocations);
  if (step) await tx.putAutomationInbox(scope, step.executionId, { kind: 'work-ended', stepExecutionId: step.stepExecutionId, result: step.result }, now);
  if (told.events.length > 0) await tx.appendEvents(told.events);
}

/**
 * Run Command's status events for a change: each changed invocation whose status its last event did not
 * tell yet, then the command's; with the rows marked (`eventStatus`) as told, new objects.
 */
export function commandEvents(scope: Scope, after: Command, changed: readonly CommandInvocation[], now: number): { events: RecordedEvent[]; command: Command; invocations: CommandInvocation[] } {
  const facts = {
    id: after.id, documentName: after.documentName, parameters: after.parameters, instanceIds: after.instanceIds, requestedAt: after.requestedAt,
    expiresAt: after.requestedAt + (after.timeoutSeconds + after.executionTimeoutSeconds) * 1000, status: after.status, windowId: after.window?.windowId,
  };
  const events: RecordedEvent[] = [];
  const invocations = changed.map((invocation) => {
    if (invocation.eventStatus === invocation.status) return invocation;
    const event = commandInvocationEvent(scope, facts, invocation.instanceId, invocation.status, now);
    if (event) events.push(event);
    return { ...invocation, eventStatus: invocation.status };
  });
  if (after.eventStatus === after.status) return { events, command: after, invocations };
  const event = commandEvent(scope, facts, now);
  if (event) events.push(event);
  return { events, command: { ...after, eventStatus: after.status }, invocations };
}
