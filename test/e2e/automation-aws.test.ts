// Automation actions that call services (issue 22), against moto_server started here on a free loopback
// port: the catalogue's AWS-StopEC2Instance stops a moto instance and waits for `stopped`; a runbook of the
// account's own reads EC2 with aws:executeAwsApi, its Selector outputs feeding an aws:branch, then waits,
// asserts, tags and images; aws:executeAwsApi on ssm reaches this service itself with the wire's checks;
// Lambda and Step Functions through their actions; a service with no endpoint fails its step with words.
// The service is a separate process configured the AWS SDK's way (AWS_ENDPOINT_URL_<SERVICE>) and runs on
// the manual clock; the calls themselves run on the real one, so results are awaited with a bound.

import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { DescribeImagesCommand, DescribeInstancesCommand, DescribeTagsCommand, EC2Client, RunInstancesCommand } from '@aws-sdk/client-ec2';
import { CreateFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { CreateStateMachineCommand, DescribeExecutionCommand, ListExecutionsCommand, SFNClient } from '@aws-sdk/client-sfn';
import {
  CreateDocumentCommand, GetAutomationExecutionCommand, type SSMClient, StartAutomationExecutionCommand, type StepExecution, StopAutomationExecutionCommand,
} from '@aws-sdk/client-ssm';
import { motoVersion, type ServerProcess, startMoto } from '../../bench/servers.ts';
import { advance } from '../support/control.ts';
import { eventually } from '../support/eventually.ts';
import { startServiceProcess, type ServiceProcess } from '../support/process.ts';
import { sdkClient, tempDataDir } from '../support/server.ts';

const REGION = 'us-east-1';
const MOTO_ACCOUNT = '123456789012';
const T0 = '2026-11-01T00:00:00Z';
const FINAL = new Set(['Success', 'Failed', 'TimedOut', 'Cancelled']);
const motoPresent = motoVersion() !== undefined;
const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };

/**
 * Starts the service with EC2, Lambda and Step Functions at `endpoint`, each by its own variable (no
 * AWS_ENDPOINT_URL: any other service stays unconfigured). The child takes its environment when it is
 * spawned, before startServiceProcess's first await; this process's own is put back at once.
 */
function startWithEndpoints(endpoint: string, args: string[]): Promise<ServiceProcess> {
  const saved = { ...process.env };
  for (const name of Object.keys(process.env)) if (name.startsWith('AWS_')) delete process.env[name];
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_EC2: endpoint, AWS_ENDPOINT_URL_LAMBDA: endpoint, AWS_ENDPOINT_URL_SFN: endpoint,
    AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_REGION: REGION, AWS_MAX_ATTEMPTS: '2',
  });
  try {
    return startServiceProcess(args);
  } finally {
    for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
    Object.assign(process.env, saved);
  }
}

const CUSTOM = `schemaVersion: '0.3'
description: Stop an instance when it runs, prove it stopped, tag it and image it
parameters:
  InstanceId:
    type: String
outputs:
  - describe.State
  - image.ImageId
mainSteps:
  - name: describe
    action: aws:executeAwsApi
    inputs:
      Service: ec2
      Api: DescribeInstances
      InstanceIds:
        - '{{ InstanceId }}'
    outputs:
      - Name: State
        Selector: $.Reservations[0].Instances[0].State.Name
        Type: String
      - Name: Ids
        Selector: $..Instances[*].InstanceId
        Type: StringList
      - Name: LaunchIndex
        Selector: $.Reservations[0].Instances[0].AmiLaunchIndex
        Type: Integer
      - Name: Placement
        Selector: $.Reservations[0].Instances[0].Placement
        Type: StringMap
      - Name: Missing
        Selector: $.Reservations[0].NoSuchMember
        Type: String
  - name: decide
    action: aws:branch
    inputs:
      Choices:
        - NextStep: stop
          Variable: '{{ describe.State }}'
          StringEquals: running
      Default: nothingToDo
  - name: nothingToDo
    action: aws:sleep
    inputs:
      Duration: PT1S
    isEnd: true
  - name: stop
    action: aws:executeAwsApi
    inputs:
      Service: ec2
      Api: StopInstances
      InstanceIds:
        - '{{ InstanceId }}'
  - name: waitStopped
    action: aws:waitForAwsResourceProperty
    timeoutSeconds: 60
    inputs:
      Service: ec2
      Api: DescribeInstances
      InstanceIds:
        - '{{ InstanceId }}'
      PropertySelector: $.Reservations[0].Instances[0].State.Name
      DesiredValues:
        - stopped
  - name: assertStopped
    action: aws:assertAwsResourceProperty
    inputs:
      Service: ec2
      Api: DescribeInstances
      InstanceIds:
        - '{{ InstanceId }}'
      PropertySelector: $.Reservations[0].Instances[0].State.Name
      DesiredValues:
        - stopped
        - terminated
  - name: tag
    action: aws:createTags
    inputs:
      ResourceIds:
        - '{{ InstanceId }}'
      Tags:
        - Key: stoppedBy
          Value: '{{ automation:EXECUTION_ID }}'
  - name: image
    action: aws:createImage
    inputs:
      InstanceId: '{{ InstanceId }}'
      ImageName: 'stopped_{{ InstanceId }}'
      NoReboot: true
`;

