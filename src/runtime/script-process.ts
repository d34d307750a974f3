// Runs one process for aws:executeScript with the limits user code needs on the service's machine: its own
// process group (killed whole at the time limit, and once it exits, so no child of the script lingers),
// only the environment given, stdout and stderr kept up to a limit and the rest read and dropped (a chatty
// script neither fills memory nor blocks on a full pipe). Asynchronous: the event loop never waits on it.

import { spawn } from 'node:child_process';

export interface ProcessRequest {
  command: string;
  args: string[];
  cwd: string;
  /** The whole environment of the process: nothing of the service's own is added. */
  env: Record<string, string>;
  timeoutMs: number;
  /** Bytes of stdout and of stderr kept, each. */
  outputLimitBytes: number;
  /** Aborted: the group is killed (the step was stopped). */
  signal?: AbortSignal;
}

export interface ProcessResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  stdout: string;
  stderr: string;
  /** stdout or stderr went over outputLimitBytes and was cut. */
  truncated: boolean;
  /** The process could not be started (ENOENT, EACCES): its message. */
  spawnError?: string;
}

/** Kept processes, to stop them all when the service stops. */
export class ProcessGroups {
  private readonly live = new Set<number>();
  private readonly onExit = () => this.killAll();

  add(pid: number): void {
    // The service exiting any way (even without close) takes the scripts with it.
    if (this.live.size === 0) process.on('exit', this.onExit);
    this.live.add(pid);
  }

  remove(pid: number): void {
    this.live.delete(pid);
    if (this.live.size === 0) process.off('exit', this.onExit);
  }

  killAll(): void {
    for (const pid of [...this.live]) {
      killGroup(pid);
      this.remove(pid);
    }
  }
}

function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // ESRCH: the group is gone already.
  }
}

/** Collects a stream up to `limit` bytes; what comes after is read and dropped. */
function bounded(limit: number) {
  const chunks: Buffer[] = [];
  let kept = 0;
  let cut = false;
  return {
    push(chunk: Buffer): void {
      if (kept >= limit) {
        cut = true;
        return;
      }
      const part = chunk.length > limit - kept ? chunk.subarray(0, limit - kept) : chunk;
      if (part.length < chunk.length) cut = true;
      chunks.push(part);
      kept += part.length;
    },
    text: () => Buffer.concat(chunks).toString('utf8'),
    get cut() { return cut; },
  };
}

/** How long the pipes may stay open after the process and its group were killed [ours]. */
const DRAIN_MS = 1000;

export function runProcess(request: ProcessRequest, groups?: ProcessGroups): Promise<ProcessResult> {
  return new Promise((resolve) => {
    const stdout = bounded(request.outputLimitBytes);
    const stderr = bounded(request.outputLimitBytes);
    let timedOut = false;
    let exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    let settled = false;
    const child = spawn(request.command, request.args, {
      cwd: request.cwd, env: request.env, stdio: ['ignore', 'pipe', 'pipe'],
      // A group of its own: the time limit kills the script and whatever it started.
      detached: true,
    });
    const pid = child.pid;
    if (pid !== undefined) groups?.add(pid);
    const finish = (spawnError?: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(drain);
      request.signal?.removeEventListener('abort', abort);
      if (pid !== undefined) groups?.remove(pid);
      child.stdout?.destroy();
      child.stderr?.destroy();
      resolve({
        exitCode: exited?.code ?? null, signal: exited?.signal ?? null, timedOut, stdout: stdout.text(), stderr: stderr.text(),
        truncated: stdout.cut || stderr.cut, ...(spawnError === undefined ? {} : { spawnError }),
      });
    };
    let drain: NodeJS.Timeout | undefined;
    const timer = setTimeout(() => {
      timedOut = true;
      if (pid !== undefined) killGroup(pid);
    }, request.timeoutMs);
    const abort = () => {
      if (pid !== undefined) killGroup(pid);
    };
    request.signal?.addEventListener('abort', abort, { once: true });
    if (request.signal?.aborted) abort();
    child.stdout!.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr!.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.on('error', (error) => finish(error.message));
    child.on('exit', (code, signal) => {
      exited = { code, signal };
      // Whatever the script left running in its group goes now; its pipes then close.
      if (pid !== undefined) killGroup(pid);
      drain = setTimeout(() => finish(), DRAIN_MS);
    });
    // 'close': the process ended and both pipes are drained.
    child.on('close', () => finish());
  });
}
