// Inside a loopback-only network namespace (netns.ts): the stock SSM Agent registers with the service
// through an activation made with the SDK, and appears in DescribeInstanceInformation as its mi- node.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';
import { CreateActivationCommand, DescribeActivationsCommand, DescribeInstanceInformationCommand } from '@aws-sdk/client-ssm';
import { startTestServer, type TestServer } from '../support/server.ts';
import { AGENT, prepareAgentFolders } from './netns.ts';

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
