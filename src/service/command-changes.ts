// The one way a command's change is saved: its invocations, the command, and, for a maintenance window's
// command, the report its window invocation is owed (domain/commands.ts windowReportFor). API calls and
// the engine both save through here, so no change of a window's command escapes the window waiting on it.

import { type Command, type CommandInvocation, windowReportFor } from '../domain/commands.ts';
import type { Scope } from '../domain/model.ts';
import type { StoreOperations } from './ports.ts';

export async function saveCommandChange(
  tx: StoreOperations, scope: Scope, before: Command, after: Command,
  invocations: readonly CommandInvocation[], changed: Iterable<CommandInvocation>, now: number,
): Promise<void> {
  await tx.updateCommandInvocations(scope, [...changed]);
  await tx.updateCommand(scope, after);
  const report = windowReportFor(before, after, invocations, now);
  if (report) await tx.putWindowReport(scope, report);
}
