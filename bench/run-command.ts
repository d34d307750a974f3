// Section 6: the Run Command path at fleet scale.
// 1. SendCommand (AWS-RunShellScript, a tag target) to 10,000 simulated nodes (quick: 200) on the manual
//    clock: the SendCommand call starts every invocation, one POST /_mw/clock lets them run their second
//    and end, and ListCommands confirms the command is final. Invocations completed per second = nodes /
//    the wall time from sending SendCommand to that confirmation; the statuses are counted through
//    ListCommandInvocations and, as a cross-check, in the database file.
// 2. Simulated agents (bench/simulated-agent.ts) on the system clock, at 1,000 and at 10,000 (quick: 50 and
//    200), each count over both transports side by side, a fresh service for each: ec2messages GetMessages
//    long polls (each held on a connection of its own), and ssmmessages control channels
//    (bench/simulated-control-channel.ts: a WebSocket each). Service memory per held poll / open channel;
//    the service's CPU and its store's writes while they wait with nothing queued (idleReading); then one
//    SendCommand to every agent node: its own answer time, the latency to each message's arrival at its
//    agent and to each agent's final reply acknowledged, and to the command being recorded final
//    (per agent, and per delivered invocation at the large count over the small: issue 25's targets,
//    judged in bench/report.ts).

import { generateKeyPairSync } from 'node:crypto';
import { closeSync, fstatSync, mkdtempSync, openSync, readFileSync, readSync } from 'node:fs';
import { Agent } from 'node:http';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { AwsClient, inParallel } from './aws-requests.ts';
import { CLOCK_START, writeNodesFile } from './fleet.ts';
import { percentile } from './measure.ts';
import { int, mb, table } from './report.ts';
import type { RunContext } from './run-context.ts';
import { type ServerProcess, startService } from './servers.ts';
import { type AgentReply, AgentTransport, messageProblem, SimulatedAgent, successReply } from './simulated-agent.ts';
import { type ReceivedJob, SimulatedControlChannel } from './simulated-control-channel.ts';

const REGION = 'us-east-1';
const SIZES = { full: { nodes: 10_000, agentCounts: [1_000, 10_000] }, quick: { nodes: 200, agentCounts: [50, 200] } } as const;
/** Seconds the service is watched idle, with no agent connected and with all of them (quick: shorter, for CI). */
const IDLE_SECONDS = { full: { none: 10, held: 10 }, quick: { none: 1, held: 2 } } as const;
/** Open files kept aside for the service's own (database, WAL, listening socket, setup connections) beside one per agent. */
const FD_RESERVE = 500;
/** CreateActivation's RegistrationLimit at most. */
const ACTIVATION_LIMIT = 1000;
/**
 * How long a command to N agents may take to be delivered and replied to: N x this (at least 60 s). 12 ms
 * per agent is above the 10 ms target; a fleet slower than that is measured as far as it got.
 */
const COMMAND_WAIT_MS_PER_AGENT = 12;
/** Setup requests in flight at once while the agents register (as a fleet joining over a few seconds). */
const REGISTER_PARALLEL = 32;
const PLUGIN = 'aws:runShellScript';
const OUTPUT = 'bench\n';
/**
 * MaxConcurrency 100%: every node at once. Run Command's default is 50, with which 10,000 nodes of 1 s
 * each would need 200 s of clock and 200 rounds of the executor.
 */
const COMMAND = { DocumentName: 'AWS-RunShellScript', Parameters: { commands: ['echo bench'] }, MaxConcurrency: '100%', MaxErrors: '100%' };
const FINAL = new Set(['Success', 'Failed', 'TimedOut', 'Cancelled']);

export interface Spread {
  p50: number;
  p99: number;
  max: number;
}

export interface SimulatedFleetResults {
  nodes: number;
  /** Milliseconds of the SendCommand call (it resolves the target and starts every invocation). */
  sendCommandMs: number;
  /** Milliseconds of the POST /_mw/clock that moves the clock past the invocations' end. */
  clockCallMs: number;
  /** Milliseconds from sending SendCommand to the first ListCommands answer with the command final. */
  toAllTerminalMs: number;
  /** nodes / toAllTerminalMs. */
  invocationsPerSecond: number;
  commandStatus: string;
  /** Invocations ListCommandInvocations lists, by status. */
  statuses: Record<string, number>;
  /** Invocations listed as Success. */
  completed: number;
  /** Rows of command_invocations in a final status, counted in the database file (a cross-check). */
  databaseFinal: number;
  peakMemoryBytes?: number;
  /** Peak memory before SendCommand (the service with its inventory loaded). */
  peakMemoryBeforeBytes?: number;
}

export interface RunCommandResults {
  simulated?: SimulatedFleetResults;
  /** The agent fleets: each count over each transport. */
  fleets?: AgentFleetResults[];
  /** Per transport: time per delivered invocation at the large count over the small one. */
  ratios?: FleetRatio[];
  /** This process's open-files limit (the service inherits it). */
  openFiles?: { soft?: number; hard?: number };
  /** Counts lowered to what the machine allows, and why. */
  notes?: string[];
  problems: string[];
}

function rssOf(pid: number): number | undefined {
  try {
    const match = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Checks `done` every `stepMs` until it holds (true) or `timeoutMs` passed (false). */
async function waitUntil(done: () => boolean | Promise<boolean>, timeoutMs: number, stepMs = 10): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    if (await done()) return true;
    if (performance.now() >= deadline) return false;
    await sleep(stepMs);
  }
}

