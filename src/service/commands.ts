// Use cases of Run Command: send a command to nodes, list commands and their per-node invocations, read
// one invocation's output, cancel. The engine moves commands on the service's clock (runtime/
// command-executor.ts); these use cases create and cancel them, then wake the engine.

import {
  cancelInvocations, type Command, type CommandInvocation, InvalidCommandId, InvocationDoesNotExist, isFinal, namedPlugin, newCommand, type PluginView, type SendCommandInput,
} from '../domain/commands.ts';
import { InvalidFilterKey, InvalidInstanceId, ValidationException } from '../domain/errors.ts';
import type { Scope, TargetSpec } from '../domain/model.ts';
import { resolveTargets } from '../domain/target-resolution.ts';
import { parseIsoDateTime } from '../schedule/index.ts';
import { saveCommandChange } from './command-changes.ts';
import { runnableDocument } from './runnable-documents.ts';
import { descendingPage } from './keyset-pages.ts';
import type { ServiceContext } from './context.ts';
import type { EngineControl, StoreOperations } from './ports.ts';

export interface CommandFilterInput {
  key: string;
  value: string;
}

export interface CommandListInput {
  commandId?: string;
  instanceId?: string;
  filters?: CommandFilterInput[];
  maxResults?: number;
  nextToken?: string;
}

const DEFAULT_PAGE = 50;

type Predicate<T> = (item: T) => boolean;

/** What the filters look at: a command, or an invocation with its command's document. */
interface Filtered {
  requestedAt: number;
  status: string;
  documentName: string;
}

/** ListCommands / ListCommandInvocations filters: every one must hold, values as Run Command takes them. */
function commandFilter(filters: CommandFilterInput[] | undefined): Predicate<Filtered> {
  const tests: Predicate<Filtered>[] = [];
  for (const { key, value } of filters ?? []) {
    switch (key) {
      case 'InvokedAfter':
      case 'InvokedBefore': {
        const ms = parseIsoDateTime(value);
        if (ms === undefined) throw new ValidationException(`The filter ${key} value ${value} is not a valid ISO-8601 date-time.`);
        tests.push(key === 'InvokedAfter' ? (x) => x.requestedAt >= ms : (x) => x.requestedAt <= ms);
        break;
      }
      case 'Status':
        tests.push((x) => x.status === value);
        break;
      case 'ExecutionStage':
        if (value !== 'Executing' && value !== 'Complete') throw new ValidationException('ExecutionStage must be Executing or Complete.');
        tests.push((x) => isFinal(x.status as Command['status']) === (value === 'Complete'));
        break;
      case 'DocumentName':
        tests.push((x) => x.documentName === value);
        break;
      default:
        throw new InvalidFilterKey();
    }
  }
  return (x) => tests.every((t) => t(x));
}

/**
 * The nodes a SendCommand request names: its InstanceIds, each one a node of the account
 * (InvalidInstanceId otherwise), or the nodes its Targets select; exactly one of the two. Also what an
 * automation's aws:runCommand step sends to.
 */
export async function commandInstances(store: Pick<StoreOperations, 'listNodes'>, scope: Scope, input: Pick<SendCommandInput, 'instanceIds' | 'targets'>): Promise<string[]> {
  if ((input.instanceIds === undefined) === (input.targets === undefined)) {
    throw new ValidationException('Exactly one of InstanceIds and Targets must be specified.');
  }
  const nodes = await store.listNodes(scope);
  if (!input.instanceIds) return resolveTargets(input.targets!, nodes);
  const instanceIds = [...new Set(input.instanceIds)];
  const known = new Set(nodes.map((n) => n.id));
  const unknown = instanceIds.filter((id) => !known.has(id));
  if (unknown.length > 0) throw InvalidInstanceId.notValid(unknown, scope.account);
  return instanceIds;
}

export class CommandService {
  private readonly ctx: ServiceContext;
  private readonly engine: EngineControl;

  constructor(ctx: ServiceContext, engine: EngineControl) {
    this.ctx = ctx;
    this.engine = engine;
  }

  async send(scope: Scope, input: SendCommandInput): Promise<Command> {
    const now = this.ctx.clock.now();
    const instanceIds = await commandInstances(this.ctx.store, scope, input);
    const document = await runnableDocument(this.ctx.store, scope, {
      name: input.documentName, version: input.documentVersion, hash: input.documentHash, hashType: input.documentHashType,
    });
    const { command, invocations } = newCommand(this.ctx.ids.uuid(), input, document, instanceIds, now);
    await this.ctx.store.transaction((tx) => tx.insertCommand(scope, command, invocations));
    // The command is stored: from here on nothing may fail the request (SendCommand has no ClientToken, so a
    // client retrying a 500 would run it twice); wake() never rejects. On the system clock it is answered
    // Pending, as AWS answers it, without waiting for the engine to start its invocations (for a fleet, the
    // start and the polls it wakes take a while). On the manual clock, where time moves only when asked,
    // the start is part of the call, so that what a reproduction does next sees the same state every time.
    const started = this.engine.wake();
    if (this.ctx.clockMode === 'manual') await started;
    return command;
  }

