// Section `sessions` (issue 25: "new work of this round's other issues gets its own bench figures"): bytes per
// second relayed through Session Manager sessions and the round trip of a frame, with the simulated agent,
// its control channel and both data channels (bench/simulated-*.ts), set up as test/e2e/session-channels.test.ts
// does: StartSession, interactive_shell on the node's control channel, the agent's data channel (signed, its
// token from CreateDataChannel), agent_session_state Connected, the client's data channel (StreamUrl, token),
// the session Connected.
//  - Throughput, one session: the agent sends M output_stream_data frames of 1,024-byte payloads (the agent's
//    StreamDataPayloadSize) and the client acknowledges each as the plugin does; the agent keeps at most
//    WINDOW frames unacknowledged (the relay drops a peer that lets megabytes pile up unread), so the rate is
//    the relay's, not a buffer's. Timed from the first frame sent to the last received: bytes/s and frames/s.
//  - Latency: the client sends an input_stream_data frame (a keystroke), the agent answers it with an
//    output_stream_data frame on receipt (the echo), the client times the round trip; sequential pings.
//  - Several sessions at once (on the one node), each doing the throughput test: the total bytes/s.
// Figures only: the issue sets no target for them.

import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { Agent } from 'node:http';
import { join } from 'node:path';
import type WebSocket from 'ws';
import { acknowledgeMessage, acknowledgementOf, readAcknowledgement } from '../src/wire/mgs/acknowledge.ts';
import { type AgentMessage, decodeAgentMessage, encodeAgentMessage, MessageType, PayloadType } from '../src/wire/mgs/agent-message.ts';
import { readInteractiveShell } from '../src/wire/mgs/session-task.ts';
import { AwsClient } from './aws-requests.ts';
import { percentile } from './measure.ts';
import type { RunContext } from './run-context.ts';
import { type ServerProcess, startService } from './servers.ts';
import { AgentTransport, SimulatedAgent } from './simulated-agent.ts';
import { SimulatedControlChannel } from './simulated-control-channel.ts';
import { agentSessionState, inputStream, openAgentDataChannel, openClientDataChannel, outputStream, type SimulatedDataChannel, type StreamWriter } from './simulated-session.ts';

const REGION = 'us-east-1';
/** The stock agent's StreamDataPayloadSize: output is cut in chunks of this many bytes. */
export const PAYLOAD_BYTES = 1024;
/** Output frames the agent keeps unacknowledged at most (~1.1 MB on the wire, under the relay's 4 MiB per peer). */
const WINDOW = 1000;
/** A throughput run that receives nothing for this long has stalled. */
const STALL_MS = 15_000;
/** How long one ping may take before the run fails. */
const PING_TIMEOUT_MS = 10_000;
/** How long a session may take to be set up (StartSession to Connected). */
const SETUP_TIMEOUT_MS = 20_000;

export interface ThroughputFigures {
  frames: number;
  /** Payload bytes received by the client(s) (1,024 a frame). */
  payloadBytes: number;
  /** Bytes of the frames on the wire (header and payload), as the relay carried them. */
  wireBytes: number;
  seconds: number;
  payloadBytesPerSecond: number;
  framesPerSecond: number;
  /** The service's CPU seconds during the run. */
  serviceCpuSeconds?: number;
}

export interface SessionsResults {
  payloadBytes: number;
  window: number;
  /** One session: M frames from the agent to the client. */
  single: ThroughputFigures;
  /** The round trip of a frame: client input -> agent -> echoed output -> client (ms). */
  latency: { samples: number; warmup: number; p50: number; p99: number; mean: number };
  /** S sessions at once, each sending `framesPerSession`. */
  concurrent: ThroughputFigures & { sessions: number; framesPerSession: number; slowestSessionSeconds: number; fastestSessionSeconds: number };
  /** StartSession to Connected, per session (ms), over every session set up. */
  setupMs: { p50: number; max: number; sessions: number };
  /** Bytes the service counted as relayed from the agent (its /metrics), when it exposes them. */
  relayedFromAgentBytes?: number;
  peakMemoryBytes?: number;
  problems: string[];
  serviceFailed: boolean;
}

/** One session with both data channels open; the sockets are read here (not queued by SimulatedDataChannel). */
class BenchSession {
  readonly sessionId: string;
  readonly agent: WebSocket;
  readonly client: WebSocket;
  readonly output: StreamWriter = outputStream();
  readonly input: StreamWriter = inputStream();
  /** Called with every message the client / the agent receives. */
  onClient: (message: AgentMessage, frame: Buffer) => void = () => {};
  onAgent: (message: AgentMessage, frame: Buffer) => void = () => {};
  failure?: Error;

