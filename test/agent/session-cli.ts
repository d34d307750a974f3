// `aws ssm start-session` as a person runs it: the image's aws CLI, which calls StartSession and then runs the
// stock session-manager-plugin (../shared/session-manager-plugin) with the answer, in a pseudo-terminal made
// by util-linux `script`. Input is typed into it; its output is read as the screen shows it.

import { type ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';

export const PLUGIN_BIN = resolve(import.meta.dirname, '../../../shared/session-manager-plugin/bin');

export interface CliSession {
  /** Everything the terminal showed so far. */
  output(): string;
  /** Resolves with the output once it matches `pattern` (after `from` characters), or rejects after `timeoutMs`. */
  waitFor(pattern: RegExp, timeoutMs?: number, from?: number): Promise<string>;
  type(text: string): void;
  /** The CLI's exit status, once it exits. */
  exited: Promise<number | null>;
  kill(): void;
}

/** Credentials of the caller (an access key id of 12 digits names its account here). */
export function startSession(options: { endpoint: string; caFile: string; target: string; accessKeyId?: string; extra?: string[] }): CliSession {
  const args = ['ssm', 'start-session', '--target', options.target, '--endpoint-url', options.endpoint, '--ca-bundle', options.caFile, '--region', 'us-east-1', ...(options.extra ?? [])];
  const command = ['aws', ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const child: ChildProcess = spawn('script', ['-q', '-f', '-e', '-c', command, '/dev/null'], {
    env: {
      ...process.env,
      PATH: `${PLUGIN_BIN}:${process.env.PATH}`,
      AWS_ACCESS_KEY_ID: options.accessKeyId ?? 'AKIDEXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'secret',
      AWS_DEFAULT_REGION: 'us-east-1',
      AWS_MAX_ATTEMPTS: '1',
      TERM: 'dumb',
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let text = '';
  const listeners = new Set<() => void>();
  const take = (chunk: Buffer) => {
    text += chunk.toString('utf8');
    for (const l of [...listeners]) l();
  };
  child.stdout!.on('data', take);
  child.stderr!.on('data', take);
  const exited = new Promise<number | null>((done) => child.on('exit', (code) => {
    for (const l of [...listeners]) l();
    done(code);
  }));
  let ended = false;
  void exited.then(() => { ended = true; });
  return {
    output: () => text,
    waitFor(pattern, timeoutMs = 30_000, from = 0) {
      return new Promise((resolveWait, reject) => {
        const check = () => {
          if (pattern.test(text.slice(from))) {
            finish();
            resolveWait(text);
          } else if (ended) {
            finish();
            reject(new Error(`the session ended without ${pattern}; it showed:\n${text}`));
          }
        };
        const timer = setTimeout(() => {
          finish();
          reject(new Error(`no ${pattern} within ${timeoutMs} ms; the terminal showed:\n${text}`));
        }, timeoutMs);
        const finish = () => {
          clearTimeout(timer);
          listeners.delete(check);
        };
        listeners.add(check);
        check();
      });
    },
    type(input) {
      child.stdin!.write(input);
    },
    exited,
    kill() {
      child.kill('SIGKILL');
    },
  };
}
