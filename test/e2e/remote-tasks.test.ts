// LAMBDA and STEP_FUNCTIONS tasks run on a real AWS-compatible endpoint (issue 23): moto_server, started
// here on a free loopback port, with its Docker-less Lambda (which answers with the payload it was sent)
// and its state machine execution turned on. The service is a separate process configured the AWS SDK's
// way (AWS_ENDPOINT_URL...), so it can be killed while an execution runs and started again on its data.

import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { motoVersion, type ServerProcess, startMoto } from '../../bench/servers.ts';
import { CreateFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { CreateStateMachineCommand, DescribeExecutionCommand, ListExecutionsCommand, SFNClient } from '@aws-sdk/client-sfn';
import {
  CreateMaintenanceWindowCommand, GetMaintenanceWindowExecutionCommand, RegisterTargetWithMaintenanceWindowCommand,
  RegisterTaskWithMaintenanceWindowCommand, type SSMClient,
} from '@aws-sdk/client-ssm';
import { advance, executionTree, fire } from '../support/control.ts';
import { eventually } from '../support/eventually.ts';
import { startServiceProcess, type ServiceProcess } from '../support/process.ts';
import { sdkClient, tempDataDir } from '../support/server.ts';

const MOTO_ACCOUNT = '123456789012';
const REGION = 'us-east-1';
const T0 = '2026-05-01T00:00:00Z';
const NODES = ['i-0000000000000001a', 'i-0000000000000002b'];
const motoPresent = motoVersion() !== undefined;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * Starts a service process with the SDK's endpoint variables (or none at all). The child's environment is
 * taken when it is spawned, which startServiceProcess does before its first await: this process's own
 * environment is put back at once, so nothing leaks into other tests (e2e-on-postgres runs every e2e file
 * in one process, and in-process servers read the same variables).
 */
function startWithEnv(endpoint: string | undefined, args: string[]): Promise<ServiceProcess> {
  const saved = { ...process.env };
  for (const name of Object.keys(process.env)) if (name.startsWith('AWS_')) delete process.env[name];
  if (endpoint) process.env.AWS_ENDPOINT_URL = endpoint;
  Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_REGION: REGION, AWS_MAX_ATTEMPTS: '2' });
  try {
    return startServiceProcess(args);
  } finally {
    for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
    Object.assign(process.env, saved);
  }
}

