// LastPingDateTime moves with the polls that keep a node Online (issue 26, item 7): a registered agent
// (bench/simulated-agent.ts) polls on the manual clock with the default ping timeout (600 s), and
// DescribeInstanceInformation shows its last poll within PING_WRITE_INTERVAL_MS (30 s), where it used to
// lag up to a third of the ping timeout (200 s). Each poll finds a message queued, so no poll is held.

import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { Agent } from 'node:http';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { CreateActivationCommand, DescribeInstanceInformationCommand, SendCommandCommand } from '@aws-sdk/client-ssm';
import { AgentTransport, SimulatedAgent } from '../../bench/simulated-agent.ts';
import { PING_WRITE_INTERVAL_MS } from '../../src/service/agents.ts';
import { advance } from '../support/control.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const T0 = Date.parse('2026-08-01T00:00:00Z');

describe('LastPingDateTime follows the agent\'s polls', () => {
  let server: TestServer;
  let sockets: Agent;
  beforeEach(async () => {
    server = await startTestServer({ clockMode: 'manual', manualClockStart: T0 });
    sockets = new Agent({ keepAlive: true });
  });
  afterEach(async () => {
    sockets.destroy();
    await server.stop();
  });

  test('a poll moves it at most once per 30 s of the service clock; the node stays Online', async () => {
    assert.equal(PING_WRITE_INTERVAL_MS, 30_000);
    const keys = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const activation = await server.client.send(new CreateActivationCommand({ IamRole: 'SSMServiceRole', RegistrationLimit: 1 }));
    const agent = await SimulatedAgent.register(new AgentTransport(server.app.endpoint, sockets, 'us-east-1'),
      { ActivationId: activation.ActivationId!, ActivationCode: activation.ActivationCode! },
      keys.publicKey.export({ format: 'der', type: 'spki' }).toString('base64'), keys.privateKey, 'machine-1');
    const shown = async () => {
      const [node] = (await server.client.send(new DescribeInstanceInformationCommand({}))).InstanceInformationList!;
      return [node.PingStatus, (node.LastPingDateTime!.getTime() - T0) / 1000];
    };
    // A poll that returns at once: a message is waiting for it.
    const poll = async () => {
      await server.client.send(new SendCommandCommand({ DocumentName: 'AWS-RunShellScript', InstanceIds: [agent.nodeId], Parameters: { commands: ['true'] } }));
      assert.ok((await agent.poll()).length >= 1); // (earlier ones, never acknowledged, come again too)
    };
    assert.deepEqual(await shown(), ['Online', 0], 'UpdateInstanceInformation at registration');

    await advance(server, 40);
    await poll();
    assert.deepEqual(await shown(), ['Online', 40], 'a poll 40 s after the last write moves it');

    await advance(server, 10);
    await poll();
    assert.deepEqual(await shown(), ['Online', 40], 'one 10 s later is not written (at most one write per 30 s)');

    await advance(server, 25);
    await poll();
    assert.deepEqual(await shown(), ['Online', 75], '35 s after the last write: written again');

    // Silent past the ping timeout: ConnectionLost, the last ping kept.
    await advance(server, 601);
    assert.deepEqual(await shown(), ['ConnectionLost', 75]);
  });
});
