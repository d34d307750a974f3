// The message delivery service (ec2messages) a registered agent polls: a Run Command invocation queued for
// its node becomes a message in the agent's format (SendCommandPayload with the document's content), taken
// by one poll once; the agent's replies (SendReply: InProgress, then the document's final status with each
// plugin's exit code and output) move the invocation through the command executor, and from there the
// maintenance-window invocation (WindowReports). Shapes: the agent's own ssmmds SDK and runcommand
// contracts (github.com/aws/amazon-ssm-agent, agent/runcommand/testdata).

import { createHash, randomUUID } from 'node:crypto';
import { type CommandInvocation, type RunReport, rollUp } from '../domain/commands.ts';
import { findDocument } from '../domain/documents.ts';
import { ServiceError } from '../domain/errors.ts';
import type { Scope } from '../domain/model.ts';
import { saveCommandChange } from '../service/command-changes.ts';
import type { Clock, EngineControl, Store, StoreOperations } from '../service/ports.ts';
import { AGENT_SILENCE_GRACE_MS, type CommandExecutor } from './command-executor.ts';

/**
 * Under the agent's 20 s client timeout for GetMessages (Mds.StopTimeoutMillis): an empty answer comes first.
 * Shorter when the ping timeout is short: a poll is the agent's sign of life, so it must come back in time.
 */
const MAX_POLL_HOLD_MS = 15_000;
/** While a poll waits, the store is looked at this often too (another replica may have queued its message). */
const POLL_RECHECK_MS = 1_000;
const MESSAGES_PER_POLL = 10;

/**
 * How long the agent lets a script run: the document's executionTimeout, except that the agent takes a value
 * under 5 s as its default of 3600 ("'TimeoutSeconds' value should be between 5 and 172800", in its log).
 */
export function agentTimeLimitSeconds(executionTimeoutSeconds: number): number {
  return executionTimeoutSeconds < 5 ? 3600 : executionTimeoutSeconds;
}

export interface AgentMessage {
  CreatedDate: string;
  Destination: string;
  MessageId: string;
  Payload: string;
  PayloadDigest: string;
  Topic: string;
}

export interface AgentIdentityRef {
  scope: Scope;
  nodeId: string;
}

/** `aws.ssm.<commandId>.<instanceId>`: the agent reads the command id from the second-to-last part. */
export function messageIdOf(commandId: string, instanceId: string): string {
  return `aws.ssm.${commandId}.${instanceId}`;
}

function parseMessageId(messageId: string): { commandId: string; instanceId: string } | undefined {
  const m = /^aws\.ssm\.(.+)\.([^.]+)$/.exec(messageId);
  return m ? { commandId: m[1], instanceId: m[2] } : undefined;
}

function topic(kind: 'sendCommand' | 'cancelCommand', region: string): string {
  return `aws.ssm.${kind}.${region.replace(/-/g, '.')}.1`;
}

function message(destination: string, messageId: string, kind: 'sendCommand' | 'cancelCommand', region: string, payload: unknown): AgentMessage {
  const text = JSON.stringify(payload);
  return {
    CreatedDate: new Date().toISOString(),
    Destination: destination,
    MessageId: messageId,
    Payload: text,
    PayloadDigest: createHash('sha256').update(text).digest('hex'),
    Topic: topic(kind, region),
  };
}

/**
 * What the agent's reply says, as a RunReport (one plugin per built-in document): undefined while the
 * document runs, `rebooting` when a script asked for a reboot (exit code 194 on Linux and macOS, 3010 on
 * Windows): the agent reboots the machine, resumes the document after it and only then says how it ended.
 */
function reportOf(payload: Record<string, unknown>): RunReport | 'rebooting' | undefined {
  const status = payload.documentStatus;
  const plugins = Object.values((payload.runtimeStatus ?? {}) as Record<string, Record<string, unknown>>);
  const plugin = plugins[0] ?? {};
  const text = (v: unknown) => (typeof v === 'string' ? v : '');
  const code = typeof plugin.code === 'number' ? plugin.code : -1;
  const base = { responseCode: code, stdout: text(plugin.standardOutput), stderr: text(plugin.standardError) };
  switch (status) {
    case 'Success':
      return { status: 'Success', statusDetails: 'Success', ...base };
    case 'SuccessAndReboot':
    case 'PassedAndReboot':
      return 'rebooting';
    case 'Failed':
      return { status: 'Failed', statusDetails: 'Failed', ...base };
    case 'TimedOut':
      return { status: 'TimedOut', statusDetails: 'ExecutionTimedOut', ...base };
    case 'Cancelled':
      return { status: 'Failed', statusDetails: 'Cancelled', ...base };
    default:
      return undefined;
  }
}

