// README.md's walk-throughs, run verbatim (issue 26, item 5): every block marked `<!-- walkthrough: NAME -->`
// is taken from the README as it stands, run against a fresh server (bash for shell blocks, Node for the JS
// SDK block) and checked against what the text around it promises, so the README cannot drift again. The
// only change made to a block is the address: `127.0.0.1:4100` becomes the test server's.
// A block marked `(after OTHER)` runs in the same shell after OTHER, as a reader goes top to bottom.

import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { DescribeMaintenanceWindowExecutionTaskInvocationsCommand, DescribeMaintenanceWindowExecutionTasksCommand, DescribeMaintenanceWindowExecutionsCommand, DescribeMaintenanceWindowsCommand } from '@aws-sdk/client-ssm';
import { startServiceProcess, type ServiceProcess } from '../support/process.ts';
import { sdkClient, startTestServer, tempDataDir } from '../support/server.ts';

const README = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const hasAws = spawnSync('aws', ['--version'], { stdio: 'ignore' }).status === 0;
const hasNpm = spawnSync('npm', ['--version'], { stdio: 'ignore' }).status === 0;
// Some twenty aws CLI calls (a Python start each): seconds alone, minutes on a busy machine.
const RUN_LIMIT_MS = 280_000;

interface Walkthrough {
  name: string;
  after?: string;
  language: string;
  code: string;
  /** Where the marker is in the README (to find the `npm start` line before it). */
  offset: number;
}

function walkthroughs(text: string): Map<string, Walkthrough> {
  const found = new Map<string, Walkthrough>();
  for (const m of text.matchAll(/<!-- walkthrough: ([a-z-]+)(?: \(after ([a-z-]+)\))?[^>]*-->\n```(\w+)\n([\s\S]*?)\n```/g)) {
    found.set(m[1], { name: m[1], after: m[2], language: m[3], code: m[4], offset: m.index });
  }
  return found;
}

const blocks = walkthroughs(README);

function block(name: string): Walkthrough {
  const found = blocks.get(name);
  assert.ok(found, `README.md has a block marked walkthrough: ${name}`);
  return found;
}

/** The blocks to run for `name`, in README order: the ones it comes after, then itself. */
function chain(name: string): Walkthrough[] {
  const own = block(name);
  return own.after ? [...chain(own.after), own] : [own];
}

function pointedAt(code: string, endpoint: string): string {
  return code.replaceAll('http://127.0.0.1:4100', endpoint);
}

function runProcess(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): Promise<{ status: number | null; stdout: string; stderr: string; all: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let all = '';
    child.stdout.on('data', (d) => { stdout += d; all += d; });
    child.stderr.on('data', (d) => { stderr += d; all += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), RUN_LIMIT_MS);
    child.once('error', reject);
    child.once('exit', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr, all });
    });
  });
}

/** Runs the blocks in one bash, stopping at the first failing command; each block's output apart. */
async function runShell(parts: Walkthrough[], endpoint: string, cwd: string): Promise<{ code: number | null; outputs: Map<string, string>; all: string }> {
  const script = ['set -euo pipefail', ...parts.flatMap((p) => [`echo "@@@ ${p.name}"`, pointedAt(p.code, endpoint)])].join('\n');
  const { status, all } = await runProcess('bash', ['-c', script], cwd, { ...process.env, AWS_PAGER: '', MW_ENDPOINT: '' });
  const outputs = new Map<string, string>();
  for (const piece of all.split(/^@@@ /m).slice(1)) outputs.set(piece.slice(0, piece.indexOf('\n')), piece.slice(piece.indexOf('\n') + 1));
  return { code: status, outputs, all };
}

