// Section 6: the Run Command path at fleet scale (figures only, no targets).
// 1. SendCommand (AWS-RunShellScript, a tag target) to 10,000 simulated nodes (quick: 200) on the manual
//    clock: the SendCommand call starts every invocation, one POST /_mw/clock lets them run their second
//    and end, and ListCommands confirms the command is final. Invocations completed per second = nodes /
//    the wall time from sending SendCommand to that confirmation; the statuses are counted through
//    ListCommandInvocations and, as a cross-check, in the database file.
// 2. 1,000 simulated agents (quick: 50) on the system clock, speaking the agent's protocol
//    (bench/simulated-agent.ts): registered through an activation, each holding a GetMessages long poll
//    on a connection of its own. Service memory per held poll, its CPU while the polls wait, then one
//    SendCommand to every agent node: latency from it to each poll's answer with the command, and to each
//    agent's final SendReply (Acknowledge, InProgress, Success), and to the command being recorded final.

import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { Agent } from 'node:http';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { AwsClient, inParallel } from './aws-requests.ts';
import { CLOCK_START, writeNodesFile } from './fleet.ts';
import { percentile } from './measure.ts';
import { int, mb, table } from './report.ts';
import type { RunContext } from './run-context.ts';
import { type ServerProcess, startService } from './servers.ts';
import { AgentTransport, messageProblem, SimulatedAgent } from './simulated-agent.ts';

const REGION = 'us-east-1';
const SIZES = { full: { nodes: 10_000, agents: 1_000 }, quick: { nodes: 200, agents: 50 } } as const;
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

export interface AgentFleetResults {
  agents: number;
  /** Seconds to register every agent: activation, RegisterManagedInstance, token, UpdateInstanceInformation. */
  setupSeconds: number;
  /** GetMessages polls held by the service when its memory was read, and still when SendCommand was sent. */
  heldPolls: number;
  heldAtSend: number;
  /** Service RSS with no poll held (after setup), and with every poll held. */
  rssIdleBytes?: number;
  rssHeldBytes?: number;
  /** (rssHeld - rssIdle) / heldPolls: each includes its own connection, as a real agent's would. */
  bytesPerPoll?: number;
  /** Cores the service kept busy while the polls waited with nothing queued. */
  heldCpuCores?: number;
  sendCommandMs: number;
  /** Polls answered with the command's message. */
  delivered: number;
  /** Milliseconds from sending SendCommand to each poll's answer with the message. */
  deliveryMs: Spread;
  /** Agents whose final SendReply was answered. */
  replied: number;
  /** Milliseconds from sending SendCommand to each agent's final SendReply answered. */
  replyMs: Spread;
  /** Milliseconds from sending SendCommand to ListCommands showing the command final with every reply. */
  recordedMs?: number;
  commandStatus: string;
  statuses: Record<string, number>;
  /**
   * CPU seconds from sending SendCommand to the command recorded final: the service's, and the bench
   * process's (the agents' side: signing, parsing), which shares the machine's cores with it.
   */
  commandPhase: { seconds: number; serviceCpuSeconds?: number; agentsCpuSeconds: number };
  peakMemoryBytes?: number;
}

export interface RunCommandResults {
  simulated?: SimulatedFleetResults;
  agents?: AgentFleetResults;
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

/** What the agents share while they poll: the command they wait for, and what each one saw. */
interface PollState {
  stopping: boolean;
  /** Polls on the wire and not answered yet. */
  held: number;
  sentAt: number;
  /** SendCommand's command id, set before SendCommand is sent (a poll may be answered before its answer). */
  commandId?: Promise<string>;
  delivered: number[];
  replied: number[];
  problems: string[];
}

/** The agent's loop: poll; for a message, acknowledge, reply InProgress and Success; poll again. */
async function agentLoop(agent: SimulatedAgent, state: PollState): Promise<void> {
  const problem = (text: string) => {
    if (!state.stopping && state.problems.length < 20) state.problems.push(`agent ${agent.nodeId}: ${text}`);
  };
  while (!state.stopping) {
    let onWire = false;
    let messages;
    try {
      messages = await agent.poll(() => {
        onWire = true;
        state.held++;
      });
    } catch (error) {
      problem(`GetMessages: ${(error as Error).message}`);
      return;
    } finally {
      if (onWire) state.held--;
    }
    for (const message of messages) {
      const at = performance.now();
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
        await agent.runAndReply(message, PLUGIN, OUTPUT);
      } catch (error) {
        problem((error as Error).message);
        return;
      }
      state.replied.push(performance.now() - state.sentAt);
    }
  }
}

