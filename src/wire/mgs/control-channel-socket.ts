// One agent's control channel WebSocket, once its upgrade was verified: the first (text) frame must be
// OpenControlChannelInput with the token CreateControlChannel gave this node; after it every frame is a
// binary agent message. Deliveries go down as agent_job frames carrying the ec2messages payload
// unchanged (agent-job.ts); agent_job_ack and agent_job_reply come back and are handed to the delivery
// path (service/control-channels.ts), and every reply is answered agent_job_reply_ack, or the agent sends
// it again. Session messages are handed to whoever serves sessions.

import { randomUUID } from 'node:crypto';
import type { WebSocket } from 'ws';
import { ServiceError } from '../../domain/errors.ts';
import type { Delivery } from '../../service/agent-delivery.ts';
import type { AgentIdentity } from '../../service/agents.ts';
import type { ChannelConnection, ControlChannels, JobAckOutcome, OpenChannel } from '../../service/control-channels.ts';
import type { Clock } from '../../service/ports.ts';
import type { SessionSignal } from '../../service/sessions.ts';
import { agentMessage as ec2Message, messageRef, typedParameters } from '../ec2messages-format.ts';
import { type AgentMessage, decodeAgentMessage, encodeAgentMessage, MessageType } from './agent-message.ts';
import {
  AgentJobAckStatus, agentJobMessage, agentJobOf, agentJobReplyAckMessage, agentReplyOf, readAgentJobAck, readAgentJobReply,
} from './agent-job.ts';
import { readOpenControlChannelInput } from './channel-open.ts';
import { channelClosedMessage } from './channel-closed.ts';
import { type AgentTask, interactiveShellMessage } from './session-task.ts';

/** The largest frame an agent sends (a reply's content is at most 120,000 bytes, agent-job.ts) with room for its envelope. */
export const CONTROL_FRAME_LIMIT = 256 * 1024;
/** A socket holding more than this unsent is one whose agent stopped reading: it is dropped, not buffered for. */
export const CONTROL_SEND_BUFFER_LIMIT = 4 * 1024 * 1024;
/** The agent sends OpenControlChannelInput right after the upgrade. */
const OPEN_TIMEOUT_MS = 10_000;

/** What the socket needs besides the delivery path. */
export interface ControlSocketOptions {
  channels: ControlChannels;
  /** Whether the token in the first frame was issued to this node for its control channel. */
  tokenValid(token: string): Promise<boolean>;
  realClock: Clock;
  log: (message: string, fields?: Record<string, unknown>, level?: 'info' | 'warn' | 'error') => void;
  /** Session messages the agent sends on its control channel (agent_task_reply, agent_task_complete, ...). */
  onSessionMessage?: (channel: OpenChannel, message: AgentMessage) => Promise<void>;
  /** The channel opened (sessions send their start messages now). */
  onOpened?: (channel: OpenChannel) => void;
}

/** agent_job_ack's statusCode as what the delivery path does with the job. */
export function ackOutcome(statusCode: string): JobAckOutcome {
  switch (statusCode) {
    case AgentJobAckStatus.Successful:
    case AgentJobAckStatus.DuplicateCommand: // it has the job already
    case AgentJobAckStatus.AgentJobMessageParseError: // it says why in a Failed reply of its own
      return 'taken';
    case AgentJobAckStatus.UnexpectedDocumentType:
    case AgentJobAckStatus.InvalidDocument:
    case AgentJobAckStatus.ContainerNotSupported:
      return 'refused';
    default: // a closed or full processor, an unexpected error: sent again later
      return 'retry-later';
  }
}

/** A session's start as the agent's AgentTaskPayload: its document's content as the agent's session plugins read it. */
export function agentTaskOf(signal: Extract<SessionSignal, { kind: 'start' }>): AgentTask {
  const content = signal.documentContent;
  const object = (value: unknown): Record<string, unknown> => (value && typeof value === 'object' && !Array.isArray(value) ? value as Record<string, unknown> : {});
  return {
    documentName: signal.documentName,
    documentContent: {
      schemaVersion: typeof content.schemaVersion === 'string' ? content.schemaVersion : '1.0',
      description: typeof content.description === 'string' ? content.description : '',
      sessionType: signal.sessionType,
      inputs: object(content.inputs),
      parameters: object(content.parameters),
      properties: content.properties ?? null,
    },
    sessionId: signal.sessionId,
    // Typed as declared, as Run Command's are: the agent puts a String's value into `{{ command }}` as it is,
    // and a list there is refused ("cannot unmarshal array ... commands of type string").
    parameters: typedParameters(content, signal.parameters),
    runAsUser: signal.runAsUser ?? '',
    sessionOwner: signal.owner,
  };
}