/** The flags of the `npm start -- ...` line in the last shell block before `offset`. */
function startFlagsBefore(offset: number): string[] {
  const before = README.slice(0, offset);
  const line = [...before.matchAll(/^npm start -- (.*)$/gm)].at(-1);
  assert.ok(line, 'an npm start line precedes the walkthrough');
  return line[1].replace(/#.*$/, '').trim().split(/\s+/);
}

const repoRoot = new URL('../../', import.meta.url).pathname;

describe('README walk-throughs, run as written', { skip: !hasAws || !hasNpm ? 'the aws CLI or npm is not installed' : false }, () => {
  const cleanup: (() => Promise<void> | void)[] = [];
  after(async () => {
    for (const step of cleanup.reverse()) await step();
  });

  test('every marked block is found, and each names a block that exists before it', () => {
    assert.deepEqual([...blocks.keys()], ['aws-cli', 'js-sdk', 'worked-example', 'run-command', 'drill-down', 'documents', 'automation']);
    for (const b of blocks.values()) if (b.after) assert.ok(block(b.after).offset < b.offset, `${b.name} comes after ${b.after}`);
  });

  test('"Pointing clients at it": the aws CLI creates the window and lists it', async () => {
    const server = await startTestServer();
    cleanup.push(() => server.stop());
    const run = await runShell(chain('aws-cli'), server.app.endpoint, mkdtempSync(join(tmpdir(), 'mw-readme-')));
    assert.equal(run.code, 0, run.all);
    const listed = JSON.parse(run.outputs.get('aws-cli')!.slice(run.outputs.get('aws-cli')!.lastIndexOf('{\n    "WindowIdentities"'))) as { WindowIdentities: { Name: string; Schedule: string }[] };
    assert.deepEqual(listed.WindowIdentities.map((w) => [w.Name, w.Schedule]), [['nightly', 'cron(0 2 ? * SUN *)']]);
  });

  test('"Pointing clients at it": the JavaScript SDK snippet creates a window and reads it back', async () => {
    const server = await startTestServer();
    cleanup.push(() => server.stop());
    // In the project, so `@aws-sdk/client-ssm` resolves as it does for a reader who installed it.
    const folder = join(repoRoot, 'test-output', 'readme');
    mkdirSync(folder, { recursive: true });
    const file = join(folder, `nightly-${process.pid}.mjs`);
    writeFileSync(file, pointedAt(block('js-sdk').code, server.app.endpoint));
    cleanup.push(() => rmSync(file, { force: true }));
    // Not spawnSync: the server answering the snippet runs in this process.
    const run = await runProcess(process.execPath, [file], repoRoot);
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /^nightly cron\(0 2 \? \* SUN \*\) \S+T02:00/);
    const { WindowIdentities } = await server.client.send(new DescribeMaintenanceWindowsCommand({}));
    assert.equal(WindowIdentities?.length, 1);
  });

  test('the worked example, Run Command on the manual clock and the drill-down, top to bottom', { timeout: RUN_LIMIT_MS + 20_000 }, async () => {
    const dataDir = tempDataDir();
    const service: ServiceProcess = await startServiceProcess([...startFlagsBefore(block('worked-example').offset), '--data-dir', dataDir, '--quiet']);
    cleanup.push(async () => {
      await service.stop();
      rmSync(dataDir, { recursive: true, force: true });
    });
    // npm run needs the project: run where a reader would, and check nothing is left behind there.
    const run = await runShell(chain('automation'), service.endpoint, repoRoot);
    assert.equal(run.code, 0, run.all);
    assert.equal(existsSync(join(repoRoot, 'rules.json')), false, 'the worked example leaves no rules.json in the repository');

    // Worked example: the 02:00 run FAILED, its task stopped at the first invocation, which failed on i-0aaa...
    const worked = run.outputs.get('worked-example')!;
    const executions = JSON.parse(worked.slice(worked.lastIndexOf('{\n    "WindowExecutions"'))) as { WindowExecutions: { Status: string; StatusDetails: string; WindowExecutionId: string; StartTime: string }[] };
    assert.equal(executions.WindowExecutions.length, 1);
    const [failed] = executions.WindowExecutions;
    assert.equal(failed.Status, 'FAILED');
    assert.equal(failed.StatusDetails, 'One or more tasks in the orchestration failed.');
    const client = sdkClient(service.endpoint);
    try {
      const { WindowExecutionTaskIdentities: [task] = [] } = await client.send(new DescribeMaintenanceWindowExecutionTasksCommand({ WindowExecutionId: failed.WindowExecutionId }));
      assert.equal(task.StatusDetails, 'The maximum error count was exceeded.');
      const { WindowExecutionTaskInvocationIdentities: invocations = [] } = await client.send(new DescribeMaintenanceWindowExecutionTaskInvocationsCommand({
        WindowExecutionId: failed.WindowExecutionId, TaskId: task.TaskExecutionId,
      }));
      assert.equal(invocations.length, 1);
      assert.equal(invocations[0].Status, 'FAILED');
      assert.equal(invocations[0].StatusDetails, 'Simulated failure');
      assert.equal(invocations[0].Parameters, '{"documentName":"AWS-RestartEC2Instance","parameters":{"InstanceId":["i-0aaaaaaaaaaaaaaaa"]}}');
      const ws = await client.send(new DescribeMaintenanceWindowExecutionsCommand({ WindowId: (await client.send(new DescribeMaintenanceWindowsCommand({ Filters: [{ Key: 'Name', Values: ['patch-prod'] }] }))).WindowIdentities![0].WindowId }));
      assert.equal(ws.WindowExecutions?.length, 2, 'the second day (the run-command and drill-down clock moves) ran the window again');
    } finally {
      client.destroy();
    }

    // Run Command: InProgress until the clock moves, then Success.
    const commands = run.outputs.get('run-command')!;
    assert.match(commands, /"Status": "InProgress"/);
    assert.match(commands.slice(commands.lastIndexOf('{\n    "CommandId"')), /"InstanceId": "i-0bbbbbbbbbbbbbbbb"[\s\S]*"Status": "Success"/);

    // Drill-down: the window's RUN_COMMAND invocation is a command whose invocation on the node is read.
    const drill = run.outputs.get('drill-down')!;
    const invocation = JSON.parse(drill.slice(drill.lastIndexOf('{\n    "CommandId"'))) as { InstanceId: string; Status: string; DocumentName: string };
    assert.deepEqual([invocation.InstanceId, invocation.Status, invocation.DocumentName], ['i-0aaaaaaaaaaaaaaaa', 'Success', 'AWS-RunShellScript']);

    // Your own documents: the two-step YAML document's `check` step failed on i-0aaa... as its rule said.
    const documents = run.outputs.get('documents')!;
    const step = JSON.parse(documents.slice(documents.lastIndexOf('{\n    "CommandId"'))) as Record<string, unknown>;
    assert.deepEqual([step.DocumentName, step.PluginName, step.Status, step.ResponseCode, step.StandardOutputContent],
      ['deploy-app', 'check', 'Failed', 7, 'curl: (7) Failed to connect\n']);

    // Automation: the runbook's steps as the text says, the branch taken, the check's outputs.
    const automation = run.outputs.get('automation')!;
    const { StepExecutions: steps } = JSON.parse(automation.slice(automation.lastIndexOf('{\n    "StepExecutions"'))) as { StepExecutions: { StepName: string; StepStatus: string; NextStep?: string; Outputs?: Record<string, string[]> }[] };
    assert.deepEqual(steps.map((s) => [s.StepName, s.StepStatus]), [['check', 'Failed'], ['decide', 'Success'], ['approve', 'Success'], ['restart', 'Success']]);
    assert.equal(steps[1].NextStep, 'approve');
    assert.deepEqual([steps[0].Outputs?.ResponseCode, steps[0].Outputs?.Output], [['3'], ['inactive\n']]);
  });
});
