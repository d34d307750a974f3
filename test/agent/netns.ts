// Runs the real SSM Agent (../shared/ssm-agent) only where it cannot reach anything but loopback: a
// scenario file is run by `node --test` inside `unshare --net --mount`, as root, where it brings up
// loopback, gives each agent its own /etc/amazon/ssm, /var/lib/amazon/ssm and /var/log/amazon/ssm by bind
// mounts, and starts the real server on a loopback port there.

import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

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
export function runInNetworkNamespace(scenario: string, timeoutMs: number): { status: number | null; output: string } {
  const result = spawnSync('unshare', ['--net', '--mount', '--fork', process.execPath, '--test', '--test-reporter=spec', scenario], {
    // Without the parent runner's NODE_TEST_CONTEXT, or the inner `node --test` would not run the file.
    env: { ...Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'NODE_TEST_CONTEXT')), MW_AGENT_NETNS: '1' }, encoding: 'utf8', timeout: timeoutMs,
  });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

/** Inside the namespace: loopback up, and the agent's three folders on fresh directories of their own. */
export function prepareAgentFolders(endpoint: string): string {
  if (process.env.MW_AGENT_NETNS !== '1') throw new Error('only inside runInNetworkNamespace');
  execFileSync('ip', ['link', 'set', 'lo', 'up']);
  const root = mkdtempSync(join(tmpdir(), 'mw-agent-'));
  for (const [name, target] of [['etc', '/etc/amazon/ssm'], ['lib', '/var/lib/amazon/ssm'], ['log', '/var/log/amazon/ssm']]) {
    mkdirSync(join(root, name), { recursive: true });
    mkdirSync(target, { recursive: true });
    execFileSync('mount', ['--bind', join(root, name), target]);
  }
  // Every endpoint the agent knows points at the service; nothing else is reachable anyway.
  writeFileSync(join(root, 'etc', 'amazon-ssm-agent.json'), JSON.stringify({
    Ssm: { Endpoint: endpoint }, Mds: { Endpoint: endpoint }, Mgs: { Endpoint: endpoint, Region: 'us-east-1' },
    S3: { Endpoint: endpoint }, Kms: { Endpoint: endpoint },
    Agent: { Region: 'us-east-1', SelfUpdate: false, TelemetryMetricsToSSM: false },
  }));
  return root;
}
