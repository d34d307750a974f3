// Runs the real SSM Agent (../shared/ssm-agent) only where it cannot reach anything but loopback: a
// scenario file is run by `node --test` inside `unshare --net --mount`, as root, where it brings up
// loopback, gives each agent its own /etc/amazon/ssm, /var/lib/amazon/ssm and /var/log/amazon/ssm by bind
// mounts, and starts the real server on a loopback port there.

import { execFile, execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { Agent as HttpsAgent } from 'node:https';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { CreateActivationCommand, DescribeInstanceInformationCommand, SSMClient } from '@aws-sdk/client-ssm';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { AppConfig } from '../../src/app.ts';
import { initTls } from '../../src/cli/tls-init.ts';
import { eventually } from '../support/eventually.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

export const AGENT_BIN = resolve(import.meta.dirname, '../../../shared/ssm-agent/bin');
export const AGENT = join(AGENT_BIN, 'amazon-ssm-agent');

/** Why the real-agent tests cannot run here, or undefined when they can. */
export function agentUnavailable(): string | undefined {
  if (!existsSync(AGENT)) return `the real SSM Agent is not at ${AGENT}`;
  if (process.getuid?.() !== 0) return 'the real-agent tests need root (network and mount namespaces)';
  if (spawnSync('unshare', ['--net', '--mount', '--fork', 'true']).status !== 0) return 'unshare --net --mount does not work here';
  return undefined;
}

/** Runs `scenario` (a node:test file) in a namespace of its own with only loopback; its output and status. */
export function runInNetworkNamespace(scenario: string, timeoutMs: number): Promise<{ status: number | null; output: string }> {
  const child = spawn('unshare', ['--net', '--mount', '--pid', '--mount-proc', '--fork', '--kill-child', process.execPath, '--test', '--test-reporter=spec', scenario], {
    // Without the parent runner's NODE_TEST_CONTEXT, or the inner `node --test` would not run the file.
    env: { ...Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'NODE_TEST_CONTEXT')), MW_AGENT_NETNS: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => { output += chunk; });
  child.stderr.on('data', (chunk) => { output += chunk; });
  // Killing unshare (the namespace's parent) ends everything in the pid namespace with it.
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  return new Promise((resolve) => child.on('close', (status) => {
    clearTimeout(timer);
    resolve({ status, output });
  }));
}

/** amazon-ssm-agent.json: every endpoint the agent knows points at the service (nothing else is reachable anyway). */
function agentConfig(endpoint: string): string {
  return JSON.stringify({
    Ssm: { Endpoint: endpoint }, Mds: { Endpoint: endpoint }, Mgs: { Endpoint: endpoint, Region: 'us-east-1' },
    S3: { Endpoint: endpoint }, Kms: { Endpoint: endpoint },
    Agent: { Region: 'us-east-1', SelfUpdate: false, TelemetryMetricsToSSM: false },
    // Not into root's shared ~/.aws/credentials: several agents on one machine would take each other's.
    Profile: { ShareCreds: false },
  });
}

/**
 * The agent's session worker, which runs Session Manager's shells: ../shared/ssm-agent/bin has none (its
 * SOURCE.md builds three binaries), so it is found there or where MW_SSM_SESSION_WORKER names one built from
 * the same source (agent/framework/processor/executer/outofproc/sessionworker). Undefined: sessions with the
 * real agent cannot be tested here.
 */
export function sessionWorker(): string | undefined {
  return [join(AGENT_BIN, 'ssm-session-worker'), process.env.MW_SSM_SESSION_WORKER].find((path): path is string => path !== undefined && path !== '' && existsSync(path));
}

/** The agent starts its workers from fixed paths (../shared/ssm-agent/README.md): put them there. */
function installWorkers(): void {
  const workers: [string, string][] = [['ssm-agent-worker', join(AGENT_BIN, 'ssm-agent-worker')], ['ssm-document-worker', join(AGENT_BIN, 'ssm-document-worker')]];
  const session = sessionWorker();
  if (session) workers.push(['ssm-session-worker', session]);
  for (const [worker, source] of workers) {
    const target = `/usr/bin/${worker}`;
    // Another scenario's agent may be running it right now (a running binary cannot be overwritten).
    if (!existsSync(target) || !readFileSync(target).equals(readFileSync(source))) copyFileSync(source, target);
  }
}

/** Inside the namespace: loopback up, and the agent's three folders on fresh directories of their own. */
export function prepareAgentFolders(endpoint: string): string {
  if (process.env.MW_AGENT_NETNS !== '1') throw new Error('only inside runInNetworkNamespace');
  execFileSync('ip', ['link', 'set', 'lo', 'up']);
  installWorkers();
  const root = mkdtempSync(join(tmpdir(), 'mw-agent-'));
  for (const [name, target] of [['etc', '/etc/amazon/ssm'], ['lib', '/var/lib/amazon/ssm'], ['log', '/var/log/amazon/ssm']]) {
    mkdirSync(join(root, name), { recursive: true });
    mkdirSync(target, { recursive: true });
    execFileSync('mount', ['--bind', join(root, name), target]);
  }
  writeFileSync(join(root, 'etc', 'amazon-ssm-agent.json'), agentConfig(endpoint));
  return root;
}

/** Starts the agent as a daemon (its registration is in the bind-mounted state folder); stop() ends it. */
export function startAgentDaemon(): { child: ChildProcess; stop(): Promise<void> } {
  // Its own process group: the agent starts worker processes, and stop() ends them all.
  const child = spawn(AGENT, [], { stdio: 'ignore', detached: true });
  return {
    child,
    stop: () => new Promise((resolve) => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
      // Its workers start sessions of their own: in this scenario's pid namespace, every agent process is ours.
      if (process.env.MW_AGENT_NETNS === '1') spawnSync('pkill', ['-9', '-f', '^/usr/bin/ssm-']);
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
    }),
  };
}

