// The two data channels of a Session Manager session, simulated as the stock programs open and speak them,
// for tests and the benchmark (bytes/s and latency through the relay):
//  - the agent's (github.com/aws/amazon-ssm-agent agent/session/datachannel): a POST /v1/data-channel/{sessionId}
//    signed for `ssmmessages` with the node's credentials (CreateDataChannelInput JSON, answered 201 with the
//    token in XML), the WebSocket at the same path with its upgrade signed, OpenDataChannelInput (TokenValue,
//    ClientInstanceId, ClientId) as the first text frame;
//  - the client's (github.com/aws/session-manager-plugin src/datachannel): StartSession's StreamUrl opened
//    unsigned, OpenDataChannelInput (TokenValue, ClientId, ClientVersion) as the first text frame.
// After the first frame both speak binary agent messages (src/wire/mgs/agent-message.ts). Stream frames are
// numbered from 0 per direction, SYN on 0 (session-stream.ts), and each peer acknowledges the other's.

import { randomUUID } from 'node:crypto';
import type { HttpRequest } from '@smithy/types';
import WebSocket from 'ws';
import { acknowledgeMessage, acknowledgementOf } from '../src/wire/mgs/acknowledge.ts';
import { type AgentMessage, decodeAgentMessage, encodeAgentMessage, MessageType, PayloadType } from '../src/wire/mgs/agent-message.ts';
import {
  dataChannelPath, MESSAGE_SCHEMA_VERSION, readChannelTokenXml, SIGNING_SERVICE, writeCreateDataChannelInput, writeOpenDataChannelInput,
} from '../src/wire/mgs/channel-open.ts';
import { agentSessionStateMessage, streamDataMessage } from '../src/wire/mgs/session-stream.ts';
import type { SimulatedAgent } from './simulated-agent.ts';

/** The plugin version the simulated client says it is (the stock plugin's of 2024). */
export const CLIENT_VERSION = '1.2.650.0';
/** The query both the agent and the plugin put on the data channel's URL. */
const ROLE_QUERY = { role: 'publish_subscribe' } as const;

export interface ChannelClose {
  code: number;
  reason: string;
}

/** An upgrade answered with an HTTP status instead of 101 (a refusal), with its body. */
export class UpgradeRefused extends Error {
  readonly status: number;
  readonly body: string;
  constructor(status: number, body: string) {
    super(`upgrade answered ${status}: ${body.slice(0, 200)}`);
    this.name = 'UpgradeRefused';
    this.status = status;
    this.body = body;
  }
}

/** One end of a session's data channel: decoded messages received in order, and what sends them. */
export class SimulatedDataChannel {
  readonly ws: WebSocket;
  /** Resolves once the socket is closed, with the close code and reason it got (1006: no close frame). */
  readonly closed: Promise<ChannelClose>;
  /** Called with every message and its frame as it came off the socket (before next() can take it): the benchmark's timings, tests comparing bytes. */
  onMessage?: (message: AgentMessage, frame: Buffer) => void;
  /** Bytes of every binary frame received. */
  receivedBytes = 0;
  private readonly queue: AgentMessage[] = [];
  private readonly waiting = new Set<() => void>();
  private decodeError?: Error;

