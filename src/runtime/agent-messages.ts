// The message delivery service (ec2messages) a registered agent polls: a Run Command invocation queued for
// its node becomes a message in the agent's format (SendCommandPayload with the document's content), taken
// by one poll once; the agent's replies (SendReply: InProgress, then the document's final status with each
// plugin's exit code and output) move the invocation through the command executor, and from there the
// maintenance-window invocation (WindowReports). Shapes: the agent's own ssmmds SDK and runcommand
// contracts (github.com/aws/amazon-ssm-agent, agent/runcommand/testdata).
// A taken message is invisible for the poll's VisibilityTimeoutInSeconds (the agent asks for 10): unless
// the agent acknowledges it (AcknowledgeMessage, or any reply about it) in that time, the engine makes it
// visible again and the next poll takes it again, with the same MessageId, so a message lost with its
// poll's connection is delivered again, and the agent (which runs a command id once) runs it once.

import { createHash, randomUUID } from 'node:crypto';
import { type Command, type CommandInvocation, hasQueuedMessage, type RunReport, rollUp } from '../domain/commands.ts';
import { findDocument } from '../domain/documents.ts';
import { ServiceError } from '../domain/errors.ts';
import type { Scope } from '../domain/model.ts';
import { saveCommandChange } from '../service/command-changes.ts';
import type { Clock, EngineControl, Store } from '../service/ports.ts';
import { AGENT_SILENCE_GRACE_MS, type CommandExecutor, deliveryDeadline } from './command-executor.ts';

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

/**
 * A SendReply's payload as the wire decoded and checked it (the agent's SendReplyPayload): the document's
 * status and each plugin's, with int32 exit codes.
 */
export interface AgentReplyPayload {
  documentStatus: string;
  plugins: { status: string; code: number; standardOutput: string; standardError: string }[];
}

