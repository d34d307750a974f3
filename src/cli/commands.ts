// The commands behind `node src/cli/main.ts` (main.ts loads this module once the compile cache is on):
// `serve [options]` (what `npm start` runs), and the control commands. Whatever fails is told in one line
// on stderr (failure-lines.ts), with exit status 2 or 1.

import { startApp } from '../app.ts';
import { failureLine } from './failure-lines.ts';
import { createLogger, serviceLogging } from './logger.ts';
import { parseServeOptions, serveHelp } from './options.ts';
import { watchParent, type ParentWatch } from './parent-watch.ts';

/** Signals that stop the service cleanly (exit status 0). SIGHUP: the terminal it ran in was closed. */
const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
/** How long a clean stop may take (open requests finish, leases are released) before the process exits anyway. */
const STOP_DEADLINE_MS = 10_000;

async function serve(argv: string[]): Promise<void> {
  const config = parseServeOptions(argv, process.env);
  if (config === 'help') {
    process.stdout.write(serveHelp);
    return;
  }
  const logging = serviceLogging(createLogger(config.logLevel));
  const app = await startApp({ ...config, log: logging.log, onAnswered: logging.onAnswered, onTransitions: logging.onTransitions });
  // A closed terminal or a reader that went away must not turn the next log line into a crash mid-shutdown.
  process.stdout.on('error', () => {});
  process.stderr.on('error', () => {});
  let stopping = false;
  let parentWatch: ParentWatch | undefined;
  const shutdown = (reason: string) => {
    // Ctrl-C arrives twice when run through npm: from the terminal, and again forwarded by npm.
    if (stopping) return;
    stopping = true;
    parentWatch?.stop();
    process.stdout.write(`${reason}: shutting down\n`);
    setTimeout(() => {
      process.stderr.write(`mw-local: shutdown did not finish within ${STOP_DEADLINE_MS / 1000} s; exiting\n`);
      process.exit(1);
    }, STOP_DEADLINE_MS).unref();
    app.stop().then(logging.flush).then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`mw-local: shutdown failed: ${failureLine(error).line}\n`);
        process.exit(1);
      },
    );
  };
  for (const signal of STOP_SIGNALS) {
    // With --credentials, SIGHUP means "read the keys again", as daemons take it.
    if (signal === 'SIGHUP' && app.reloadCredentials) {
      process.on(signal, () => {
        try {
          app.reloadCredentials!();
          process.stdout.write('SIGHUP: credentials reloaded\n');
        } catch (error) {
          process.stderr.write(`mw-local: SIGHUP: credentials not reloaded, the keys in use stay: ${failureLine(error).line}\n`);
        }
      });
      continue;
    }
    process.on(signal, () => shutdown(signal));
  }
  // Started by an npm script (`npm start`): live no longer than npm, even when npm dies of a signal it
  // does not forward (SIGHUP, SIGKILL). Not otherwise, so `nohup node src/cli/main.ts serve &` keeps running.
  if (process.env.npm_lifecycle_event !== undefined && process.ppid > 1) {
    parentWatch = watchParent(() => shutdown(`parent process ${parentWatch!.parentPid} exited`));
  }
  process.stdout.write(`mw-local listening on ${app.endpoint} (data: ${config.dataDir})\n`);
}

// The control and tls commands are loaded when run (or for --help): `serve` needs neither.
async function control(command: 'fire' | 'clock' | 'nodes' | 'outcomes', argv: string[]): Promise<void> {
  return (await import('./control-commands.ts')).runControlCommand(command, argv);
}

const [command = 'serve', ...rest] = process.argv.slice(2);
const commands: Record<string, (argv: string[]) => Promise<void>> = {
  serve,
  fire: (argv) => control('fire', argv),
  clock: (argv) => control('clock', argv),
  nodes: (argv) => control('nodes', argv),
  outcomes: (argv) => control('outcomes', argv),
  tls: async (argv) => (await import('./tls-init.ts')).runTlsCommand(argv),
};

if (command === '--help' || command === '-h' || command === 'help') {
  const [{ controlHelp }, { tlsHelp }] = await Promise.all([import('./control-commands.ts'), import('./tls-init.ts')]);
  process.stdout.write(`Usage: node src/cli/main.ts <command> [options]   (npm run mw -- <command> ...)\n\nCommands:\n  serve    run the service (default)\n\n${serveHelp}\n${controlHelp}\n${tlsHelp}`);
} else if (!commands[command]) {
  process.stderr.write(`mw-local: unknown command '${command}'. Try --help.\n`);
  process.exit(2);
} else {
  commands[command](rest).catch((error: unknown) => {
    const { line, exitCode } = failureLine(error);
    process.stderr.write(`mw-local: ${line}\n`);
    // Exit now: a failed start may leave a connection attempt or a timer behind that nobody will close.
    process.exit(exitCode);
  });
}
