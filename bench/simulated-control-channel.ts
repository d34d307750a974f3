// A simulated agent's ssmmessages control channel, as the stock agent opens and speaks it
// (agent/session/controlchannel, agent/messageservice/interactor/mgsinteractor): a signed POST
// /v1/control-channel/{id} for a token (answered in XML), a signed WebSocket upgrade, OpenControlChannelInput
// as the first text frame, then binary agent messages: agent_job in, agent_job_ack and agent_job_reply out,
// agent_job_reply_ack in. For tests and the benchmark.

import { randomUUID } from 'node:crypto';
import type { HttpRequest } from '@smithy/types';
import WebSocket from 'ws';
import { type AgentMessage, decodeAgentMessage, encodeAgentMessage, MessageType } from '../src/wire/mgs/agent-message.ts';
import {
  type AgentJob, agentJobAckMessage, agentJobReplyMessage, readAgentJob, readAgentJobReplyAck,
} from '../src/wire/mgs/agent-job.ts';
import { MESSAGE_SCHEMA_VERSION, readChannelTokenXml, writeCreateControlChannelInput, writeOpenControlChannelInput } from '../src/wire/mgs/channel-open.ts';
import type { SimulatedAgent } from './simulated-agent.ts';

export interface ReceivedJob {
  frame: AgentMessage;
  job: AgentJob;
}

/** A signed request to an ssmmessages path of `endpoint`, as the agent's Go signer makes it. */
function mgsRequest(endpoint: URL, method: string, path: string, query: Record<string, string>, body: string): HttpRequest {
  return {
    method, protocol: endpoint.protocol, hostname: endpoint.hostname, port: Number(endpoint.port), path, query, body,
    headers: { host: endpoint.host, ...(body ? { 'content-type': 'application/json' } : {}) },
  };
}

export class SimulatedControlChannel {
  readonly ws: WebSocket;
  private readonly jobs: ReceivedJob[] = [];
  private readonly other: AgentMessage[] = [];
  private readonly waiting = new Set<() => void>();
  private readonly replyAcks = new Set<string>();
  readonly closed: Promise<{ code: number; reason: string }>;

  private constructor(ws: WebSocket) {
    this.ws = ws;
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (!isBinary) return;
      const message = decodeAgentMessage(data);
      if (message.messageType === MessageType.AgentJob) this.jobs.push({ frame: message, job: readAgentJob(message) });
      else if (message.messageType === MessageType.AgentJobReplyAck) this.replyAcks.add(readAgentJobReplyAck(message).acknowledgedMessageId);
      else this.other.push(message);
      for (const wake of [...this.waiting]) wake();
    });
    this.closed = new Promise((resolve) => ws.on('close', (code, reason) => {
      for (const wake of [...this.waiting]) wake();
      resolve({ code, reason: reason.toString() });
    }));
  }

  /** The token CreateControlChannel answers for `agent` (status and body as they came, for tests of refusals). */
  static async createControlChannel(agent: SimulatedAgent, endpoint: string, nodeId = agent.nodeId): Promise<{ status: number; body: string }> {
    const url = new URL(endpoint);
    const body = writeCreateControlChannelInput({ messageSchemaVersion: MESSAGE_SCHEMA_VERSION, requestId: randomUUID() });
    const request = mgsRequest(url, 'POST', `/v1/control-channel/${nodeId}`, {}, body);
    const headers = await agent.sign('ssmmessages', request);
    const answer = await fetch(new URL(request.path, url), { method: 'POST', headers, body });
    return { status: answer.status, body: await answer.text() };
  }

  /** Opens the channel as the agent does; `token` overrides the one CreateControlChannel gave (tests of refusals). */
  static async open(agent: SimulatedAgent, endpoint: string, options: { token?: string; nodeId?: string } = {}): Promise<SimulatedControlChannel> {
    const nodeId = options.nodeId ?? agent.nodeId;
    const created = await SimulatedControlChannel.createControlChannel(agent, endpoint, nodeId);
    if (created.status !== 201) throw new Error(`CreateControlChannel answered ${created.status}: ${created.body}`);
    const token = options.token ?? readChannelTokenXml(created.body).tokenValue;
    const url = new URL(endpoint);
    const query = { role: 'subscribe', stream: 'input' };
    const path = `/v1/control-channel/${nodeId}`;
    const headers = await agent.sign('ssmmessages', mgsRequest(url, 'GET', path, query, ''));
    const wsUrl = `${url.protocol === 'https:' ? 'wss' : 'ws'}://${url.host}${path}?role=subscribe&stream=input`;
    const ws = new WebSocket(wsUrl, { headers });
    const channel = new SimulatedControlChannel(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade answered ${res.statusCode}`)));
      ws.once('error', reject);
    });
    ws.send(writeOpenControlChannelInput({ messageSchemaVersion: MESSAGE_SCHEMA_VERSION, requestId: randomUUID(), tokenValue: token, agentVersion: '3.3.1142.0', platformType: 'linux' }));
    return channel;
  }

  /** The next agent_job the service sends (in order), within `timeoutMs`. */
  nextJob(timeoutMs = 10_000): Promise<ReceivedJob> {
    return this.until(() => this.jobs.shift(), timeoutMs, 'an agent_job');
  }

  /** A job already received and not yet taken with nextJob, if any (to check that nothing came). */
  pendingJobs(): number {
    return this.jobs.length;
  }

  /** Messages other than jobs and reply acks (session messages, for instance), in order. */
  nextOther(timeoutMs = 10_000): Promise<AgentMessage> {
    return this.until(() => this.other.shift(), timeoutMs, 'a control message');
  }

  /** agent_job_ack for `received`, with the agent's status code ("200": taken). */
  ack(received: ReceivedJob, statusCode = '200', errorMessage = 'Successful'): void {
    this.sendMessage(agentJobAckMessage({
      jobId: received.job.jobId, acknowledgedMessageId: received.frame.messageId, createdDate: received.frame.createdDate, statusCode, errorMessage,
    }, randomUUID(), Date.now()));
  }

  /** agent_job_reply carrying a SendReply payload; resolves with the reply frame's id once the service acknowledged it. */
  async reply(received: ReceivedJob, payload: object, timeoutMs = 10_000, messageId: string = randomUUID()): Promise<string> {
    this.sendMessage(agentJobReplyMessage({ schemaVersion: 1, jobId: received.job.jobId, content: JSON.stringify(payload), topic: 'aws.ssm.sendCommand' }, messageId, Date.now()));
    await this.until(() => (this.replyAcks.has(messageId) ? true : undefined), timeoutMs, `agent_job_reply_ack for ${messageId}`);
    return messageId;
  }

  sendMessage(message: AgentMessage): void {
    this.ws.send(encodeAgentMessage(message));
  }

  close(): Promise<{ code: number; reason: string }> {
    this.ws.close();
    return this.closed;
  }

  private until<T>(take: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
    return new Promise((resolve, reject) => {
      const attempt = () => {
        const value = take();
        if (value !== undefined) {
          done();
          resolve(value);
        } else if (this.ws.readyState === WebSocket.CLOSED) {
          done();
          reject(new Error(`the channel closed while waiting for ${what}`));
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`no ${what} within ${timeoutMs} ms`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.waiting.delete(attempt);
      };
      this.waiting.add(attempt);
      attempt();
    });
  }
}
