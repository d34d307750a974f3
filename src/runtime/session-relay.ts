// The relay between the two data channels of a Session Manager session: the session-manager-plugin's (the
// client) and the SSM Agent's, both at /v1/data-channel/{sessionId}. Frames pass unchanged and in order:
// sequence numbers, acknowledgements and retransmission are end to end between plugin and agent (each acks
// the other's stream frames: agent datachannel.go handleStreamDataMessage, plugin streaming.go
// HandleOutputMessage), so the service never acknowledges session frames itself. What the relay adds is what
// only the service can do: hold frames for a side not yet attached, tell each side when the session ends
// (channel_closed), pause the agent's output while the client is away (pause_publication/start_publication,
// which only the agent reads), and read the agent's agent_session_state, which is addressed to the service.

import { randomUUID } from 'node:crypto';
import { AgentMessageError, decodeAgentMessage, encodeAgentMessage, type AgentMessage, MessageType } from '../wire/mgs/agent-message.ts';
import { channelClosedMessage } from '../wire/mgs/channel-closed.ts';
import { AgentSessionStatus, isSessionOutput, publicationMessage, readAgentSessionState } from '../wire/mgs/session-stream.ts';
import { CloseCode, type Peer } from './session-peer.ts';
import { TranscriptBound } from './session-transcript.ts';

export type Side = 'client' | 'agent';
export type SessionOutcome = 'Terminated' | 'Failed';

/** What AWS's plugin prints after "SessionId: <id> : " when the service ends an idle session. */
export const IDLE_TIMEOUT_OUTPUT = 'Your session timed out due to inactivity and has been terminated.';

export interface RelayTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface SessionRelayEvents {
  /** Both data channels are attached (again, after a resume): the session's status becomes Connected. */
  connected?(sessionId: string): void;
  /** The client's socket went away without the session ending: status Disconnected, ResumeSession may follow. */
  disconnected?(sessionId: string): void;
  /** Once per session, after both sockets were told and closed. */
  ended?(sessionId: string, outcome: SessionOutcome, details: string): void;
  /** The agent's agent_session_state (Connected on opening its channel, Terminating when the shell ended). */
  agentState?(sessionId: string, state: string): void;
  /** The session ends by the service's decision: send the agent channel_closed on its control channel too. */
  terminateOnControlChannel?(sessionId: string): void;
  /** Each frame relayed, for metrics. */
  relayed?(sessionId: string, from: Side, bytes: number): void;
  /** Output bytes for the session's transcript, already bounded (see transcriptBytes). */
  transcript?(sessionId: string, chunk: Buffer): void;
}

export interface SessionRelayOptions {
  /** Largest frame taken from either peer, header included. Default 131072: stream payloads are at most 1024
   *  bytes (StreamDataPayloadSize in both peers); handshake JSON carries the session document's properties. */
  maxFrameBytes?: number;
  /** Bytes held, per direction, for a side not attached yet (or away). Default 1 MiB; past it the session fails. */
  pendingBytes?: number;
  /** A peer whose socket holds more unsent bytes than this is dropped. Default 4 MiB. */
  maxBufferedBytes?: number;
  /** No input_stream_data from the client for this long ends the session (AWS idleSessionTimeout, default 20 min). */
  idleMs?: number;
  /** How long the agent may take to reopen a data channel that broke without it saying Terminating. Default 30 s
   *  (the agent retries 5 times, 100 ms to 5 s apart: datachannel.go SetWebSocket onErrorHandler). */
  agentReconnectMs?: number;
  /** Transcript bytes kept per session before the truncation marker. Default 1 MiB. */
  transcriptBytes?: number;
  now?: () => number;
  timers?: RelayTimers;
  newId?: () => string;
  events?: SessionRelayEvents;
}

export interface AttachOptions {
  /** DestinationId of the channel_closed this side is sent: the plugin's ClientId, the agent's instance id. */
  destinationId?: string;
  /** The session document's own limits, taken when they are first given (the relay's defaults otherwise). */
  limits?: { idleMs?: number; maxDurationMs?: number };
}

/** What AWS's plugin prints when a session reaches its document's maxSessionDuration [I]. */
export const MAX_DURATION_OUTPUT = 'Your session has reached its maximum duration and has been terminated.';

interface Held { frames: Buffer[]; bytes: number }

