// The one way a command's change is saved: its invocations, the command, and, for a maintenance window's
// command, the report its window invocation is owed (domain/commands.ts windowReportFor). API calls and
// the engine both save through here, so no change of a window's command escapes the window waiting on it.

import { type Command, type CommandInvocation, windowReportFor } from '../domain/commands.ts';
import { commandEvent, commandInvocationEvent, type RecordedEvent } from '../domain/events.ts';
import type { Scope } from '../domain/model.ts';
import type { StoreOperations } from './ports.ts';

export async function saveCommandChange(
  tx: StoreOperations, scope: Scope, before: Command, after: Command,
  invocations: readonly CommandInvocation[], changed: Iterable<CommandInvocation>, now: number,
): Promise<void> {
  const changedList = [...changed];
  await tx.updateCommandInvocations(scope, changedList);
  await tx.updateCommand(scope, after);
  const report = windowReportFor(before, after, invocations, now);
  if (report) await tx.putWindowReport(scope, report);
  await tx.appendEvents(commandEvents(scope, before, after, changedList, now));
}

/**
 * Run Command's status events for a change: each changed invocation's status (an unchanged status gives
 * the same event id again, which the store keeps once), then the command's when it changed.
 */
export function commandEvents(scope: Scope, before: Command | undefined, after: Command, changed: readonly CommandInvocation[], now: number): RecordedEvent[] {
  const facts = {
    id: after.id, documentName: after.documentName, parameters: after.parameters, instanceIds: after.instanceIds, requestedAt: after.requestedAt,
    expiresAt: after.requestedAt + (after.timeoutSeconds + after.executionTimeoutSeconds) * 1000, status: after.status, windowId: after.window?.windowId,
  };
  const events: RecordedEvent[] = [];
  for (const invocation of changed) {
    const event = commandInvocationEvent(scope, facts, invocation.instanceId, invocation.status, now);
    if (event) events.push(event);
  }
  if (before?.status !== after.status) {
    const event = commandEvent(scope, facts, now);
    if (event) events.push(event);
  }
  return events;
}