  constructor(ws: WebSocket) {
    this.ws = ws;
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (!isBinary) {
        this.decodeError ??= new Error(`a text frame after opening: ${data.toString('utf8').slice(0, 200)}`);
      } else {
        this.receivedBytes += data.length;
        try {
          const message = decodeAgentMessage(data);
          this.onMessage?.(message, data);
          this.queue.push(message);
        } catch (error) {
          this.decodeError ??= error as Error;
        }
      }
      this.wake();
    });
    // Without a listener an 'error' (a refused upgrade, a reset) would throw; 'close' always follows it.
    ws.on('error', () => {});
    this.closed = new Promise((resolve) => ws.on('close', (code, reason) => {
      this.wake();
      resolve({ code, reason: reason.toString() });
    }));
  }

  /** Sends an agent message as one binary frame. */
  send(message: AgentMessage): void {
    this.ws.send(encodeAgentMessage(message), { binary: true });
  }

  /** Sends bytes as they are (a frame of any size, or not a frame at all). */
  sendRaw(frame: Buffer): void {
    this.ws.send(frame, { binary: true });
  }

  /** Sends `message` and resolves once it is written to the socket (for a sender that must not outrun the network). */
  sent(message: AgentMessage): Promise<void> {
    return new Promise((resolve, reject) => this.ws.send(encodeAgentMessage(message), { binary: true }, (error) => (error ? reject(error) : resolve())));
  }

  /** An acknowledge for `message`, sent as the agent and the plugin send theirs. */
  acknowledge(message: AgentMessage): void {
    this.send(acknowledgeMessage(acknowledgementOf(message), randomUUID(), Date.now()));
  }

  /**
   * The first received message that `predicate` accepts (any, without one), taken out of the queue; messages
   * it passes over stay, in order, for later calls. Rejects after `timeoutMs`, or when the socket closes
   * before one came, or on a frame that does not decode.
   */
  next(predicate: (message: AgentMessage) => boolean = () => true, timeoutMs = 10_000): Promise<AgentMessage> {
    return new Promise((resolve, reject) => {
      const attempt = () => {
        const at = this.queue.findIndex(predicate);
        if (at >= 0) {
          done();
          resolve(this.queue.splice(at, 1)[0]);
        } else if (this.decodeError) {
          done();
          reject(this.decodeError);
        } else if (this.ws.readyState === WebSocket.CLOSED) {
          done();
          reject(new Error('the data channel closed while waiting for a message'));
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`no message within ${timeoutMs} ms (${this.queue.length} others waiting: ${[...new Set(this.queue.map((m) => m.messageType))].join(', ')})`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.waiting.delete(attempt);
      };
      this.waiting.add(attempt);
      attempt();
    });
  }

  /** `count` messages of `type`, in the order they came (others are left in the queue). */
  async take(type: string, count: number, timeoutMs = 10_000): Promise<AgentMessage[]> {
    const taken: AgentMessage[] = [];
    const deadline = Date.now() + timeoutMs;
    while (taken.length < count) taken.push(await this.next((m) => m.messageType === type, Math.max(1, deadline - Date.now())));
    return taken;
  }

  /** Messages received and not yet taken. */
  pending(): readonly AgentMessage[] {
    return this.queue;
  }

  close(code = 1000, reason = ''): Promise<ChannelClose> {
    if (this.ws.readyState !== WebSocket.CLOSED) this.ws.close(code, reason);
    return this.closed;
  }

  private wake(): void {
    for (const wake of [...this.waiting]) wake();
  }
}

/** Numbers one direction's stream frames as both peers do: from 0, SYN on 0, schema 1. */
export class StreamWriter {
  readonly type: typeof MessageType.InputStreamData | typeof MessageType.OutputStreamData;
  /** The sequence number the next frame gets. */
  sequence = 0;

  constructor(type: typeof MessageType.InputStreamData | typeof MessageType.OutputStreamData, first = 0) {
    this.type = type;
    this.sequence = first;
  }

  /** The next frame, carrying `payload` (at most 1024 bytes from the stock programs; any size here). */
  next(payload: Buffer | string, payloadType: number = PayloadType.Output): AgentMessage {
    const bytes = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
    return streamDataMessage(this.type, this.sequence++, payloadType, bytes, randomUUID(), Date.now());
  }
}

/** The agent's output: output_stream_data numbered from 0. */
export const outputStream = (first = 0): StreamWriter => new StreamWriter(MessageType.OutputStreamData, first);
/** The client's input: input_stream_data numbered from 0. */
export const inputStream = (first = 0): StreamWriter => new StreamWriter(MessageType.InputStreamData, first);

/** agent_session_state (Connected on opening, Terminating when the shell ended), addressed to the service. */
export function agentSessionState(sessionId: string, state: 'Connected' | 'Terminating'): AgentMessage {
  return agentSessionStateMessage({ schemaVersion: 1, sessionState: state, sessionId }, randomUUID(), Date.now());
}

/** A signed request to an ssmmessages path of `endpoint`, as the agent's Go signer makes it. */
function mgsRequest(endpoint: URL, method: string, path: string, query: Record<string, string>, body: string): HttpRequest {
  return {
    method, protocol: endpoint.protocol, hostname: endpoint.hostname, port: Number(endpoint.port), path, query, body,
    headers: { host: endpoint.host, ...(body ? { 'content-type': 'application/json' } : {}) },
  };
}

