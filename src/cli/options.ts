// Command-line flags and environment variables of `serve`. Each option: flag, env var, default, meaning.

import { parseArgs, type ParseArgsConfig } from 'node:util';
import { type AppConfig, defaultConfig } from '../app.ts';
import { LATEST_RUN_MS } from '../schedule/index.ts';
import { LOG_LEVELS, type LogLevel } from './logger.ts';

export const serveHelp = `Usage: npm start -- [options]    (or: node src/cli/main.ts serve [options])

Serves the AWS SSM Maintenance Windows API (AWS JSON 1.1) on http://HOST:PORT.

Options (flag / environment variable / default):
  --host HOST            MW_HOST            127.0.0.1   interface to listen on
  --port PORT            MW_PORT            4100        TCP port (0 = any free port)
  --data-dir DIR         MW_DATA_DIR        ./data      folder of the SQLite database (mw.sqlite)
  --store URL            MW_STORE           (SQLite)    postgres://user@host:port/db to use PostgreSQL instead
  --postgres-schema NAME MW_POSTGRES_SCHEMA (default)   schema in that database (created if missing)
  --lease-seconds N      MW_LEASE_SECONDS   15          how long a replica holds a running execution unrenewed
  --job-visibility-seconds N MW_JOB_VISIBILITY_SECONDS 30 a job sent down an agent's control channel and not
                                                        acknowledged is sent again after this long
  --max-windows N        MW_MAX_WINDOWS     50          maintenance windows per account and Region
  --max-targets N        MW_MAX_TARGETS     100         targets per window
  --max-tasks N          MW_MAX_TASKS       20          tasks per window
  --max-tags N           MW_MAX_TAGS        50          tags per window
  --max-documents N      MW_MAX_DOCUMENTS   500         documents an account owns per Region ([I] AWS's quota)
  --max-automations N    MW_MAX_AUTOMATIONS 1100        automation executions not ended per account and Region
  --clock MODE           MW_CLOCK           system      'system', or 'manual': time moves only via POST /_mw/clock
  --clock-start ISO      MW_CLOCK_START     now         where the manual clock starts
  --invocation-seconds N MW_INVOCATION_SECONDS 1        simulated run time of an invocation (no outcome rule)
  --simulate TYPES       MW_SIMULATE        (none)      task types to simulate instead of running them for real, comma-
                                                        separated: AUTOMATION (else a real automation execution of the
                                                        runbook), LAMBDA, STEP_FUNCTIONS (else the endpoint configured)
  --nodes FILE           MW_NODES           (none)      JSON list of managed nodes to load at start:
                                                        [{"id":"i-0123456789abcdef0","tags":{"Env":"dev"},"resourceGroups":["web"],
                                                          "account":"000000000000","region":"us-east-1"}]
                                                        (ids as Run Command takes them: i- and 8 or 17 letters,
                                                        digits or '_', or mi- and 17; any other refuses the start)
  --credentials FILE     MW_CREDENTIALS     (none)      JSON list of {"accessKeyId","secretAccessKey","accountId","sessionToken"?}:
                                                        every request must then carry a valid SigV4 signature of one
                                                        of them (reloaded on SIGHUP); without it nothing is verified
  --tls-cert FILE        MW_TLS_CERT        (none)      PEM certificate: serve HTTPS (with --tls-key)
  --tls-key FILE         MW_TLS_KEY         (none)      PEM private key of --tls-cert
  --ping-timeout-seconds N MW_PING_TIMEOUT_SECONDS 600 a registered node is ConnectionLost after this long without
                                                        word from its agent (heartbeat or message poll)
  --event-webhook URL    MW_EVENT_WEBHOOKS  (none)      POST every state-change event (AWS's EventBridge shape) to URL;
                                                        repeatable (the variable: URLs separated by spaces)
  --eventbridge-endpoint URL MW_EVENTBRIDGE_ENDPOINT (none) PutEvents every event there (AWS or an emulator; AWS_* credentials)
  --eventbridge-bus NAME MW_EVENTBRIDGE_BUS default     the event bus PutEvents names
  --eventbridge-source S MW_EVENTBRIDGE_SOURCE aws.ssm  the Source PutEvents sends (AWS refuses aws.* from customers)
  --event-retention N    MW_EVENT_RETENTION 100000      events kept for delivery; older ones are dropped
  --insecure-open        MW_INSECURE_OPEN=1 off         allow a non-loopback --host without --credentials
  --allow-execute-script MW_ALLOW_EXECUTE_SCRIPT=1 off run aws:executeScript steps: runbook code (python3, pwsh) runs
                                                        on this machine AS THE SERVICE'S USER (own process, time limit,
                                                        no inherited environment); off, such a step fails
  --session-transcripts  MW_SESSION_TRANSCRIPTS=1 off keep each Session Manager session's output (up to 1 MiB) in
                                                        the store for the console; deleted 30 days after the session ends
  --log-level LEVEL      MW_LOG_LEVEL       info        trace, debug (adds a line per state change), info (a line per
                                                        request), warn, error or silent; JSON lines, or readable
                                                        ones when stdout is a terminal
  --quiet                MW_QUIET=1         off         the same as --log-level silent
  -h, --help                                            show this help
`;

