// Moves Run Command commands forward: delivers a node's report when it is due, starts the next
// invocations as MaxConcurrency allows, stops the rest when MaxErrors is passed, carries out
// cancellations (domain/commands.ts cancelInvocations), and keeps the command's status and counts. Stateless: everything is read from and
// written to the store in the caller's transaction, with the command locked, so an API call and any
// engine replica may move the same command without losing a change.

import { cancelInvocations, type Command, type CommandInvocation, errorsExceeded, rollUp, type RunReport, startable } from '../domain/commands.ts';
import type { Scope } from '../domain/model.ts';
import { saveCommandChange } from '../service/command-changes.ts';
import type { StoreOperations } from '../service/ports.ts';

/** How a node runs an invocation: a simulated node decides its report now; a real one reports later. */
export interface CommandRunner {
  /** Starts `invocations` of `command` at `now`; for each, the report and when it arrives (simulated nodes). */
  start(tx: StoreOperations, scope: Scope, command: Command, invocations: CommandInvocation[], now: number): Promise<{ report?: RunReport; afterMs: number }[]>;
}

/** The most output kept per invocation and stream (the API shows the first 24,000 / 8,000 characters). */
export const KEPT_OUTPUT_LIMIT = 2 * 1024 * 1024;

const DUE_BATCH = 50;

export class CommandExecutor {
  private readonly runner: CommandRunner;
  /** Told the node of every message queued for a real node's agent (wakes its waiting poll). */
  onQueued: (scope: Scope, instanceId: string) => void = () => {};

  constructor(runner: CommandRunner) {
    this.runner = runner;
  }

  /** Moves every command with work due at or before `now` (up to one batch; the engine comes back for more). */
  async advanceDue(tx: StoreOperations, now: number): Promise<void> {
    for (const { scope, commandId } of await tx.listDueCommands(now, DUE_BATCH)) await this.move(tx, scope, commandId, now);
  }

  /** CancelCommand for every instance of a command (a window's CANCEL_TASK cutoff); the engine then moves it. */
  async cancel(tx: StoreOperations, scope: Scope, commandId: string, now: number): Promise<void> {
    const command = await tx.getCommand(scope, commandId);
    if (!command) return;
    const invocations = await tx.getCommandInvocations(scope, commandId);
    const { command: next, changed } = cancelInvocations(command, invocations, undefined, now);
    await saveCommandChange(tx, scope, command, next, invocations, changed, now);
  }