/** The agent's CreateDataChannel for `sessionId`: status and body as they came (201 and the token XML when allowed). */
export async function createDataChannel(agent: SimulatedAgent, endpoint: string, sessionId: string, clientId = ''): Promise<{ status: number; body: string }> {
  const url = new URL(endpoint);
  const body = writeCreateDataChannelInput({ messageSchemaVersion: MESSAGE_SCHEMA_VERSION, requestId: randomUUID(), clientId });
  const request = mgsRequest(url, 'POST', dataChannelPath(sessionId), {}, body);
  const headers = await agent.sign(SIGNING_SERVICE, request);
  const answer = await fetch(new URL(request.path, url), { method: 'POST', headers, body });
  return { status: answer.status, body: await answer.text() };
}

/** Resolves when `ws` opened; rejects with UpgradeRefused when the upgrade was answered otherwise. */
function opened(ws: WebSocket): Promise<void> {
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('unexpected-response', (_req, res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        reject(new UpgradeRefused(res.statusCode ?? 0, Buffer.concat(chunks).toString('utf8')));
        ws.terminate();
      });
      res.on('error', () => reject(new UpgradeRefused(res.statusCode ?? 0, '')));
    });
    ws.on('error', reject);
  });
}

export interface AgentDataChannelOptions {
  /** The token to send in OpenDataChannelInput instead of the one CreateDataChannel answered (tests of refusals). */
  token?: string;
  /** The ClientId of CreateDataChannelInput and OpenDataChannelInput: empty, as the agent's session worker sends it. */
  clientId?: string;
  /** The instance id in OpenDataChannelInput; the agent's own by default. */
  clientInstanceId?: string;
}

/**
 * Opens the agent's data channel for `sessionId` as the stock agent does: signed POST (throws unless 201),
 * signed upgrade (rejects with UpgradeRefused), OpenDataChannelInput. Resolves once that first frame is sent;
 * a token the service refuses then closes the socket (see `closed`).
 */
export async function openAgentDataChannel(agent: SimulatedAgent, endpoint: string, sessionId: string, options: AgentDataChannelOptions = {}): Promise<SimulatedDataChannel> {
  const clientId = options.clientId ?? '';
  const created = await createDataChannel(agent, endpoint, sessionId, clientId);
  if (created.status !== 201) throw new UpgradeRefused(created.status, created.body);
  const token = options.token ?? readChannelTokenXml(created.body).tokenValue;
  const ws = await signedDataChannelSocket(agent, endpoint, sessionId);
  const channel = new SimulatedDataChannel(ws);
  ws.send(writeOpenDataChannelInput({
    messageSchemaVersion: MESSAGE_SCHEMA_VERSION, requestId: randomUUID(), tokenValue: token, clientInstanceId: options.clientInstanceId ?? agent.nodeId, clientId,
  }));
  return channel;
}

/** The agent's signed upgrade alone (no POST, no first frame): an open socket, or UpgradeRefused. */
export async function signedDataChannelSocket(agent: SimulatedAgent, endpoint: string, sessionId: string): Promise<WebSocket> {
  const url = new URL(endpoint);
  const path = dataChannelPath(sessionId);
  const headers = await agent.sign(SIGNING_SERVICE, mgsRequest(url, 'GET', path, { ...ROLE_QUERY }, ''));
  const ws = new WebSocket(`${url.protocol === 'https:' ? 'wss' : 'ws'}://${url.host}${path}?role=${ROLE_QUERY.role}`, { headers });
  const channel = opened(ws);
  channel.catch(() => {});
  await channel;
  return ws;
}

export interface ClientDataChannelOptions {
  /** The plugin's ClientId: a fresh UUID per plugin process. */
  clientId?: string;
  clientVersion?: string;
}

/**
 * Opens the client's data channel as the session-manager-plugin does: `streamUrl` unsigned, OpenDataChannelInput
 * with `token` (StartSession's or ResumeSession's). Resolves once that first frame is sent; a token the service
 * refuses then closes the socket with 1008 (see `closed`).
 */
export async function openClientDataChannel(streamUrl: string, token: string, options: ClientDataChannelOptions = {}): Promise<SimulatedDataChannel> {
  const ws = new WebSocket(streamUrl);
  await opened(ws);
  const channel = new SimulatedDataChannel(ws);
  ws.send(JSON.stringify({
    MessageSchemaVersion: MESSAGE_SCHEMA_VERSION, RequestId: randomUUID(), TokenValue: token,
    ClientId: options.clientId ?? randomUUID(), ClientVersion: options.clientVersion ?? CLIENT_VERSION,
  }));
  return channel;
}