export { eventually } from '../support/eventually.ts';

/**
 * Inside the namespace: the real server over HTTPS, with a certificate of a private CA made by `tls init`
 * (src/cli/tls-init.ts), and that CA added to the system bundle the agent and its workers read (the agent
 * passes no SSL_CERT_FILE to its workers: ../shared/ssm-agent/README.md). The mount is this namespace's only.
 * The SDK client trusts that CA alone. `caFile`: for the aws CLI's --ca-bundle.
 */
export async function startTlsServer(overrides: Partial<AppConfig> = {}): Promise<TestServer & { caFile: string; clientFor(options: { account?: string; region?: string }): SSMClient }> {
  if (process.env.MW_AGENT_NETNS !== '1') throw new Error('only inside runInNetworkNamespace');
  const files = await namespaceTls();
  const server = await startTestServer({ host: '127.0.0.1', tlsCertFile: files.cert, tlsKeyFile: files.key, ...overrides });
  const ca = readFileSync(files.caCert);
  const clients: SSMClient[] = [];
  const clientFor = (options: { account?: string; region?: string }) => {
    const client = new SSMClient({
      endpoint: server.app.endpoint, region: options.region ?? 'us-east-1', maxAttempts: 1,
      credentials: { accessKeyId: options.account ?? 'AKIDEXAMPLE', secretAccessKey: 'secret' },
      requestHandler: new NodeHttpHandler({ httpsAgent: new HttpsAgent({ ca, keepAlive: true }) }),
    });
    clients.push(client);
    return client;
  };
  const client = clientFor({});
  return {
    ...server, client, clientFor, caFile: files.caCert,
    async stop() {
      for (const c of clients) c.destroy();
      await server.stop();
    },
  };
}

/**
 * Inside the namespace: the machine's account files as private copies that already hold `ssm-user` (the
 * user a shell session runs as), and a private /etc/sudoers.d and /home, so the agent finds the user and adds
 * nothing to the machine itself (../shared/ssm-agent/README.md). Before the agent starts.
 */
export function privateAccounts(): void {
  if (process.env.MW_AGENT_NETNS !== '1') throw new Error('only inside runInNetworkNamespace');
  const dir = mkdtempSync(join(tmpdir(), 'mw-accounts-'));
  const lines: Record<string, string> = {
    passwd: 'ssm-user:x:1999:1999::/home/ssm-user:/bin/bash', group: 'ssm-user:x:1999:', shadow: 'ssm-user:!:20000:0:99999:7:::', gshadow: 'ssm-user:!::',
  };
  for (const [name, line] of Object.entries(lines)) {
    const source = `/etc/${name}`;
    if (!existsSync(source)) continue;
    const copy = join(dir, name);
    writeFileSync(copy, `${readFileSync(source, 'utf8').replace(/\n?$/, '\n')}${line}\n`);
    execFileSync('mount', ['--bind', copy, source]);
  }
  for (const [name, target] of [['sudoers.d', '/etc/sudoers.d'], ['home', '/home']]) {
    mkdirSync(join(dir, name));
    mkdirSync(target, { recursive: true });
    execFileSync('mount', ['--bind', join(dir, name), target]);
  }
  mkdirSync('/home/ssm-user');
  execFileSync('chown', ['1999:1999', '/home/ssm-user']);
}