describe('Automation actions that call services, on moto_server', { skip: motoPresent ? false : 'moto_server cannot be run here' }, () => {
  let moto: ServerProcess | undefined;
  let svc: ServiceProcess | undefined;
  let client: SSMClient;
  let ec2: EC2Client;
  let lambda: LambdaClient | undefined;
  let sfn: SFNClient | undefined;
  const dataDir = tempDataDir();

  before(async () => {
    moto = await startMoto();
    ec2 = new EC2Client({ endpoint: moto.endpoint, region: REGION, credentials });
    svc = await startWithEndpoints(moto.endpoint, ['--data-dir', dataDir, '--clock', 'manual', '--clock-start', T0]);
    client = sdkClient(svc.endpoint);
  });

  after(async () => {
    client?.destroy();
    ec2?.destroy();
    lambda?.destroy();
    sfn?.destroy();
    await svc?.stop('SIGTERM');
    await moto?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function instance(): Promise<string> {
    const run = await ec2.send(new RunInstancesCommand({ ImageId: 'ami-12c6146b', MinCount: 1, MaxCount: 1, InstanceType: 't2.micro' }));
    return run.Instances![0].InstanceId!;
  }

  async function stateOf(id: string): Promise<string | undefined> {
    return (await ec2.send(new DescribeInstancesCommand({ InstanceIds: [id] }))).Reservations?.[0].Instances?.[0].State?.Name;
  }

  async function start(documentName: string, parameters: Record<string, string[]> = {}): Promise<string> {
    return (await client.send(new StartAutomationExecutionCommand({ DocumentName: documentName, ...(Object.keys(parameters).length > 0 ? { Parameters: parameters } : {}) }))).AutomationExecutionId!;
  }

  async function ended(id: string, timeoutMs = 30_000) {
    return eventually(async () => (await client.send(new GetAutomationExecutionCommand({ AutomationExecutionId: id }))).AutomationExecution!,
      (e) => FINAL.has(e.AutomationExecutionStatus ?? ''), `execution ${id} ends`, timeoutMs);
  }

  const stepNamed = (steps: StepExecution[] | undefined, name: string) => steps?.find((s) => s.StepName === name);

  async function runbook(name: string, content: string): Promise<void> {
    await client.send(new CreateDocumentCommand({ Name: name, Content: content, DocumentFormat: 'YAML', DocumentType: 'Automation' }));
  }

  test('the catalogue\'s AWS-StopEC2Instance stops a moto instance and waits for stopped', async () => {
    const id = await instance();
    const e = await ended(await start('AWS-StopEC2Instance', { InstanceId: [id] }));
    assert.equal(e.AutomationExecutionStatus, 'Success', JSON.stringify(e.StepExecutions));
    const step = stepNamed(e.StepExecutions, 'stopInstances')!;
    assert.deepEqual([step.Action, step.StepStatus], ['aws:changeInstanceState', 'Success']);
    assert.equal(await stateOf(id), 'stopped');
  });

  test('the catalogue\'s AWS-RestartEC2Instance stops and starts an instance; AWS-CreateImage images it', async () => {
    const id = await instance();
    const restarted = await ended(await start('AWS-RestartEC2Instance', { InstanceId: [id] }));
    assert.equal(restarted.AutomationExecutionStatus, 'Success', JSON.stringify(restarted.StepExecutions));
    assert.deepEqual(restarted.StepExecutions!.map((s) => [s.StepName, s.StepStatus]), [['stopInstances', 'Success'], ['startInstances', 'Success']]);
    assert.equal(await stateOf(id), 'running');
    const imaged = await ended(await start('AWS-CreateImage', { InstanceId: [id] }));
    assert.equal(imaged.AutomationExecutionStatus, 'Success', JSON.stringify(imaged.StepExecutions));
    const [imageId] = imaged.Outputs!['createImage.ImageId'];
    assert.match(imageId, /^ami-/);
    const image = (await ec2.send(new DescribeImagesCommand({ ImageIds: [imageId] }))).Images![0];
    assert.deepEqual([image.State, image.Name], ['available', `${id}_${imaged.AutomationExecutionId}`]);
  });

  test('a runbook of its own: DescribeInstances outputs by Selector choose the branch; wait, assert, tag and image the instance', async () => {
    const id = await instance();
    await runbook('StopAndImage', CUSTOM);
    const executionId = await start('StopAndImage', { InstanceId: [id] });
    const e = await ended(executionId);
    assert.equal(e.AutomationExecutionStatus, 'Success', JSON.stringify(e.StepExecutions));
    assert.deepEqual(e.StepExecutions!.map((s) => s.StepName), ['describe', 'decide', 'stop', 'waitStopped', 'assertStopped', 'tag', 'image']);
    const describe = stepNamed(e.StepExecutions, 'describe')!;
    assert.deepEqual(describe.Outputs!.State, ['running']);
    assert.deepEqual(describe.Outputs!.Ids, [id]);
    assert.deepEqual(describe.Outputs!.LaunchIndex, ['0']);
    assert.equal(JSON.parse(describe.Outputs!.Placement[0]).AvailabilityZone, 'us-east-1a');
    assert.equal(describe.Outputs!.Missing, undefined, 'a selector that matches nothing leaves its output out');
    assert.equal(stepNamed(e.StepExecutions, 'decide')!.NextStep, 'stop', 'the branch read the selected state');
    assert.equal(await stateOf(id), 'stopped');
    const tags = (await ec2.send(new DescribeTagsCommand({ Filters: [{ Name: 'resource-id', Values: [id] }] }))).Tags ?? [];
    assert.deepEqual(tags.map((t) => [t.Key, t.Value]), [['stoppedBy', executionId]]);
    const image = stepNamed(e.StepExecutions, 'image')!;
    assert.match(image.Outputs!.ImageId[0], /^ami-/);
    assert.deepEqual(image.Outputs!.ImageState, ['available']);
    assert.deepEqual(e.Outputs, { 'describe.State': ['running'], 'image.ImageId': image.Outputs!.ImageId });
  });

  test('an assertion that does not hold fails its step; a wait that never holds ends when its step times out on the service clock', async () => {
    const id = await instance();
    await runbook('AssertAndWait', `schemaVersion: '0.3'
mainSteps:
  - name: assertStopped
    action: aws:assertAwsResourceProperty
    onFailure: Continue
    inputs:
      Service: ec2
      Api: DescribeInstances
      InstanceIds: ['${id}']
      PropertySelector: $.Reservations[0].Instances[0].State.Name
      DesiredValues: [stopped]
  - name: waitStopped
    action: aws:waitForAwsResourceProperty
    timeoutSeconds: 120
    inputs:
      Service: ec2
      Api: DescribeInstances
      InstanceIds: ['${id}']
      PropertySelector: $.Reservations[0].Instances[0].State.Name
      DesiredValues: [stopped]
`);
    const executionId = await start('AssertAndWait');
    const waiting = await eventually(async () => (await client.send(new GetAutomationExecutionCommand({ AutomationExecutionId: executionId }))).AutomationExecution!,
      (e) => e.CurrentStepName === 'waitStopped', 'the wait starts');
    const asserted = stepNamed(waiting.StepExecutions, 'assertStopped')!;
    assert.equal(asserted.StepStatus, 'Failed');
    assert.equal(asserted.FailureMessage, 'Asserted property $.Reservations[0].Instances[0].State.Name is ["running"]; expected one of ["stopped"].');
    // The wait polls beside the engine: the clock moves on, and the step ends at its timeoutSeconds.
    await advance(svc!.endpoint, 121);
    const e = await ended(executionId, 10_000);
    assert.equal(e.AutomationExecutionStatus, 'TimedOut');
    assert.equal(stepNamed(e.StepExecutions, 'waitStopped')!.StepStatus, 'TimedOut');
    assert.equal(await stateOf(id), 'running');
  });

  test('aws:executeAwsApi on ssm calls this service itself, with the wire\'s checks and the AWS error words', async () => {
    await runbook('AskMyself', `schemaVersion: '0.3'
mainSteps:
  - name: describeDocument
    action: aws:executeAwsApi
    inputs:
      Service: ssm
      Api: DescribeDocument
      Name: AWS-StopEC2Instance
    outputs:
      - Name: Type
        Selector: $.Document.DocumentType
        Type: String
      - Name: Parameters
        Selector: $.Document.Parameters
        Type: MapList
  - name: missingDocument
    action: aws:executeAwsApi
    onFailure: Continue
    inputs:
      Service: ssm
      Api: DescribeDocument
      Name: NoSuchDocument
  - name: invalidParameter
    action: aws:executeAwsApi
    onFailure: Continue
    inputs:
      Service: ssm
      Api: DescribeDocument
      Name: AWS-StopEC2Instance
      DocumentVersion: latest-ish
`);
    const e = await ended(await start('AskMyself'));
    const [describe, missing, invalid] = e.StepExecutions!;
    assert.equal(describe.StepStatus, 'Success');
    assert.deepEqual(describe.Outputs!.Type, ['Automation']);
    assert.deepEqual(describe.Outputs!.Parameters.map((p) => JSON.parse(p).Name).sort(), ['AutomationAssumeRole', 'InstanceId']);
    assert.equal(missing.StepStatus, 'Failed');
    assert.match(missing.FailureMessage!, /^An error occurred \(InvalidDocument\) when calling the DescribeDocument operation: /);
    assert.equal(invalid.StepStatus, 'Failed');
    assert.match(invalid.FailureMessage!, /^An error occurred \(ValidationException\) when calling the DescribeDocument operation: 1 validation error detected: Value 'latest-ish' at 'documentVersion' failed to satisfy constraint: Member must satisfy regular expression pattern/);
  });

  test('a service with no endpoint configured, an unknown Api, an error EC2 answers: each fails its step with a message', async () => {
    await runbook('Unreachable', `schemaVersion: '0.3'
mainSteps:
  - name: queues
    action: aws:executeAwsApi
    onFailure: Continue
    inputs:
      Service: sqs
      Api: ListQueues
  - name: unknownApi
    action: aws:executeAwsApi
    onFailure: Continue
    inputs:
      Service: ec2
      Api: DescribeUnicorns
  - name: missingInstance
    action: aws:executeAwsApi
    onFailure: Continue
    inputs:
      Service: ec2
      Api: DescribeInstances
      InstanceIds: [i-0000000000000dead]
`);
    const e = await ended(await start('Unreachable'));
    assert.deepEqual(e.StepExecutions!.map((s) => s.StepStatus), ['Failed', 'Failed', 'Failed']);
    const [queues, unknownApi, missingInstance] = e.StepExecutions!;
    assert.equal(queues.FailureMessage, 'Service sqs is not reached by this service: no endpoint is configured for it (AWS_ENDPOINT_URL_SQS or AWS_ENDPOINT_URL); see docs/coverage.md.');
    assert.equal(unknownApi.FailureMessage, 'Api DescribeUnicorns is not an operation of service ec2.');
    assert.equal(missingInstance.FailureMessage, 'An error occurred (InvalidInstanceID.NotFound) when calling the DescribeInstances operation: The instance ID \'i-0000000000000dead\' does not exist');
  });

  test('aws:invokeLambdaFunction and aws:executeStateMachine run on the endpoints configured, with their outputs; a stop stops the execution', async () => {
    const motoUrl = moto!.endpoint;
    const config = await fetch(`${motoUrl}/moto-api/config`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ lambda: { use_docker: false }, stepfunctions: { execute_state_machine: true } }) });
    assert.equal(config.status, 201);
    // IAM through its query API (moto reads the service from the credential scope; it checks no signature).
    const role = await fetch(motoUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `AWS4-HMAC-SHA256 Credential=test/20261101/${REGION}/iam/aws4_request, SignedHeaders=host, Signature=0` },
      body: new URLSearchParams({ Action: 'CreateRole', Version: '2010-05-08', RoleName: 'automation', AssumeRolePolicyDocument: '{}' }).toString(),
    });
    assert.equal(role.status, 200, await role.text());
    const roleArn = `arn:aws:iam::${MOTO_ACCOUNT}:role/automation`;
    lambda = new LambdaClient({ endpoint: motoUrl, region: REGION, credentials });
    await lambda.send(new CreateFunctionCommand({ FunctionName: 'echo', Runtime: 'python3.12', Role: roleArn, Handler: 'index.handler', Code: { ZipFile: new Uint8Array([80, 75, 5, 6, ...new Array(18).fill(0)]) } }));
    // A Region of its own: moto runs one state machine execution at a time per Region (remote-tasks.test.ts).
    sfn = new SFNClient({ endpoint: motoUrl, region: 'us-west-2', credentials });
    const definition = { StartAt: 'Done', States: { Done: { Type: 'Pass', End: true } } };
    const { stateMachineArn } = await sfn.send(new CreateStateMachineCommand({ name: 'pass', roleArn, definition: JSON.stringify(definition) }));
    await runbook('Functions', `schemaVersion: '0.3'
parameters:
  Who:
    type: String
    default: automation
mainSteps:
  - name: invoke
    action: aws:invokeLambdaFunction
    inputs:
      FunctionName: echo
      InputPayload:
        who: '{{ Who }}'
  - name: execute
    action: aws:executeStateMachine
    inputs:
      stateMachineArn: ${stateMachineArn}
      input: '{"who":"{{ Who }}"}'
      name: from-automation
`);
    const e = await ended(await start('Functions'));
    assert.equal(e.AutomationExecutionStatus, 'Success', JSON.stringify(e.StepExecutions));
    const [invoke, execute] = e.StepExecutions!;
    // moto's Docker-less Lambda answers with the payload it was sent.
    assert.deepEqual(invoke.Outputs!.StatusCode, ['200']);
    assert.deepEqual(JSON.parse(invoke.Outputs!.Payload[0]), { who: 'automation' });
    assert.deepEqual(execute.Outputs!.status, ['SUCCEEDED']);
    assert.deepEqual(execute.Outputs!.name, ['from-automation']);
    assert.deepEqual(execute.Outputs!.input, ['{"who":"automation"}']);
    assert.match(execute.Outputs!.executionArn[0], /^arn:aws:states:us-west-2:\d{12}:execution:pass:from-automation$/);

    // A stopped automation stops the state machine execution its step follows.
    const slow = new SFNClient({ endpoint: motoUrl, region: 'eu-west-1', credentials });
    try {
      const wait = { StartAt: 'Wait', States: { Wait: { Type: 'Wait', Seconds: 120, End: true } } };
      const long = (await slow.send(new CreateStateMachineCommand({ name: 'long', roleArn, definition: JSON.stringify(wait) }))).stateMachineArn!;
      await runbook('LongMachine', `schemaVersion: '0.3'
mainSteps:
  - name: execute
    action: aws:executeStateMachine
    inputs:
      stateMachineArn: ${long}
`);
      const id = await start('LongMachine');
      const running = await eventually(() => slow.send(new ListExecutionsCommand({ stateMachineArn: long })).then((l) => l.executions ?? []), (l) => l.length === 1 && l[0].status === 'RUNNING', 'the execution runs');
      await client.send(new StopAutomationExecutionCommand({ AutomationExecutionId: id, Type: 'Cancel' }));
      assert.equal((await ended(id)).AutomationExecutionStatus, 'Cancelled');
      await eventually(() => slow.send(new DescribeExecutionCommand({ executionArn: running[0].executionArn })).then((d) => d.status), (status) => status === 'ABORTED', 'the execution is stopped', 10_000);
    } finally {
      slow.destroy();
    }
  });
});

