// The ssmmessages (MGS) endpoints, beside the AWS API on the same port: `POST /v1/control-channel/{id}`
// (CreateControlChannel) and its WebSocket, and the same pair under `/v1/data-channel/{sessionId}` for a
// session's data channel. The agent signs the POST and the upgrade with its node's credentials for the
// service `ssmmessages`; refusals are XML, as the agent reads them (channel-open.ts).

import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebSocket, WebSocketServer } from 'ws';
import { ServiceError } from '../domain/errors.ts';
import type { AgentIdentity, AgentService } from '../service/agents.ts';
import type { ControlChannels } from '../service/control-channels.ts';
import type { Clock } from '../service/ports.ts';
import { agentVerifiers } from './agent-api.ts';
import type { AgentMessage } from './mgs/agent-message.ts';
import { channelTokenValid, issueChannelToken, readChannelToken } from './mgs/channel-token.ts';
import { CREATED_STATUS, readCreateControlChannelInput, readCreateDataChannelInput, SIGNING_SERVICE, writeChannelTokenXml, writeErrorXml } from './mgs/channel-open.ts';
import { CONTROL_FRAME_LIMIT, serveControlChannel } from './mgs/control-channel-socket.ts';
import { DATA_FRAME_LIMIT } from './mgs/session-endpoint.ts';
import type { OpenChannel } from '../service/control-channels.ts';

export interface MgsAnswer {
  status: number;
  contentType: string;
  body: string;
}

/** A session's data channels: the agent's (signed, after its POST) and the client's (the StartSession token). */
export interface DataChannelEndpoint {
  /** Whether this node's agent may open the data channel of `sessionId`. */
  agentAllowed(identity: AgentIdentity, sessionId: string): Promise<boolean>;
  /** The agent's data channel socket, its upgrade and token verified (the first frame is left to the relay). */
  agentSocket(ws: WebSocket, identity: AgentIdentity, sessionId: string, tokenValid: (token: string) => Promise<boolean>): void;
  /** The client's (session-manager-plugin's) socket: unsigned, it proves itself with StartSession's token in its first frame. */
  clientSocket(ws: WebSocket, sessionId: string): void;
  /** Session messages the agent sends on its control channel, and the channel's opening. */
  onControlMessage(channel: OpenChannel, message: AgentMessage): Promise<void>;
  onControlOpened(channel: OpenChannel): void;
  /** The largest frame a data channel takes. */
  frameLimit: number;
}

export interface MgsRoutesOptions {
  agents: AgentService;
  channels: ControlChannels;
  realClock: Clock;
  log: (message: string, fields?: Record<string, unknown>, level?: 'info' | 'warn' | 'error') => void;
  /** Sessions' data channels; absent: those paths answer 404. */
  dataChannels?: () => DataChannelEndpoint | undefined;
}

const PATH = /^\/v1\/(control-channel|data-channel)\/([^/?]+)$/;