export function serveControlChannel(ws: WebSocket, identity: AgentIdentity, options: ControlSocketOptions): void {
  const { channels, realClock, log } = options;
  let channel: OpenChannel | undefined;
  let closed = false;
  // Frames are handled one after another, in the order they came.
  let queue: Promise<void> = Promise.resolve();

  const openTimer = setTimeout(() => ws.close(1008, 'OpenControlChannel did not come'), OPEN_TIMEOUT_MS);
  openTimer.unref();

  // Every frame goes out here, under the one bound on what may wait for an agent that stopped reading.
  const sendFrame = (frame: Buffer): boolean => {
    if (closed || ws.readyState !== ws.OPEN) return false;
    if (ws.bufferedAmount > CONTROL_SEND_BUFFER_LIMIT) {
      log('control channel dropped: the agent stopped reading', { nodeId: identity.nodeId }, 'warn');
      ws.terminate();
      return false;
    }
    ws.send(frame);
    return true;
  };
  const send = (message: AgentMessage): boolean => sendFrame(encodeAgentMessage(message));

  const connection: ChannelConnection = {
    send(delivery: Delivery): boolean {
      const now = realClock.now();
      return send(agentJobMessage(agentJobOf(ec2Message(delivery, identity.scope.region, now)), randomUUID(), now));
    },
    sendSignal(signal: SessionSignal): boolean {
      const now = realClock.now();
      if (signal.kind === 'terminate') {
        return send(channelClosedMessage({ messageId: randomUUID(), destinationId: identity.nodeId, sessionId: signal.sessionId, schemaVersion: 1, createdDate: now }));
      }
      return send(interactiveShellMessage(agentTaskOf(signal), randomUUID(), now));
    },
    sendFrame,
    close(reason: string): void {
      if (ws.readyState === ws.OPEN || ws.readyState === ws.CONNECTING) ws.close(1001, reason.slice(0, 120));
    },
  };

  async function open(text: string): Promise<void> {
    clearTimeout(openTimer);
    let token: string;
    try {
      token = readOpenControlChannelInput(text).tokenValue;
    } catch (error) {
      ws.close(1008, String((error as Error).message).slice(0, 120));
      return;
    }
    if (!(await options.tokenValid(token))) {
      ws.close(1008, 'the channel token is not valid for this node');
      return;
    }
    if (closed) return;
    channel = await channels.opened(identity, connection);
    options.onOpened?.(channel);
  }

  async function handle(frame: Buffer): Promise<void> {
    if (!channel) return;
    let message: AgentMessage;
    try {
      message = decodeAgentMessage(frame);
    } catch (error) {
      log('control channel frame refused', { nodeId: identity.nodeId, error: String((error as Error).message) }, 'warn');
      return;
    }
    switch (message.messageType) {
      case MessageType.AgentJobAck: {
        const ack = readAgentJobAck(message);
        if (ack.jobId === '') return; // a job it could not parse at all: it follows up with a Failed reply
        await channels.jobAcknowledged(channel, messageRef(ack.jobId), ackOutcome(ack.statusCode));
        return;
      }
      case MessageType.AgentJobReply: {
        const reply = readAgentJobReply(message);
        const acknowledge = () => send(agentJobReplyAckMessage({ jobId: reply.jobId, acknowledgedMessageId: message.messageId }, randomUUID(), realClock.now()));
        let parsed;
        try {
          parsed = { ref: messageRef(reply.jobId), reply: agentReplyOf(reply) };
        } catch (error) {
          // A reply no sending again will make readable: acknowledged, so the agent stops resending it.
          log('control channel reply refused', { nodeId: identity.nodeId, jobId: reply.jobId, error: String((error as Error).message) }, 'warn');
          acknowledge();
          return;
        }
        // Applied first, acknowledged after: a reply lost with a failure of ours is sent again by the agent;
        // one refused for what it says (another node's job) would be refused again, so it is acknowledged.
        try {
          await channels.jobReplied(channel, parsed.ref, parsed.reply);
        } catch (error) {
          if (!(error instanceof ServiceError) || error.fault !== 'client') throw error;
          log('control channel reply refused', { nodeId: identity.nodeId, jobId: reply.jobId, error: error.message }, 'warn');
        }
        acknowledge();
        return;
      }
      default:
        if (options.onSessionMessage) await options.onSessionMessage(channel, message);
        else log('control channel message not handled', { nodeId: identity.nodeId, messageType: message.messageType });
    }
  }

  ws.on('message', (data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean) => {
    const frame = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
    queue = queue.then(async () => {
      if (closed) return;
      if (!channel) {
        if (isBinary) ws.close(1008, 'the first frame must be OpenControlChannelInput');
        else await open(frame.toString('utf8'));
        return;
      }
      if (!isBinary) return; // nothing but the first frame is text
      await handle(frame);
      if (channel) await channels.seen(channel);
    }).catch((error: unknown) => {
      log('control channel frame failed', { nodeId: identity.nodeId, error: String((error as Error)?.message ?? error) }, 'warn');
    });
  });
  ws.on('ping', () => {
    if (channel) void channels.seen(channel).catch(() => undefined);
  });
  ws.on('close', () => {
    closed = true;
    clearTimeout(openTimer);
    queue = queue.then(async () => {
      if (channel) await channels.closed(channel);
    }).catch(() => undefined);
  });
  ws.on('error', () => ws.terminate());
}
