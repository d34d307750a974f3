// Inside a loopback-only network namespace (netns.ts): Session Manager with the real programs. The stock
// agent joins over HTTPS and opens its control channel; `aws ssm start-session` (the image's aws CLI and the
// stock session-manager-plugin, in a pseudo-terminal) gets a shell on the node through the service: a typed
// command's output comes back, `exit` ends the session, TerminateSession from the API ends another, the
// history shows both, and another account's caller is refused.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { get as httpsGet } from 'node:https';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { DescribeSessionsCommand, GetConnectionStatusCommand, StartSessionCommand, TerminateSessionCommand } from '@aws-sdk/client-ssm';
import { tempDataDir } from '../support/server.ts';
import { eventually, joinMachine, privateAccounts, startTlsServer, type startAgentDaemon } from './netns.ts';
import { startSession } from './session-cli.ts';

type TlsServer = Awaited<ReturnType<typeof startTlsServer>>;

let server: TlsServer;
let agent: ReturnType<typeof startAgentDaemon>;
let nodeId: string;

before(async () => {
  privateAccounts();
  server = await startTlsServer({ dataDir: tempDataDir(), sessionTranscripts: true });
  ({ nodeId, agent } = await joinMachine(server));
  await eventually(() => server.client.send(new GetConnectionStatusCommand({ Target: nodeId })), (got) => got.Status === 'connected', 'the node\'s control channel opens', 60_000);
});
after(async () => {
  await agent?.stop();
  await server?.stop();
});

/** A console page, over HTTPS with the scenario's CA. */
function consolePage(path: string): Promise<string> {
  return new Promise((done, fail) => {
    httpsGet(`${server.app.endpoint}${path}`, { ca: readFileSync(server.caFile) }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => { body += chunk; });
      res.on('end', () => done(body));
    }).on('error', fail);
  });
}

const history = async (sessionId: string) =>
  (await server.client.send(new DescribeSessionsCommand({ State: 'History', Filters: [{ key: 'SessionId', value: sessionId }] }))).Sessions![0];

test('a shell on the node: a typed command\'s output comes back, and `exit` ends the session', async () => {
  const cli = startSession({ endpoint: server.app.endpoint, caFile: server.caFile, target: nodeId });
  try {
    const shown = await cli.waitFor(/Starting session with SessionId: (\S+)/, 60_000);
    const sessionId = /Starting session with SessionId: (\S+)/.exec(shown)![1];
    // The shell runs as ssm-user: its prompt, then what we type and its answer.
    await cli.waitFor(/\$ ?$/m, 30_000);
    const before = cli.output().length;
    cli.type('echo "sum=$((6*7))"; id -un\n');
    await cli.waitFor(/sum=42[\s\S]*ssm-user/, 30_000, before);
    cli.type('exit\n');
    await cli.waitFor(/Exiting session with sessionId: /, 30_000);
    assert.equal(await cli.exited, 0);
    const ended = await eventually(() => history(sessionId), (s) => s !== undefined, 'the session is in the history', 30_000);
    assert.deepEqual([ended.Status, ended.Target, ended.DocumentName], ['Terminated', nodeId, 'SSM-SessionManagerRunShell']);
    // --session-transcripts: the console's session page shows what the terminal showed.
    const page = await eventually(() => consolePage(`/console/sessions/${sessionId}`), (html) => html.includes('sum=42'), 'the transcript is on the console', 10_000);
    assert.match(page, /ssm-user/);
  } finally {
    cli.kill();
  }
});

test('TerminateSession from the API ends a running session: the plugin is told and exits', async () => {
  const cli = startSession({ endpoint: server.app.endpoint, caFile: server.caFile, target: nodeId });
  try {
    const shown = await cli.waitFor(/Starting session with SessionId: (\S+)/, 60_000);
    const sessionId = /Starting session with SessionId: (\S+)/.exec(shown)![1];
    await cli.waitFor(/\$ ?$/m, 30_000);
    await server.client.send(new TerminateSessionCommand({ SessionId: sessionId }));
    await cli.waitFor(new RegExp(`${sessionId}`), 30_000, shown.length);
    assert.equal(await cli.exited, 0);
    const ended = await eventually(() => history(sessionId), (s) => s !== undefined, 'the session is in the history', 30_000);
    assert.equal(ended.Status, 'Terminated');
  } finally {
    cli.kill();
  }
});

test('AWS-StartInteractiveCommand runs the command in a terminal (handshake and all) and ends with it', async () => {
  const cli = startSession({
    endpoint: server.app.endpoint, caFile: server.caFile, target: nodeId,
    extra: ['--document-name', 'AWS-StartInteractiveCommand', '--parameters', '{"command":["read -p \\"name? \\" n; echo \\"hello $n\\""]}'],
  });
  try {
    await cli.waitFor(/name\? $/m, 60_000);
    cli.type('node\n');
    await cli.waitFor(/hello node/, 30_000);
    await cli.waitFor(/Exiting session with sessionId: /, 30_000);
    assert.equal(await cli.exited, 0);
  } finally {
    cli.kill();
  }
});

// The agent runs a non-interactive command without a shell (an executable and its arguments).
test('AWS-StartNonInteractiveCommand streams the command\'s output and ends with it', async () => {
  const cli = startSession({
    endpoint: server.app.endpoint, caFile: server.caFile, target: nodeId,
    extra: ['--document-name', 'AWS-StartNonInteractiveCommand', '--parameters', '{"command":["seq -f line-%g 3"]}'],
  });
  try {
    await cli.waitFor(/line-1\s+line-2\s+line-3/, 60_000);
    await cli.waitFor(/Exiting session with sessionId: /, 30_000);
    assert.equal(await cli.exited, 0);
  } finally {
    cli.kill();
  }
});

test('AWS-StartPortForwardingSession: a local port of the plugin reaches a port on the node', async () => {
  // A web server on the node (this namespace), and the plugin's local port forwarded to it.
  const web = createServer((_req, res) => res.end('from the node\n'));
  await new Promise<void>((done) => web.listen(0, '127.0.0.1', () => done()));
  const remotePort = (web.address() as AddressInfo).port;
  const localPort = remotePort + 1;
  const cli = startSession({
    endpoint: server.app.endpoint, caFile: server.caFile, target: nodeId,
    extra: ['--document-name', 'AWS-StartPortForwardingSession', '--parameters', JSON.stringify({ portNumber: [String(remotePort)], localPortNumber: [String(localPort)] })],
  });
  try {
    await cli.waitFor(/Waiting for connections/, 60_000);
    const answer = await fetch(`http://127.0.0.1:${localPort}/`);
    assert.equal(await answer.text(), 'from the node\n');
  } finally {
    cli.kill();
    web.close();
  }
});

test('a caller of another account cannot start a session on the node', async () => {
  const cli = startSession({ endpoint: server.app.endpoint, caFile: server.caFile, target: nodeId, accessKeyId: '210987654321' });
  await cli.waitFor(/TargetNotConnected/, 30_000);
  assert.notEqual(await cli.exited, 0);
  await assert.rejects(server.clientFor({ account: '210987654321' }).send(new StartSessionCommand({ Target: nodeId })), /is not connected/);
});
