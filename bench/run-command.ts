// Section 6: the Run Command path at fleet scale.
// 1. SendCommand to 10,000 simulated nodes (quick: 200) on the manual clock: the SendCommand call, then
//    one POST /_mw/clock that lets every invocation run and end; invocations completed per second.
// 2. 1,000 simulated agents (quick: 50) speaking the agent's own protocol: registered through an
//    activation (RegisterManagedInstance, an RSA-signed RequestManagedInstanceRoleToken), each holding a
//    GetMessages long poll signed with its issued credentials. Memory per held poll, then one SendCommand
//    to all of them and the latency from it to each poll's answer carrying the command.

import { generateKeyPairSync, type KeyObject, randomUUID, sign } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { getCanonicalHeaders, SignatureV4 } from '@smithy/signature-v4';
import type { HttpRequest } from '@smithy/types';
import { Sha256 } from '../src/wire/sigv4.ts';
import { AwsClient, inParallel } from './aws-requests.ts';
import { CLOCK_START, writeNodesFile } from './fleet.ts';
import { percentile } from './measure.ts';
import { int, mb, table } from './report.ts';
import type { RunContext } from './run-context.ts';
import { startService } from './servers.ts';

const REGION = 'us-east-1';
const SIZES = { full: { nodes: 10_000, agents: 1_000 }, quick: { nodes: 200, agents: 50 } } as const;

export interface RunCommandResults {
  simulated: {
    nodes: number;
    sendCommandMs: number;
    clockCallMs: number;
    completed: number;
    statuses: Record<string, number>;
    invocationsPerSecond: number;
    peakMemoryBytes?: number;
  };
  agents: {
    agents: number;
    setupSeconds: number;
    heldPolls: number;
    rssIdleBytes?: number;
    rssHeldBytes?: number;
    bytesPerPoll?: number;
    answered: number;
    latencyMs: { p50: number; p99: number; max: number };
    peakMemoryBytes?: number;
  };
  problems: string[];
}

function rssOf(pid: number): number | undefined {
  const match = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) * 1024 : undefined;
}

const COMMAND = { DocumentName: 'AWS-RunShellScript', Parameters: { commands: ['echo bench'] }, MaxConcurrency: '100%', MaxErrors: '100%' };

async function simulatedFleet(ctx: RunContext, dir: string, nodes: number, results: RunCommandResults): Promise<void> {
  const service = await startService({
    dataDir: mkdtempSync(join(dir, 'sim-')),
    args: ['--clock', 'manual', '--clock-start', CLOCK_START, '--invocation-seconds', '1', '--nodes', writeNodesFile(dir, nodes, REGION)],
    cpuProfileDir: ctx.profileDir('run-command-simulated'),
  });
  const client = new AwsClient(service.endpoint);
  try {
    ctx.log(`Run Command: SendCommand to ${nodes.toLocaleString('en-US')} simulated nodes`);
    const sendStarted = performance.now();
    const sent = await client.call<{ Command: { CommandId: string } }>('SendCommand', { ...COMMAND, Targets: [{ Key: 'tag:Fleet', Values: ['bench'] }] }, REGION);
    const sendCommandMs = performance.now() - sendStarted;
    const clockStarted = performance.now();
    await client.control('POST', '/_mw/clock', { advanceSeconds: 5 });
    const clockCallMs = performance.now() - clockStarted;
    const statuses: Record<string, number> = {};
    let token: string | undefined;
    do {
      const page = await client.call<{ CommandInvocations: { Status: string }[]; NextToken?: string }>('ListCommandInvocations', { CommandId: sent.Command.CommandId, MaxResults: 50, NextToken: token }, REGION);
      for (const invocation of page.CommandInvocations) statuses[invocation.Status] = (statuses[invocation.Status] ?? 0) + 1;
      token = page.NextToken;
    } while (token);
    const completed = statuses.Success ?? 0;
    if (completed !== nodes) results.problems.push(`simulated: ${completed} of ${nodes} invocations Success: ${JSON.stringify(statuses)}`);
    results.simulated = {
      nodes, sendCommandMs, clockCallMs, completed, statuses,
      invocationsPerSecond: completed / ((sendCommandMs + clockCallMs) / 1000),
      peakMemoryBytes: service.peakMemoryBytes(),
    };
  } finally {
    client.close();
    await service.stop();
  }
}

/** Signs as the agent's rsaauth does: the SigV4 string to sign, RSA-PSS SHA-256 over it, base64. */
class RsaSigner extends SignatureV4 {
  constructor() {
    super({ service: 'ssm', region: REGION, credentials: { accessKeyId: '', secretAccessKey: '' }, sha256: Sha256, applyChecksum: false });
  }
  async headersFor(request: HttpRequest, nodeId: string, key: KeyObject): Promise<Record<string, string>> {
    const longDate = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
    request.headers['x-amz-date'] = longDate;
    const signed = new Set(['content-type', 'host', 'x-amz-date', 'x-amz-target']);
    const hash = new Sha256();
    hash.update(String(request.body));
    const bodyHash = Buffer.from(await hash.digest()).toString('hex');
    const canonical = this.createCanonicalRequest(request, getCanonicalHeaders(request, undefined, signed), bodyHash);
    const scope = `${longDate.slice(0, 8)}/${REGION}/ssm/aws4_request`;
    const stringToSign = await this.createStringToSign(longDate, scope, canonical, 'AWS4-HMAC-SHA256');
    const signature = sign('sha256', Buffer.from(stringToSign), { key, padding: 6 /* RSA_PKCS1_PSS_PADDING */ }).toString('base64');
    return { ...request.headers, authorization: `AWS4-HMAC-SHA256 Credential=${nodeId}/${scope}, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=${signature}` };
  }
}