  /** Applies what is due for one command at `now`, then starts or stops what rate control says. */
  async move(tx: StoreOperations, scope: Scope, commandId: string, now: number): Promise<Command | undefined> {
    const command = await tx.getCommand(scope, commandId);
    const invocations = await tx.getCommandInvocations(scope, commandId);
    if (!command) {
      // Invocations without their command can never move: stop them being due, or the engine would
      // come back for them at this instant for ever.
      await tx.updateCommandInvocations(scope, invocations.map((i) => ({ ...i, dueAt: undefined })));
      return undefined;
    }
    const changed = new Set<CommandInvocation>();
    for (const invocation of invocations) {
      if (invocation.dueAt === undefined || invocation.dueAt > now) continue;
      if (invocation.status === 'Cancelling') {
        // A real node's agent is told to stop too (its cancel message); the invocation ends Cancelled now.
        // (Cancelling means a poll took the message at least once, acknowledged or not: it may be running.)
        if (invocation.delivery !== undefined) {
          invocation.cancelDelivery = 'queued';
          this.onQueued(scope, invocation.instanceId);
        }
        finish(invocation, { status: 'Cancelled', statusDetails: 'Cancelled' }, invocation.dueAt);
      }
      else if (invocation.pending) finish(invocation, reported(invocation.pending), invocation.dueAt);
      else if (awaitsDelivery(invocation) && invocation.dueAt >= deliveryDeadline(command)) {
        // TimeoutSeconds passed before the node got it (still queued behind MaxConcurrency, its node never
        // asked, or never acknowledged what a poll took): Run Command does not run it any more.
        finish(invocation, { status: 'TimedOut', statusDetails: 'DeliveryTimedOut' }, deliveryDeadline(command));
      } else if (invocation.visibleAt !== undefined && invocation.visibleAt <= now) {
        // A poll took it and the agent never acknowledged it (the poll's connection died, the agent
        // restarted): visible again, the next poll takes it again, with the same MessageId (the agent runs
        // a command id once). Past the delivery deadline it was never delivered.
        if (invocation.visibleAt >= deliveryDeadline(command)) {
          finish(invocation, { status: 'TimedOut', statusDetails: 'DeliveryTimedOut' }, invocation.visibleAt);
        } else {
          invocation.visibleAt = undefined;
          invocation.delivery = 'queued';
          invocation.dueAt = deliveryDeadline(command);
          this.onQueued(scope, invocation.instanceId);
        }
      } else if (invocation.status === 'InProgress' && invocation.delivery === 'delivered') {
        // The agent took it and never said how it ended, past its execution timeout and a grace: over.
        finish(invocation, { status: 'TimedOut', statusDetails: 'ExecutionTimedOut' }, invocation.dueAt);
      } else invocation.dueAt = undefined;
      changed.add(invocation);
    }
    let next = rollUp(command, invocations, command.cancelRequested === true);
    if (errorsExceeded(next)) {
      // MaxErrors passed: the invocations not started are not run (Run Command's "Terminated").
      for (const invocation of invocations.filter((i) => i.status === 'Pending')) {
        finish(invocation, { status: 'Cancelled', statusDetails: 'Terminated' }, now);
        changed.add(invocation);
      }
    } else {
      const starting = startable(next, invocations);
      if (starting.length > 0) {
        const started = await this.runner.start(tx, scope, next, starting, now);
        starting.forEach((invocation, k) => {
          const { report, afterMs } = started[k];
          const limitMs = next.executionTimeoutSeconds * 1000;
          if (!report) {
            // A real node: the message waits for its agent's poll, until the delivery deadline.
            invocation.delivery = 'queued';
            invocation.dueAt = deliveryDeadline(next);
            changed.add(invocation);
            this.onQueued(scope, invocation.instanceId);
            return;
          }
          invocation.status = 'InProgress';
          invocation.statusDetails = 'InProgress';
          invocation.startedAt = now;
          // A run longer than the document's executionTimeout is killed there by the agent: exit code 137
          // on Linux and macOS (SIGKILL), -1 on Windows.
          const killed = next.pluginName === 'aws:runPowerShellScript' ? -1 : 137;
          invocation.pending = afterMs > limitMs ? { status: 'TimedOut', statusDetails: 'ExecutionTimedOut', responseCode: killed, stdout: report.stdout, stderr: report.stderr } : report;
          invocation.dueAt = now + Math.min(afterMs, limitMs);
          changed.add(invocation);
        });
      }
    }
    // Invocations left waiting come back at their delivery deadline.
    for (const invocation of invocations) {
      if (invocation.status === 'Pending' && invocation.dueAt === undefined) {
        invocation.dueAt = deliveryDeadline(next);
        changed.add(invocation);
      }
    }
    next = rollUp(next, invocations, next.cancelRequested === true);
    await saveCommandChange(tx, scope, command, next, invocations, changed, now);
    // A run that takes no time ends now too.
    if (invocations.some((i) => i.dueAt !== undefined && i.dueAt <= now)) return this.move(tx, scope, commandId, now);
    return next;
  }
}

/** How long after delivery a silent agent's invocation is given up (its executionTimeout and this). */
export const AGENT_SILENCE_GRACE_MS = 60_000;

/** TimeoutSeconds after the command was sent: an invocation not delivered by then ends DeliveryTimedOut. */
export function deliveryDeadline(command: Command): number {
  return command.requestedAt + command.timeoutSeconds * 1000;
}

function reported(report: RunReport): Partial<CommandInvocation> {
  return {
    status: report.status,
    statusDetails: report.statusDetails ?? report.status,
    responseCode: report.responseCode,
    stdout: report.stdout.slice(0, KEPT_OUTPUT_LIMIT),
    stderr: report.stderr.slice(0, KEPT_OUTPUT_LIMIT),
  };
}

/** Not yet in its agent's hands: Pending, or a message queued again after a poll took it unacknowledged. */
function awaitsDelivery(invocation: CommandInvocation): boolean {
  return invocation.status === 'Pending' || (invocation.status === 'InProgress' && invocation.delivery === 'queued');
}

function finish(invocation: CommandInvocation, result: Partial<CommandInvocation>, at: number): void {
  Object.assign(invocation, result);
  invocation.endedAt = at;
  invocation.dueAt = undefined;
  invocation.pending = undefined;
  invocation.visibleAt = undefined;
}