describe('remote LAMBDA and STEP_FUNCTIONS tasks on moto_server', { skip: motoPresent ? false : 'moto_server cannot be run here' }, () => {
  let moto: ServerProcess | undefined;
  let motoUrl: string;
  let lambda: LambdaClient;
  const sfn = new Map<string, SFNClient>();
  const sfnIn = (region: string) => {
    if (!sfn.has(region)) sfn.set(region, new SFNClient({ endpoint: motoUrl, region, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } }));
    return sfn.get(region)!;
  };
  const machines: Record<string, string> = {};
  const services: ServiceProcess[] = [];
  const dirs: string[] = [];

  before(async () => {
    moto = await startMoto();
    motoUrl = moto.endpoint;
    await motoConfig({ batch: { use_docker: false }, lambda: { use_docker: false }, stepfunctions: { execute_state_machine: true } });
    // IAM through its query API (moto reads the service from the credential scope; it checks no signature).
    const role = await fetch(motoUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `AWS4-HMAC-SHA256 Credential=test/20260501/${REGION}/iam/aws4_request, SignedHeaders=host, Signature=0` },
      body: new URLSearchParams({ Action: 'CreateRole', Version: '2010-05-08', RoleName: 'runner', AssumeRolePolicyDocument: '{}' }).toString(),
    });
    assert.equal(role.status, 200, await role.text());
    const roleArn = `arn:aws:iam::${MOTO_ACCOUNT}:role/runner`;
    const client = { endpoint: motoUrl, region: REGION, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } };
    lambda = new LambdaClient(client);
    await lambda.send(new CreateFunctionCommand({ FunctionName: 'echo', Runtime: 'python3.12', Role: roleArn, Handler: 'index.handler', Code: { ZipFile: new Uint8Array([80, 75, 5, 6, ...new Array(18).fill(0)]) } }));
    const pass = { StartAt: 'Done', States: { Done: { Type: 'Pass', End: true } } };
    // moto 5's state machine execution fails every StartExecution of a Region once one execution exists
    // there (it deep-copies a backend holding the running execution's lock: a 500), so each state machine
    // that runs lives in a Region of its own; the ARN's Region is where the service sends its calls.
    const definitions: Record<string, [string, object]> = {
      first: ['us-east-1', pass],
      second: ['us-east-2', pass],
      broken: ['us-west-1', { StartAt: 'Fail', States: { Fail: { Type: 'Fail', Error: 'Boom', Cause: 'the state machine broke' } } }],
      slow: ['us-west-2', { StartAt: 'Wait', States: { Wait: { Type: 'Wait', Seconds: 4, Next: 'Done' }, Done: { Type: 'Pass', End: true } } }],
      long: ['eu-west-1', { StartAt: 'Wait', States: { Wait: { Type: 'Wait', Seconds: 120, End: true } } }],
      unused: ['eu-west-2', pass],
    };
    for (const [name, [region, definition]] of Object.entries(definitions)) {
      const regional = sfnIn(region);
      machines[name] = (await regional.send(new CreateStateMachineCommand({ name, roleArn, definition: JSON.stringify(definition) }))).stateMachineArn!;
    }
  });

  after(async () => {
    for (const service of services) await service.stop('SIGKILL');
    lambda?.destroy();
    for (const client of sfn.values()) client.destroy();
    await moto?.stop();
    dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true }));
  });

  async function service(endpoint: string | undefined, dataDir = tempDataDir(), extra: string[] = []): Promise<ServiceProcess> {
    if (!dirs.includes(dataDir)) dirs.push(dataDir);
    const started = await startWithEnv(endpoint, ['--data-dir', dataDir, '--clock', 'manual', '--clock-start', T0, ...extra]);
    services.push(started);
    return started;
  }

  /**
   * A window over two nodes, each its own window target, with tasks over both or one of them. moto's state
   * machine execution cannot start a second execution of a state machine (StartExecution deep-copies the
   * machine with the running execution's lock: a 500), so a STEP_FUNCTIONS task runs over one node here.
   */
  async function window(client: SSMClient, tasks: { type: 'LAMBDA' | 'STEP_FUNCTIONS'; arn: string; on: 'both' | 'first' | 'second'; parameters?: object; cutoff?: 'CANCEL_TASK' }[]): Promise<string> {
    const { WindowId } = await client.send(new CreateMaintenanceWindowCommand({ Name: 'remote', Schedule: 'rate(1 day)', Duration: 2, Cutoff: 1, AllowUnassociatedTargets: false }));
    const targets: string[] = [];
    for (const node of NODES) {
      targets.push((await client.send(new RegisterTargetWithMaintenanceWindowCommand({ WindowId, ResourceType: 'INSTANCE', Targets: [{ Key: 'InstanceIds', Values: [node] }] }))).WindowTargetId!);
    }
    for (const task of tasks) {
      await client.send(new RegisterTaskWithMaintenanceWindowCommand({
        WindowId, TaskArn: task.arn, TaskType: task.type, MaxConcurrency: '2', MaxErrors: '10', CutoffBehavior: task.cutoff, TaskInvocationParameters: task.parameters,
        Targets: [{ Key: 'WindowTargetIds', Values: task.on === 'both' ? targets : task.on === 'first' ? [targets[0]] : [targets[1]] }],
      }));
    }
    return WindowId!;
  }

  /** The run of the task of `type` (tasks of one priority start together, in no set order). */
  function runOf(tree: { tasks: { task: { TaskType?: string; TaskArn?: string } }[] }, type: string, arn?: string) {
    const run = tree.tasks.find((t) => t.task.TaskType === type && (!arn || t.task.TaskArn === arn));
    assert.ok(run, `a ${type} task ran`);
    return run as Awaited<ReturnType<typeof executionTree>>['tasks'][number];
  }

  async function motoConfig(config: object): Promise<void> {
    const answer = await fetch(`${motoUrl}/moto-api/config`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(config) });
    assert.equal(answer.status, 201);
  }

  async function finished(client: SSMClient, executionId: string, timeoutMs = 30_000) {
    await eventually(() => client.send(new GetMaintenanceWindowExecutionCommand({ WindowExecutionId: executionId })).then((e) => e.Status),
      (status) => status !== 'IN_PROGRESS', 'window execution ends', timeoutMs);
    return executionTree(client, executionId);
  }

  async function executionsOf(machine: string) {
    const client = sfnIn(machines[machine].split(':')[3]);
    const listed = (await client.send(new ListExecutionsCommand({ stateMachineArn: machines[machine] }))).executions ?? [];
    return Promise.all(listed.map((e) => client.send(new DescribeExecutionCommand({ executionArn: e.executionArn }))));
  }

  test('a window with LAMBDA and STEP_FUNCTIONS tasks over two targets invokes the function per node and starts the executions', async () => {
    const svc = await service(motoUrl);
    const client = sdkClient(svc.endpoint);
    try {
      const input = { StepFunctions: { Input: '{"node":"{{RESOURCE_ID}}"}' } };
      const windowId = await window(client, [
        { type: 'LAMBDA', arn: 'echo', on: 'both', parameters: { Lambda: { Payload: Buffer.from('{"node":"{{RESOURCE_ID}}","target":"{{TARGET_ID}}"}') } } },
        { type: 'STEP_FUNCTIONS', arn: machines.first, on: 'first', parameters: input },
        { type: 'STEP_FUNCTIONS', arn: machines.second, on: 'second', parameters: input },
      ]);
      const tree = await finished(client, await fire(svc.endpoint, windowId));
      assert.equal(tree.execution.Status, 'SUCCESS', JSON.stringify(tree));
      // moto's Lambda answers with the payload it received: each node's, pseudo parameters substituted.
      const lambdaRun = runOf(tree, 'LAMBDA');
      assert.deepEqual(lambdaRun.invocations.map((i) => [i.Status, i.StatusDetails?.replace(/RequestId [^:]+/, 'RequestId X')]).sort(), NODES.map((node) => (
        ['SUCCESS', `StatusCode 200, RequestId X: {"node":"${node}","target":"${node}"}`])));
      for (const [machine, node] of [['first', NODES[0]], ['second', NODES[1]]]) {
        const [invocation] = runOf(tree, 'STEP_FUNCTIONS', machines[machine]).invocations;
        const [execution] = await executionsOf(machine);
        // The execution's ARN is the invocation's ExecutionId; moto received the node's input.
        assert.equal(execution.input, `{"node":"${node}"}`);
        assert.equal(execution.status, 'SUCCEEDED');
        assert.equal(invocation.ExecutionId, execution.executionArn);
        assert.match(invocation.ExecutionId!, new RegExp(`^arn:aws:states:${machines[machine].split(':')[3]}:${MOTO_ACCOUNT}:execution:${machine}:[0-9a-f-]{36}$`));
        assert.deepEqual([invocation.Status, invocation.StatusDetails], ['SUCCESS', `SUCCEEDED: ${execution.output}`]);
      }
      const metrics = await (await fetch(`${svc.endpoint}/metrics`)).text();
      assert.match(metrics, /mw_remote_calls_total\{task_type="LAMBDA",operation="Invoke",outcome="answered"\} 2/);
      assert.match(metrics, /mw_remote_calls_total\{task_type="STEP_FUNCTIONS",operation="StartExecution",outcome="answered"\} 2/);
      assert.match(metrics, /mw_remote_invocations_total\{task_type="STEP_FUNCTIONS",status="SUCCESS"\} 2/);
    } finally {
      client.destroy();
    }
  });

  test('an unknown function, an unknown state machine and one that fails end the invocations FAILED with the endpoint\'s words', async () => {
    // moto's Docker-less Lambda answers for any name; its Docker Lambda looks the function up first (and
    // needs no Docker to refuse an unknown one).
    await motoConfig({ lambda: { use_docker: true } });
    const svc = await service(motoUrl);
    const client = sdkClient(svc.endpoint);
    try {
      const missingMachine = `arn:aws:states:${REGION}:${MOTO_ACCOUNT}:stateMachine:no-such-machine`;
      const windowId = await window(client, [
        { type: 'LAMBDA', arn: 'no-such-function', on: 'first' }, { type: 'STEP_FUNCTIONS', arn: machines.broken, on: 'second' },
        { type: 'STEP_FUNCTIONS', arn: missingMachine, on: 'first' },
      ]);
      const tree = await finished(client, await fire(svc.endpoint, windowId));
      assert.equal(tree.execution.Status, 'FAILED');
      const [unknown] = runOf(tree, 'LAMBDA').invocations;
      assert.equal(unknown.Status, 'FAILED');
      assert.match(unknown.StatusDetails!, /^ResourceNotFoundException: Function not found: arn:aws:lambda:us-east-1:\d{12}:function:no-such-function/);
      const [failed] = runOf(tree, 'STEP_FUNCTIONS', machines.broken).invocations;
      assert.deepEqual([failed.Status, failed.StatusDetails], ['FAILED', 'FAILED: Boom: the state machine broke']);
      const [missing] = runOf(tree, 'STEP_FUNCTIONS', missingMachine).invocations;
      assert.equal(missing.Status, 'FAILED');
      assert.match(missing.StatusDetails!, /^StateMachineDoesNotExist: /);
      assert.equal(missing.ExecutionId, `arn:aws:states:${REGION}:${MOTO_ACCOUNT}:execution:no-such-machine:${missing.ExecutionId!.split(':').at(-1)}`);
    } finally {
      client.destroy();
      await motoConfig({ lambda: { use_docker: false } });
    }
  });

  test('an endpoint that is down fails each invocation with the connection error, after the bounded retries', async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    const svc = await service(closed);
    const client = sdkClient(svc.endpoint);
    try {
      const windowId = await window(client, [{ type: 'LAMBDA', arn: 'echo', on: 'both' }, { type: 'STEP_FUNCTIONS', arn: machines.first, on: 'first' }]);
      const tree = await finished(client, await fire(svc.endpoint, windowId));
      const invocations = tree.tasks.flatMap((t) => t.invocations);
      assert.equal(invocations.length, 3);
      for (const i of invocations) {
        assert.equal(i.Status, 'FAILED');
        assert.match(i.StatusDetails!, new RegExp(`^Endpoint ${closed} unreachable: .*ECONNREFUSED`));
      }
      const metrics = await (await fetch(`${svc.endpoint}/metrics`)).text();
      assert.match(metrics, /mw_remote_calls_total\{task_type="LAMBDA",operation="Invoke",outcome="unreachable"\} 2/);
    } finally {
      client.destroy();
    }
  });

  test('killed while a state machine runs, the restarted service follows the same execution to its end and starts no other', async () => {
    const dataDir = tempDataDir();
    const first = await service(motoUrl, dataDir);
    let client = sdkClient(first.endpoint);
    let executionId: string;
    try {
      const windowId = await window(client, [{ type: 'STEP_FUNCTIONS', arn: machines.slow, on: 'first', parameters: { StepFunctions: { Input: '{"node":"{{RESOURCE_ID}}"}' } } }]);
      executionId = await fire(first.endpoint, windowId);
      await eventually(() => executionsOf('slow'), (e) => e.length === 1 && e[0].status === 'RUNNING', 'the execution runs');
    } finally {
      client.destroy();
    }
    assert.equal(await first.stop('SIGKILL'), null);
    const second = await service(motoUrl, dataDir);
    client = sdkClient(second.endpoint);
    try {
      const tree = await finished(client, executionId!);
      assert.equal(tree.execution.Status, 'SUCCESS', JSON.stringify(tree));
      const executions = await executionsOf('slow');
      assert.equal(executions.length, 1, 'no execution was started twice');
      assert.equal(executions[0].status, 'SUCCEEDED');
      assert.deepEqual(tree.tasks[0].invocations.map((i) => [i.ExecutionId, i.Status]), [[executions[0].executionArn, 'SUCCESS']]);
    } finally {
      client.destroy();
    }
  });

  test('CANCEL_TASK at the cutoff stops the running execution; the invocation ends TIMED_OUT', async () => {
    const svc = await service(motoUrl);
    const client = sdkClient(svc.endpoint);
    try {
      const windowId = await window(client, [{ type: 'STEP_FUNCTIONS', arn: machines.long, on: 'first', cutoff: 'CANCEL_TASK' }]);
      const executionId = await fire(svc.endpoint, windowId);
      await eventually(() => executionsOf('long'), (e) => e.length === 1 && e[0].status === 'RUNNING', 'the execution runs');
      await advance(svc.endpoint, 3600); // the cutoff: an hour before the two-hour window's end
      const tree = await finished(client, executionId);
      assert.deepEqual(tree.tasks[0].invocations.map((i) => i.Status), ['TIMED_OUT']);
      assert.deepEqual((await executionsOf('long')).map((e) => e.status), ['ABORTED']);
    } finally {
      client.destroy();
    }
  });

  test('without an endpoint configured, LAMBDA and STEP_FUNCTIONS stay simulated, and the service says so at start', async () => {
    const svc = await service(undefined, tempDataDir(), ['--invocation-seconds', '5']);
    const client = sdkClient(svc.endpoint);
    try {
      const line = svc.output().split('\n').find((l) => l.includes('task types simulated'));
      assert.ok(line, svc.output());
      const { simulated } = JSON.parse(line) as { simulated: string[] };
      assert.ok(simulated.includes('LAMBDA') && simulated.includes('STEP_FUNCTIONS') && !simulated.includes('RUN_COMMAND'), line);
      const windowId = await window(client, [{ type: 'LAMBDA', arn: 'no-such-function', on: 'both' }, { type: 'STEP_FUNCTIONS', arn: machines.unused, on: 'first' }]);
      const executionId = await fire(svc.endpoint, windowId);
      await advance(svc.endpoint, 10); // the two nodes' window targets run one after the other
      const tree = await finished(client, executionId, 5_000);
      assert.deepEqual(tree.tasks.flatMap((t) => t.invocations.map((i) => [i.Status, i.StatusDetails])), [['SUCCESS', 'Success'], ['SUCCESS', 'Success'], ['SUCCESS', 'Success']]);
      assert.equal((await executionsOf('unused')).length, 0, 'nothing reached the endpoint');
    } finally {
      client.destroy();
    }
  });
});