export function mgsRoutes(options: MgsRoutesOptions) {
  const { agents, channels, realClock, log } = options;
  const verify = agentVerifiers(agents, realClock);
  // ws is loaded at the first upgrade: a service no agent or plugin opens a socket to never pays its start time.
  let servers: Promise<{ control: WebSocketServer; data: WebSocketServer }> | undefined;
  let open: { control: WebSocketServer; data: WebSocketServer } | undefined;
  const sockets = () => (servers ??= import('ws').then(({ WebSocketServer }) => (open = {
    control: new WebSocketServer({ noServer: true, maxPayload: CONTROL_FRAME_LIMIT }),
    // Room above the relay's own bound, so that an oversized frame fails its session cleanly there (both
    // sides told) rather than only dropping the socket that sent it.
    data: new WebSocketServer({ noServer: true, maxPayload: 2 * DATA_FRAME_LIMIT }),
  })));

  /** The token in a first frame is ours, for this node and channel, and keyed by a credential still valid. */
  async function tokenValid(token: string, nodeId: string, channel: string): Promise<boolean> {
    const claims = readChannelToken(token);
    if (!claims || claims.nodeId !== nodeId || claims.channel !== channel) return false;
    const found = await agents.credential(claims.accessKeyId);
    return found !== undefined && found.credential.nodeId === nodeId && channelTokenValid(token, found.credential.secretAccessKey, realClock.now());
  }

  function route(url: string): { kind: 'control-channel' | 'data-channel'; id: string } | undefined {
    const path = new URL(url, 'http://localhost').pathname;
    const m = PATH.exec(path);
    return m ? { kind: m[1] as 'control-channel' | 'data-channel', id: decodeURIComponent(m[2]) } : undefined;
  }

  return {
    /** Whether a request is for these routes. */
    handles(url: string): boolean {
      return url.startsWith('/v1/') && route(url) !== undefined;
    },

    /** CreateControlChannel / CreateDataChannel: a token for the socket the agent opens next. */
    async post(request: { method: string; url: string; headers: IncomingMessage['headers']; body: string }): Promise<MgsAnswer> {
      try {
        const target = route(request.url);
        if (!target || request.method !== 'POST') throw new ServiceError('NotFound', `No route for ${request.method} ${request.url}`);
        const identity = await verify.issued(request, SIGNING_SERVICE);
        const found = await agents.credential(identity.accessKeyId);
        if (!found) throw new ServiceError('UnrecognizedClientException', 'The security token included in the request is invalid.');
        let input;
        if (target.kind === 'control-channel') {
          if (target.id !== identity.nodeId) throw new ServiceError('AccessDeniedException', `The credentials of ${identity.nodeId} cannot open the control channel of ${target.id}.`);
          input = readCreateControlChannelInput(request.body);
        } else {
          const endpoint = options.dataChannels?.();
          if (!endpoint || !(await endpoint.agentAllowed(identity, target.id))) {
            throw new ServiceError('AccessDeniedException', `${identity.nodeId} cannot open a data channel for session ${target.id}.`);
          }
          input = readCreateDataChannelInput(request.body);
        }
        const channel = target.kind === 'control-channel' ? 'control' : target.id;
        const token = issueChannelToken({ accessKeyId: identity.accessKeyId, nodeId: identity.nodeId, channel }, found.credential.secretAccessKey, realClock.now());
        const root = target.kind === 'control-channel' ? 'CreateControlChannelOutput' : 'CreateDataChannelOutput';
        return { status: CREATED_STATUS, contentType: 'application/xml', body: writeChannelTokenXml({ messageSchemaVersion: input.messageSchemaVersion, tokenValue: token }, root) };
      } catch (error) {
        return refusal(error);
      }
    },

    /** A WebSocket upgrade on these paths: verified, then served; refused with an HTTP answer otherwise. */
    upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
      const url = req.url ?? '/';
      const target = route(url);
      const refuse = (answer: MgsAnswer) => {
        if (!socket.writable) {
          socket.destroy();
          return;
        }
        socket.end(`HTTP/1.1 ${answer.status} ${answer.status === 403 ? 'Forbidden' : answer.status === 404 ? 'Not Found' : 'Bad Request'}\r\n`
          + `content-type: ${answer.contentType}\r\ncontent-length: ${Buffer.byteLength(answer.body)}\r\nconnection: close\r\n\r\n${answer.body}`);
      };
      if (!target) return refuse(refusal(new ServiceError('NotFound', `No WebSocket at ${url}`)));
      const request = { method: req.method ?? 'GET', url, headers: req.headers, body: '' };
      (async () => {
        if (target.kind === 'control-channel') {
          const identity = await verify.issued(request, SIGNING_SERVICE);
          if (target.id !== identity.nodeId) throw new ServiceError('AccessDeniedException', `The credentials of ${identity.nodeId} cannot open the control channel of ${target.id}.`);
          const { control: controlSockets } = await sockets();
          controlSockets.handleUpgrade(req, socket, head, (ws) => serveControlChannel(ws, identity, {
            channels, realClock, log,
            tokenValid: (token) => tokenValid(token, identity.nodeId, 'control'),
            onSessionMessage: (channel, message) => options.dataChannels?.()?.onControlMessage(channel, message) ?? Promise.resolve(),
            onOpened: (channel) => options.dataChannels?.()?.onControlOpened(channel),
          }));
          return;
        }
        const endpoint = options.dataChannels?.();
        if (!endpoint) throw new ServiceError('NotFound', `No WebSocket at ${url}`);
        const { data: dataSockets } = await sockets();
        if (req.headers.authorization) {
          // The agent's side of a session: signed with its node's credentials.
          const identity = await verify.issued(request, SIGNING_SERVICE);
          if (!(await endpoint.agentAllowed(identity, target.id))) throw new ServiceError('AccessDeniedException', `${identity.nodeId} cannot open a data channel for session ${target.id}.`);
          dataSockets.handleUpgrade(req, socket, head, (ws) => endpoint.agentSocket(ws, identity, target.id, (token) => tokenValid(token, identity.nodeId, target.id)));
        } else {
          dataSockets.handleUpgrade(req, socket, head, (ws) => endpoint.clientSocket(ws, target.id));
        }
      })().catch((error: unknown) => {
        try {
          refuse(refusal(error));
        } catch {
          log('ssmmessages upgrade failed', { url, error: String((error as Error)?.stack ?? error) }, 'error');
          socket.destroy();
        }
      });
    },

    close(): void {
      for (const ws of open?.control.clients ?? []) ws.terminate();
      for (const ws of open?.data.clients ?? []) ws.terminate();
    },
  };
}

export type MgsRoutes = ReturnType<typeof mgsRoutes>;

/** An error as the agent reads one: an XML body, `<AccessDeniedException>` telling a refusal for access apart. */
function refusal(error: unknown): MgsAnswer {
  if (error instanceof ServiceError) {
    const status = error.code === 'NotFound' ? 404 : error.code === 'AccessDeniedException' || /Signature|Token|Client/.test(error.code) ? 403 : 400;
    return { status, contentType: 'application/xml', body: writeErrorXml(error.code, error.message) };
  }
  if (error instanceof Error && error.name === 'ControlPayloadError') return { status: 400, contentType: 'application/xml', body: writeErrorXml('ValidationException', error.message) };
  throw error;
}
