// Moves Run Command commands forward: loads a command and its invocations, applies the invocations' events
// (domain/command-invocation.ts next: what is due, a start, an agent's word, MaxErrors' termination) and
// the command's rules (domain/commands.ts: which may start, the roll-up), saves the change, and returns its
// effects for the caller to perform once its transaction has committed (afterCommit: wake the node's
// waiting polls). Stateless: everything is read from and written to the store in the caller's
// transaction, with the command locked, so an API call and any engine replica may move the same command
// without losing a change.

import { applyEach, type InvocationEffect, type InvocationEvent, isFinal, next } from '../domain/command-invocation.ts';
import { cancelInvocations, type Command, type CommandInvocation, errorsExceeded, invocationTerms, type RunReport, rollUp, rollUpOne, startable } from '../domain/commands.ts';
import type { Scope } from '../domain/model.ts';
import { saveCommandChange } from '../service/command-changes.ts';
import { type PollWake, PollWaiters } from '../service/poll-waiters.ts';
import type { StoreOperations } from '../service/ports.ts';

/** How a node runs an invocation: a simulated node decides its report now; a real one reports later. */
export interface CommandRunner {
  /** Starts `invocations` of `command` at `now`; for each, the report and when it arrives (simulated nodes). */
  start(tx: StoreOperations, scope: Scope, command: Command, invocations: CommandInvocation[], now: number): Promise<{ report?: RunReport; afterMs: number }[]>;
}

/** What a committed change asks of the process (wake the polls of a node a message now waits for). */
export type CommandEffect = PollWake;

/** One invocation's event applied, with its command: what the caller (a delivery use case) needs to answer. */
export interface AppliedEvent {
  command: Command;
  invocation: CommandInvocation;
  /** The invocation's own effects (a message to hand out to the poll that took it). */
  own: InvocationEffect[];
  /** What to perform after the commit. */
  effects: CommandEffect[];
}

const DUE_BATCH = 50;

export class CommandExecutor {
  private readonly runner: CommandRunner;
  /** The polls waiting in this process for their node's messages, which afterCommit wakes. */
  readonly waiters: PollWaiters;

  constructor(runner: CommandRunner, waiters = new PollWaiters()) {
    this.runner = runner;
    this.waiters = waiters;
  }

  /** Performs a committed change's effects (call it once the transaction that returned them has resolved). */
  afterCommit(effects: readonly CommandEffect[]): void {
    for (const effect of effects) this.waiters.wake(effect.scope, effect.instanceId);
  }

  /**
   * Moves every command with work due at or before `now` (up to one batch; the engine comes back for more).
   * Returns the effects for the caller to perform after its commit (afterCommit).
   */
  async advanceDue(tx: StoreOperations, now: number): Promise<CommandEffect[]> {
    const effects: CommandEffect[] = [];
    for (const { scope, commandId } of await tx.listDueCommands(now, DUE_BATCH)) effects.push(...(await this.move(tx, scope, commandId, now)).effects);
    return effects;
  }

  /** CancelCommand for every instance of a command (a window's CANCEL_TASK cutoff); the engine then moves it. */
  async cancel(tx: StoreOperations, scope: Scope, commandId: string, now: number): Promise<void> {
    const command = await tx.getCommand(scope, commandId);
    if (!command) return;
    const invocations = await tx.getCommandInvocations(scope, commandId);
    const change = cancelInvocations(command, invocations, undefined, now);
    await saveCommandChange(tx, scope, command, change.command, change.invocations, change.changed, now);
  }

  /**
   * `event` for the invocation of `commandId` on `instanceId` (a poll, an agent's word), in the caller's
   * transaction. Nothing when the command or invocation is unknown or the event does not apply (a late
   * reply). A change of status rolls the command up; an end moves it (rate control starts what it then
   * allows, MaxErrors stops the rest); anything else (an acknowledgement) writes the invocation alone.
   */
  async apply(tx: StoreOperations, scope: Scope, commandId: string, instanceId: string, event: InvocationEvent, now: number): Promise<AppliedEvent | undefined> {
    const command = await tx.getCommand(scope, commandId);
    // One invocation read, not the command's every one: an agent's word is about its own (the command's
    // lock, taken by getCommand, keeps the rest still meanwhile).
    const invocation = command && await tx.getCommandInvocation(scope, commandId, instanceId);
    if (!command || !invocation) return undefined;
    const { state, effects: own } = next(invocation, event, now, invocationTerms(command));
    if (state === invocation) return undefined;
    const effects = wakes(scope, own);
    const report = own.find((e) => e.kind === 'report-changed');
    if (!report) {
      await tx.updateCommandInvocations(scope, [state]);
      return { command, invocation: state, own, effects };
    }
    // The command moved by this invocation's difference alone, while that is all there is to it: not the
    // command's end (its report needs every invocation), nor room for rate control to start more.
    const quick = rollUpOne(command, invocation, state);
    if (quick && !isFinal(quick.status) && (!report.ended || (quick.tally!.waiting === 0 && !errorsExceeded(quick)))) {
      await saveCommandChange(tx, scope, command, quick, [state], [state], now);
      return { command: quick, invocation: state, own, effects };
    }
    const invocations = await tx.getCommandInvocations(scope, commandId);
    const rows = invocations.map((i) => (i.instanceId === instanceId ? state : i));
    if (report?.ended) {
      const moved = await this.moveLoaded(tx, scope, command, rows, [state], now);
      return { command: moved.command, invocation: state, own, effects: [...effects, ...moved.effects] };
    }
    const after = rollUp(command, rows, command.cancelRequested === true);
    await saveCommandChange(tx, scope, command, after, rows, [state], now);
    return { command: after, invocation: state, own, effects };
  }