async function agentFleet(ctx: RunContext, dir: string, agents: number, problems: string[]): Promise<AgentFleetResults> {
  // The system clock: the agents' replies end the invocations, nothing waits for a clock move.
  const service = await startService({ dataDir: mkdtempSync(join(dir, 'agents-')), cpuProfileDir: ctx.profileDir('run-command-agents') });
  const client = new AwsClient(service.endpoint);
  // One connection per held poll, as each real agent has its own: no cap on sockets.
  const sockets = new Agent({ keepAlive: true, maxSockets: Infinity });
  const transport = new AgentTransport(service.endpoint, sockets, REGION);
  const state: PollState = { stopping: false, held: 0, sentAt: 0, delivered: [], replied: [], problems: [] };
  let loops: Promise<void>[] = [];
  try {
    ctx.log(`Run Command: registering ${int(agents)} simulated agents`);
    const setupStarted = performance.now();
    const activation = await client.call<{ ActivationId: string; ActivationCode: string }>('CreateActivation', {
      IamRole: 'SSMServiceRole', RegistrationLimit: agents, Tags: [{ Key: 'Fleet', Value: 'agents' }],
    }, REGION);
    // One RSA key pair for the fleet (the service keeps each node's key and does not refuse a key another
    // node registered; 1,000 RSA-2048 keys would take about a minute on their own). Each node registers
    // with a fingerprint of its own, which its token request must match.
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const publicKeyText = publicKey.export({ format: 'der', type: 'spki' }).toString('base64');
    const fleet = await inParallel(Array.from({ length: agents }, (_, i) => i), REGISTER_PARALLEL, (i) =>
      SimulatedAgent.register(transport, activation, publicKeyText, privateKey, `bench-agent-${String(i).padStart(5, '0')}`));
    const setupSeconds = (performance.now() - setupStarted) / 1000;
    await sleep(1000); // let the registrations' garbage settle before the idle reading
    const rssIdleBytes = rssOf(service.pid);

    ctx.log(`  ${int(agents)} agents start their GetMessages long polls`);
    loops = fleet.map((agent) => agentLoop(agent, state));
    if (!await waitUntil(() => state.held >= agents, 30_000)) problems.push(`agents: only ${state.held} of ${agents} polls on the wire after 30 s`);
    // The health check is answered after the service read the polls sent before it; then a moment for them to settle.
    await client.raw('GET', '/_mw/health', {}, '');
    await sleep(1000);
    const rssHeldBytes = rssOf(service.pid);
    const heldPolls = state.held;
    // The polls wait with nothing queued: what the service spends on them meanwhile.
    const cpuBefore = service.cpuSeconds();
    const cpuStarted = performance.now();
    await sleep(2000);
    const cpuAfter = service.cpuSeconds();
    const heldCpuCores = cpuBefore !== undefined && cpuAfter !== undefined ? (cpuAfter - cpuBefore) / ((performance.now() - cpuStarted) / 1000) : undefined;
    if (state.delivered.length > 0) problems.push(`agents: ${state.delivered.length} polls got a message before SendCommand`);

    ctx.log(`  ${int(state.held)} polls held; SendCommand to all ${int(agents)} agent nodes`);
    const heldAtSend = state.held;
    const serviceCpuAtSend = service.cpuSeconds();
    const agentsCpuAtSend = process.cpuUsage();
    state.sentAt = performance.now();
    const sending = client.call<{ Command: { CommandId: string; TargetCount: number } }>('SendCommand', { ...COMMAND, Targets: [{ Key: 'tag:Fleet', Values: ['agents'] }] }, REGION);
    state.commandId = sending.then((s) => s.Command.CommandId);
    const sent = await sending;
    const sendCommandMs = performance.now() - state.sentAt;
    if (sent.Command.TargetCount !== agents) problems.push(`agents: SendCommand reached ${sent.Command.TargetCount} of ${agents} nodes`);

    if (!await waitUntil(() => state.delivered.length >= agents, 60_000)) problems.push(`agents: ${state.delivered.length} of ${agents} polls got the command within 60 s`);
    if (!await waitUntil(() => state.replied.length >= state.delivered.length, 60_000)) problems.push(`agents: ${state.replied.length} of ${state.delivered.length} agents' replies answered within 60 s`);
    let command: CommandState = { Status: 'unknown', CompletedCount: 0, TargetCount: 0 };
    const recorded = await waitUntil(async () => {
      command = await commandState(client, sent.Command.CommandId);
      return FINAL.has(command.Status) && command.CompletedCount === command.TargetCount;
    }, 30_000, 20);
    const recordedMs = recorded ? performance.now() - state.sentAt : undefined;
    const serviceCpuAtEnd = service.cpuSeconds();
    const agentsCpu = process.cpuUsage(agentsCpuAtSend);
    const commandPhase = {
      seconds: (performance.now() - state.sentAt) / 1000,
      serviceCpuSeconds: serviceCpuAtSend !== undefined && serviceCpuAtEnd !== undefined ? serviceCpuAtEnd - serviceCpuAtSend : undefined,
      agentsCpuSeconds: (agentsCpu.user + agentsCpu.system) / 1e6,
    };
    if (!recorded) problems.push(`agents: the command is ${command.Status}, ${command.CompletedCount} of ${command.TargetCount} complete 30 s after the replies`);
    const peakMemoryBytes = service.peakMemoryBytes();

    const statuses = await invocationStatuses(client, sent.Command.CommandId);
    if ((statuses.Success ?? 0) !== agents) problems.push(`agents: invocations ${JSON.stringify(statuses)}`);
    // One invocation read back: the reply's output is what the service shows.
    const sample = await client.call<{ Status: string; StandardOutputContent: string; ResponseCode: number }>('GetCommandInvocation', {
      CommandId: sent.Command.CommandId, InstanceId: fleet[0].nodeId,
    }, REGION);
    if (sample.Status !== 'Success' || sample.StandardOutputContent !== OUTPUT || sample.ResponseCode !== 0) problems.push(`agents: GetCommandInvocation ${JSON.stringify(sample).slice(0, 300)}`);
    problems.push(...state.problems);
    checkAlive(service, problems);
    return {
      agents, setupSeconds, heldPolls, heldAtSend, rssIdleBytes, rssHeldBytes,
      bytesPerPoll: rssIdleBytes !== undefined && rssHeldBytes !== undefined && heldPolls > 0 ? (rssHeldBytes - rssIdleBytes) / heldPolls : undefined,
      heldCpuCores, sendCommandMs,
      delivered: state.delivered.length, deliveryMs: spread(state.delivered),
      replied: state.replied.length, replyMs: spread(state.replied),
      recordedMs, commandStatus: command.Status, statuses, commandPhase, peakMemoryBytes,
    };
  } finally {
    // The agents stop: their polls (held again after the replies) end with their connections.
    state.stopping = true;
    sockets.destroy();
    await Promise.race([Promise.allSettled(loops), sleep(5000)]);
    client.close();
    await service.stop();
  }
}

