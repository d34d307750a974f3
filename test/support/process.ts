// Runs the service as a separate process (`node src/cli/main.ts serve`), the way `npm start` does, so
// tests can kill it with SIGKILL or stop it with SIGTERM and start it again on the same data folder.

import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { storeArgs } from './server.ts';

export interface ServiceProcess {
  child: ChildProcess;
  endpoint: string;
  output(): string;
  /** Sends `signal` and waits for the exit; resolves the exit code (null when killed by the signal). */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export async function startServiceProcess(args: string[], timeoutMs = 15_000): Promise<ServiceProcess> {
  const dataDir = args[args.indexOf('--data-dir') + 1];
  const store = args.includes('--data-dir') ? storeArgs(dataDir) : [];
  const child = spawn(process.execPath, ['src/cli/main.ts', 'serve', '--port', '0', ...store, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const endpoint = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`service did not start in ${timeoutMs} ms:\n${output}`)), timeoutMs);
    const check = () => {
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout!.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`service exited with ${code} before it was ready:\n${output}`));
    });
  });
  return {
    child,
    endpoint,
    output: () => output,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      const exited = once(child, 'exit');
      child.kill(signal);
      const [code] = await exited;
      return code as number | null;
    },
  };
}
