// The service as a person runs it: `npm start` in a terminal, stopped with kill or Ctrl-C, and what they
// see when it cannot start or a control command cannot be carried out. Every process is real; nothing
// sleeps: each wait is on an event, or a poll that gives up at a deadline.

import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { storeArgs, tempDataDir } from '../support/server.ts';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const linux = process.platform === 'linux';
/** Generous bounds for a loaded CI machine; a passing run takes a fraction of them. */
const START_MS = 20_000;
const STOP_MS = 10_000;
const STACK_FRAME = /^ {4}at /m;

/** Polls `check` every 20 ms until it holds; fails naming `what` once `ms` have passed. */
async function waitFor(what: string, check: () => boolean | Promise<boolean>, ms = STOP_MS): Promise<void> {
  const deadline = performance.now() + ms;
  while (!(await check())) {
    if (performance.now() > deadline) assert.fail(`${what}: still not true after ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** `promise`, or a failure naming `what` once `ms` have passed. */
async function within<T>(what: string, promise: Promise<T>, ms = STOP_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not done after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Whether nothing accepts connections on 127.0.0.1:port any more. */
function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}

/** A process's state letter from /proc (R, S, Z, ...), or undefined when it no longer exists. */
function processState(pid: number): string | undefined {
  try {
    // "pid (comm) S ppid ...": comm may hold spaces and parentheses, so read after the last ')'.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
  } catch {
    return undefined;
  }
}

/** A zombie has exited and only waits for whoever adopted it to collect its status. */
const finished = (pid: number) => [undefined, 'Z'].includes(processState(pid));

/** Every process below `pid`, read from /proc. */
function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(parent, [...(children.get(parent) ?? []), Number(name)]);
    } catch {
      // it exited while we looked
    }
  }
  const found: number[] = [];
  const visit = (p: number) => {
    for (const child of children.get(p) ?? []) {
      found.push(child);
      visit(child);
    }
  };
  visit(pid);
  return found;
}

interface Npm {
  child: ChildProcess;
  port: number;
  output(): string;
  exited: Promise<[number | null, NodeJS.Signals | null]>;
}

/** `npm start -- --port 0 --data-dir DIR`, ready once the service prints its listening line. */
async function npmStart(dataDir: string, options: { detached?: boolean } = {}): Promise<Npm> {
  // detached: npm leads a process group of its own, as a terminal's foreground job does.
  const child = spawn('npm', ['start', '--', '--port', '0', '--data-dir', dataDir, '--quiet', ...storeArgs(dataDir)], {
    cwd: repo,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: options.detached ?? false,
  });
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL'); // the server, npm's child, then stops on its own: its parent is gone
      reject(new Error(`npm start did not print its listening line in ${START_MS} ms:\n${output}`));
    }, START_MS);
    const check = () => {
      const match = /mw-local listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(output);
      if (!match) return;
      clearTimeout(timer);
      resolve(Number(match[1]));
    };
    child.stdout!.on('data', check);
    void exited.then(([code, signal]) => {
      clearTimeout(timer);
      reject(new Error(`npm start exited (${code ?? signal}) before it was listening:\n${output}`));
    });
  });
  return { child, port, output: () => output, exited };
}

/**
 * Starts npm, hands it and its process tree to `body`, and afterwards SIGKILLs whatever of that tree is
 * still running, so a failing test leaves nothing behind.
 */
async function withNpmStart(dataDir: string, options: { detached?: boolean }, body: (npm: Npm, tree: number[]) => Promise<void>): Promise<void> {
  const npm = await npmStart(dataDir, options);
  const tree = [npm.child.pid!, ...descendants(npm.child.pid!)];
  try {
    assert.ok(tree.length > 1, 'npm start has a child process');
    await body(npm, tree.slice(1));
  } finally {
    for (const pid of tree.filter((p) => !finished(p))) process.kill(pid, 'SIGKILL');
  }
}

/** npm's exit: its code and the signal that killed it. */
const npmExit = async (npm: Npm) => {
  const [code, killedBy] = await within('npm start exits', npm.exited);
  return { code, killedBy };
};

/** After npm is gone: the port is closed and nothing npm started still runs. */
async function assertAllStopped(npm: Npm, tree: number[]): Promise<void> {
  await waitFor(`port ${npm.port} stops listening`, () => refused(npm.port));
  await waitFor(`processes ${tree.join(', ')} of npm start end`, () => tree.every(finished));
  assert.doesNotMatch(npm.output(), STACK_FRAME);
}

describe('npm start, stopped the ways a person stops it', { skip: !linux && 'reads the process tree from /proc', concurrency: true }, () => {
  const dataDirs: string[] = [];
  const folder = () => {
    const dir = tempDataDir();
    dataDirs.push(dir);
    return dir;
  };
  after(() => dataDirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  // npm forwards SIGINT and SIGTERM to its script. The start script execs the server, so the server is
  // npm's own child and gets them; npm then exits with the server's status, so 0 here is the server's 0.
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    test(`kill -${signal.slice(3)} <npm pid> stops the server cleanly (exit 0) and leaves no process`, () =>
      withNpmStart(folder(), {}, async (npm, tree) => {
        npm.child.kill(signal);
        assert.deepEqual(await npmExit(npm), { code: 0, killedBy: null }, npm.output());
        assert.match(npm.output(), new RegExp(`${signal}: shutting down`));
        await assertAllStopped(npm, tree);
      }));
  }

  test('Ctrl-C (SIGINT to the whole process group) stops everything with exit 0', () =>
    withNpmStart(folder(), { detached: true }, async (npm, tree) => {
      process.kill(-npm.child.pid!, 'SIGINT');
      assert.deepEqual(await npmExit(npm), { code: 0, killedBy: null }, npm.output());
      await assertAllStopped(npm, tree);
    }));

  // npm does not forward these and dies of them: the server notices that its parent is gone.
  for (const signal of ['SIGHUP', 'SIGKILL'] as const) {
    test(`kill -${signal.slice(3)} <npm pid>: the server notices npm is gone and stops`, () =>
      withNpmStart(folder(), {}, async (npm, tree) => {
        npm.child.kill(signal);
        assert.equal((await npmExit(npm)).killedBy, signal);
        await assertAllStopped(npm, tree);
        assert.match(npm.output(), /parent process \d+ exited: shutting down/);
      }));
  }
});

interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end (killed after START_MS), with what it printed. */
async function run(command: string, args: string[]): Promise<Finished> {
  const child = spawn(command, args, { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), START_MS);
  const [code] = (await once(child, 'close')) as [number | null];
  clearTimeout(timer);
  return { code, stdout, stderr };
}

/** `node src/cli/main.ts ...`: the command line `npm start --` and `npm run mw --` expand to. */
const cli = (...args: string[]) => run(process.execPath, ['src/cli/main.ts', ...args]);

/** Failed with `exitCode`, and said why in exactly one line on stderr, without a stack trace. */
function assertOneLine(result: Finished, exitCode: number, line: RegExp): void {
  const lines = result.stderr.split('\n').filter((text) => text !== '');
  assert.equal(result.code, exitCode, `exit code; stderr:\n${result.stderr}`);
  assert.equal(lines.length, 1, `exactly one line on stderr, got:\n${result.stderr}`);
  assert.doesNotMatch(result.stderr, STACK_FRAME);
  assert.match(lines[0], /^mw-local: /);
  assert.match(lines[0], line);
}

/** A loopback port on which nothing listens (taken from the kernel, then let go). */
async function closedPort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  server.close();
  await once(server, 'close');
  return port;
}

describe('what a person sees when the service cannot start', { concurrency: true }, () => {
  const dir = tempDataDir();
  let busy: Server;
  let busyPort: number;
  before(async () => {
    busy = createServer().listen(0, '127.0.0.1');
    await once(busy, 'listening');
    busyPort = (busy.address() as AddressInfo).port;
    writeFileSync(join(dir, 'truncated.json'), '[{"id": "i-00000000000000001", ');
    writeFileSync(join(dir, 'no-id.json'), '[{"tags": {"Env": "prod"}}]');
    writeFileSync(join(dir, 'a-file'), '');
  });
  after(() => {
    busy.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('npm start -- --port <a port in use>', async () => {
    const result = await run('npm', ['start', '--', '--port', String(busyPort), '--data-dir', join(dir, 'busy')]);
    assertOneLine(result, 1, new RegExp(`^mw-local: port ${busyPort} on 127\\.0\\.0\\.1 is already in use \\(EADDRINUSE\\); pick another with --port$`));
  });

  test('a --nodes file that is not valid JSON, missing, or without ids', async () => {
    // A data folder each: three processes opening one new SQLite file at once may find it locked.
    const serve = (file: string) => cli('serve', '--port', '0', '--data-dir', join(dir, `nodes-${file}`), '--nodes', join(dir, file));
    const [truncated, missing, noId] = await Promise.all([serve('truncated.json'), serve('missing.json'), serve('no-id.json')]);
    assertOneLine(truncated, 1, /--nodes file .*truncated\.json is not usable: not valid JSON/);
    assertOneLine(missing, 1, /cannot read the --nodes file .*missing\.json: no such file or folder \(ENOENT\)/);
    assertOneLine(noId, 1, /--nodes file .*no-id\.json is not usable: entry 1 has no "id" string/);
  });

  test('a --data-dir that cannot be created', async () => {
    // Below a plain file: fails for root too, where permission bits would not.
    const result = await cli('serve', '--port', '0', '--data-dir', join(dir, 'a-file', 'data'));
    assertOneLine(result, 1, /cannot use the SQLite database in --data-dir .*a-file\/data: part of the path is a file, not a folder \(ENOTDIR\)/);
  });

  test('an unreachable PostgreSQL, and a --store that is not a PostgreSQL URL', async () => {
    const port = await closedPort();
    const [unreachable, notPostgres] = await Promise.all([
      cli('serve', '--port', '0', '--store', `postgres://mw:secret@127.0.0.1:${port}/mw`),
      cli('serve', '--port', '0', '--store', 'mysql://mw:secret@127.0.0.1/mw'),
    ]);
    assertOneLine(unreachable, 1, new RegExp(`cannot use PostgreSQL at 127\\.0\\.0\\.1:${port}/mw: connection refused \\(ECONNREFUSED\\); check --store`));
    assertOneLine(notPostgres, 2, /--store must be a postgres:\/\/ or postgresql:\/\/ URL/);
    assert.doesNotMatch(unreachable.stderr + notPostgres.stderr, /secret/, 'passwords are never printed');
  });
});