interface Reply { status: number; body: Record<string, unknown> }

/** One simulated agent's connection to the service: unsigned, RSA-signed and SigV4-signed calls. */
class AgentConnection {
  private readonly url: URL;
  private readonly agent: Agent;
  constructor(endpoint: string, agent: Agent) {
    this.url = new URL(endpoint);
    this.agent = agent;
  }

  private request(headers: Record<string, string>, body: string, timeoutMs: number): Promise<Reply> {
    return new Promise((resolve, reject) => {
      const req = httpRequest({ host: this.url.hostname, port: this.url.port, method: 'POST', path: '/', agent: this.agent, headers: { ...headers, 'content-length': Buffer.byteLength(body) }, timeout: timeoutMs }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown> }));
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
      req.on('error', reject);
      req.end(body);
    });
  }

  private baseRequest(target: string, body: string): HttpRequest {
    return {
      method: 'POST', protocol: 'http:', hostname: this.url.hostname, port: Number(this.url.port), path: '/', query: {}, body,
      headers: { 'content-type': 'application/x-amz-json-1.1', host: this.url.host, 'x-amz-target': target },
    };
  }

  unsigned(target: string, input: object): Promise<Reply> {
    return this.request({ 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': target }, JSON.stringify(input), 30_000);
  }

  async rsaSigned(target: string, input: object, nodeId: string, key: KeyObject): Promise<Reply> {
    const body = JSON.stringify(input);
    const headers = await new RsaSigner().headersFor(this.baseRequest(target, body), nodeId, key);
    return this.request(headers, body, 30_000);
  }

  async signed(credentials: Record<string, unknown>, service: string, target: string, input: object, timeoutMs = 30_000): Promise<Reply> {
    const body = JSON.stringify(input);
    const signer = new SignatureV4({ service, region: REGION, sha256: Sha256, credentials: {
      accessKeyId: String(credentials.AccessKeyId), secretAccessKey: String(credentials.SecretAccessKey), sessionToken: String(credentials.SessionToken),
    } });
    const signed = await signer.sign(this.baseRequest(target, body));
    return this.request(signed.headers as Record<string, string>, body, timeoutMs);
  }
}

function ok(reply: Reply, what: string): Record<string, unknown> {
  if (reply.status !== 200) throw new Error(`${what} answered ${reply.status}: ${JSON.stringify(reply.body).slice(0, 300)}`);
  return reply.body;
}

async function agentFleet(ctx: RunContext, dir: string, agents: number, results: RunCommandResults): Promise<void> {
  const service = await startService({ dataDir: mkdtempSync(join(dir, 'agents-')), args: [], cpuProfileDir: ctx.profileDir('run-command-agents') });
  const client = new AwsClient(service.endpoint);
  const sockets = new Agent({ keepAlive: true, maxSockets: Infinity });
  const connection = new AgentConnection(service.endpoint, sockets);
  try {
    ctx.log(`Run Command: registering ${agents.toLocaleString('en-US')} simulated agents`);
    const setupStarted = performance.now();
    const activation = await client.call<{ ActivationId: string; ActivationCode: string }>('CreateActivation', {
      IamRole: 'SSMServiceRole', RegistrationLimit: agents, Tags: [{ Key: 'Fleet', Value: 'agents' }],
    }, REGION);
    // One key pair for the whole fleet: each node registers it with a fingerprint of its own (making
    // 1,000 RSA keys would take longer than the rest of the section).
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const publicKeyText = publicKey.export({ format: 'der', type: 'spki' }).toString('base64');
    const fleet = await inParallel(Array.from({ length: agents }, (_, i) => i), 32, async (i) => {
      const fingerprint = `bench-agent-${i}`;
      const registered = ok(await connection.unsigned('AmazonSSM.RegisterManagedInstance', {
        ActivationId: activation.ActivationId, ActivationCode: activation.ActivationCode, PublicKey: publicKeyText, PublicKeyType: 'Rsa', Fingerprint: fingerprint,
      }), 'RegisterManagedInstance');
      const nodeId = String(registered.InstanceId);
      const credentials = ok(await connection.rsaSigned('AmazonSSM.RequestManagedInstanceRoleToken', { Fingerprint: fingerprint }, nodeId, privateKey), 'RequestManagedInstanceRoleToken');
      ok(await connection.signed(credentials, 'ssm', 'AmazonSSM.UpdateInstanceInformation', { InstanceId: nodeId, AgentVersion: '3.3.0.0', AgentStatus: 'Active', PlatformType: 'Linux' }), 'UpdateInstanceInformation');
      return { nodeId, credentials };
    });
    const setupSeconds = (performance.now() - setupStarted) / 1000;
    await new Promise((resolve) => setTimeout(resolve, 500)); // let the registration garbage settle before the idle reading
    const rssIdleBytes = rssOf(service.pid);

    // Every agent polls; an answer with no message (the hold ran out) is polled again, as the agent does.
    let sentAt = 0;
    let stopping = false;
    const latencies: number[] = [];
    let held = 0;
    const polls = fleet.map(async ({ nodeId, credentials }) => {
      for (let round = 0; round < 10 && !stopping; round++) {
        held++;
        const reply = ok(await connection.signed(credentials, 'ec2messages', 'EC2WindowsMessageDeliveryService.GetMessages', {
          Destination: nodeId, MessagesRequestId: randomUUID(), VisibilityTimeoutInSeconds: 10,
        }, 60_000), 'GetMessages');
        held--;
        const messages = (reply.Messages as { MessageId: string }[] | undefined) ?? [];
        if (messages.length > 0 && sentAt > 0) {
          latencies.push(performance.now() - sentAt);
          return;
        }
      }
    });
    // Wait (bounded) until every poll is held by the service, then read its memory.
    const deadline = performance.now() + 30_000;
    while (held < agents && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    await new Promise((resolve) => setTimeout(resolve, 500));
    const rssHeldBytes = rssOf(service.pid);
    const heldPolls = held;

    ctx.log(`Run Command: ${held} polls held; SendCommand to all ${agents} agent nodes`);
    sentAt = performance.now();
    await client.call('SendCommand', { ...COMMAND, Targets: [{ Key: 'tag:Fleet', Values: ['agents'] }] }, REGION);
    const answered = Promise.all(polls);
    const timeout = new Promise((resolve) => setTimeout(resolve, 60_000));
    await Promise.race([answered, timeout]);
    stopping = true;
    if (latencies.length !== agents) results.problems.push(`agents: ${latencies.length} of ${agents} polls got the command within 60 s`);
    const sorted = Float64Array.from(latencies).sort();
    results.agents = {
      agents, setupSeconds, heldPolls, rssIdleBytes, rssHeldBytes,
      bytesPerPoll: rssIdleBytes !== undefined && rssHeldBytes !== undefined ? (rssHeldBytes - rssIdleBytes) / Math.max(1, heldPolls) : undefined,
      answered: latencies.length,
      latencyMs: { p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted[sorted.length - 1] ?? Number.NaN },
      peakMemoryBytes: service.peakMemoryBytes(),
    };
  } finally {
    sockets.destroy();
    client.close();
    await service.stop();
  }
}

export async function runRunCommand(ctx: RunContext): Promise<RunCommandResults & { serviceFailed: boolean }> {
  const sizes = ctx.quick ? SIZES.quick : SIZES.full;
  const dir = mkdtempSync(join(ctx.tmp, 'run-command-'));
  const results = { problems: [] } as unknown as RunCommandResults;
  await simulatedFleet(ctx, dir, sizes.nodes, results);
  await agentFleet(ctx, dir, sizes.agents, results);
  return { ...results, serviceFailed: results.problems.length > 0 };
}

export function formatRunCommand(r: RunCommandResults): string {
  const s = r.simulated;
  const a = r.agents;
  const ms = (v: number) => (Number.isNaN(v) ? '-' : v < 10 ? v.toFixed(2) : v.toFixed(1));
  return [
    '== 6. Run Command path',
    `SendCommand to ${int(s.nodes)} simulated nodes (manual clock, 1 s per invocation), then one POST /_mw/clock:`,
    table(['nodes', 'SendCommand', 'clock call', 'completed (Success)', 'invocations/s', 'peak memory'],
      [[int(s.nodes), `${ms(s.sendCommandMs)} ms`, `${ms(s.clockCallMs)} ms`, int(s.completed), int(s.invocationsPerSecond), mb(s.peakMemoryBytes)]]),
    '',
    `${int(a.agents)} simulated agents (registered through an activation), each holding a GetMessages long poll:`,
    table(['agents', 'setup', 'polls held', 'RSS idle', 'RSS with polls held', 'per held poll', 'answered', 'SendCommand->poll p50', 'p99', 'max', 'peak memory'],
      [[int(a.agents), `${a.setupSeconds.toFixed(1)} s`, int(a.heldPolls), mb(a.rssIdleBytes), mb(a.rssHeldBytes),
        a.bytesPerPoll === undefined ? '-' : `${(a.bytesPerPoll / 1024).toFixed(1)} KB`, int(a.answered),
        `${ms(a.latencyMs.p50)} ms`, `${ms(a.latencyMs.p99)} ms`, `${ms(a.latencyMs.max)} ms`, mb(a.peakMemoryBytes)]]),
    ...(r.problems.length ? ['PROBLEMS:', ...r.problems.map((p) => `  ${p}`)] : []),
  ].join('\n');
}