/** The agent's own: a taken message stays invisible this long unless the poll asks otherwise. */
export const DEFAULT_VISIBILITY_SECONDS = 10;

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
function reportOf(payload: AgentReplyPayload): RunReport | 'rebooting' | undefined {
  const plugin = payload.plugins[0];
  const base = { responseCode: plugin?.code ?? -1, stdout: plugin?.standardOutput ?? '', stderr: plugin?.standardError ?? '' };
  switch (payload.documentStatus) {
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

  /**
   * GetMessages: what is queued for the node, or (held up to 15 s) the first message queued meanwhile.
   * What it takes stays invisible for `visibilitySeconds` (service clock) unless acknowledged.
   */
  async getMessages(identity: AgentIdentityRef, destination: string, visibilitySeconds = DEFAULT_VISIBILITY_SECONDS): Promise<AgentMessage[]> {
    if (destination !== identity.nodeId) throw new ServiceError('AccessDeniedException', `The credentials of ${identity.nodeId} cannot poll for ${destination}.`);
    const deadline = Date.now() + this.pollHoldMs;
    for (;;) {
      const messages = await this.take(identity, visibilitySeconds * 1000);
      const left = deadline - Date.now();
      if (messages.length > 0 || left <= 0) return messages;
      await this.waitForQueue(identity, Math.min(left, POLL_RECHECK_MS));
    }
  }

  /**
   * SendReply: the agent's word on a message it took (InProgress, or how the document ended). Any reply
   * tells that the agent has the message, as its acknowledgement does.
   */
  async sendReply(identity: AgentIdentityRef, messageId: string, payload: AgentReplyPayload): Promise<void> {
    const report = reportOf(payload);
    await this.answer(identity, messageId, report === undefined ? 'acknowledge' : report);
  }

  /** FailMessage: the agent could not handle the message; the invocation fails with no exit code. */
  async failMessage(identity: AgentIdentityRef, messageId: string): Promise<void> {
    await this.answer(identity, messageId, { status: 'Failed', statusDetails: 'Failed', responseCode: -1, stdout: '', stderr: '' });
  }

  /**
   * AcknowledgeMessage (and DeleteMessage, which takes a message out of the queue for good): the agent has
   * the message, which is never delivered again. An id of a message this service does not keep (a cancel
   * message) is accepted and changes nothing.
   */
  async acknowledge(identity: AgentIdentityRef, messageId: string): Promise<void> {
    await this.answer(identity, messageId, 'acknowledge');
  }

  // ----

  private ownMessage(identity: AgentIdentityRef, messageId: string): { commandId: string } {
    const parsed = parseMessageId(messageId);
    if (!parsed) throw new ServiceError('InvalidMessageIdException', `MessageId ${messageId} is not a message of this service.`);
    if (parsed.instanceId !== identity.nodeId) throw new ServiceError('AccessDeniedException', `The credentials of ${identity.nodeId} cannot answer for ${parsed.instanceId}.`);
    return parsed;
  }

  /**
   * What the agent says about a message it took, applied in one transaction: it has it (acknowledged, so
   * never delivered again), and, when the reply says how the document ended, the invocation ends so; a
   * reboot gives the agent its time limit again from now. A word about an invocation that already ended
   * (a cancel, a timeout, a deregistration) or that no poll took changes nothing: the first end stands.
   */
  private async answer(identity: AgentIdentityRef, messageId: string, what: RunReport | 'rebooting' | 'acknowledge'): Promise<void> {
    const { scope, nodeId } = identity;
    const { commandId } = this.ownMessage(identity, messageId);
    const now = this.clock.now();
    const moved = await this.store.transaction(async (tx) => {
      const command = await tx.getCommand(scope, commandId);
      const invocation = command && (await tx.getCommandInvocations(scope, commandId)).find((i) => i.instanceId === nodeId);
      if (!command || !invocation || invocation.status !== 'InProgress' || invocation.delivery === undefined) return false;
      const silenceDeadline = now + agentTimeLimitSeconds(command.executionTimeoutSeconds) * 1000 + AGENT_SILENCE_GRACE_MS;
      const unacknowledged = invocation.visibleAt !== undefined || invocation.delivery === 'queued';
      if (unacknowledged) Object.assign(invocation, { visibleAt: undefined, delivery: 'delivered', dueAt: silenceDeadline });
      if (what === 'acknowledge') {
        if (unacknowledged) await tx.updateCommandInvocations(scope, [invocation]);
        return false;
      }
      if (what === 'rebooting') {
        invocation.dueAt = silenceDeadline;
        await tx.updateCommandInvocations(scope, [invocation]);
        return false;
      }
      invocation.pending = what;
      invocation.dueAt = now;
      await tx.updateCommandInvocations(scope, [invocation]);
      await this.commands.move(tx, scope, commandId, now);
      return true;
    });
    if (moved) await this.engine.wake();
  }

  /** Takes the node's queued messages in one transaction: each is handed to this poll only, invisible to others for `visibilityMs`. */
  private take(identity: AgentIdentityRef, visibilityMs: number): Promise<AgentMessage[]> {
    const { scope, nodeId } = identity;
    return this.store.transaction(async (tx) => {
      const queuedList = await tx.listQueuedInvocations(scope, nodeId, MESSAGES_PER_POLL);
      const messages: (AgentMessage | undefined)[] = queuedList.map(() => undefined);
      // The commands are locked in id order, as the engine's step locks them (the lock order in
      // storage/postgres/postgres-store.ts); the messages keep the queue's order.
      const inLockOrder = queuedList.map((queued, k) => ({ queued, k })).sort((a, b) => (a.queued.commandId < b.queued.commandId ? -1 : a.queued.commandId > b.queued.commandId ? 1 : 0));
      for (const { queued, k } of inLockOrder) {
        const command = await tx.getCommand(scope, queued.commandId);
        if (!command) continue;
        const invocations = await tx.getCommandInvocations(scope, command.id);
        const invocation = invocations.find((i) => i.instanceId === nodeId);
        if (!invocation) continue;
        const built = this.deliver(scope, command, invocation, visibilityMs);
        if (!built) continue;
        messages[k] = built;
        await saveCommandChange(tx, scope, command, rollUp(command, invocations, command.cancelRequested === true), invocations, [invocation], this.clock.now());
      }
      return messages.filter((m): m is AgentMessage => m !== undefined);
    });
  }

  private deliver(scope: Scope, command: Command, invocation: CommandInvocation, visibilityMs: number): AgentMessage | undefined {
    const { id: commandId, documentName, parameters, outputS3BucketName: bucket, outputS3KeyPrefix: prefix } = command;
    const now = this.clock.now();
    if (invocation.cancelDelivery === 'queued') {
      invocation.cancelDelivery = 'delivered';
      return message(invocation.instanceId, `aws.ssm.${randomUUID()}.${invocation.instanceId}`, 'cancelCommand', scope.region,
        { CancelMessageId: messageIdOf(commandId, invocation.instanceId) });
    }
    if (!hasQueuedMessage(invocation) || invocation.delivery !== 'queued') return undefined;
    // Past its delivery deadline it is not handed out any more (the engine ends it DeliveryTimedOut).
    if (now >= deliveryDeadline(command)) return undefined;
    const document = findDocument(documentName);
    // String parameters go as strings, StringList ones as lists (as in the agent's sample messages).
    const sent = Object.fromEntries(document.parameters.map((p) => [p.name, p.type === 'StringList' ? parameters[p.name] ?? [] : (parameters[p.name] ?? [''])[0]]));
    // InProgress from the first poll that takes it (AWS: "Systems Manager is attempting to send the command
    // to the instance, or the command was received by SSM Agent"), and due when it becomes visible again:
    // its acknowledgement moves the deadline to the agent's time limit (see answer()).
    Object.assign(invocation, {
      status: 'InProgress', statusDetails: 'InProgress', startedAt: invocation.startedAt ?? now, delivery: 'delivered',
      visibleAt: now + visibilityMs, dueAt: now + visibilityMs,
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
