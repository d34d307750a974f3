// A throwaway PostgreSQL server for tests: Debian's binaries (installed with apt-get when missing and we
// are root), a fresh cluster in a temporary folder, a free loopback port, trust authentication. The
// handle's stop() shuts the server down at once and removes the folder; so do SIGINT, SIGTERM and exit.
//
//   node scripts/postgres.ts      starts one, prints its URL, and stops it on Ctrl-C
//
// A run killed with SIGKILL cannot clean up: the next start stops servers whose owner process is gone.

import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

export interface ThrowawayPostgres {
  /** `postgres://postgres@127.0.0.1:PORT/postgres` */
  url: string;
  /** The server's version line, e.g. `PostgreSQL 15.18`. */
  version: string;
  /** Stops the server (immediate shutdown) and removes its folder. Safe to call twice. */
  stop(): void;
}

export interface StartOptions {
  /** Progress lines (installing, initdb, starting). Default: none. */
  log?: (line: string) => void;
  /** How long to wait for the server to accept connections. Default: 60 s. */
  timeoutMs?: number;
  /**
   * Stop servers left behind by killed runs first. Default true. Off inside a pid namespace of its own,
   * where every other run's owner process is out of sight and would look dead.
   */
  reapOrphans?: boolean;
}

const FOLDER_PREFIX = 'mw-pg-';
const isRoot = process.getuid?.() === 0;

function run(command: string, args: string[], options: SpawnSyncOptions = {}): string {
  const result = spawnSync(command, args, { encoding: 'utf8', ...options });
  if (result.error) throw new Error(`${command}: ${result.error.message}`);
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} exited with ${result.status ?? result.signal}:\n${result.stdout ?? ''}${result.stderr ?? ''}`);
  }
  return String(result.stdout ?? '');
}

/** The bin folder of Debian's newest installed PostgreSQL, or undefined. */
export function findPostgresBin(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'initdb')) && existsSync(join(root, v, 'bin', 'pg_ctl')))
    .sort((a, b) => Number(b) - Number(a));
  return versions.length ? join(root, versions[0], 'bin') : undefined;
}

function hasCommand(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0;
}

/** Finds the binaries, installing Debian's `postgresql` package first when they are missing and we may. */
export function ensurePostgresBin(log: (line: string) => void = () => {}): string {
  const found = findPostgresBin();
  if (found) return found;
  if (!isRoot || !hasCommand('apt-get')) {
    throw new Error('PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb) and apt-get cannot be run as root here');
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  log('installing postgresql with apt-get');
  try {
    run('apt-get', ['install', '-y', '-q', 'postgresql'], { env });
  } catch {
    log('apt-get install failed; running apt-get update and trying again');
    run('apt-get', ['update', '-q'], { env });
    run('apt-get', ['install', '-y', '-q', 'postgresql'], { env });
  }
  const installed = findPostgresBin();
  if (!installed) throw new Error('apt-get installed postgresql but no initdb was found under /usr/lib/postgresql');
  return installed;
}

/** Runs a PostgreSQL binary as the `postgres` OS user when we are root (initdb and postgres refuse root). */
function runAsOwner(bin: string, args: string[], cwd: string): string {
  return isRoot ? run('runuser', ['-u', 'postgres', '--', bin, ...args], { cwd }) : run(bin, args, { cwd });
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Stops and removes servers left behind by runs that were killed before they could clean up. */
function reapOrphans(bin: string, log: (line: string) => void): void {
  for (const name of readdirSync(tmpdir())) {
    if (!name.startsWith(FOLDER_PREFIX)) continue;
    const folder = join(tmpdir(), name);
    let owner: number;
    try {
      owner = Number(readFileSync(join(folder, 'owner.pid'), 'utf8'));
    } catch {
      continue;
    }
    if (!owner || processAlive(owner)) continue;
    log(`removing the server left behind in ${folder} by process ${owner}`);
    spawnSync(isRoot ? 'runuser' : join(bin, 'pg_ctl'), [...(isRoot ? ['-u', 'postgres', '--', join(bin, 'pg_ctl')] : []), 'stop', '-D', join(folder, 'data'), '-m', 'immediate'], { stdio: 'ignore', cwd: tmpdir() });
    rmSync(folder, { recursive: true, force: true });
  }
}

async function waitForConnections(url: string, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const client = new pg.Client({ connectionString: url });
    try {
      await client.connect();
      const row = (await client.query<{ v: string }>("SELECT 'PostgreSQL ' || current_setting('server_version') AS v")).rows[0];
      return row.v;
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`PostgreSQL did not accept connections within ${timeoutMs} ms: ${(error as Error).message}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    } finally {
      await client.end().catch(() => undefined);
    }
  }
}

export async function startPostgres(options: StartOptions = {}): Promise<ThrowawayPostgres> {
  const log = options.log ?? (() => {});
  const bin = ensurePostgresBin(log);
  if (options.reapOrphans !== false) reapOrphans(bin, log);
  const folder = mkdtempSync(join(tmpdir(), FOLDER_PREFIX));
  const data = join(folder, 'data');
  writeFileSync(join(folder, 'owner.pid'), String(process.pid));

  let stopped = false;
  let started = false;
  const stop = (): void => {
    if (stopped) return;
    stopped = true;
    process.off('exit', stop);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    if (started) {
      const pgCtl = join(bin, 'pg_ctl');
      spawnSync(isRoot ? 'runuser' : pgCtl, [...(isRoot ? ['-u', 'postgres', '--', pgCtl] : []), 'stop', '-D', data, '-m', 'immediate', '-w'], { stdio: 'ignore', cwd: folder });
    }
    rmSync(folder, { recursive: true, force: true });
  };
  // The signal's usual meaning is kept: stop the server, then exit as the signal would have.
  const onSignal = (signal: NodeJS.Signals): void => {
    stop();
    process.exit(128 + (signal === 'SIGINT' ? 2 : 15));
  };
  process.on('exit', stop);
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  try {
    if (isRoot) {
      const uid = Number(run('id', ['-u', 'postgres']).trim());
      const gid = Number(run('id', ['-g', 'postgres']).trim());
      chownSync(folder, uid, gid);
    }
    log(`initdb in ${data}`);
    runAsOwner(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-sync'], folder);
    const port = await freePort();
    // Durability is of no use to a throwaway server: fsync and friends off make the tests faster.
    const settings = [
      `-p ${port}`, `-k ${folder}`, '-c listen_addresses=127.0.0.1', '-c max_connections=200',
      '-c fsync=off', '-c synchronous_commit=off', '-c full_page_writes=off',
    ].join(' ');
    log(`starting on 127.0.0.1:${port}`);
    started = true;
    runAsOwner(join(bin, 'pg_ctl'), ['start', '-D', data, '-l', join(folder, 'server.log'), '-w', '-t', '60', '-o', settings], folder);
    const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
    const version = await waitForConnections(url, options.timeoutMs ?? 60_000);
    return { url, version, stop };
  } catch (error) {
    const serverLog = join(folder, 'server.log');
    const tail = existsSync(serverLog) ? `\n${readFileSync(serverLog, 'utf8').split('\n').slice(-20).join('\n')}` : '';
    stop();
    throw new Error(`${(error as Error).message}${tail}`);
  }
}

if (import.meta.main) {
  const server = await startPostgres({ log: (line) => console.error(`postgres: ${line}`) });
  console.log(server.url);
  console.error(`postgres: ${server.version} running; Ctrl-C stops it`);
  setInterval(() => {}, 1 << 30);
}