function spread(values: number[]): Spread {
  const sorted = Float64Array.from(values).sort();
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted.length ? sorted[sorted.length - 1] : Number.NaN };
}

interface CommandState {
  Status: string;
  CompletedCount: number;
  TargetCount: number;
}

async function commandState(client: AwsClient, commandId: string): Promise<CommandState> {
  const { Commands } = await client.call<{ Commands: CommandState[] }>('ListCommands', { CommandId: commandId }, REGION);
  return Commands[0] ?? { Status: 'missing', CompletedCount: 0, TargetCount: 0 };
}

/** Every invocation of the command, page by page (ListCommandInvocations pages hold at most 50). */
async function invocationStatuses(client: AwsClient, commandId: string): Promise<Record<string, number>> {
  const statuses: Record<string, number> = {};
  let token: string | undefined;
  do {
    const page = await client.call<{ CommandInvocations: { Status: string }[]; NextToken?: string }>(
      'ListCommandInvocations', { CommandId: commandId, MaxResults: 50, NextToken: token }, REGION);
    for (const invocation of page.CommandInvocations) statuses[invocation.Status] = (statuses[invocation.Status] ?? 0) + 1;
    token = page.NextToken;
  } while (token);
  return statuses;
}

function checkAlive(service: ServerProcess, problems: string[]): void {
  if (service.crashed()) problems.push(`the service crashed:\n${service.output().slice(-2000)}`);
}

async function simulatedFleet(ctx: RunContext, dir: string, nodes: number, problems: string[]): Promise<SimulatedFleetResults> {
  const dataDir = mkdtempSync(join(dir, 'sim-'));
  const service = await startService({
    dataDir,
    args: ['--clock', 'manual', '--clock-start', CLOCK_START, '--invocation-seconds', '1', '--nodes', writeNodesFile(dir, nodes, REGION)],
    cpuProfileDir: ctx.profileDir('run-command-simulated'),
  });
  const client = new AwsClient(service.endpoint);
  try {
    ctx.log(`Run Command: SendCommand to ${int(nodes)} simulated nodes, then POST /_mw/clock`);
    const peakMemoryBeforeBytes = service.peakMemoryBytes();
    const sendStarted = performance.now();
    const sent = await client.call<{ Command: { CommandId: string; TargetCount: number } }>('SendCommand', { ...COMMAND, Targets: [{ Key: 'tag:Fleet', Values: ['bench'] }] }, REGION);
    const sendCommandMs = performance.now() - sendStarted;
    const commandId = sent.Command.CommandId;
    if (sent.Command.TargetCount !== nodes) problems.push(`simulated: SendCommand reached ${sent.Command.TargetCount} of ${nodes} nodes`);

    // Each invocation runs 1 s of the manual clock: 5 s moves it past every end.
    const clockStarted = performance.now();
    await client.control('POST', '/_mw/clock', { advanceSeconds: 5 });
    const clockCallMs = performance.now() - clockStarted;

    // The clock call returns once the engine processed everything due; ListCommands confirms it (bounded,
    // in case some of it went on after the answer).
    let state: CommandState = { Status: 'unknown', CompletedCount: 0, TargetCount: 0 };
    const final = await waitUntil(async () => {
      state = await commandState(client, commandId);
      return FINAL.has(state.Status) && state.CompletedCount === state.TargetCount;
    }, 10_000);
    const toAllTerminalMs = performance.now() - sendStarted;
    if (!final) problems.push(`simulated: the command is ${state.Status}, ${state.CompletedCount} of ${state.TargetCount} complete 10 s after the clock call`);
    const peakMemoryBytes = service.peakMemoryBytes();

    ctx.log('  counting invocations through ListCommandInvocations and in the database');
    const statuses = await invocationStatuses(client, commandId);
    const db = new DatabaseSync(join(dataDir, 'mw.sqlite'), { readOnly: true });
    const databaseFinal = Number((db.prepare(`SELECT count(*) AS n FROM command_invocations WHERE command_id = ? AND status IN (${[...FINAL].map(() => '?').join(', ')})`)
      .get(commandId, ...FINAL) as { n: number }).n);
    db.close();
    const completed = statuses.Success ?? 0;
    if (completed !== nodes) problems.push(`simulated: ${completed} of ${nodes} invocations Success: ${JSON.stringify(statuses)}`);
    if (databaseFinal !== nodes) problems.push(`simulated: the database holds ${databaseFinal} final invocations, expected ${nodes}`);
    if (state.Status !== 'Success') problems.push(`simulated: command status ${state.Status}`);
    checkAlive(service, problems);
    return {
      nodes, sendCommandMs, clockCallMs, toAllTerminalMs, invocationsPerSecond: completed / (toAllTerminalMs / 1000),
      commandStatus: state.Status, statuses, completed, databaseFinal, peakMemoryBytes, peakMemoryBeforeBytes,
    };
  } finally {
    client.close();
    await service.stop();
  }
}

/** What the agents share while they wait: the command they wait for, and what each one saw. */
interface FleetState {
  stopping: boolean;
  /** Polls on the wire and not answered yet, or channels open. */
  held: number;
  sentAt: number;
  /** SendCommand's command id, set before SendCommand is sent (a message may come before its answer). */
  commandId?: Promise<string>;
  delivered: number[];
  replied: number[];
  problems: string[];
}

