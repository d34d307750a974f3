// Entry point: `node src/cli/main.ts serve [options]`.

import { startApp } from '../app.ts';
import { controlHelp, runControlCommand } from './control-commands.ts';
import { parseServeOptions, serveHelp, UsageError } from './options.ts';

async function serve(argv: string[]): Promise<void> {
  const config = parseServeOptions(argv, process.env);
  if (config === 'help') {
    process.stdout.write(serveHelp);
    return;
  }
  const app = await startApp(config);
  process.stdout.write(`mw-local listening on ${app.endpoint} (data: ${config.dataDir})\n`);
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`${signal}: shutting down\n`);
    app.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`shutdown failed: ${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

const [command = 'serve', ...rest] = process.argv.slice(2);
const commands: Record<string, (argv: string[]) => Promise<void>> = {
  serve,
  fire: (argv) => runControlCommand('fire', argv),
  clock: (argv) => runControlCommand('clock', argv),
  nodes: (argv) => runControlCommand('nodes', argv),
  outcomes: (argv) => runControlCommand('outcomes', argv),
};

if (command === '--help' || command === '-h' || command === 'help') {
  process.stdout.write(`Usage: node src/cli/main.ts <command> [options]   (npm run mw -- <command> ...)\n\nCommands:\n  serve    run the service (default)\n\n${serveHelp}\n${controlHelp}`);
} else if (!commands[command]) {
  process.stderr.write(`Unknown command '${command}'. Try --help.\n`);
  process.exit(2);
} else {
  commands[command](rest).catch((error: unknown) => {
    process.stderr.write(`${error instanceof UsageError ? error.message : (error as Error)?.stack ?? String(error)}\n`);
    process.exit(error instanceof UsageError ? 2 : 1);
  });
}