  constructor(sessionId: string, agent: SimulatedDataChannel, client: SimulatedDataChannel) {
    this.sessionId = sessionId;
    this.agent = agent.ws;
    this.client = client.ws;
    // Take the sockets over: SimulatedDataChannel keeps every message in a queue for next(), which a run of
    // 50,000 frames would only fill.
    for (const [ws, side] of [[this.agent, 'agent'], [this.client, 'client']] as const) {
      ws.removeAllListeners('message');
      ws.on('message', (data: Buffer, isBinary: boolean) => {
        if (!isBinary) return;
        let message: AgentMessage;
        try {
          message = decodeAgentMessage(data);
        } catch (error) {
          this.failure ??= new Error(`the ${side} got a frame that does not decode: ${(error as Error).message}`);
          return;
        }
        if (side === 'agent') this.onAgent(message, data);
        else this.onClient(message, data);
      });
      ws.on('close', (code, reason) => {
        this.failure ??= new Error(`the ${side}'s data channel of session ${this.sessionId} closed (${code} ${reason.toString()})`);
      });
    }
  }

  /**
   * The agent sends `frames` output frames of `payload`, at most WINDOW unacknowledged; the client acknowledges
   * each. Resolves with the seconds from the first frame sent to the last received.
   */
  throughput(frames: number, payload: Buffer): Promise<{ seconds: number; wireBytes: number }> {
    return new Promise((resolve, reject) => {
      let sent = 0;
      let acked = 0;
      let received = 0;
      let wireBytes = 0;
      // Acknowledgements of an earlier run's last frames may still come: only this run's count.
      const firstSequence = this.output.sequence;
      let lastProgress = performance.now();
      const started = performance.now();
      const finish = (error?: Error) => {
        clearInterval(watchdog);
        this.onClient = () => {};
        this.onAgent = () => {};
        if (error) reject(error);
        else resolve({ seconds: (performance.now() - started) / 1000, wireBytes });
      };
      const watchdog = setInterval(() => {
        if (this.failure) finish(this.failure);
        else if (performance.now() - lastProgress > STALL_MS) {
          finish(new Error(`session ${this.sessionId}: stalled: ${received} of ${frames} frames received, ${acked} acknowledged, nothing for ${STALL_MS / 1000} s`));
        }
      }, 250);
      const pump = () => {
        while (sent < frames && sent - acked < WINDOW) {
          this.agent.send(encodeAgentMessage(this.output.next(payload, PayloadType.Output)), { binary: true });
          sent++;
        }
      };
      this.onClient = (message, frame) => {
        if (message.messageType !== MessageType.OutputStreamData) return;
        received++;
        wireBytes += frame.length;
        lastProgress = performance.now();
        this.client.send(encodeAgentMessage(acknowledgeMessage(acknowledgementOf(message), randomUUID(), Date.now())), { binary: true });
        if (received === frames) finish();
      };
      this.onAgent = (message) => {
        if (message.messageType !== MessageType.Acknowledge || readAcknowledgement(message).sequenceNumber < firstSequence) return;
        acked++;
        pump();
      };
      pump();
    });
  }

  /** One round trip: the client's input frame, the agent's echo on receipt. Milliseconds. */
  ping(): Promise<number> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => done(new Error(`session ${this.sessionId}: no echo within ${PING_TIMEOUT_MS} ms`)), PING_TIMEOUT_MS);
      let started = 0n;
      const done = (error?: Error, ms?: number) => {
        clearTimeout(timer);
        this.onClient = () => {};
        this.onAgent = () => {};
        if (error) reject(error);
        else resolve(ms!);
      };
      this.onAgent = (message) => {
        if (message.messageType !== MessageType.InputStreamData) return;
        this.agent.send(encodeAgentMessage(this.output.next(message.payload, PayloadType.Output)), { binary: true });
      };
      this.onClient = (message) => {
        if (message.messageType !== MessageType.OutputStreamData) return;
        done(undefined, Number(process.hrtime.bigint() - started) / 1e6);
      };
      if (this.failure) return done(this.failure);
      started = process.hrtime.bigint();
      this.client.send(encodeAgentMessage(this.input.next('k')), { binary: true });
    });
  }

  close(): void {
    this.agent.terminate();
    this.client.terminate();
  }
}

/** `promise`, or a rejection naming `what` after `ms`. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms); }),
  ]);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The node: one registered simulated agent with its control channel open, and the control messages not yet taken. */
interface BenchNode {
  agent: SimulatedAgent;
  control: SimulatedControlChannel;
  stash: AgentMessage[];
}