const SYSTEM_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';
let tlsFiles: Promise<Awaited<ReturnType<typeof initTls>>> | undefined;

/** One CA and certificate per namespace, made and trusted once: a Go program reads the system roots once. */
function namespaceTls(): Promise<Awaited<ReturnType<typeof initTls>>> {
  tlsFiles ??= (async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mw-tls-'));
    const files = await initTls(dir, { names: ['localhost'], ips: ['127.0.0.1'] });
    const bundle = join(dir, 'ca-certificates.crt');
    writeFileSync(bundle, `${existsSync(SYSTEM_BUNDLE) ? readFileSync(SYSTEM_BUNDLE, 'utf8') : ''}\n${readFileSync(files.caCert, 'utf8')}`);
    if (!existsSync(SYSTEM_BUNDLE)) {
      mkdirSync(dirname(SYSTEM_BUNDLE), { recursive: true });
      writeFileSync(SYSTEM_BUNDLE, '');
    }
    execFileSync('mount', ['--bind', bundle, SYSTEM_BUNDLE]);
    return files;
  })();
  return tlsFiles;
}

/**
 * Inside the namespace: this scenario's one machine joins `server` as the stock agent does it (an
 * activation, `amazon-ssm-agent -register`), its agent starts, and the node comes Online.
 */
export async function joinMachine(server: TestServer): Promise<{ nodeId: string; agent: ReturnType<typeof startAgentDaemon>; root: string }> {
  const root = prepareAgentFolders(server.app.endpoint);
  const { ActivationId, ActivationCode } = await server.client.send(new CreateActivationCommand({ IamRole: 'SSMServiceRole' }));
  const { stdout } = await promisify(execFile)(AGENT, ['-register', '-code', ActivationCode!, '-id', ActivationId!, '-region', 'us-east-1', '-y'], { timeout: 60_000 });
  const nodeId = /Managed instance-id: (mi-[0-9a-f]{17})/.exec(stdout)![1];
  const agent = startAgentDaemon();
  await eventually(async () => (await server.client.send(new DescribeInstanceInformationCommand({}))).InstanceInformationList![0]?.PingStatus,
    (status) => status === 'Online', 'the node comes Online', 60_000);
  return { nodeId, agent, root };
}

/**
 * One more machine inside the scenario's network namespace: its own mount namespace and its own three
 * agent folders, so several agents (several managed nodes) run side by side. `root` is its folders' parent.
 */
export function agentMachine(endpoint: string, name: string): { root: string; register(code: string, id: string): Promise<string>; start(): ReturnType<typeof startAgentDaemon> } {
  if (process.env.MW_AGENT_NETNS !== '1') throw new Error('only inside runInNetworkNamespace');
  installWorkers();
  for (const target of ['/etc/amazon/ssm', '/var/lib/amazon/ssm', '/var/log/amazon/ssm']) mkdirSync(target, { recursive: true });
  const root = mkdtempSync(join(tmpdir(), `mw-${name}-`));
  for (const folder of ['etc', 'lib', 'log']) mkdirSync(join(root, folder));
  writeFileSync(join(root, 'etc', 'amazon-ssm-agent.json'), agentConfig(endpoint));
  const mounts = `mount --bind ${root}/etc /etc/amazon/ssm && mount --bind ${root}/lib /var/lib/amazon/ssm && mount --bind ${root}/log /var/log/amazon/ssm`;
  // Its own pid namespace too: an agent decides whether its worker runs by looking at the processes it sees.
  const inOwnMounts = (command: string) => ['--mount', '--propagation', 'private', '--pid', '--mount-proc', '--fork', 'sh', '-c', `${mounts} && exec ${command}`];
  return {
    root,
    // Asynchronous: the service it registers with runs in this very process.
    register: (code, id) => new Promise((resolveId, reject) => {
      execFile('unshare', inOwnMounts(`${AGENT} -register -code '${code}' -id '${id}' -region us-east-1 -y`), { timeout: 60_000 }, (_error, stdout, stderr) => {
        const nodeId = /Managed instance-id: (mi-[0-9a-f]{17})/.exec(`${stdout}${stderr}`)?.[1];
        if (nodeId) resolveId(nodeId);
        else reject(new Error(`${name} did not register: ${stdout}${stderr}`));
      });
    }),
    start: () => {
      const child = spawn('unshare', inOwnMounts(AGENT), { stdio: 'ignore', detached: true });
      return {
        child,
        stop: () => new Promise<void>((resolveStop) => {
          try {
            process.kill(-child.pid!, 'SIGKILL');
          } catch {
            // already gone
          }
          resolveStop();
        }),
      };
    },
  };
}