export async function runRunCommand(ctx: RunContext): Promise<RunCommandResults & { serviceFailed: boolean }> {
  const sizes = ctx.quick ? SIZES.quick : SIZES.full;
  const dir = mkdtempSync(join(ctx.tmp, 'run-command-'));
  const problems: string[] = [];
  const simulated = await simulatedFleet(ctx, dir, sizes.nodes, problems);
  const agents = await agentFleet(ctx, dir, sizes.agents, problems);
  return { simulated, agents, problems, serviceFailed: problems.length > 0 };
}

// ---- the table

const ms = (v: number | undefined) => (v === undefined || Number.isNaN(v) ? '-' : v < 10 ? `${v.toFixed(2)} ms` : v < 10_000 ? `${v.toFixed(0)} ms` : `${(v / 1000).toFixed(1)} s`);

export function formatRunCommand(r: RunCommandResults): string {
  const lines = ['== 6. Run Command path (figures only, no targets)'];
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
  const a = r.agents;
  if (a) {
    if (s) lines.push('');
    const perPoll = a.bytesPerPoll === undefined ? '-' : `${(a.bytesPerPoll / 1024).toFixed(1)} KB`;
    lines.push(
      `${int(a.agents)} simulated agents (activation, RSA token, SigV4) on the system clock, each holding a GetMessages long poll on its own connection:`,
      table(
        ['agents', 'setup', 'polls held', 'RSS idle', 'RSS polls held', 'per held poll', 'CPU while held', 'peak memory'],
        [[int(a.agents), `${a.setupSeconds.toFixed(1)} s (${int(a.agents / a.setupSeconds)}/s)`, int(a.heldPolls), mb(a.rssIdleBytes), mb(a.rssHeldBytes), perPoll,
          a.heldCpuCores === undefined ? '-' : `${(a.heldCpuCores * 100).toFixed(0)}% of a core`, mb(a.peakMemoryBytes)]],
      ),
      '',
      `then one SendCommand to all ${int(a.agents)} agent nodes (${int(a.heldAtSend)} polls held): latency from sending it`,
      table(
        ['to', 'count', 'p50', 'p99', 'max'],
        [
          ['SendCommand answered', '1', ms(a.sendCommandMs), '', ''],
          ['poll answered with the command', int(a.delivered), ms(a.deliveryMs.p50), ms(a.deliveryMs.p99), ms(a.deliveryMs.max)],
          ['final SendReply answered', int(a.replied), ms(a.replyMs.p50), ms(a.replyMs.p99), ms(a.replyMs.max)],
          [`ListCommands: ${a.commandStatus}`, '1', ms(a.recordedMs), '', ''],
        ],
      ),
      `CPU meanwhile (${a.commandPhase.seconds.toFixed(1)} s): service ${a.commandPhase.serviceCpuSeconds?.toFixed(1) ?? '-'} s, the simulated agents (this process) ${a.commandPhase.agentsCpuSeconds.toFixed(1)} s`,
      `per held poll = (RSS held - RSS idle) / polls held, a connection each; statuses ${JSON.stringify(a.statuses)}`,
    );
  }
  if (r.problems.length) lines.push('PROBLEMS:', ...r.problems.map((p) => `  ${p}`));
  return lines.join('\n');
}