/** The interactive_shell about `sessionId` on the node's control channel (others kept for later sessions). */
async function interactiveShellFor(node: BenchNode, sessionId: string): Promise<void> {
  const about = (m: AgentMessage) => m.messageType === MessageType.InteractiveShell && m.payload.toString('utf8').includes(sessionId);
  const deadline = performance.now() + SETUP_TIMEOUT_MS;
  for (;;) {
    const stashed = node.stash.findIndex(about);
    if (stashed >= 0) {
      const task = readInteractiveShell(node.stash.splice(stashed, 1)[0]);
      if (task.sessionId !== sessionId) throw new Error(`interactive_shell for ${sessionId} names ${task.sessionId}`);
      return;
    }
    const left = deadline - performance.now();
    if (left <= 0) throw new Error(`no interactive_shell for session ${sessionId} on the control channel within ${SETUP_TIMEOUT_MS} ms`);
    node.stash.push(await node.control.nextOther(left));
  }
}

/** StartSession on the node, the agent's and the client's data channels, until DescribeSessions says Connected. */
async function openSession(client: AwsClient, endpoint: string, node: BenchNode): Promise<{ session: BenchSession; ms: number }> {
  const begun = performance.now();
  const started = await client.call<{ SessionId: string; TokenValue: string; StreamUrl: string }>('StartSession', { Target: node.agent.nodeId }, REGION);
  await interactiveShellFor(node, started.SessionId);
  const agent = await within(openAgentDataChannel(node.agent, endpoint, started.SessionId), SETUP_TIMEOUT_MS, `the agent's data channel of ${started.SessionId}`);
  agent.send(agentSessionState(started.SessionId, 'Connected'));
  const user = await within(openClientDataChannel(started.StreamUrl, started.TokenValue), SETUP_TIMEOUT_MS, `the client's data channel of ${started.SessionId}`);
  const session = new BenchSession(started.SessionId, agent, user);
  const deadline = performance.now() + SETUP_TIMEOUT_MS;
  for (;;) {
    const { Sessions } = await client.call<{ Sessions: { Status: string }[] }>('DescribeSessions', { State: 'Active', Filters: [{ key: 'SessionId', value: started.SessionId }] }, REGION);
    const status = Sessions[0]?.Status;
    if (status === 'Connected') break;
    if (session.failure) throw session.failure;
    if (performance.now() > deadline) {
      session.close();
      throw new Error(`session ${started.SessionId} is ${status ?? 'not active'} ${SETUP_TIMEOUT_MS} ms after StartSession, not Connected`);
    }
    await sleep(10);
  }
  return { session, ms: performance.now() - begun };
}

function figures(frames: number, wireBytes: number, seconds: number, serviceCpuSeconds: number | undefined): ThroughputFigures {
  const payloadBytes = frames * PAYLOAD_BYTES;
  return { frames, payloadBytes, wireBytes, seconds, payloadBytesPerSecond: payloadBytes / seconds, framesPerSecond: frames / seconds, serviceCpuSeconds };
}

