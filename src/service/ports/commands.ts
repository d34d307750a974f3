// The commands port: Run Command's commands and their per-node invocations.

import type { Command, CommandInvocation } from '../../domain/commands.ts';
import type { Scope } from '../../domain/model.ts';
import type { Keyed } from './keyed.ts';

export interface CommandsPort {
  insertCommand(scope: Scope, command: Command, invocations: CommandInvocation[]): Promise<void>;
  /** Inside a transaction the command is held until it ends, so its invocations change one writer at a time. */
  getCommand(scope: Scope, commandId: string): Promise<Command | undefined>;
  updateCommand(scope: Scope, command: Command): Promise<void>;
  /** Newest first: rows with key < beforeKey; only commands with an invocation on `instanceId` when given. */
  listCommands(scope: Scope, beforeKey: number, limit: number, instanceId?: string): Promise<Keyed<Command>[]>;
  /** Every invocation of a command, in its instances' order. */
  getCommandInvocations(scope: Scope, commandId: string): Promise<CommandInvocation[]>;
  updateCommandInvocations(scope: Scope, invocations: CommandInvocation[]): Promise<void>;
  /** Newest command first, then instance order: rows with key < beforeKey, of one command and/or one instance. */
  listCommandInvocations(scope: Scope, where: { commandId?: string; instanceId?: string }, beforeKey: number, limit: number): Promise<Keyed<CommandInvocation>[]>;
  getCommandInvocation(scope: Scope, commandId: string, instanceId: string): Promise<CommandInvocation | undefined>;
  /**
   * The earliest instant a command has something due: an invocation of any command in any scope due to
   * move on its own, or a window report due for an execution that `owner` runs.
   */
  earliestCommandEvent(owner: string): Promise<number | undefined>;
  /** A node's invocations with a message waiting for its agent (oldest first, at most `limit`). */
  listQueuedInvocations(scope: Scope, instanceId: string, limit: number): Promise<CommandInvocation[]>;
  /** Commands with an invocation due at or before `now`, in every scope, in (account, Region, command id) order. */
  listDueCommands(now: number, limit: number): Promise<{ scope: Scope; commandId: string }[]>;
}