function problemOf(state: FleetState, nodeId: string): (text: string) => void {
  return (text: string) => {
    if (!state.stopping && state.problems.length < 20) state.problems.push(`agent ${nodeId}: ${text}`);
  };
}

/**
 * Resolves in the event loop's next turn, after the answers that came meanwhile have been read. The fleet's
 * agents share this one process, where each would have a machine of its own: an agent that acted (built,
 * signed and sent its acknowledgement or reply) the moment its answer was read would make the answers read
 * after it in the same turn late by that work, and the delivery times would measure this process instead of
 * the service. So an answer is noted as it is read, and each step it leads to waits for the next turn.
 * (Not fewer steps per turn: that left 10,000 agents' work so far behind that their idle keep-alive
 * connections were closed under them.)
 */
const agentTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** The agent's loop: poll; for a message, acknowledge, reply InProgress and Success; poll again. */
async function pollLoop(agent: SimulatedAgent, state: FleetState): Promise<void> {
  const problem = problemOf(state, agent.nodeId);
  // A real agent polls again after a connection error (a keep-alive connection the server closed as the
  // request went out); a few in a row are a problem.
  let resets = 0;
  while (!state.stopping) {
    let onWire = false;
    let messages;
    try {
      messages = await agent.poll(() => {
        onWire = true;
        state.held++;
      });
      resets = 0;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ECONNRESET' && ++resets <= 3) continue;
      problem(`GetMessages: ${(error as Error).message}`);
      return;
    } finally {
      if (onWire) state.held--;
    }
    // Noted as read; what the agent does with it (checking it too) waits for its turn.
    const at = performance.now();
    for (const message of messages) {
      await agentTurn();
      if (!state.commandId) {
        problem(`a message before SendCommand: ${message.MessageId}`);
        continue;
      }
      const wrong = messageProblem(message, agent.nodeId, await state.commandId);
      if (wrong) {
        problem(wrong);
        continue;
      }
      state.delivered.push(at - state.sentAt);
      try {
        ok(await resent(() => agent.acknowledge(message.MessageId)), 'AcknowledgeMessage');
        for (const payload of [inProgressReply(new Date()), successReply(PLUGIN, OUTPUT, new Date())]) {
          await agentTurn();
          ok(await resent(() => agent.sendReplyText(message.MessageId, JSON.stringify(payload))), 'SendReply');
        }
      } catch (error) {
        problem((error as Error).message);
        return;
      }
      state.replied.push(performance.now() - state.sentAt);
    }
  }
}

/**
 * A call sent again when its keep-alive connection turned out closed (the server ends one idle for 5 s; a
 * request can go out on it just as it does), as the agent's SDK sends it again: a repeated acknowledgement or
 * reply changes nothing.
 */
async function resent(call: () => Promise<AgentReply>): Promise<AgentReply> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ECONNRESET' || attempt >= 3) throw error;
    }
  }
}

/** A call's answer, which must be 200. */
function ok(reply: AgentReply, what: string): void {
  if (reply.status !== 200) throw new Error(`${what} answered ${reply.status}: ${JSON.stringify(reply.body).slice(0, 300)}`);
}

/** What the agent sends first when it starts a document (as bench/simulated-agent.ts does over ec2messages). */
function inProgressReply(at: Date): Record<string, unknown> {
  return {
    additionalInfo: { agent: { lang: 'en-US', name: 'amazon-ssm-agent', os: '', osver: '1', ver: '' }, dateTime: at.toISOString(), runId: '', runtimeStatusCounts: {} },
    documentStatus: 'InProgress',
    documentTraceOutput: '',
    runtimeStatus: null,
  };
}

/** Why a job is not the command this agent expected, or undefined when it is. */
function jobProblem(received: ReceivedJob, nodeId: string, commandId: string): string | undefined {
  const { job } = received;
  if (!job.topic.startsWith('aws.ssm.sendCommand.')) return `job topic ${job.topic}`;
  if (job.jobId !== `aws.ssm.${commandId}.${nodeId}`) return `job ${job.jobId}, expected aws.ssm.${commandId}.${nodeId}`;
  const payload = JSON.parse(job.content) as { CommandId?: string; DocumentContent?: unknown };
  if (payload.CommandId !== commandId) return `job of command ${payload.CommandId}, expected ${commandId}`;
  if (!payload.DocumentContent) return `job ${job.jobId} carries no DocumentContent`;
  return undefined;
}

/**
 * The agent's loop on its control channel: wait for an agent_job; ack it, reply InProgress and Success
 * (each agent_job_reply waits for the service's agent_job_reply_ack); wait again.
 */
async function channelLoop(agent: SimulatedAgent, channel: SimulatedControlChannel, state: FleetState, replyTimeoutMs: number): Promise<void> {
  const problem = problemOf(state, agent.nodeId);
  while (!state.stopping) {
    let received: ReceivedJob;
    try {
      received = await channel.nextJob(30_000);
    } catch (error) {
      if (state.stopping) return;
      if (/^no an agent_job within/.test((error as Error).message)) continue;
      problem(`control channel: ${(error as Error).message}`);
      return;
    }
    const at = performance.now();
    await agentTurn();
    if (!state.commandId) {
      problem(`a job before SendCommand: ${received.job.jobId}`);
      continue;
    }
    const wrong = jobProblem(received, agent.nodeId, await state.commandId);
    if (wrong) {
      problem(wrong);
      continue;
    }
    state.delivered.push(at - state.sentAt);
    try {
      channel.ack(received);
      await channel.reply(received, inProgressReply(new Date()), replyTimeoutMs);
      await agentTurn();
      await channel.reply(received, successReply(PLUGIN, OUTPUT, new Date()), replyTimeoutMs);
    } catch (error) {
      problem((error as Error).message);
      return;
    }
    state.replied.push(performance.now() - state.sentAt);
  }
}