export class AgentMessages {
  private readonly store: Store;
  private readonly commands: CommandExecutor;
  private readonly engine: EngineControl;
  private readonly clock: Clock;
  private readonly waiting = new Map<string, Set<() => void>>();
  private readonly pollHoldMs: number;

  /**
   * `clock`: the service's, on which commands move (delivery and reply times are on it too).
   * `pingTimeoutMs`: how long a silent node stays Online; a poll is held at most a third of it.
   */
  constructor(store: Store, commands: CommandExecutor, engine: EngineControl, clock: Clock, pingTimeoutMs: number) {
    this.pollHoldMs = Math.min(MAX_POLL_HOLD_MS, Math.floor(pingTimeoutMs / 3));
    this.store = store;
    this.commands = commands;
    this.engine = engine;
    this.clock = clock;
    commands.onQueued = (scope, instanceId) => this.wakePolls(scope, instanceId);
  }

  /** GetMessages: what is queued for the node, or (held up to 15 s) the first message queued meanwhile. */
  async getMessages(identity: AgentIdentityRef, destination: string): Promise<AgentMessage[]> {
    if (destination !== identity.nodeId) throw new ServiceError('AccessDeniedException', `The credentials of ${identity.nodeId} cannot poll for ${destination}.`);
    const deadline = Date.now() + this.pollHoldMs;
    for (;;) {
      const messages = await this.take(identity);
      const left = deadline - Date.now();
      if (messages.length > 0 || left <= 0) return messages;
      await this.waitForQueue(identity, Math.min(left, POLL_RECHECK_MS));
    }
  }

  /** SendReply: the agent's word on a message it took (InProgress, or how the document ended). */
  async sendReply(identity: AgentIdentityRef, messageId: string, payloadText: string): Promise<void> {
    const target = this.ownMessage(identity, messageId);
    if (!target) return;
    let payload: Record<string, unknown>;
    try {
      payload = JSON.parse(payloadText) as Record<string, unknown>;
    } catch {
      throw new ServiceError('InvalidParameterValue', 'The reply payload is not JSON.');
    }
    const report = reportOf(payload);
    if (!report) return; // InProgress: the invocation already is
    if (report === 'rebooting') await this.awaitAfterReboot(identity.scope, target.commandId, identity.nodeId);
    else await this.finishWith(identity.scope, target.commandId, identity.nodeId, report);
  }

  /** FailMessage: the agent could not handle the message; the invocation fails with no exit code. */
  async failMessage(identity: AgentIdentityRef, messageId: string): Promise<void> {
    const target = this.ownMessage(identity, messageId);
    if (!target) return;
    await this.finishWith(identity.scope, target.commandId, identity.nodeId, { status: 'Failed', statusDetails: 'Failed', responseCode: -1, stdout: '', stderr: '' });
  }

  /** AcknowledgeMessage and DeleteMessage change nothing here (the poll already marked it delivered); the id must be the node's. */
  checkOwnMessage(identity: AgentIdentityRef, messageId: string): void {
    this.ownMessage(identity, messageId);
  }

  // ----

  private ownMessage(identity: AgentIdentityRef, messageId: string): { commandId: string } | undefined {
    const parsed = parseMessageId(messageId);
    if (!parsed) throw new ServiceError('InvalidParameterValue', `MessageId ${messageId} is not a message of this service.`);
    if (parsed.instanceId !== identity.nodeId) throw new ServiceError('AccessDeniedException', `The credentials of ${identity.nodeId} cannot answer for ${parsed.instanceId}.`);
    return parsed;
  }

  private async finishWith(scope: Scope, commandId: string, instanceId: string, report: RunReport): Promise<void> {
    const now = this.clock.now();
    await this.store.transaction(async (tx) => {
      const command = await tx.getCommand(scope, commandId);
      if (!command) return;
      const invocations = await tx.getCommandInvocations(scope, commandId);
      const invocation = invocations.find((i) => i.instanceId === instanceId);
      // A reply that arrives after the end (a cancel, a timeout) changes nothing: the first end stands.
      if (!invocation || invocation.status !== 'InProgress') return;
      invocation.pending = report;
      invocation.dueAt = now;
      await tx.updateCommandInvocations(scope, [invocation]);
      await this.commands.move(tx, scope, commandId, now);
    });
    await this.engine.wake();
  }