/** A command line that cannot work: the CLI prints the message as one line and exits 2. */
export class UsageError extends Error {}

const SIMULATABLE = ['AUTOMATION', 'LAMBDA', 'STEP_FUNCTIONS'];

function simulatedTypes(text: string | undefined): string[] {
  const types = (text ?? '').split(',').map((t) => t.trim()).filter(Boolean);
  const wrong = types.filter((t) => !SIMULATABLE.includes(t));
  if (wrong.length > 0) throw new UsageError(`--simulate takes ${SIMULATABLE.join(', ')} (comma-separated), got '${wrong.join(',')}'`);
  return types;
}

function integer(name: string, text: string | undefined, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (text === undefined || text === '') return fallback;
  if (!/^\d+$/.test(text) || Number(text) < min || Number(text) > max) {
    throw new UsageError(`${name} must be an integer >= ${min}${max < Number.MAX_SAFE_INTEGER ? ` and <= ${max}` : ''}, got '${text}'`);
  }
  return Number(text);
}

/** node:util parseArgs, with its complaints (unknown option, missing value) as a UsageError. */
export function parseCommandLine<T extends ParseArgsConfig>(config: T): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (error) {
    if (String((error as { code?: unknown }).code).startsWith('ERR_PARSE_ARGS_')) throw new UsageError(`${(error as Error).message.replace(/\.?$/, '.')} Try --help.`);
    throw error;
  }
}

export type ServeOptions = AppConfig & { logLevel: LogLevel };