/** The gauge `name` in the service's /metrics text, if it is there. */
async function metric(endpoint: string, name: string): Promise<number | undefined> {
  try {
    const text = await (await fetch(`${endpoint}/metrics`)).text();
    const match = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** The soft limit of open files of this process (the service child inherits it). */
function openFilesLimit(): { soft?: number; hard?: number } {
  try {
    const match = /^Max open files\s+(\S+)\s+(\S+)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
    const value = (v: string | undefined) => (v === undefined ? undefined : v === 'unlimited' ? Number.POSITIVE_INFINITY : Number(v));
    return { soft: value(match?.[1]), hard: value(match?.[2]) };
  } catch {
    return {};
  }
}

/**
 * The committed transactions in the SQLite WAL file, read-only from its frame headers: the WAL header's
 * salts and page size, then each frame (24-byte header + a page) whose salts match the header's is valid;
 * a frame with a non-zero "database size after commit" ends a transaction. A checkpoint that restarts the
 * WAL changes the salts (the count then starts again).
 */
function walCommits(file: string): { salt: string; commits: number; frames: number } | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    const size = fstatSync(fd).size;
    if (size < 32) return { salt: 'empty', commits: 0, frames: 0 };
    const header = Buffer.alloc(32);
    readSync(fd, header, 0, 32, 0);
    const pageSize = header.readUInt32BE(8);
    const salt1 = header.readUInt32BE(16);
    const salt2 = header.readUInt32BE(20);
    const frame = Buffer.alloc(24);
    let commits = 0;
    let frames = 0;
    for (let at = 32; at + 24 + pageSize <= size && frames < 1_000_000; at += 24 + pageSize) {
      readSync(fd, frame, 0, 24, at);
      if (frame.readUInt32BE(8) !== salt1 || frame.readUInt32BE(12) !== salt2) break;
      frames++;
      if (frame.readUInt32BE(4) !== 0) commits++;
    }
    return { salt: `${salt1}.${salt2}`, commits, frames };
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

export interface IdleReading {
  seconds: number;
  /** CPU seconds of the service process over the window (/proc/<pid>/stat utime + stime, 10 ms ticks). */
  serviceCpuSeconds?: number;
  /** Transactions committed to the database file in the window (WAL commit frames); exact unless the WAL restarted. */
  walCommits?: number;
  walRestarted: boolean;
  /** Times `PRAGMA data_version` of a second, read-only connection changed, sampled every 20 ms (a lower bound of commits). */
  dataVersionChanges?: number;
}

/**
 * What the service spends over `seconds` while nothing is queued: its CPU, and the writes its store commits,
 * seen from outside (the WAL's commit frames, and data_version on a connection of our own). Read-only
 * transactions and empty write transactions leave nothing in the file: only the CPU shows them.
 */
async function idleReading(service: ServerProcess, dataDir: string, seconds: number): Promise<IdleReading> {
  const dbFile = join(dataDir, 'mw.sqlite');
  let db: DatabaseSync | undefined;
  try {
    db = new DatabaseSync(dbFile, { readOnly: true });
  } catch {
    db = undefined;
  }
  const version = () => {
    try {
      return Number((db!.prepare('PRAGMA data_version').get() as { data_version: number }).data_version);
    } catch {
      return undefined;
    }
  };
  const walBefore = walCommits(`${dbFile}-wal`);
  const cpuBefore = service.cpuSeconds();
  const started = performance.now();
  let changes: number | undefined = db ? 0 : undefined;
  let last = db ? version() : undefined;
  while (performance.now() - started < seconds * 1000) {
    await sleep(20);
    if (db && changes !== undefined) {
      const now = version();
      if (now === undefined) changes = undefined;
      else if (now !== last) {
        changes++;
        last = now;
      }
    }
  }
  const cpuAfter = service.cpuSeconds();
  const walAfter = walCommits(`${dbFile}-wal`);
  const elapsed = (performance.now() - started) / 1000;
  db?.close();
  const restarted = walBefore !== undefined && walAfter !== undefined && walBefore.salt !== walAfter.salt;
  return {
    seconds: elapsed,
    serviceCpuSeconds: cpuBefore !== undefined && cpuAfter !== undefined ? cpuAfter - cpuBefore : undefined,
    walCommits: walBefore && walAfter ? (restarted ? walAfter.commits : walAfter.commits - walBefore.commits) : undefined,
    walRestarted: restarted,
    dataVersionChanges: changes,
  };
}

export type AgentTransportKind = 'ec2messages' | 'control-channel';
export const TRANSPORT_LABEL: Record<AgentTransportKind, string> = { 'ec2messages': 'ec2messages polls', 'control-channel': 'ssmmessages control channels' };

export interface AgentFleetResults {
  transport: AgentTransportKind;
  /** The count the section asked for, and the one measured (lower when the machine's open-files limit does not allow it). */
  requested: number;
  agents: number;
  /** Seconds to register every agent: activation, RegisterManagedInstance, token, UpdateInstanceInformation. */
  setupSeconds: number;
  /** Seconds to open every control channel (CreateControlChannel, upgrade, OpenControlChannelInput), or for every poll to be on the wire. */
  connectSeconds: number;
  /** Polls held (or channels open, as the service's mw_control_channels_open says) when memory was read, and when SendCommand was sent. */
  held: number;
  heldAtSend: number;
  /** Service RSS with no poll held or channel open (after setup), and with every one held. */
  rssIdleBytes?: number;
  rssHeldBytes?: number;
  /** (rssHeld - rssIdle) / held: each includes its own connection, as a real agent's would. */
  bytesPerAgent?: number;
  /** The service idle before the agents connect, and idle with every poll held / channel open, nothing queued. */
  idleNone: IdleReading;
  idleHeld: IdleReading;
  sendCommandMs: number;
  /** Deliveries that reached their agent before SendCommand's answer did. */
  deliveredBeforeAnswer: number;
  /** Messages (polls answered, or agent_jobs) with the command. */
  delivered: number;
  /** Milliseconds from sending SendCommand to each message's arrival at its agent. */
  deliveryMs: Spread;
  /** Agents whose final reply was answered (SendReply, or agent_job_reply_ack). */
  replied: number;
  replyMs: Spread;
  /** Milliseconds from sending SendCommand to ListCommands showing the command final with every reply. */
  recordedMs?: number;
  /**
   * recordedMs / agents, and recordedMs / delivered; when the fleet did not finish within its wait (partial),
   * msPerDelivered is the wait / the replies answered by then.
   */
  msPerAgent?: number;
  msPerDelivered?: number;
  /** Set when not every agent replied within the command's wait: how far it got. */
  partial?: { seconds: number; delivered: number; replied: number };
  commandStatus: string;
  statuses: Record<string, number>;
  /**
   * CPU seconds from sending SendCommand to the command recorded final: the service's, and the bench
   * process's (the agents' side: signing, parsing), which shares the machine's cores with it.
   */
  commandPhase: { seconds: number; serviceCpuSeconds?: number; agentsCpuSeconds: number };
  peakMemoryBytes?: number;
}

export async function agentFleet(
  ctx: RunContext, dir: string, transportKind: AgentTransportKind, requested: number, agents: number, idleSeconds: { none: number; held: number }, problems: string[], notes: string[],
): Promise<AgentFleetResults> {
  const label = `${transportKind} ${int(agents)}`;
  // The system clock: the agents' replies end the invocations, nothing waits for a clock move.
  const dataDir = mkdtempSync(join(dir, `agents-${transportKind}-`));
  const service = await startService({ dataDir, cpuProfileDir: ctx.profileDir(`run-command-${transportKind}-${agents}`) });
  const client = new AwsClient(service.endpoint);
  // One connection per held poll, as each real agent has its own: no cap on sockets.
  const sockets = new Agent({ keepAlive: true, maxSockets: Infinity });
  const transport = new AgentTransport(service.endpoint, sockets, REGION);
  const state: FleetState = { stopping: false, held: 0, sentAt: 0, delivered: [], replied: [], problems: [] };
  const channels: SimulatedControlChannel[] = [];
  let loops: Promise<void>[] = [];
  // Waits that grow with the fleet: 10,000 agents take longer to connect and to answer than 50.
  const longWaitMs = Math.max(60_000, agents * 20);
  // The command's delivery and replies get this long (then the fleet is measured as far as it got).
  const commandWaitMs = Math.max(60_000, agents * COMMAND_WAIT_MS_PER_AGENT);
  try {
    ctx.log(`Run Command over ${TRANSPORT_LABEL[transportKind]}: registering ${int(agents)} simulated agents`);
    const setupStarted = performance.now();
    // An activation registers at most 1,000 nodes (CreateActivation's RegistrationLimit): one per 1,000 agents.
    const activations = await inParallel(Array.from({ length: Math.ceil(agents / ACTIVATION_LIMIT) }, (_, k) => k), 4, (k) =>
      client.call<{ ActivationId: string; ActivationCode: string }>('CreateActivation', {
        IamRole: 'SSMServiceRole', RegistrationLimit: Math.min(ACTIVATION_LIMIT, agents - k * ACTIVATION_LIMIT), Tags: [{ Key: 'Fleet', Value: 'agents' }],
      }, REGION));
    // One RSA key pair for the fleet (the service keeps each node's key and does not refuse a key another
    // node registered; 1,000 RSA-2048 keys would take about a minute on their own). Each node registers
    // with a fingerprint of its own, which its token request must match.
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const publicKeyText = publicKey.export({ format: 'der', type: 'spki' }).toString('base64');
    const fleet = await inParallel(Array.from({ length: agents }, (_, i) => i), REGISTER_PARALLEL, (i) =>
      SimulatedAgent.register(transport, activations[Math.floor(i / ACTIVATION_LIMIT)], publicKeyText, privateKey, `bench-agent-${String(i).padStart(5, '0')}`));
    const setupSeconds = (performance.now() - setupStarted) / 1000;
    await sleep(1000); // let the registrations' garbage settle before the idle reading
    const rssIdleBytes = rssOf(service.pid);
    const idleNone = await idleReading(service, dataDir, idleSeconds.none);

    const connectStarted = performance.now();
    let held: () => number | Promise<number>;
    if (transportKind === 'ec2messages') {
      ctx.log(`  ${int(agents)} agents start their GetMessages long polls`);
      loops = fleet.map((agent) => pollLoop(agent, state));
      held = () => state.held;
    } else {
      ctx.log(`  ${int(agents)} agents open their control channels`);
      const opened = await inParallel(fleet, REGISTER_PARALLEL, async (agent) => {
        const channel = await SimulatedControlChannel.open(agent, service.endpoint);
        channels.push(channel);
        return channel;
      });
      loops = fleet.map((agent, i) => channelLoop(agent, opened[i], state, longWaitMs));
      held = async () => (await metric(service.endpoint, 'mw_control_channels_open')) ?? -1;
    }
    if (!await waitUntil(async () => (await held()) >= agents, longWaitMs, 50)) problems.push(`${label}: only ${await held()} of ${agents} ${transportKind === 'ec2messages' ? 'polls on the wire' : 'channels open'} after ${longWaitMs / 1000} s`);
    const connectSeconds = (performance.now() - connectStarted) / 1000;
    // The health check is answered after the service read what was sent before it; then a moment to settle.
    await client.raw('GET', '/_mw/health', {}, '');
    await sleep(1000);
    const rssHeldBytes = rssOf(service.pid);
    const heldCount = await held();
    // The agents wait with nothing queued: what the service and its store spend on them meanwhile.
    ctx.log(`  ${int(heldCount)} held; ${idleSeconds.held} s idle with nothing queued`);
    const idleHeld = await idleReading(service, dataDir, idleSeconds.held);
    if (state.delivered.length > 0) problems.push(`${label}: ${state.delivered.length} messages came before SendCommand`);

    const heldAtSend = await held();
    ctx.log(`  ${int(heldAtSend)} held; SendCommand to all ${int(agents)} agent nodes`);
    const serviceCpuAtSend = service.cpuSeconds();
    const agentsCpuAtSend = process.cpuUsage();
    state.sentAt = performance.now();
    const sending = client.call<{ Command: { CommandId: string; TargetCount: number } }>('SendCommand', { ...COMMAND, Targets: [{ Key: 'tag:Fleet', Values: ['agents'] }] }, REGION);
    state.commandId = sending.then((s) => s.Command.CommandId);
    const sent = await sending;
    const sendCommandMs = performance.now() - state.sentAt;
    if (sent.Command.TargetCount !== agents) problems.push(`${label}: SendCommand reached ${sent.Command.TargetCount} of ${agents} nodes`);

    const commandDeadline = state.sentAt + commandWaitMs;
    const allReplied = await waitUntil(() => state.replied.length >= agents, commandDeadline - performance.now(), 10);
    let command: CommandState = { Status: 'unknown', CompletedCount: 0, TargetCount: 0 };
    let recorded = false;
    let partial: AgentFleetResults['partial'];
    if (allReplied) {
      recorded = await waitUntil(async () => {
        command = await commandState(client, sent.Command.CommandId);
        return FINAL.has(command.Status) && command.CompletedCount === command.TargetCount;
      }, 30_000, 20);
      if (!recorded) problems.push(`${label}: the command is ${command.Status}, ${command.CompletedCount} of ${command.TargetCount} complete 30 s after the replies`);
    } else {
      // Not done in time: measured as far as it got (a slow service is a figure, not a failure).
      partial = { seconds: (performance.now() - state.sentAt) / 1000, delivered: state.delivered.length, replied: state.replied.length };
      notes.push(`${label}: ${int(partial.delivered)} of ${int(agents)} delivered and ${int(partial.replied)} replied within ${partial.seconds.toFixed(0)} s of SendCommand: measured as far as it got`);
      command = await commandState(client, sent.Command.CommandId).catch(() => command);
    }
    const recordedMs = recorded ? performance.now() - state.sentAt : undefined;
    const serviceCpuAtEnd = service.cpuSeconds();
    const agentsCpu = process.cpuUsage(agentsCpuAtSend);
    const commandPhase = {
      seconds: (performance.now() - state.sentAt) / 1000,
      serviceCpuSeconds: serviceCpuAtSend !== undefined && serviceCpuAtEnd !== undefined ? serviceCpuAtEnd - serviceCpuAtSend : undefined,
      agentsCpuSeconds: (agentsCpu.user + agentsCpu.system) / 1e6,
    };
    const peakMemoryBytes = service.peakMemoryBytes();

    const deliveredBeforeAnswer = state.delivered.filter((t) => t <= sendCommandMs).length;
    const statuses = partial ? { [`${command.Status} (${command.CompletedCount} of ${command.TargetCount} complete)`]: 1 } : await invocationStatuses(client, sent.Command.CommandId);
    if (!partial && (statuses.Success ?? 0) !== agents) problems.push(`${label}: invocations ${JSON.stringify(statuses)}`);
    // One invocation read back: the reply's output is what the service shows.
    const sample = await client.call<{ Status: string; StandardOutputContent: string; ResponseCode: number }>('GetCommandInvocation', {
      CommandId: sent.Command.CommandId, InstanceId: fleet[0].nodeId,
    }, REGION);
    if (!partial && (sample.Status !== 'Success' || sample.StandardOutputContent !== OUTPUT || sample.ResponseCode !== 0)) problems.push(`${label}: GetCommandInvocation ${JSON.stringify(sample).slice(0, 300)}`);
    problems.push(...state.problems.map((p) => `${label}: ${p}`));
    checkAlive(service, problems);
    const delivered = state.delivered.length;
    return {
      transport: transportKind, requested, agents, setupSeconds, connectSeconds, held: heldCount, heldAtSend, rssIdleBytes, rssHeldBytes,
      bytesPerAgent: rssIdleBytes !== undefined && rssHeldBytes !== undefined && heldCount > 0 ? (rssHeldBytes - rssIdleBytes) / heldCount : undefined,
      idleNone, idleHeld, sendCommandMs, deliveredBeforeAnswer,
      delivered, deliveryMs: spread(state.delivered),
      replied: state.replied.length, replyMs: spread(state.replied),
      recordedMs, msPerAgent: recordedMs === undefined ? undefined : recordedMs / agents,
      msPerDelivered: partial ? (partial.replied > 0 ? (partial.seconds * 1000) / partial.replied : undefined) : recordedMs === undefined || delivered === 0 ? undefined : recordedMs / delivered,
      partial,
      commandStatus: command.Status, statuses, commandPhase, peakMemoryBytes,
    };
  } finally {
    // The agents stop: their polls (held again after the replies) end with their connections, the channels close.
    state.stopping = true;
    sockets.destroy();
    for (const channel of channels) channel.ws.terminate();
    await Promise.race([Promise.allSettled(loops), sleep(5000)]);
    client.close();
    await service.stop();
  }
}

export interface FleetRatio {
  transport: AgentTransportKind;
  small: number;
  large: number;
  /** msPerDelivered at the large count over msPerDelivered at the small one. */
  ratio?: number;
}

export async function runRunCommand(ctx: RunContext): Promise<RunCommandResults & { serviceFailed: boolean }> {
  const sizes = ctx.quick ? SIZES.quick : SIZES.full;
  const dir = mkdtempSync(join(ctx.tmp, 'run-command-'));
  const problems: string[] = [];
  const simulated = await simulatedFleet(ctx, dir, sizes.nodes, problems);

  // Each agent holds a socket in this process and one in the service's: both need an open file each, beside
  // what the service keeps open anyway. The limit is inherited by the service (bench/servers.ts spawns it).
  const limit = openFilesLimit();
  const usable = limit.soft === undefined ? Number.POSITIVE_INFINITY : Math.max(0, limit.soft - FD_RESERVE);
  const notes: string[] = [];
  const counts = sizes.agentCounts.map((requested) => {
    const agents = Math.min(requested, usable);
    if (agents < requested) notes.push(`${int(requested)} agents need ${int(requested + FD_RESERVE)} open files; the limit here is ${limit.soft} (hard ${limit.hard}): measured at ${int(agents)}`);
    return { requested, agents };
  });
  const idleSeconds = ctx.quick ? IDLE_SECONDS.quick : IDLE_SECONDS.full;
  const fleets: AgentFleetResults[] = [];
  // Side by side: each count over both transports, a fresh service for each.
  for (const { requested, agents } of counts) {
    for (const transportKind of ['ec2messages', 'control-channel'] as const) {
      try {
        fleets.push(await agentFleet(ctx, dir, transportKind, requested, agents, idleSeconds, problems, notes));
      } catch (error) {
        problems.push(`${transportKind} ${int(agents)}: ${String((error as Error)?.stack ?? error)}`);
      }
    }
  }
  const ratios: FleetRatio[] = [];
  for (const transportKind of ['ec2messages', 'control-channel'] as const) {
    const [small, large] = counts.map((c) => fleets.find((f) => f.transport === transportKind && f.requested === c.requested));
    ratios.push({
      transport: transportKind, small: small?.agents ?? counts[0].agents, large: large?.agents ?? counts[1].agents,
      ratio: small?.msPerDelivered !== undefined && large?.msPerDelivered !== undefined ? large.msPerDelivered / small.msPerDelivered : undefined,
    });
  }
  return {
    simulated, fleets, ratios, openFiles: limit, notes, problems, serviceFailed: problems.length > 0,
  };
}

// ---- the table

const ms = (v: number | undefined) => (v === undefined || Number.isNaN(v) ? '-' : v < 10 ? `${v.toFixed(2)} ms` : v < 10_000 ? `${v.toFixed(0)} ms` : `${(v / 1000).toFixed(1)} s`);
const cores = (cpu: number | undefined, seconds: number) => (cpu === undefined ? '-' : `${((100 * cpu) / seconds).toFixed(1)}%`);
const perSecond = (n: number | undefined, seconds: number) => (n === undefined ? '-' : (n / seconds).toFixed(n / seconds >= 10 || n === 0 ? 0 : 1));

/** The idle store's cost as the section reads it: writes/s (WAL commits) and data_version changes, with the service's CPU. */
export function idleWords(r: IdleReading): string {
  return `${perSecond(r.walCommits, r.seconds)} writes/s${r.walRestarted ? ' (at least: the WAL restarted)' : ''}, data_version changed ${r.dataVersionChanges ?? '-'} times, service CPU ${cores(r.serviceCpuSeconds, r.seconds)} of a core over ${r.seconds.toFixed(0)} s`;
}

export function formatRunCommand(r: RunCommandResults): string {
  const lines = ['== 6. Run Command path: simulated nodes, and simulated agents over ec2messages polls and ssmmessages control channels'];
  const s = r.simulated;
  if (s) {
    lines.push(
      `SendCommand (AWS-RunShellScript, tag target, MaxConcurrency 100%) to ${int(s.nodes)} simulated nodes on the manual clock (1 s per invocation), then one POST /_mw/clock:`,
      table(
        ['nodes', 'SendCommand', 'clock call', 'SendCommand to all final', 'invocations completed/s', 'listed Success', 'final in the database', 'command', 'peak memory', 'peak before'],
        [[int(s.nodes), ms(s.sendCommandMs), ms(s.clockCallMs), ms(s.toAllTerminalMs), int(s.invocationsPerSecond), int(s.completed), int(s.databaseFinal), s.commandStatus, mb(s.peakMemoryBytes), mb(s.peakMemoryBeforeBytes)]],
        (i) => i !== 7,
      ),
      `invocations completed/s = ${int(s.nodes)} / ${(s.toAllTerminalMs / 1000).toFixed(2)} s (SendCommand sent to ListCommands showing it final); statuses ${JSON.stringify(s.statuses)}`,
    );
  }
  const fleets = r.fleets ?? [];
  if (fleets.length) {
    if (s) lines.push('');
    const name = (f: AgentFleetResults) => (f.transport === 'ec2messages' ? 'ec2messages' : 'control channel');
    lines.push(
      'Simulated agents (activation, RSA token, SigV4) on the system clock, each on a connection of its own: a GetMessages long poll held, or an',
      'ssmmessages control channel open (WebSocket). A fresh service for each row. Idle: nothing queued, with no agent connected and then with all.',
      table(
        ['transport', 'agents', 'setup', 'connect', 'held', 'RSS idle', 'RSS held', 'per agent', 'idle CPU: none', 'idle CPU: held', 'idle writes/s: none', 'idle writes/s: held', 'data_version changes: held', 'peak memory'],
        fleets.map((f) => [
          name(f), int(f.agents), `${f.setupSeconds.toFixed(1)} s (${int(f.agents / f.setupSeconds)}/s)`, `${f.connectSeconds.toFixed(1)} s`, int(f.held),
          mb(f.rssIdleBytes), mb(f.rssHeldBytes), f.bytesPerAgent === undefined ? '-' : `${(f.bytesPerAgent / 1024).toFixed(1)} KB`,
          `${cores(f.idleNone.serviceCpuSeconds, f.idleNone.seconds)} of a core`, `${cores(f.idleHeld.serviceCpuSeconds, f.idleHeld.seconds)} of a core`,
          `${perSecond(f.idleNone.walCommits, f.idleNone.seconds)}${f.idleNone.walRestarted ? '+' : ''}`, `${perSecond(f.idleHeld.walCommits, f.idleHeld.seconds)}${f.idleHeld.walRestarted ? '+' : ''}`,
          `${f.idleHeld.dataVersionChanges ?? '-'} in ${f.idleHeld.seconds.toFixed(0)} s`, mb(f.peakMemoryBytes),
        ]),
        (i) => i > 0,
      ),
      '',
      'then one SendCommand to every agent node: from sending it, to its answer, to each message at its agent (poll answered / agent_job), to each',
      'final reply answered (SendReply / agent_job_reply_ack), and to ListCommands showing the command final; per agent = that / agents.',
      table(
        ['transport', 'agents', 'SendCommand', 'delivered before it', 'delivered p50', 'p99', 'max', 'final reply p50', 'p99', 'command final', 'per agent', 'per delivered', 'service CPU', 'agents CPU', 'statuses'],
        fleets.map((f) => [
          name(f), int(f.agents), ms(f.sendCommandMs), `${int(f.deliveredBeforeAnswer)} of ${int(f.delivered)}`,
          ms(f.deliveryMs.p50), ms(f.deliveryMs.p99), ms(f.deliveryMs.max), ms(f.replyMs.p50), ms(f.replyMs.p99),
          f.partial ? `partial: ${int(f.partial.replied)} replied in ${f.partial.seconds.toFixed(0)} s` : `${ms(f.recordedMs)} ${f.commandStatus}`, ms(f.msPerAgent), ms(f.msPerDelivered),
          f.commandPhase.serviceCpuSeconds === undefined ? '-' : `${f.commandPhase.serviceCpuSeconds.toFixed(1)} s`, `${f.commandPhase.agentsCpuSeconds.toFixed(1)} s`,
          JSON.stringify(f.statuses),
        ]),
        (i) => i > 0 && i < 14,
      ),
      `time per delivered invocation, largest count over smallest: ${(r.ratios ?? []).map((x) => `${x.transport} ${int(x.large)}/${int(x.small)} ${x.ratio === undefined ? '-' : `${x.ratio.toFixed(2)}x`}`).join('; ')}`,
      'per agent (held) = (RSS held - RSS idle) / held, a connection each. Idle writes/s: transactions committed to mw.sqlite in the window, counted',
      'read-only in the WAL file\'s commit frames ("+": the WAL restarted, at least that many); data_version: a second read-only connection sampled',
      'every 20 ms. Read-only or empty transactions (a recheck that finds nothing) write nothing: only the service\'s CPU shows them.',
      `open files: soft limit ${r.openFiles?.soft ?? '?'}, hard ${r.openFiles?.hard ?? '?'} (the service inherits it)`,
    );
    for (const note of r.notes ?? []) lines.push(`NOTE: ${note}`);
  }
  if (r.problems.length) lines.push('PROBLEMS:', ...r.problems.map((p) => `  ${p}`));
  return lines.join('\n');
}