  /**
   * `apply` for several invocations of one command (one event each, distinct instances), in order, as if
   * applied one after another in the caller's transaction (the polls of many nodes woken together): the
   * changes that move the command by their own difference alone share one read and one write of the
   * command and one write of their rows; one that needs more (the command's end, room for rate control) is
   * applied on its own, in its turn.
   */
  async applyAll(tx: StoreOperations, scope: Scope, commandId: string, items: readonly { instanceId: string; event: InvocationEvent }[], now: number): Promise<(AppliedEvent | undefined)[]> {
    if (items.length === 1) return [await this.apply(tx, scope, commandId, items[0].instanceId, items[0].event, now)];
    const out: (AppliedEvent | undefined)[] = [];
    let before = await tx.getCommand(scope, commandId);
    if (!before) return items.map(() => undefined);
    let command = before;
    // Rows written alone (an acknowledgement), and rows that moved the command's tally.
    let alone: CommandInvocation[] = [];
    let moved: CommandInvocation[] = [];
    const save = async () => {
      if (alone.length > 0) await tx.updateCommandInvocations(scope, alone);
      if (moved.length > 0) await saveCommandChange(tx, scope, before!, command, moved, moved, now);
      alone = [];
      moved = [];
    };
    for (const { instanceId, event } of items) {
      const invocation = await tx.getCommandInvocation(scope, commandId, instanceId);
      if (!invocation) {
        out.push(undefined);
        continue;
      }
      const { state, effects: own } = next(invocation, event, now, invocationTerms(command));
      if (state === invocation) {
        out.push(undefined);
        continue;
      }
      const report = own.find((e) => e.kind === 'report-changed');
      const quick = report && rollUpOne(command, invocation, state);
      if (!report) alone.push(state);
      else if (quick && !isFinal(quick.status) && (!report.ended || (quick.tally!.waiting === 0 && !errorsExceeded(quick)))) {
        command = quick;
        moved.push(state);
      } else {
        // The rest of the rules need the command as stored: what came before is written first.
        await save();
        out.push(await this.apply(tx, scope, commandId, instanceId, event, now));
        before = command = (await tx.getCommand(scope, commandId))!;
        continue;
      }
      out.push({ command, invocation: state, own, effects: wakes(scope, own) });
    }
    await save();
    return out;
  }

  /** Applies what is due for one command at `now`, then starts or stops what rate control says. */
  async move(tx: StoreOperations, scope: Scope, commandId: string, now: number): Promise<{ command?: Command; effects: CommandEffect[] }> {
    const command = await tx.getCommand(scope, commandId);
    const invocations = await tx.getCommandInvocations(scope, commandId);
    if (!command) {
      // Invocations without their command can never move: stop them being due, or the engine would
      // come back for them at this instant for ever.
      await tx.updateCommandInvocations(scope, invocations.map((i) => ({ ...i, dueAt: undefined })));
      return { effects: [] };
    }
    return this.moveLoaded(tx, scope, command, invocations, [], now);
  }

  private async moveLoaded(tx: StoreOperations, scope: Scope, command: Command, loaded: CommandInvocation[], alreadyChanged: CommandInvocation[], now: number): Promise<{ command: Command; effects: CommandEffect[] }> {
    const terms = invocationTerms(command);
    let rows = loaded;
    const changed = new Map(alreadyChanged.map((i) => [i.instanceId, i]));
    const effects: CommandEffect[] = [];
    const applyTo = (eventOf: (i: CommandInvocation) => InvocationEvent | undefined) => {
      const out = applyEach(rows, eventOf, now, terms);
      rows = out.invocations;
      for (const state of out.changed) changed.set(state.instanceId, state);
      effects.push(...wakes(scope, out.effects));
    };
    applyTo(() => ({ kind: 'due' }));
    let after = rollUp(command, rows, command.cancelRequested === true);
    if (errorsExceeded(after)) {
      // MaxErrors passed: the invocations not started are not run (Run Command's "Terminated").
      applyTo(() => ({ kind: 'terminated' }));
    } else {
      const starting = startable(after, rows);
      if (starting.length > 0) {
        const started = await this.runner.start(tx, scope, after, starting, now);
        // A simulated node's report is decided now; a real node's message waits for its agent's poll.
        const events = new Map<string, InvocationEvent>(starting.map((invocation, k) => {
          const { report, afterMs } = started[k];
          return [invocation.instanceId, report ? { kind: 'started', report, afterMs } : { kind: 'queued' }];
        }));
        applyTo((i) => events.get(i.instanceId));
      }
    }
    after = rollUp(after, rows, after.cancelRequested === true);
    await saveCommandChange(tx, scope, command, after, rows, changed.values(), now);
    // A run that takes no time ends now too.
    if (rows.some((i) => i.dueAt !== undefined && i.dueAt <= now)) {
      const more = await this.move(tx, scope, command.id, now);
      return { command: more.command ?? after, effects: [...effects, ...more.effects] };
    }
    return { command: after, effects };
  }
}

function wakes(scope: Scope, effects: readonly InvocationEffect[]): CommandEffect[] {
  return effects.flatMap((e) => (e.kind === 'wake-polls' ? [{ kind: 'wake-polls' as const, scope, instanceId: e.instanceId }] : []));
}