describe('what a person sees when a control command fails', { concurrency: true }, () => {
  // Stands in for whatever else may answer at --endpoint: a web page, and an error of the service's shape.
  let stub: Server;
  let stubUrl: string;
  before(async () => {
    stub = createServer((request, response) => {
      if (request.url?.startsWith('/_mw/clock')) {
        response.writeHead(200, { 'content-type': 'text/html' }).end('<html>\n<body>not the service</body>\n</html>\n');
      } else {
        response.writeHead(409, { 'content-type': 'application/json' }).end(JSON.stringify({ __type: 'ClockNotManual', message: 'The clock is not manual.' }));
      }
    }).listen(0, '127.0.0.1');
    await once(stub, 'listening');
    stubUrl = `http://127.0.0.1:${(stub.address() as AddressInfo).port}`;
  });
  after(() => stub.close());

  test('npm run mw -- clock --endpoint <nothing listening>', async () => {
    const result = await run('npm', ['run', 'mw', '--', 'clock', '--endpoint', 'http://127.0.0.1:1']);
    assertOneLine(result, 1, /^mw-local: cannot reach http:\/\/127\.0\.0\.1:1: connection refused \(ECONNREFUSED\); is the service running\? check --endpoint$/);
  });

  test('an answer that is not JSON', async () => {
    const result = await cli('clock', '--endpoint', stubUrl);
    assertOneLine(result, 1, /GET http:\/\/127\.0\.0\.1:\d+\/_mw\/clock answered 200 with a body that is not JSON \(text\/html\)/);
  });

  test('an error answer', async () => {
    const result = await cli('nodes', 'list', '--endpoint', stubUrl);
    assertOneLine(result, 1, /GET http:\/\/127\.0\.0\.1:\d+\/_mw\/nodes failed: 409 ClockNotManual: The clock is not manual\.$/);
    assert.equal(result.stdout, '');
  });

  test('a command line that cannot work exits 2', async () => {
    assertOneLine(await cli('clock', '--endpoint', 'localhost:4100'), 2, /--endpoint must be an http:\/\/ or https:\/\/ URL/);
  });
});
