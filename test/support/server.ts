// Starts the real service on a free loopback port with its own temporary data folder, and an SSM client
// from the real AWS SDK pointed at it. Every start returns a handle whose stop() tears everything down.

import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SSMClient } from '@aws-sdk/client-ssm';
import { startApp, defaultConfig, type AppConfig, type RunningApp } from '../../src/app.ts';

export interface TestServer {
  app: RunningApp;
  client: SSMClient;
  dataDir: string;
  /** A client for another account and/or Region (account = a 12-digit access key id). */
  clientFor(options: { account?: string; region?: string }): SSMClient;
  stop(): Promise<void>;
}

export function sdkClient(endpoint: string, options: { account?: string; region?: string } = {}): SSMClient {
  return new SSMClient({
    endpoint,
    region: options.region ?? 'us-east-1',
    credentials: { accessKeyId: options.account ?? 'AKIDEXAMPLE', secretAccessKey: 'secret' },
    maxAttempts: 1,
  });
}

/**
 * When MW_E2E_STORE names a PostgreSQL server, every service a test starts keeps its state there, in a
 * schema named after the test's data folder: a restart on the same folder finds the same state.
 */
export function storeFor(dataDir: string): Pick<AppConfig, 'store' | 'postgresSchema'> {
  const url = process.env.MW_E2E_STORE;
  if (!url) return {};
  return { store: url, postgresSchema: `mw_${createHash('sha1').update(dataDir).digest('hex').slice(0, 20)}` };
}

/** The same as command-line flags, for services started as processes. */
export function storeArgs(dataDir: string): string[] {
  const { store, postgresSchema } = storeFor(dataDir);
  return store ? ['--store', store, '--postgres-schema', postgresSchema!] : [];
}

export function tempDataDir(): string {
  return mkdtempSync(join(tmpdir(), 'mw-test-'));
}

/**
 * The engine's tests use AUTOMATION tasks as the plain simulated task (their invocations take
 * invocationSeconds and follow the outcome rules), as the service does with --simulate AUTOMATION; tests of
 * real automation executions pass `simulatedTaskTypes: []`.
 */
export const TEST_SIMULATED_TASK_TYPES = ['AUTOMATION'];

export async function startTestServer(overrides: Partial<AppConfig> = {}): Promise<TestServer> {
  const dataDir = overrides.dataDir ?? tempDataDir();
  const app = await startApp({ ...defaultConfig, port: 0, simulatedTaskTypes: TEST_SIMULATED_TASK_TYPES, ...storeFor(dataDir), ...overrides, dataDir });
  const clients: SSMClient[] = [];
  const clientFor = (options: { account?: string; region?: string }) => {
    const client = sdkClient(app.endpoint, options);
    clients.push(client);
    return client;
  };
  const client = clientFor({});
  return {
    app,
    client,
    dataDir,
    clientFor,
    async stop() {
      for (const c of clients) c.destroy();
      await app.stop();
      if (!overrides.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
