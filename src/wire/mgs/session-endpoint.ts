// A session's two data channels at /v1/data-channel/{sessionId}, joined by the relay (runtime/session-relay.ts),
// and the session messages of the agent's control channel. The plugin proves itself with StartSession's (or
// ResumeSession's) token in its first frame, each token once (service/sessions.ts); the agent with its signed
// upgrade and the token its CreateDataChannel POST got. What the relay sees becomes the session's record:
// Connected, Disconnected, Terminated or Failed, and, with --session-transcripts, its output.

import { randomUUID } from 'node:crypto';
import type { WebSocket } from 'ws';
import type { Scope } from '../../domain/model.ts';
import { ServiceError } from '../../domain/errors.ts';
import type { AgentIdentity } from '../../service/agents.ts';
import type { ControlChannels, OpenChannel } from '../../service/control-channels.ts';
import type { Clock } from '../../service/ports.ts';
import type { SessionService } from '../../service/sessions.ts';
import { wsPeer } from '../../runtime/session-peer.ts';
import { SessionRelay, type SessionRelayOptions } from '../../runtime/session-relay.ts';
import type { DataChannelEndpoint } from '../mgs-routes.ts';
import { type AgentMessage, encodeAgentMessage, MessageType } from './agent-message.ts';
import { readOpenDataChannelInput } from './channel-open.ts';
import { channelClosedMessage } from './channel-closed.ts';
import { parseObject, stringMember } from './payload-json.ts';
import { readAgentTaskComplete, taskAcknowledgeMessage, taskAcknowledgementOf } from './session-task.ts';

/** [I] A session is Connecting at most this long (service clock) before it ends Failed. */
export const CONNECT_WITHIN_MS = 5 * 60_000;
const SWEEP_EVERY_MS = 30_000;
/** The first frame must come soon after the upgrade. */
const OPEN_TIMEOUT_MS = 10_000;
/** The largest data channel frame (the relay's bound too): stream payloads are at most 1,024 bytes; a handshake carries the document's properties. */
export const DATA_FRAME_LIMIT = 131_072;

/** Where a session's output goes with --session-transcripts (bounded by the relay). */
export interface TranscriptSink {
  append(sessionId: string, chunk: Buffer): void;
  ended(sessionId: string): void;
}

export interface SessionEndpointOptions {
  sessions: SessionService;
  channels: ControlChannels;
  realClock: Clock;
  /** The service's clock, on which sessions start (the sweep of sessions never connected). */
  clock: Clock;
  log: (message: string, fields?: Record<string, unknown>, level?: 'info' | 'warn' | 'error') => void;
  transcripts?: TranscriptSink;
  /** Counts what the relay carries (metrics). */
  relayed?: (direction: 'client' | 'agent', bytes: number) => void;
  relay?: Omit<SessionRelayOptions, 'events' | 'maxFrameBytes'>;
}

/** The plugin's OpenDataChannelInput (session-manager-plugin src/service/service.go): the agent's has ClientInstanceId instead of ClientVersion. */
export function readClientOpenDataChannelInput(text: string): { tokenValue: string; clientId: string; clientVersion: string } {
  const p = 'OpenDataChannelInput';
  const o = parseObject(p, text);
  stringMember(p, o, 'MessageSchemaVersion', 1);
  stringMember(p, o, 'RequestId', 16);
  return { tokenValue: stringMember(p, o, 'TokenValue', 1), clientId: stringMember(p, o, 'ClientId', 1), clientVersion: stringMember(p, o, 'ClientVersion', 1) };
}

export class SessionEndpoint implements DataChannelEndpoint {
  readonly frameLimit = DATA_FRAME_LIMIT;
  readonly relay: SessionRelay;
  private readonly options: SessionEndpointOptions;
  /** The node each session here runs on, for a channel_closed on its control channel. */
  private readonly nodes = new Map<string, { scope: Scope; nodeId: string }>();
  private readonly sweep: NodeJS.Timeout;
  /** Session reports being written (stop waits for them). */
  private readonly reporting = new Set<Promise<void>>();

  constructor(options: SessionEndpointOptions) {
    this.options = options;
    const { sessions, log } = options;
    const report = (what: string, work: Promise<void>) => {
      const done = work.catch((error: unknown) => log(`session ${what} not recorded`, { error: String(error) }, 'warn'));
      this.reporting.add(done);
      void done.finally(() => this.reporting.delete(done));
    };
    this.relay = new SessionRelay({
      ...options.relay,
      maxFrameBytes: DATA_FRAME_LIMIT,
      events: {
        connected: (id) => report('connected', sessions.connected(id)),
        disconnected: (id) => report('disconnected', sessions.disconnected(id)),
        ended: (id, outcome, details) => {
          this.nodes.delete(id);
          options.transcripts?.ended(id);
          report('end', sessions.ended(id, outcome, details));
        },
        terminateOnControlChannel: (id) => this.terminateOnControlChannel(id),
        relayed: (_id, from, bytes) => options.relayed?.(from, bytes),
        transcript: (id, chunk) => options.transcripts?.append(id, chunk),
      },
    });
    // TerminateSession, a deregistration, any end the API decided: the relay closes both channels.
    sessions.connect({ onTerminateRequested: (id) => this.relay.terminate(id, 'TerminateSession') });
    // A session whose channels never met stays Connecting no longer than CONNECT_WITHIN_MS.
    this.sweep = setInterval(() => {
      report('expiry', sessions.expireUnconnected(options.clock.now() - CONNECT_WITHIN_MS).then(() => undefined));
    }, SWEEP_EVERY_MS);
    this.sweep.unref();
  }

