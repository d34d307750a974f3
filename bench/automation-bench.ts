// Section `automation` (issue 25: "new work of this round's other issues gets its own bench figures"):
// automation executions per second for a 5-step runbook on simulated nodes. The service runs Automation for
// real (no --simulate AUTOMATION) on the system clock, with a --nodes inventory whose Run Command
// invocations are simulated and take no time (--invocation-seconds 0). The runbook's steps finish without
// waiting on a real machine: aws:sleep PT0S, aws:executeAwsApi (ssm DescribeDocument, served by the
// service itself), aws:runCommand on the execution's node, aws:executeAwsApi again, aws:sleep PT0S.
// N executions (quick 20, full 500) are started with StartAutomationExecution (8 in flight), each on a node
// of its own (round robin), and timed from the first start until every one is Success (the last
// ExecutionEndTime, and as the polls saw it): executions/s, steps/s, and the start call's latency.
// Figures only: the issue sets no target for them.

import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { awsCall, AwsClient, inParallel } from './aws-requests.ts';
import { nodeId, writeNodesFile } from './fleet.ts';
import { percentile } from './measure.ts';
import type { RunContext } from './run-context.ts';
import { type ServerProcess, startService } from './servers.ts';

const REGION = 'us-east-1';
const RUNBOOK = 'BenchFiveSteps';
const STEPS = 5;
const START_PARALLEL = 8;
const NOT_ENDED = ['Pending', 'InProgress', 'Waiting', 'Cancelling'];

export interface AutomationResults {
  executions: number;
  steps: number;
  nodes: number;
  /** Executions that ended Success (the rest are in `statuses`). */
  succeeded: number;
  statuses: Record<string, number>;
  /** From the first StartAutomationExecution sent to the last ExecutionEndTime. */
  seconds?: number;
  /** From the first start until the polls saw every execution ended (50 ms apart). */
  observedSeconds?: number;
  /** Seconds the N starts took (8 in flight). */
  startSeconds: number;
  executionsPerSecond?: number;
  stepsPerSecond?: number;
  /** StartAutomationExecution's latency (ms), over the N starts. */
  start: { p50: number; p99: number };
  /** A first execution, run alone before the measured ones (warm-up): its time from start to Success. */
  singleSeconds?: number;
  /** The service's CPU seconds from the first start to all ended. */
  serviceCpuSeconds?: number;
  peakMemoryBytes?: number;
  /** When the executions did not all end within the bound. */
  partial?: { waitedSeconds: number; ended: number };
  problems: string[];
  serviceFailed: boolean;
}

/** The 5-step runbook (schemaVersion 0.3, JSON). */
function runbook(): string {
  return JSON.stringify({
    schemaVersion: '0.3',
    description: 'Five steps that need no real machine: benchmark runbook',
    parameters: { InstanceId: { type: 'String' } },
    mainSteps: [
      { name: 'settle', action: 'aws:sleep', inputs: { Duration: 'PT0S' } },
      {
        name: 'describeScript', action: 'aws:executeAwsApi',
        inputs: { Service: 'ssm', Api: 'DescribeDocument', Name: 'AWS-RunShellScript' },
        outputs: [{ Name: 'Type', Selector: '$.Document.DocumentType', Type: 'String' }],
      },
      {
        name: 'check', action: 'aws:runCommand',
        inputs: { DocumentName: 'AWS-RunShellScript', InstanceIds: ['{{ InstanceId }}'], Parameters: { commands: ['systemctl is-active app'] } },
      },
      {
        name: 'describeSelf', action: 'aws:executeAwsApi',
        inputs: { Service: 'ssm', Api: 'DescribeDocument', Name: RUNBOOK },
        outputs: [{ Name: 'Status', Selector: '$.Document.Status', Type: 'String' }],
      },
      { name: 'cool', action: 'aws:sleep', inputs: { Duration: 'PT0S' } },
    ],
  });
}

interface ExecutionMetadata {
  AutomationExecutionId: string;
  AutomationExecutionStatus: string;
  ExecutionStartTime?: number;
  ExecutionEndTime?: number;
}

