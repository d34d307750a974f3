// Inside a loopback-only network namespace (netns.ts): the stock SSM Agent registers with the service
// through an activation made with the SDK and appears as its mi- node; started, it proves itself with its
// RSA key, gets credentials, and reports: DescribeInstanceInformation shows it Online with its version.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';
import { CreateActivationCommand, DescribeActivationsCommand, DescribeInstanceInformationCommand } from '@aws-sdk/client-ssm';
import { startTestServer, type TestServer } from '../support/server.ts';
import { AGENT, eventually, prepareAgentFolders, startAgentDaemon } from './netns.ts';

const run = promisify(execFile);
let server: TestServer;
let root: string;

before(async () => {
  server = await startTestServer();
  root = prepareAgentFolders(server.app.endpoint);
});
after(() => server.stop());

test('amazon-ssm-agent -register with an activation becomes a managed node of the service', async () => {
  const { ActivationId, ActivationCode } = await server.client.send(new CreateActivationCommand({
    IamRole: 'SSMServiceRole', DefaultInstanceName: 'lab-machine', Tags: [{ Key: 'Env', Value: 'lab' }],
  }));
  const { stdout, stderr } = await run(AGENT, ['-register', '-code', ActivationCode!, '-id', ActivationId!, '-region', 'us-east-1', '-y'], { timeout: 60_000 });
  const said = `${stdout}${stderr}`;
  const id = /Managed instance-id: (mi-[0-9a-f]{17})/.exec(said)?.[1];
  assert.ok(id, `the agent said which node it became: ${said}`);
  // The agent keeps the registration (its id and private key) in its own state folder.
  assert.match(readFileSync(join(root, 'lib', 'registration'), 'utf8'), new RegExp(id!));
  const nodes = (await server.client.send(new DescribeInstanceInformationCommand({}))).InstanceInformationList!;
  assert.deepEqual(nodes.map((n) => [n.InstanceId, n.ResourceType, n.Name]), [[id, 'ManagedInstance', 'lab-machine']]);
  assert.equal((await server.client.send(new DescribeActivationsCommand({}))).ActivationList![0].RegistrationsCount, 1);
});

test('the agent, started, gets its credentials and reports: Online, with the version and platform it reported', async () => {
  const agent = startAgentDaemon();
  try {
    const online = await eventually(
      async () => (await server.client.send(new DescribeInstanceInformationCommand({}))).InstanceInformationList![0],
      (node) => node.PingStatus === 'Online', 'the node comes Online', 60_000);
    assert.equal(online.AgentVersion, '3.3.0.0', 'the version the agent itself reported');
    assert.equal(online.PlatformType, 'Linux');
  } finally {
    await agent.stop();
  }
});