  agentAllowed(identity: AgentIdentity, sessionId: string): Promise<boolean> {
    return this.options.sessions.agentChannelAllowed(identity.scope, identity.nodeId, sessionId);
  }

  agentSocket(ws: WebSocket, identity: AgentIdentity, sessionId: string, tokenValid: (token: string) => Promise<boolean>): void {
    this.firstFrame(ws, async (text) => {
      const input = readOpenDataChannelInput(text);
      if (input.clientInstanceId !== identity.nodeId || !(await tokenValid(input.tokenValue))) throw new ServiceError('AccessDeniedException', 'the data channel token is not valid for this node and session');
      this.nodes.set(sessionId, { scope: identity.scope, nodeId: identity.nodeId });
      this.relay.attachAgent(sessionId, wsPeer(ws), { destinationId: identity.nodeId });
    });
  }

  clientSocket(ws: WebSocket, sessionId: string): void {
    this.firstFrame(ws, async (text) => {
      const input = readClientOpenDataChannelInput(text);
      const { session } = await this.options.sessions.openClientChannel(sessionId, input.tokenValue);
      // The document's limits: idleSessionTimeout (default 20 minutes) and maxSessionDuration, from the start.
      const maxDurationMs = session.maxSessionDuration === undefined ? undefined : Number(session.maxSessionDuration) * 60_000 - (this.options.clock.now() - session.startedAt);
      this.relay.attachClient(sessionId, wsPeer(ws), {
        destinationId: input.clientId,
        limits: {
          ...(session.idleSessionTimeout === undefined ? {} : { idleMs: session.idleSessionTimeout * 60_000 }),
          ...(maxDurationMs === undefined ? {} : { maxDurationMs: Math.max(0, maxDurationMs) }),
        },
      });
    });
  }

  /** agent_task_complete: the session ended on the node. Acknowledged, or the agent sends it twice more. */
  async onControlMessage(channel: OpenChannel, message: AgentMessage): Promise<void> {
    if (message.messageType !== MessageType.AgentTaskComplete) {
      this.options.log('control channel message not handled', { nodeId: channel.identity.nodeId, messageType: message.messageType });
      return;
    }
    const complete = readAgentTaskComplete(message);
    channel.connection.sendFrame(encodeAgentMessage(taskAcknowledgeMessage(taskAcknowledgementOf(message, complete), randomUUID(), this.options.realClock.now())));
    const sessionId = complete.taskId;
    // A session plugin that failed on the node (a handshake, KMS, a shell that would not start) ends Failed.
    const failed = !['Success', 'Cancelled'].includes(complete.finalTaskStatus);
    if (failed) {
      await this.options.sessions.ended(sessionId, 'Failed', complete.output === '' ? `the session ended ${complete.finalTaskStatus} on the node` : complete.output);
      if (this.relay.has(sessionId)) this.relay.terminate(sessionId, 'the session failed on the node');
    } else if (this.relay.has(sessionId)) {
      this.relay.agentCompleted(sessionId);
    } else {
      await this.options.sessions.ended(sessionId, 'Terminated', 'the session ended on the node');
    }
  }

  onControlOpened(): void {
    // Session starts wait in the store; the channel's delivery loop sends them.
  }

  /** Ends every session here (the service is stopping), once their ends are recorded. */
  async stop(): Promise<void> {
    clearInterval(this.sweep);
    this.relay.stop();
    await Promise.all([...this.reporting]);
  }

  private terminateOnControlChannel(sessionId: string): void {
    const node = this.nodes.get(sessionId);
    if (!node) return;
    const channel = this.options.channels.channelOf(node.scope, node.nodeId);
    channel?.connection.sendFrame(encodeAgentMessage(channelClosedMessage({
      messageId: randomUUID(), destinationId: node.nodeId, sessionId, schemaVersion: 1, createdDate: this.options.realClock.now(),
    })));
  }

  /** The socket's first frame, a text one, handed to `open`; a refusal closes the socket with its reason. */
  private firstFrame(ws: WebSocket, open: (text: string) => Promise<void>): void {
    const timer = setTimeout(() => ws.close(1008, 'OpenDataChannel did not come'), OPEN_TIMEOUT_MS);
    timer.unref();
    ws.once('message', (data: Buffer, isBinary: boolean) => {
      clearTimeout(timer);
      if (isBinary) {
        ws.close(1008, 'the first frame must be OpenDataChannelInput');
        return;
      }
      // Frames after the first wait in the socket until the relay listens (opening reads the store).
      ws.pause();
      open(data.toString('utf8')).then(() => ws.resume(), (error: unknown) => {
        ws.resume();
        // A refusal (of the service, or of the frame) is told to the peer; anything else is ours, and logged.
        const refused = error instanceof ServiceError || (error instanceof Error && error.name === 'ControlPayloadError');
        const reason = refused ? (error as Error).message : 'the data channel could not open';
        if (!refused) this.options.log('data channel failed to open', { error: String((error as Error)?.stack ?? error) }, 'error');
        // The agent stops retrying on this text (mgsConfig SessionAlreadyTerminatedError).
        ws.close(1008, /ended|terminated/i.test(reason) ? 'Session is already terminated' : reason.slice(0, 120));
      });
    });
    ws.on('error', () => ws.terminate());
  }
}