export function parseServeOptions(argv: string[], env: NodeJS.ProcessEnv): ServeOptions | 'help' {
  const { values } = parseCommandLine({
    args: argv,
    options: {
      host: { type: 'string' },
      port: { type: 'string' },
      'data-dir': { type: 'string' },
      store: { type: 'string' },
      'postgres-schema': { type: 'string' },
      'lease-seconds': { type: 'string' },
      'job-visibility-seconds': { type: 'string' },
      'ping-timeout-seconds': { type: 'string' },
      'event-webhook': { type: 'string', multiple: true },
      'eventbridge-endpoint': { type: 'string' },
      'eventbridge-bus': { type: 'string' },
      'eventbridge-source': { type: 'string' },
      'event-retention': { type: 'string' },
      'max-windows': { type: 'string' },
      'max-targets': { type: 'string' },
      'max-tasks': { type: 'string' },
      'max-tags': { type: 'string' },
      'max-documents': { type: 'string' },
      'max-automations': { type: 'string' },
      clock: { type: 'string' },
      'clock-start': { type: 'string' },
      'invocation-seconds': { type: 'string' },
      simulate: { type: 'string' },
      nodes: { type: 'string' },
      credentials: { type: 'string' },
      'tls-cert': { type: 'string' },
      'tls-key': { type: 'string' },
      'insecure-open': { type: 'boolean' },
      'allow-execute-script': { type: 'boolean' },
      'session-transcripts': { type: 'boolean' },
      quiet: { type: 'boolean' },
      'log-level': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) return 'help';
  const quiet = values.quiet ?? env.MW_QUIET === '1';
  const levelText = quiet ? 'silent' : values['log-level'] ?? env.MW_LOG_LEVEL ?? 'info';
  if (!LOG_LEVELS.includes(levelText as LogLevel)) throw new UsageError(`--log-level must be one of ${LOG_LEVELS.join(', ')}, got '${levelText}'`);
  const logLevel = levelText as LogLevel;
  const q = defaultConfig.quotas;
  const clockMode = values.clock ?? env.MW_CLOCK ?? 'system';
  if (clockMode !== 'system' && clockMode !== 'manual') throw new UsageError(`--clock must be 'system' or 'manual', got '${clockMode}'`);
  const clockStartText = values['clock-start'] ?? env.MW_CLOCK_START;
  const manualClockStart = clockStartText === undefined ? undefined : Date.parse(clockStartText);
  if (manualClockStart !== undefined && Number.isNaN(manualClockStart)) throw new UsageError(`--clock-start must be an ISO-8601 time, got '${clockStartText}'`);
  // The manual clock's range, as for its moves: nothing is scheduled after 9999 (AWS's four-digit years).
  if (manualClockStart !== undefined && (manualClockStart < 0 || manualClockStart > LATEST_RUN_MS)) {
    throw new UsageError(`--clock-start must be between 1970-01-01T00:00:00Z and ${new Date(LATEST_RUN_MS).toISOString()}, got '${clockStartText}'`);
  }
  const store = (values.store ?? env.MW_STORE) || undefined;
  // Anything but a PostgreSQL URL would otherwise be ignored in favour of SQLite, silently.
  if (store !== undefined && !/^postgres(ql)?:\/\//.test(store)) throw new UsageError(`--store must be a postgres:// or postgresql:// URL, got '${store.replace(/:[^:@/]*@/, ':***@')}'`);
  const secondsText = values['invocation-seconds'] ?? env.MW_INVOCATION_SECONDS;
  const invocationSeconds = secondsText === undefined ? defaultConfig.invocationSeconds : Number(secondsText);
  if (!(invocationSeconds >= 0) || !Number.isFinite(invocationSeconds)) throw new UsageError(`--invocation-seconds must be a number >= 0, got '${secondsText}'`);
  return {
    ...defaultConfig,
    clockMode,
    manualClockStart,
    invocationSeconds,
    simulatedTaskTypes: simulatedTypes(values.simulate ?? env.MW_SIMULATE),
    nodesFile: values.nodes ?? env.MW_NODES,
    credentialsFile: (values.credentials ?? env.MW_CREDENTIALS) || undefined,
    tlsCertFile: (values['tls-cert'] ?? env.MW_TLS_CERT) || undefined,
    tlsKeyFile: (values['tls-key'] ?? env.MW_TLS_KEY) || undefined,
    insecureOpen: values['insecure-open'] ?? env.MW_INSECURE_OPEN === '1',
    allowExecuteScript: values['allow-execute-script'] ?? env.MW_ALLOW_EXECUTE_SCRIPT === '1',
    sessionTranscripts: values['session-transcripts'] ?? env.MW_SESSION_TRANSCRIPTS === '1',
    store,
    postgresSchema: values['postgres-schema'] ?? env.MW_POSTGRES_SCHEMA,
    leaseSeconds: integer('--lease-seconds', values['lease-seconds'] ?? env.MW_LEASE_SECONDS, defaultConfig.leaseSeconds, 1),
    jobVisibilitySeconds: integer('--job-visibility-seconds', values['job-visibility-seconds'] ?? env.MW_JOB_VISIBILITY_SECONDS, defaultConfig.jobVisibilitySeconds, 1),
    eventWebhooks: values['event-webhook'] ?? (env.MW_EVENT_WEBHOOKS ? env.MW_EVENT_WEBHOOKS.split(/\s+/).filter(Boolean) : []),
    eventBridgeEndpoint: values['eventbridge-endpoint'] ?? env.MW_EVENTBRIDGE_ENDPOINT,
    eventBridgeBus: values['eventbridge-bus'] ?? env.MW_EVENTBRIDGE_BUS,
    eventBridgeSource: values['eventbridge-source'] ?? env.MW_EVENTBRIDGE_SOURCE,
    eventRetention: integer('--event-retention', values['event-retention'] ?? env.MW_EVENT_RETENTION, defaultConfig.eventRetention, 1),
    pingTimeoutSeconds: integer('--ping-timeout-seconds', values['ping-timeout-seconds'] ?? env.MW_PING_TIMEOUT_SECONDS, defaultConfig.pingTimeoutSeconds, 1),
    host: values.host ?? env.MW_HOST ?? defaultConfig.host,
    port: integer('--port', values.port ?? env.MW_PORT, defaultConfig.port, 0, 65535),
    dataDir: values['data-dir'] ?? env.MW_DATA_DIR ?? defaultConfig.dataDir,
    quotas: {
      windowsPerRegion: integer('--max-windows', values['max-windows'] ?? env.MW_MAX_WINDOWS, q.windowsPerRegion, 1),
      targetsPerWindow: integer('--max-targets', values['max-targets'] ?? env.MW_MAX_TARGETS, q.targetsPerWindow, 1),
      tasksPerWindow: integer('--max-tasks', values['max-tasks'] ?? env.MW_MAX_TASKS, q.tasksPerWindow, 1),
      tagsPerResource: integer('--max-tags', values['max-tags'] ?? env.MW_MAX_TAGS, q.tagsPerResource, 1),
      documentsPerRegion: integer('--max-documents', values['max-documents'] ?? env.MW_MAX_DOCUMENTS, q.documentsPerRegion, 1),
      automationsNotEnded: integer('--max-automations', values['max-automations'] ?? env.MW_MAX_AUTOMATIONS, q.automationsNotEnded ?? 1100, 1),
    },
    logLevel,
  };
}