  /** A reboot is under way: the invocation stays InProgress, and the agent gets its time limit again from now. */
  private async awaitAfterReboot(scope: Scope, commandId: string, instanceId: string): Promise<void> {
    const now = this.clock.now();
    await this.store.transaction(async (tx) => {
      const command = await tx.getCommand(scope, commandId);
      const invocation = command && (await tx.getCommandInvocations(scope, commandId)).find((i) => i.instanceId === instanceId);
      if (!command || !invocation || invocation.status !== 'InProgress') return;
      invocation.dueAt = now + agentTimeLimitSeconds(command.executionTimeoutSeconds) * 1000 + AGENT_SILENCE_GRACE_MS;
      await tx.updateCommandInvocations(scope, [invocation]);
    });
  }

  /** Takes the node's queued messages in one transaction: each is handed to this poll only. */
  private take(identity: AgentIdentityRef): Promise<AgentMessage[]> {
    const { scope, nodeId } = identity;
    return this.store.transaction(async (tx) => {
      const messages: AgentMessage[] = [];
      for (const queued of await tx.listQueuedInvocations(scope, nodeId, MESSAGES_PER_POLL)) {
        const command = await tx.getCommand(scope, queued.commandId);
        if (!command) continue;
        const invocations = await tx.getCommandInvocations(scope, command.id);
        const invocation = invocations.find((i) => i.instanceId === nodeId);
        if (!invocation) continue;
        const built = this.deliver(tx, scope, command.id, invocation, command.documentName, command.parameters, command.outputS3BucketName, command.outputS3KeyPrefix, command.executionTimeoutSeconds);
        if (!built) continue;
        messages.push(built);
        await saveCommandChange(tx, scope, command, rollUp(command, invocations, command.cancelRequested === true), invocations, [invocation], this.clock.now());
      }
      return messages;
    });
  }

  private deliver(
    _tx: StoreOperations, scope: Scope, commandId: string, invocation: CommandInvocation, documentName: string,
    parameters: Record<string, string[]>, bucket: string | undefined, prefix: string | undefined, executionTimeoutSeconds: number,
  ): AgentMessage | undefined {
    const now = this.clock.now();
    if (invocation.cancelDelivery === 'queued') {
      invocation.cancelDelivery = 'delivered';
      return message(invocation.instanceId, `aws.ssm.${randomUUID()}.${invocation.instanceId}`, 'cancelCommand', scope.region,
        { CancelMessageId: messageIdOf(commandId, invocation.instanceId) });
    }
    if (invocation.status !== 'Pending' || invocation.delivery !== 'queued') return undefined;
    const document = findDocument(documentName);
    // String parameters go as strings, StringList ones as lists (as in the agent's sample messages).
    const sent = Object.fromEntries(document.parameters.map((p) => [p.name, p.type === 'StringList' ? parameters[p.name] ?? [] : (parameters[p.name] ?? [''])[0]]));
    Object.assign(invocation, {
      status: 'InProgress', statusDetails: 'InProgress', startedAt: invocation.startedAt ?? now, delivery: 'delivered',
      // If the agent never says how it ended, it ends TimedOut after the agent's own time limit and a grace.
      dueAt: now + agentTimeLimitSeconds(executionTimeoutSeconds) * 1000 + AGENT_SILENCE_GRACE_MS,
    });
    return message(invocation.instanceId, messageIdOf(commandId, invocation.instanceId), 'sendCommand', scope.region, {
      Parameters: sent,
      DocumentContent: JSON.parse(document.content) as unknown,
      CommandId: commandId,
      DocumentName: documentName,
      OutputS3KeyPrefix: prefix ?? '',
      OutputS3BucketName: bucket ?? '',
      CloudWatchLogGroupName: '',
      CloudWatchOutputEnabled: 'false',
    });
  }

  private key(scope: Scope, nodeId: string): string {
    return `${scope.account}|${scope.region}|${nodeId}`;
  }

  private wakePolls(scope: Scope, nodeId: string): void {
    const set = this.waiting.get(this.key(scope, nodeId));
    if (!set) return;
    // After the step that queued it has committed (the loop's transaction ends first).
    setImmediate(() => { for (const wake of [...set]) wake(); });
  }

  private waitForQueue(identity: AgentIdentityRef, ms: number): Promise<void> {
    const key = this.key(identity.scope, identity.nodeId);
    return new Promise((resolve) => {
      let set = this.waiting.get(key);
      if (!set) this.waiting.set(key, (set = new Set()));
      const done = () => {
        clearTimeout(timer);
        set!.delete(done);
        if (set!.size === 0) this.waiting.delete(key);
        resolve();
      };
      const timer = setTimeout(done, ms);
      set.add(done);
    });
  }
}