async function relayedFromAgent(endpoint: string): Promise<number | undefined> {
  try {
    const text = await (await fetch(`${endpoint}/metrics`, { signal: AbortSignal.timeout(5000) })).text();
    const m = /^mw_session_bytes_relayed_total\{from="agent"\} (\d+)/m.exec(text);
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

function checkAlive(service: ServerProcess, what: string): void {
  if (service.crashed()) throw new Error(`the service crashed during ${what}:\n${service.output().slice(-2000)}`);
}

export async function runSessionsBench(ctx: RunContext): Promise<SessionsResults> {
  const frames = ctx.quick ? 2_000 : 50_000;
  const pings = ctx.quick ? 200 : 2_000;
  const pingWarmup = ctx.quick ? 20 : 100;
  const sessionsAtOnce = ctx.quick ? 5 : 50;
  // Each of the sessions at once sends fewer frames than the single one: 50 x 50,000 would be 2.5 GB.
  const framesPerSession = ctx.quick ? 2_000 : 10_000;
  const dir = mkdtempSync(join(ctx.tmp, 'sessions-'));
  const problems: string[] = [];
  const service = await startService({ dataDir: mkdtempSync(join(dir, 'data-')), cpuProfileDir: ctx.profileDir('sessions') });
  const client = new AwsClient(service.endpoint);
  const sockets = new Agent({ keepAlive: true });
  const sessions: BenchSession[] = [];
  let control: SimulatedControlChannel | undefined;
  const cpu = () => service.cpuSeconds();
  try {
    ctx.log('Sessions: registering a simulated agent and opening its control channel');
    const transport = new AgentTransport(service.endpoint, sockets, REGION);
    const activation = await client.call<{ ActivationId: string; ActivationCode: string }>('CreateActivation', { IamRole: 'SSMServiceRole', RegistrationLimit: 1 }, REGION);
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const agent = await SimulatedAgent.register(transport, activation, publicKey.export({ format: 'der', type: 'spki' }).toString('base64'), privateKey, 'bench-session-node');
    control = await within(SimulatedControlChannel.open(agent, service.endpoint), SETUP_TIMEOUT_MS, 'the control channel');
    // The service takes the channel once it has checked the first frame's token: connected from then on.
    for (const deadline = performance.now() + SETUP_TIMEOUT_MS; ;) {
      const { Status } = await client.call<{ Status: string }>('GetConnectionStatus', { Target: agent.nodeId }, REGION);
      if (Status === 'connected') break;
      if (performance.now() > deadline) throw new Error(`the node's control channel was not taken within ${SETUP_TIMEOUT_MS} ms`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const node: BenchNode = { agent, control, stash: [] };
    const payload = randomBytes(PAYLOAD_BYTES);
    const setupMs: number[] = [];

    // ---- one session: throughput, then latency
    const first = await openSession(client, service.endpoint, node);
    sessions.push(first.session);
    setupMs.push(first.ms);
    ctx.log(`Sessions: one session, ${frames.toLocaleString('en-US')} output frames of ${PAYLOAD_BYTES} bytes (at most ${WINDOW} unacknowledged)`);
    await first.session.throughput(Math.min(frames, 200), payload); // warm-up
    let cpuBefore = cpu();
    const one = await first.session.throughput(frames, payload);
    let cpuAfter = cpu();
    const single = figures(frames, one.wireBytes, one.seconds, cpuBefore !== undefined && cpuAfter !== undefined ? cpuAfter - cpuBefore : undefined);
    checkAlive(service, 'the single-session throughput');

    ctx.log(`Sessions: ${pings} sequential pings (input frame, echoed output frame) after ${pingWarmup} unmeasured`);
    for (let i = 0; i < pingWarmup; i++) await first.session.ping();
    const times: number[] = [];
    for (let i = 0; i < pings; i++) times.push(await first.session.ping());
    const sortedTimes = Float64Array.from(times).sort();
    const latency = {
      samples: pings, warmup: pingWarmup, p50: percentile(sortedTimes, 50), p99: percentile(sortedTimes, 99),
      mean: times.reduce((a, b) => a + b, 0) / times.length,
    };
    checkAlive(service, 'the pings');

    // ---- several sessions at once
    ctx.log(`Sessions: ${sessionsAtOnce} sessions at once, ${framesPerSession.toLocaleString('en-US')} frames each`);
    const many: BenchSession[] = [first.session];
    for (let i = 1; i < sessionsAtOnce; i++) {
      const opened = await openSession(client, service.endpoint, node);
      sessions.push(opened.session);
      many.push(opened.session);
      setupMs.push(opened.ms);
    }
    cpuBefore = cpu();
    const together = performance.now();
    const runs = await Promise.all(many.map((s) => s.throughput(framesPerSession, payload)));
    const togetherSeconds = (performance.now() - together) / 1000;
    cpuAfter = cpu();
    checkAlive(service, 'the sessions at once');
    const concurrent = {
      ...figures(framesPerSession * many.length, runs.reduce((n, r) => n + r.wireBytes, 0), togetherSeconds,
        cpuBefore !== undefined && cpuAfter !== undefined ? cpuAfter - cpuBefore : undefined),
      sessions: many.length, framesPerSession,
      slowestSessionSeconds: Math.max(...runs.map((r) => r.seconds)), fastestSessionSeconds: Math.min(...runs.map((r) => r.seconds)),
    };

    const relayedFromAgentBytes = await relayedFromAgent(service.endpoint);
    const sentByAgents = single.wireBytes + concurrent.wireBytes;
    if (relayedFromAgentBytes !== undefined && relayedFromAgentBytes < sentByAgents) {
      problems.push(`the service counts ${relayedFromAgentBytes} bytes relayed from agents, fewer than the ${sentByAgents} the clients received`);
    }
    const sortedSetup = Float64Array.from(setupMs).sort();
    return {
      payloadBytes: PAYLOAD_BYTES, window: WINDOW, single, latency, concurrent,
      setupMs: { p50: percentile(sortedSetup, 50), max: sortedSetup[sortedSetup.length - 1], sessions: setupMs.length },
      relayedFromAgentBytes, peakMemoryBytes: service.peakMemoryBytes(), problems, serviceFailed: problems.length > 0,
    };
  } finally {
    for (const s of sessions) s.close();
    control?.ws.terminate();
    sockets.destroy();
    client.close();
    await service.stop();
  }
}