interface Session {
  id: string;
  client?: Peer; agent?: Peer;
  clientDestination: string; agentDestination: string;
  /** Frames waiting for that side. */
  toClient: Held; toAgent: Held;
  connected: boolean;
  /** The client left a connected session: the agent is (to be) paused until a client attaches again. */
  clientAway: boolean;
  agentTerminating: boolean;
  lastInput: number;
  idleTimer?: unknown; agentTimer?: unknown; durationTimer?: unknown;
  /** This session's idle limit (its document's idleSessionTimeout, or the relay's default). */
  idleMs: number;
  limitsSet: boolean;
  transcript: TranscriptBound;
  /** Highest output sequence number recorded: the agent resends unacknowledged frames, recorded once. */
  recordedSequence: number;
}

const ENDED_REMEMBERED = 1000;

export class SessionRelay {
  readonly #sessions = new Map<string, Session>();
  readonly #ended = new Set<string>();
  readonly #o: Required<Omit<SessionRelayOptions, 'events'>>;
  readonly #events: SessionRelayEvents;

  constructor(options: SessionRelayOptions = {}) {
    this.#o = {
      maxFrameBytes: options.maxFrameBytes ?? 131_072,
      pendingBytes: options.pendingBytes ?? 1_048_576,
      maxBufferedBytes: options.maxBufferedBytes ?? 4_194_304,
      idleMs: options.idleMs ?? 20 * 60_000,
      agentReconnectMs: options.agentReconnectMs ?? 30_000,
      transcriptBytes: options.transcriptBytes ?? 1_048_576,
      now: options.now ?? Date.now,
      timers: options.timers ?? { setTimeout: (fn, ms) => setTimeout(fn, ms), clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout) },
      newId: options.newId ?? randomUUID,
    };
    this.#events = options.events ?? {};
  }

  /** The plugin's socket, after its OpenDataChannel frame was checked; a second one replaces the first (resume). */
  attachClient(sessionId: string, peer: Peer, options: AttachOptions = {}): void {
    this.#attach('client', sessionId, peer, options);
  }

  /** The agent's socket, after its signed upgrade and OpenDataChannel frame; again after the agent reconnects. */
  attachAgent(sessionId: string, peer: Peer, options: AttachOptions = {}): void {
    this.#attach('agent', sessionId, peer, options);
  }

  /** Ends a session the service's way (TerminateSession, deregistration): channel_closed to both, sockets closed. */
  terminate(sessionId: string, reason: string, output?: string): void {
    const s = this.#sessions.get(sessionId);
    if (s !== undefined) this.#end(s, 'Terminated', reason, output, true);
  }

  /** The agent reported the session complete on its control channel (agent_task_complete). */
  agentCompleted(sessionId: string): void {
    const s = this.#sessions.get(sessionId);
    if (s !== undefined) this.#end(s, 'Terminated', 'the session ended on the node', undefined, false);
  }

  has(sessionId: string): boolean {
    return this.#sessions.has(sessionId);
  }

  /** Fails every session (the service is stopping); the relay holds nothing afterwards. */
  stop(): void {
    for (const s of [...this.#sessions.values()]) this.#end(s, 'Failed', 'the service stopped', undefined, false);
  }

  #attach(side: Side, sessionId: string, peer: Peer, options: AttachOptions): void {
    if (this.#ended.has(sessionId)) {
      // The agent stops reconnecting on this text (mgsConfig SessionAlreadyTerminatedError).
      peer.close(CloseCode.PolicyViolation, 'Session is already terminated');
      return;
    }
    const s = this.#sessions.get(sessionId) ?? this.#create(sessionId);
    if (options.limits && !s.limitsSet) this.#limit(s, options.limits);
    const previous = s[side];
    s[side] = peer;
    if (options.destinationId !== undefined) s[side === 'client' ? 'clientDestination' : 'agentDestination'] = options.destinationId;
    // The newer socket wins: the plugin resumes on a new one while the old may not have closed yet.
    previous?.close(CloseCode.Normal, 'replaced by a new data channel');
    peer.listen({
      frame: (data, binary) => { if (s[side] === peer) this.#frame(s, side, data, binary); },
      close: () => { if (s[side] === peer) this.#lost(s, side); },
    });
    if (side === 'agent' && s.agentTimer !== undefined) {
      this.#o.timers.clearTimeout(s.agentTimer);
      s.agentTimer = undefined;
    }
    const held = side === 'client' ? s.toClient : s.toAgent;
    const frames = held.frames.splice(0);
    held.bytes = 0;
    for (const frame of frames) if (!this.#send(s, side, frame)) return;
    // pause_publication holds the agent's output in its own buffer while the client is away; the agent unpauses
    // itself on reconnecting (Reconnect), so a new agent socket is paused again, and a resumed client restarts it.
    if (s.clientAway && s.agent !== undefined) {
      const type = s.client === undefined ? MessageType.PausePublication : MessageType.StartPublication;
      if (type === MessageType.StartPublication) s.clientAway = false;
      this.#sendMessage(s, 'agent', publicationMessage(type, this.#o.newId(), this.#o.now()));
    }
    if (s.client !== undefined && s.agent !== undefined && !s.connected) {
      s.connected = true;
      this.#events.connected?.(s.id);
    }
  }

  #create(id: string): Session {
    const s: Session = {
      id, clientDestination: '', agentDestination: '', toClient: { frames: [], bytes: 0 }, toAgent: { frames: [], bytes: 0 },
      connected: false, clientAway: false, agentTerminating: false, lastInput: this.#o.now(), idleMs: this.#o.idleMs, limitsSet: false,
      transcript: new TranscriptBound(this.#o.transcriptBytes), recordedSequence: -1,
    };
    this.#sessions.set(id, s);
    this.#armIdle(s, this.#o.idleMs);
    return s;
  }

  #frame(s: Session, from: Side, data: Buffer, binary: boolean): void {
    if (data.length > this.#o.maxFrameBytes) {
      this.#end(s, 'Failed', `the ${from} sent a frame of ${data.length} bytes, more than ${this.#o.maxFrameBytes}`, undefined, true);
      return;
    }
    let message: AgentMessage;
    try {
      if (!binary) throw new AgentMessageError('truncated', 'a text frame after the channel was opened');
      message = decodeAgentMessage(data);
    } catch (error) {
      this.#end(s, 'Failed', `the ${from} sent an undecodable frame: ${(error as Error).message}`, undefined, true);
      return;
    }
    this.#events.relayed?.(s.id, from, data.length);
    if (from === 'client') {
      if (message.messageType === MessageType.InputStreamData) s.lastInput = this.#o.now();
      this.#toward(s, 'agent', data);
      return;
    }
    switch (message.messageType) {
      case MessageType.AgentSessionState: {
        let state: string;
        try {
          state = readAgentSessionState(message).sessionState;
        } catch (error) {
          this.#end(s, 'Failed', `the agent sent an unreadable agent_session_state: ${(error as Error).message}`, undefined, true);
          return;
        }
        if (state === AgentSessionStatus.Terminating) s.agentTerminating = true;
        this.#events.agentState?.(s.id, state);
        return;
      }
      case MessageType.ChannelClosed:
        this.#toward(s, 'client', data);
        this.#end(s, 'Terminated', 'the node closed the session', undefined, false);
        return;
      default:
        if (isSessionOutput(message) && message.sequenceNumber > s.recordedSequence) {
          s.recordedSequence = message.sequenceNumber;
          const chunk = s.transcript.take(message.payload);
          if (chunk.length > 0) this.#events.transcript?.(s.id, chunk);
        } else if (message.messageType === MessageType.OutputStreamData) {
          s.recordedSequence = Math.max(s.recordedSequence, message.sequenceNumber);
        }
        this.#toward(s, 'client', data);
    }
  }

  /** Sends to `side`, or holds the frame until it attaches; past the bound the session fails. */
  #toward(s: Session, side: Side, frame: Buffer): void {
    if (s[side] !== undefined) {
      this.#send(s, side, frame);
      return;
    }
    const held = side === 'client' ? s.toClient : s.toAgent;
    if (held.bytes + frame.length > this.#o.pendingBytes) {
      this.#end(s, 'Failed', `more than ${this.#o.pendingBytes} bytes waited for the ${side} to connect`, undefined, true);
      return;
    }
    held.frames.push(frame);
    held.bytes += frame.length;
  }

  /** False when the peer was dropped for not reading. */
  #send(s: Session, side: Side, frame: Buffer): boolean {
    const peer = s[side];
    if (peer === undefined) return false;
    if (peer.bufferedAmount > this.#o.maxBufferedBytes) {
      peer.close(CloseCode.TryAgainLater, 'the peer stopped reading');
      this.#lost(s, side);
      return false;
    }
    peer.send(frame);
    return true;
  }

  #sendMessage(s: Session, side: Side, message: AgentMessage): void {
    this.#send(s, side, encodeAgentMessage(message));
  }

  /** A side's socket is gone without the session ending (yet). */
  #lost(s: Session, side: Side): void {
    if (!this.#sessions.has(s.id)) return;
    s[side] = undefined;
    if (side === 'client') {
      if (s.connected) {
        s.connected = false;
        s.clientAway = true;
        // The agent keeps its output in its own buffer while paused, and resends it after start_publication.
        if (s.agent !== undefined) this.#sendMessage(s, 'agent', publicationMessage(MessageType.PausePublication, this.#o.newId(), this.#o.now()));
        this.#events.disconnected?.(s.id);
      }
      // The idle timer keeps running: a client that never resumes ends the session as an idle one does.
      return;
    }
    if (s.agentTerminating) {
      this.#end(s, 'Terminated', 'the session ended on the node', undefined, false);
      return;
    }
    s.agentTimer = this.#o.timers.setTimeout(() => {
      s.agentTimer = undefined;
      if (s.agent === undefined) this.#end(s, 'Failed', 'the node\'s data channel closed and did not reopen', undefined, true);
    }, this.#o.agentReconnectMs);
  }

  #armIdle(s: Session, ms: number): void {
    s.idleTimer = this.#o.timers.setTimeout(() => {
      const quiet = this.#o.now() - s.lastInput;
      if (quiet >= s.idleMs) this.#end(s, 'Terminated', 'idle timeout', IDLE_TIMEOUT_OUTPUT, true);
      else this.#armIdle(s, s.idleMs - quiet);
    }, ms);
  }

  /** The document's idle limit replaces the default one; its maximum duration ends the session however busy. */
  #limit(s: Session, limits: { idleMs?: number; maxDurationMs?: number }): void {
    s.limitsSet = true;
    if (limits.idleMs !== undefined && limits.idleMs !== s.idleMs) {
      s.idleMs = limits.idleMs;
      if (s.idleTimer !== undefined) this.#o.timers.clearTimeout(s.idleTimer);
      this.#armIdle(s, Math.max(0, s.idleMs - (this.#o.now() - s.lastInput)));
    }
    if (limits.maxDurationMs !== undefined) {
      s.durationTimer = this.#o.timers.setTimeout(() => this.#end(s, 'Terminated', 'maximum session duration', MAX_DURATION_OUTPUT, true), limits.maxDurationMs);
    }
  }

  /**
   * Tells both sides and closes them. `byService`: the service decided (terminate, idle, a limit), so the
   * agent is told on its data channel and, through the callback, on its control channel.
   */
  #end(s: Session, outcome: SessionOutcome, details: string, output: string | undefined, byService: boolean): void {
    if (!this.#sessions.delete(s.id)) return;
    this.#ended.add(s.id);
    if (this.#ended.size > ENDED_REMEMBERED) this.#ended.delete(this.#ended.values().next().value as string);
    if (s.idleTimer !== undefined) this.#o.timers.clearTimeout(s.idleTimer);
    if (s.agentTimer !== undefined) this.#o.timers.clearTimeout(s.agentTimer);
    if (s.durationTimer !== undefined) this.#o.timers.clearTimeout(s.durationTimer);
    const shown = output ?? (outcome === 'Failed' ? details : undefined);
    const closed = (destinationId: string, withOutput: string | undefined): Buffer => encodeAgentMessage(channelClosedMessage({
      messageId: this.#o.newId(), destinationId, sessionId: s.id, schemaVersion: 1, createdDate: this.#o.now(),
      ...(withOutput === undefined ? {} : { output: withOutput }),
    }));
    const code = outcome === 'Failed' ? CloseCode.InternalError : CloseCode.Normal;
    const { client, agent } = s;
    s.client = undefined;
    s.agent = undefined;
    if (client !== undefined) {
      if (client.bufferedAmount <= this.#o.maxBufferedBytes) client.send(closed(s.clientDestination, shown));
      client.close(code, details);
    }
    if (agent !== undefined) {
      if (byService && agent.bufferedAmount <= this.#o.maxBufferedBytes) agent.send(closed(s.agentDestination, undefined));
      agent.close(code, details);
    }
    if (byService) this.#events.terminateOnControlChannel?.(s.id);
    s.toClient.frames = [];
    s.toAgent.frames = [];
    this.#events.ended?.(s.id, outcome, details);
  }
}
