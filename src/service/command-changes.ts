// The one way a command's change is saved: its invocations, the command, and, for a maintenance window's
// command, the report its window invocation is owed (domain/commands.ts windowReportFor). API calls and
// the engine both save through here, so no change of a window's command escapes the window waiting on it.

import { type Command, type CommandInvocation, endUndeliverable, isFinal, windowReportFor } from '../domain/commands.ts';
import { commandEvent, commandInvocationEvent, type RecordedEvent } from '../domain/events.ts';
import type { Scope } from '../domain/model.ts';
import type { StoreOperations } from './ports.ts';

export async function saveCommandChange(
  tx: StoreOperations, scope: Scope, before: Command, after: Command,
  invocations: readonly CommandInvocation[], changed: Iterable<CommandInvocation>, now: number,
): Promise<void> {
  const changedList = [...changed];
  // First: it marks the rows as told, and they are written with the marks.
  const events = commandEvents(scope, before, after, changedList, now);
  await tx.updateCommandInvocations(scope, changedList);
  await tx.updateCommand(scope, after);
  const report = windowReportFor(before, after, invocations, now);
  if (report) await tx.putWindowReport(scope, report);
  if (events.length > 0) await tx.appendEvents(events);
}

/**
 * Run Command's status events for a change: each changed invocation whose status its last event did not
 * tell yet, then the command's. The marks (`eventStatus`) are written with the rows.
 */
export function commandEvents(scope: Scope, _before: Command | undefined, after: Command, changed: readonly CommandInvocation[], now: number): RecordedEvent[] {
  const facts = {
    id: after.id, documentName: after.documentName, parameters: after.parameters, instanceIds: after.instanceIds, requestedAt: after.requestedAt,
    expiresAt: after.requestedAt + (after.timeoutSeconds + after.executionTimeoutSeconds) * 1000, status: after.status, windowId: after.window?.windowId,
  };
  const events: RecordedEvent[] = [];
  for (const invocation of changed) {
    if (invocation.eventStatus === invocation.status) continue;
    invocation.eventStatus = invocation.status;
    const event = commandInvocationEvent(scope, facts, invocation.instanceId, invocation.status, now);
    if (event) events.push(event);
  }
  if (after.eventStatus !== after.status) {
    after.eventStatus = after.status;
    const event = commandEvent(scope, facts, now);
    if (event) events.push(event);
  }
  return events;
}

const NODE_PAGE = 200;

/**
 * DeregisterManagedInstance, in its transaction: every invocation of the node its agent does not have yet
 * ends Undeliverable (domain/commands.ts endUndeliverable), and a cancel message waiting for it is dropped.
 * Its credentials stop working with the node's row (the store's credential read requires the node).
 */
export async function endInvocationsOfNode(tx: StoreOperations, scope: Scope, nodeId: string, now: number): Promise<void> {
  const commandIds = new Set<string>();
  for (let before = Number.MAX_SAFE_INTEGER; ;) {
    const page = await tx.listCommandInvocations(scope, { instanceId: nodeId }, before, NODE_PAGE);
    for (const { item } of page) if (!isFinal(item.status) || item.cancelDelivery === 'queued') commandIds.add(item.commandId);
    if (page.length < NODE_PAGE) break;
    before = page.at(-1)!.key;
  }
  // In id order: the order every transaction locks commands in (storage/postgres/postgres-store.ts).
  for (const commandId of [...commandIds].sort()) {
    const command = await tx.getCommand(scope, commandId);
    if (!command) continue;
    const invocations = await tx.getCommandInvocations(scope, commandId);
    const { command: next, changed } = endUndeliverable(command, invocations, nodeId, now);
    if (changed.length > 0) await saveCommandChange(tx, scope, command, next, invocations, changed, now);
  }
}
