// Starting and stopping the servers the benchmark measures, each in a process of its own (so it has its
// own core and its memory can be read): this service, a bare node:http server (the runtime's ceiling),
// and moto's server. Every process started here is registered and stopped when the run ends, also on
// an error or Ctrl-C.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

export interface ServerProcess {
  name: string;
  child: ChildProcess;
  pid: number;
  endpoint: string;
  /** Milliseconds from spawn to the first 200 of the readiness check. */
  readyMs: number;
  /** Everything the process printed so far (for error reports). */
  output(): string;
  /** Peak resident memory (VmHWM) in bytes, read from /proc while the process runs. */
  peakMemoryBytes(): number | undefined;
  /** CPU seconds used so far (user + system). */
  cpuSeconds(): number | undefined;
  /** True when the process ended without being asked to. */
  crashed(): boolean;
  stop(): Promise<void>;
}

const running = new Set<ServerProcess>();

/** Stops every process still running (in parallel). */
export async function stopAll(): Promise<void> {
  await Promise.allSettled([...running].map((server) => server.stop()));
}

// Last resort when the benchmark itself exits: nothing may outlive it.
process.on('exit', () => {
  for (const server of running) killHard(server.child);
});

function killHard(child: ChildProcess): void {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  try {
    // Children are spawned in a process group of their own: the group takes any grandchild with it.
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    child.kill('SIGKILL');
  }
}

export function peakMemoryOf(pid: number): number | undefined {
  try {
    const match = /VmHWM:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** CPU seconds (user + system) the process has used so far, from /proc/<pid>/stat (clock ticks of 1/100 s). */
export function cpuSecondsOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start at state: utime is field 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

async function answersOk(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
    await res.arrayBuffer();
    return res.status === 200;
  } catch {
    return false;
  }
}

interface StartOptions {
  name: string;
  command: string;
  args: string[];
  /** Where the process says where it listens (group 1 = endpoint); or the endpoint itself when known up front. */
  endpoint: RegExp | string;
  /** Path polled until it answers 200. */
  readyPath: string;
  timeoutMs?: number;
}

async function startProcess(options: StartOptions): Promise<ServerProcess> {
  const started = performance.now();
  const child = spawn(options.command, options.args, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let output = '';
  let stopping = false;
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const exited = once(child, 'exit');
  child.once('exit', () => running.delete(server));
  const server: ServerProcess = {
    name: options.name,
    child,
    pid: child.pid ?? -1,
    endpoint: '',
    readyMs: 0,
    output: () => output,
    peakMemoryBytes: () => peakMemoryOf(child.pid ?? -1),
    cpuSeconds: () => cpuSecondsOf(child.pid ?? -1),
    crashed: () => !stopping && (child.exitCode !== null || child.signalCode !== null),
    async stop() {
      if (stopping) return exited.then(() => undefined);
      stopping = true;
      if (child.exitCode !== null || child.signalCode !== null) return;
      const hard = setTimeout(() => killHard(child), 10_000);
      try {
        process.kill(-child.pid!, 'SIGTERM');
      } catch {
        child.kill('SIGTERM');
      }
      await exited;
      clearTimeout(hard);
    },
  };
  running.add(server);
  const timeoutMs = options.timeoutMs ?? 30_000;
  try {
    const deadline = started + timeoutMs;
    let endpoint = typeof options.endpoint === 'string' ? options.endpoint : undefined;
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${options.name} exited before it was ready:\n${output}`);
      if (performance.now() > deadline) throw new Error(`${options.name} was not ready within ${timeoutMs} ms:\n${output}`);
      if (endpoint === undefined) endpoint = (options.endpoint as RegExp).exec(output)?.[1];
      if (endpoint !== undefined && await answersOk(endpoint + options.readyPath)) break;
      await new Promise((r) => setTimeout(r, 2));
    }
    server.readyMs = performance.now() - started;
    server.endpoint = endpoint;
    return server;
  } catch (error) {
    await server.stop();
    throw error;
  }
}

export interface ServiceOptions {
  dataDir: string;
  /** More `serve` flags (e.g. --clock manual, --nodes FILE). */
  args?: string[];
  /** Write a V8 CPU profile of the service into this folder when it stops. */
  cpuProfileDir?: string;
}

/** This service: `node src/cli/main.ts serve --port 0 --data-dir DIR --quiet ...`, on the same Node as the benchmark. */
export function startService(options: ServiceOptions): Promise<ServerProcess> {
  const profile = options.cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}`] : [];
  return startProcess({
    name: 'mw-local',
    command: process.execPath,
    args: [...profile, 'src/cli/main.ts', 'serve', '--port', '0', '--data-dir', options.dataDir, '--quiet', ...(options.args ?? [])],
    endpoint: /listening on (http:\/\/\S+)/,
    readyPath: '/_mw/health',
  });
}

/** A bare node:http server answering every request with a fixed body: `bytes` bytes of JSON, or a file's bytes. */
export function startBareServer(body: number | { file: string }): Promise<ServerProcess> {
  return startProcess({
    name: 'bare node:http',
    command: process.execPath,
    args: [join(REPO_ROOT, 'bench', 'bare-server.ts'), typeof body === 'number' ? String(body) : `@${body.file}`],
    endpoint: /listening on (http:\/\/\S+)/,
    readyPath: '/',
  });
}

/** moto's version when `moto_server` can be run from this machine's Python, else undefined. */
export function motoVersion(): string | undefined {
  const probe = spawnSync('moto_server', ['--help'], { stdio: 'ignore', timeout: 30_000 });
  if (probe.status !== 0) return undefined;
  const version = spawnSync('python3', ['-c', 'import moto; print(moto.__version__)'], { encoding: 'utf8', timeout: 30_000 });
  return version.status === 0 ? version.stdout.trim() : 'unknown';
}

export async function startMoto(): Promise<ServerProcess> {
  const port = await freePort();
  return startProcess({
    name: 'moto_server',
    command: 'moto_server',
    args: ['-H', '127.0.0.1', '-p', String(port)],
    endpoint: `http://127.0.0.1:${port}`,
    readyPath: '/moto-api/',
    timeoutMs: 60_000,
  });
}