  /**
   * ListCommands: newest first. An unknown CommandId is InvalidCommandId (the model lists that error; no
   * recorded AWS answer says otherwise: see docs/coverage.md, Run Command's not-found answers).
   */
  async list(scope: Scope, input: CommandListInput): Promise<{ commands: Command[]; nextToken?: string }> {
    const accept = commandFilter(input.filters);
    if (input.commandId !== undefined) {
      const command = await this.ctx.store.getCommand(scope, input.commandId);
      if (!command) throw new InvalidCommandId();
      if (input.instanceId !== undefined && !(await this.ctx.store.getCommandInvocation(scope, command.id, input.instanceId))) return { commands: [] };
      return { commands: accept(command) ? [command] : [] };
    }
    const listing = `ListCommands|${scope.account}|${scope.region}|${input.instanceId ?? ''}`;
    const page = await descendingPage(this.ctx.tokens, listing, this.pageOf(input), (before, limit) => this.ctx.store.listCommands(scope, before, limit, input.instanceId), accept);
    return { commands: page.items, nextToken: page.nextToken };
  }

  /**
   * ListCommandInvocations: newest command first, then instance order. An unknown CommandId lists nothing
   * (200, empty), as AWS answers a command it does not know (yet): aws/aws-cli#3546.
   */
  async listInvocations(scope: Scope, input: CommandListInput): Promise<{ invocations: { invocation: CommandInvocation; command: Command }[]; nextToken?: string }> {
    const accept = commandFilter(input.filters);
    const listing = `ListCommandInvocations|${scope.account}|${scope.region}|${input.commandId ?? ''}|${input.instanceId ?? ''}`;
    const commands = new Map<string, Command>();
    const commandOf = async (id: string) => {
      let command = commands.get(id);
      if (!command) commands.set(id, (command = (await this.ctx.store.getCommand(scope, id))!));
      return command;
    };
    const page = await descendingPage(this.ctx.tokens, listing, this.pageOf(input),
      async (before, limit) => {
        const rows = await this.ctx.store.listCommandInvocations(scope, { commandId: input.commandId, instanceId: input.instanceId }, before, limit);
        for (const row of rows) await commandOf(row.item.commandId);
        return rows;
      },
      (i) => accept({ requestedAt: i.requestedAt, status: i.status, documentName: commands.get(i.commandId)!.documentName }));
    return { invocations: page.items.map((invocation) => ({ invocation, command: commands.get(invocation.commandId)! })), nextToken: page.nextToken };
  }

  /**
   * GetCommandInvocation. No invocation of that command on that node is InvocationDoesNotExist, whether the
   * command or the node is unknown: AWS answers so right after SendCommand, and botocore's CommandExecuted
   * waiter (`aws ssm wait command-executed`) retries on exactly that error.
   */
  async getInvocation(scope: Scope, commandId: string, instanceId: string, pluginName?: string): Promise<{ invocation: CommandInvocation; command: Command; plugin?: PluginView }> {
    const command = await this.ctx.store.getCommand(scope, commandId);
    const invocation = command && await this.ctx.store.getCommandInvocation(scope, commandId, instanceId);
    if (!command || !invocation) throw new InvocationDoesNotExist();
    if (pluginName === undefined) return { invocation, command };
    return { invocation, command, plugin: namedPlugin(command, invocation, pluginName) };
  }

  async cancel(scope: Scope, commandId: string, instanceIds: string[] | undefined): Promise<void> {
    const now = this.ctx.clock.now();
    await this.ctx.store.transaction(async (tx) => {
      const command = await tx.getCommand(scope, commandId);
      if (!command) throw new InvalidCommandId();
      const invocations = await tx.getCommandInvocations(scope, commandId);
      const unknown = (instanceIds ?? []).filter((id) => !invocations.some((i) => i.instanceId === id));
      if (unknown.length > 0) throw new InvalidInstanceId(`Instances [[${unknown.join(', ')}]] are not part of command ${commandId}`);
      const change = cancelInvocations(command, invocations, instanceIds, now);
      await saveCommandChange(tx, scope, command, change.command, change.invocations, change.changed, now);
    });
    await this.engine.wake();
  }

  private pageOf(input: CommandListInput): { nextToken?: string; pageSize: number } {
    return { nextToken: input.nextToken, pageSize: input.maxResults ?? DEFAULT_PAGE };
  }

}