interface StepExecution {
  StepName: string;
  StepStatus: string;
  FailureMessage?: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Every execution of the runbook (DescribeAutomationExecutions by document name, 50 a page). */
async function allExecutions(client: AwsClient): Promise<ExecutionMetadata[]> {
  const found: ExecutionMetadata[] = [];
  let token: string | undefined;
  do {
    const page = await client.call<{ AutomationExecutionMetadataList: ExecutionMetadata[]; NextToken?: string }>('DescribeAutomationExecutions', {
      Filters: [{ Key: 'DocumentNamePrefix', Values: [RUNBOOK] }], MaxResults: 50, ...(token ? { NextToken: token } : {}),
    }, REGION);
    found.push(...page.AutomationExecutionMetadataList);
    token = page.NextToken;
  } while (token);
  return found;
}

/** True when no execution of the runbook is still running (one page of MaxResults 1: cheap to ask often). */
async function noneRunning(client: AwsClient): Promise<boolean> {
  const page = await client.call<{ AutomationExecutionMetadataList: unknown[] }>('DescribeAutomationExecutions', {
    Filters: [{ Key: 'DocumentNamePrefix', Values: [RUNBOOK] }, { Key: 'ExecutionStatus', Values: NOT_ENDED }], MaxResults: 1,
  }, REGION);
  return page.AutomationExecutionMetadataList.length === 0;
}

/** An execution's status and steps (GetAutomationExecution). */
async function execution(client: AwsClient, id: string): Promise<{ status: string; steps: StepExecution[]; failure?: string }> {
  const { AutomationExecution: e } = await client.call<{ AutomationExecution: { AutomationExecutionStatus: string; StepExecutions?: StepExecution[]; FailureMessage?: string } }>(
    'GetAutomationExecution', { AutomationExecutionId: id }, REGION);
  return { status: e.AutomationExecutionStatus, steps: e.StepExecutions ?? [], failure: e.FailureMessage };
}

const describeSteps = (steps: StepExecution[]) =>
  steps.map((s) => `${s.StepName} ${s.StepStatus}${s.FailureMessage ? ` (${s.FailureMessage.slice(0, 200)})` : ''}`).join(', ');

function checkAlive(service: ServerProcess, what: string): void {
  if (service.crashed()) throw new Error(`the service crashed during ${what}:\n${service.output().slice(-2000)}`);
}

export async function runAutomationBench(ctx: RunContext): Promise<AutomationResults> {
  const executions = ctx.quick ? 20 : 500;
  const nodes = ctx.quick ? 20 : 100;
  const waitMs = ctx.quick ? 30_000 : Math.max(120_000, executions * 500);
  const dir = mkdtempSync(join(ctx.tmp, 'automation-'));
  const problems: string[] = [];
  // Automation runs for real: no --simulate AUTOMATION. The nodes' commands are simulated, instantly.
  const service = await startService({
    dataDir: mkdtempSync(join(dir, 'data-')),
    args: ['--invocation-seconds', '0', '--nodes', writeNodesFile(dir, nodes, REGION), '--max-automations', String(Math.max(1100, executions + 100))],
    cpuProfileDir: ctx.profileDir('automation'),
  });
  const client = new AwsClient(service.endpoint);
  try {
    await client.call('CreateDocument', { Name: RUNBOOK, Content: runbook(), DocumentType: 'Automation', DocumentFormat: 'JSON' }, REGION);

    // One execution alone first: the runbook must end Success before N of them are worth timing.
    ctx.log(`Automation: one ${STEPS}-step execution alone (warm-up)`);
    const singleStarted = performance.now();
    const { AutomationExecutionId: firstId } = await client.call<{ AutomationExecutionId: string }>('StartAutomationExecution', {
      DocumentName: RUNBOOK, Parameters: { InstanceId: [nodeId(0)] },
    }, REGION);
    let first = await execution(client, firstId);
    const singleDeadline = performance.now() + 30_000;
    while (NOT_ENDED.includes(first.status) && performance.now() < singleDeadline) {
      await sleep(20);
      first = await execution(client, firstId);
    }
    const singleSeconds = (performance.now() - singleStarted) / 1000;
    if (first.status !== 'Success') {
      throw new Error(`the warm-up execution ${firstId} is ${first.status} ${NOT_ENDED.includes(first.status) ? 'after 30 s' : ''}: ${first.failure ?? ''} steps: ${describeSteps(first.steps)}`);
    }
    if (first.steps.length !== STEPS) problems.push(`the warm-up execution ran ${first.steps.length} steps, not ${STEPS}: ${describeSteps(first.steps)}`);

    ctx.log(`Automation: ${executions} executions of the ${STEPS}-step runbook on ${nodes} simulated nodes (${START_PARALLEL} starts in flight)`);
    const cpuBefore = service.cpuSeconds();
    const startedAt = Date.now();
    const started = performance.now();
    const startMs: number[] = [];
    const ids = await inParallel(Array.from({ length: executions }, (_, i) => i), START_PARALLEL, async (i) => {
      const answer = await client.send(awsCall(service.endpoint, 'StartAutomationExecution', {
        DocumentName: RUNBOOK, Parameters: { InstanceId: [nodeId((i + 1) % nodes)] },
      }, REGION));
      if (answer.status !== 200) throw new Error(`StartAutomationExecution ${i + 1} of ${executions} answered ${answer.status}: ${answer.body.slice(0, 300)}`);
      startMs.push(answer.ms);
      return (JSON.parse(answer.body) as { AutomationExecutionId: string }).AutomationExecutionId;
    });
    const startSeconds = (performance.now() - started) / 1000;

    // Until none is running, 50 ms apart, bounded.
    const deadline = started + waitMs;
    let ended = false;
    while (!(ended = await noneRunning(client)) && performance.now() < deadline) {
      checkAlive(service, 'the executions');
      await sleep(50);
    }
    const observedSeconds = (performance.now() - started) / 1000;
    const cpuAfter = service.cpuSeconds();
    const peakMemoryBytes = service.peakMemoryBytes();
    checkAlive(service, 'the executions');

    const mine = new Set(ids);
    const listed = (await allExecutions(client)).filter((e) => mine.has(e.AutomationExecutionId));
    const statuses: Record<string, number> = {};
    for (const e of listed) statuses[e.AutomationExecutionStatus] = (statuses[e.AutomationExecutionStatus] ?? 0) + 1;
    const succeeded = statuses.Success ?? 0;
    if (listed.length !== executions) problems.push(`DescribeAutomationExecutions lists ${listed.length} of the ${executions} executions started`);
    const lastEnd = Math.max(...listed.map((e) => (e.ExecutionEndTime ?? 0) * 1000));
    const seconds = ended && lastEnd > 0 ? Math.max(0.001, (lastEnd - startedAt) / 1000) : undefined;

    const endedCount = listed.length - NOT_ENDED.reduce((n, s) => n + (statuses[s] ?? 0), 0);
    if (!ended) problems.push(`${executions - endedCount} of ${executions} executions still running after ${(waitMs / 1000).toFixed(0)} s: ${JSON.stringify(statuses)}`);
    if (succeeded !== executions) {
      problems.push(`${succeeded} of ${executions} executions Success: ${JSON.stringify(statuses)}`);
      const failed = listed.find((e) => e.AutomationExecutionStatus !== 'Success');
      if (failed) {
        const e = await execution(client, failed.AutomationExecutionId);
        problems.push(`for instance ${failed.AutomationExecutionId} is ${e.status}: ${e.failure ?? ''} steps: ${describeSteps(e.steps)}`);
      }
    }
    // A sample of the executions ran every step to Success.
    for (const id of [ids[0], ids[Math.floor(ids.length / 2)], ids[ids.length - 1]]) {
      const e = await execution(client, id);
      if (e.status === 'Success' && (e.steps.length !== STEPS || e.steps.some((s) => s.StepStatus !== 'Success'))) {
        problems.push(`execution ${id} is Success with steps: ${describeSteps(e.steps)}`);
      }
    }

    const sorted = Float64Array.from(startMs).sort();
    return {
      executions, steps: STEPS, nodes, succeeded, statuses,
      seconds, observedSeconds: ended ? observedSeconds : undefined, startSeconds,
      executionsPerSecond: seconds ? succeeded / seconds : undefined,
      stepsPerSecond: seconds ? (succeeded * STEPS) / seconds : undefined,
      start: { p50: percentile(sorted, 50), p99: percentile(sorted, 99) },
      singleSeconds,
      serviceCpuSeconds: cpuBefore !== undefined && cpuAfter !== undefined ? cpuAfter - cpuBefore : undefined,
      peakMemoryBytes,
      partial: ended ? undefined : { waitedSeconds: observedSeconds, ended: endedCount },
      problems,
      serviceFailed: problems.length > 0,
    };
  } finally {
    client.close();
    await service.stop();
  }
}
