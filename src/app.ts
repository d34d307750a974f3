// The composition root: configuration -> store -> services -> wire -> HTTP. The only place that picks a
// storage engine, a clock and an id source.

import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { createHandlers } from './operations/index.ts';
import { defaultQuotas, type Quotas, type ServiceContext } from './service/context.ts';
import { IDEMPOTENCY_RETENTION_MS } from './service/idempotency.ts';
import { ActivationService } from './service/activations.ts';
import { RegistrationService } from './service/registrations.ts';
import { AgentService } from './service/agents.ts';
import { AgentDelivery } from './service/agent-delivery.ts';
import { CommandService } from './service/commands.ts';
import { DocumentService } from './service/documents.ts';
import { HistoryService } from './service/history.ts';
import { PageTokens } from './service/page-tokens.ts';
import type { Clock, IdGenerator, Store } from './service/ports.ts';
import { ScheduleService } from './service/schedule.ts';
import { randomIds, systemClock } from './service/system.ts';
import { TagService } from './service/tags.ts';
import { InstanceService } from './service/instances.ts';
import { TargetService } from './service/targets.ts';
import { TaskService } from './service/tasks.ts';
import { WindowService } from './service/windows.ts';
import { SqliteStore } from './storage/sqlite/sqlite-store.ts';
import { createApiHandler } from './wire/api.ts';
import { createControlHandler, metricsRoute } from './wire/control.ts';
import { decodeNodeList } from './wire/control-decode.ts';
import { DEFAULT_ACCOUNT, DEFAULT_REGION } from './wire/scope.ts';
import { Engine } from './runtime/engine.ts';
import { replicaName } from './runtime/replica-identity.ts';
import { CommandExecutor } from './runtime/command-executor.ts';
import { SimulatedCommandRunner } from './runtime/task-runners/simulated-command-runner.ts';
import { SimulatedRunner } from './runtime/task-runners/simulated-runner.ts';
import { CommandTaskRunner } from './runtime/task-runners/command-task-runner.ts';
import { RunnersByTaskType } from './runtime/task-runners/task-runner.ts';
import { ControlService } from './service/control.ts';
import { ManualClock } from './service/manual-clock.ts';
import { agentOperations } from './wire/agent-api.ts';
import { controlAuthenticator, fromBearer } from './wire/control-auth.ts';
import { createConsoleHandler } from './console/console-handler.ts';
import { CredentialsFile } from './wire/credentials-file.ts';
import { createHttpServer, listen } from './wire/http-server.ts';
import { SignatureVerifier } from './wire/sigv4.ts';
import { ServiceMetrics } from './runtime/metrics.ts';
import type { RecordedEvent } from './domain/events.ts';
import type { RequestRecord } from './wire/http-server.ts';
import { EventBus } from './runtime/event-bus.ts';
import { createDeliver } from './runtime/event-delivery.ts';
import { StateEvents } from './runtime/state-events.ts';
import { eventRoutes, eventTargetFromFlag } from './wire/event-routes.ts';
import { DEFAULT_PING_TIMEOUT_MS } from './domain/managed-instances.ts';

export interface AppConfig {
  /** Interface to listen on. Default 127.0.0.1. */
  host: string;
  /** TCP port; 0 picks a free one. Default 4100. */
  port: number;
  /** Folder for the SQLite database. Default ./data. */
  dataDir: string;
  /** `postgres://...` to keep the state in PostgreSQL instead of SQLite (several replicas may share it). */
  store?: string;
  /** PostgreSQL schema to use (created if missing); default: the connection's search_path. */
  postgresSchema?: string;
  quotas: Quotas;
  /** Write a line per notable event to stderr. */
  /** Where the service's own lines go; `level` (default info) is error for a fault of ours (a 500's cause). */
  log: (message: string, fields?: Record<string, unknown>, level?: 'info' | 'warn' | 'error') => void;
  /** Told of every answered request (the request log). */
  onAnswered?: (record: RequestRecord) => void;
  /** Told of the state changes each engine step recorded (the debug log). */
  onTransitions?: (events: RecordedEvent[]) => void;
  /** 'system' (default), or 'manual': time moves only through POST /_mw/clock. */
  clockMode: 'system' | 'manual';
  /** Where the manual clock starts (epoch ms); default: the real time at start. */
  manualClockStart?: number;
  /** How long a simulated invocation runs when no outcome rule says otherwise. Default 1 s. */
  invocationSeconds: number;
  /** A JSON file of managed nodes to load into the inventory at start (see `--nodes`). */
  nodesFile?: string;
  /** The keys whose SigV4 signatures are accepted (`--credentials`); without it no signature is verified. */
  credentialsFile?: string;
  /** PEM files to serve HTTPS instead of HTTP on the same port. */
  tlsCertFile?: string;
  tlsKeyFile?: string;
  /** Listen on a non-loopback address without `--credentials` anyway. */
  insecureOpen?: boolean;
  /** How long an engine replica holds a running execution without renewing it. Default 15 s. */
  leaseSeconds: number;
  /** Webhooks that receive every state-change event as a JSON POST (`--event-webhook`, repeatable). */
  eventWebhooks?: string[];
  /** An EventBridge endpoint (AWS or an emulator) that receives every event through PutEvents. */
  eventBridgeEndpoint?: string;
  /** The event bus PutEvents names (default `default`). */
  eventBridgeBus?: string;
  /** The Source PutEvents sends (default aws.ssm; AWS itself refuses aws.* from customers: use your own there). */
  eventBridgeSource?: string;
  /** Events kept for delivery at most; older ones are dropped (default 100,000). */
  eventRetention: number;
  /** First retry delay of a failed delivery, doubled at each failure up to 30 s (default 500 ms). */
  eventRetryMs?: number;
  /** The longest wait between retries (default 30 s). */
  eventRetryMaxMs?: number;
  /** How long a registered node stays Online without word from its agent. Default 600 s (AWS's ten minutes). */
  pingTimeoutSeconds: number;
  /** Start the scheduler and executor (default true; tests of the control plane alone may turn it off). */
  engine: boolean;
  clock?: Clock;
  ids?: IdGenerator;
}

export const defaultConfig: AppConfig = {
  host: '127.0.0.1',
  port: 4100,
  dataDir: './data',
  quotas: defaultQuotas,
  log: () => {},
  clockMode: 'system',
  invocationSeconds: 1,
  leaseSeconds: 15,
  pingTimeoutSeconds: DEFAULT_PING_TIMEOUT_MS / 1000,
  eventRetention: 100_000,
  engine: true,
};

export interface RunningApp {
  host: string;
  port: number;
  /** http(s)://host:port, ready for an SDK's `endpoint`. */
  endpoint: string;
  /** Reads the --credentials file again (SIGHUP); throws, keeping the keys in use, when it is not valid. */
  reloadCredentials?(): void;
  stop(): Promise<void>;
}

/** The start-up step that failed, with the input it was given; the CLI turns it into one line for a person. */
export type StartupStep =
  | { step: 'sqlite'; dataDir: string }
  | { step: 'postgres'; store: string }
  | { step: 'nodes'; file: string }
  | { step: 'credentials'; file: string }
  | { step: 'tls'; cert: string; key: string }
  | { step: 'exposure'; host: string }
  | { step: 'listen'; host: string; port: number };

/** The service could not start; `cause` is the error underneath (an errno error, a pg error, a SyntaxError...). */
export class StartupError extends Error {
  readonly failed: StartupStep;
  constructor(failed: StartupStep, options: { cause: unknown }) {
    super(`could not start (${failed.step}): ${(options.cause as Error)?.message ?? String(options.cause)}`, options);
    this.failed = failed;
  }
}

/** Runs one start-up step, labelling what it throws with the step and its input. */
async function step<T>(failed: StartupStep, run: () => T | Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (cause) {
    throw new StartupError(failed, { cause });
  }
}

const PAGE_TOKEN_KEY = 'page-token-key';
const SWEEP_INTERVAL_MS = 60 * 60 * 1000;

async function pageTokens(store: Store): Promise<PageTokens> {
  // Kept in the store so tokens handed out before a restart stay valid after it.
  await store.putSettingIfAbsent(PAGE_TOKEN_KEY, randomBytes(32).toString('hex'));
  return new PageTokens((await store.getSetting(PAGE_TOKEN_KEY))!);
}

/** Loads a --nodes file (wire/control-decode.ts decodeNodeList says what it holds) into the inventory. */
async function loadNodes(control: ControlService, file: string): Promise<void> {
  for (const { scope, node } of decodeNodeList(JSON.parse(await readFile(file, 'utf8')))) await control.putNode(scope, node);
}

export async function startApp(config: AppConfig): Promise<RunningApp> {
  const store: Store = config.store?.startsWith('postgres')
    // Loaded only for PostgreSQL: the embedded default never pays pg's start time.
    ? await step({ step: 'postgres', store: config.store }, async () => (await import('./storage/postgres/postgres-store.ts')).openPostgresStore({ connectionString: config.store!, schema: config.postgresSchema }))
    : await step({ step: 'sqlite', dataDir: config.dataDir }, () => new SqliteStore({ path: join(config.dataDir, 'mw.sqlite') }));
  // Whatever fails after the store is open closes what was opened, so a failed start leaves nothing running.
  try {
    return await startOnStore(config, store);
  } catch (error) {
    await store.close().catch(() => undefined);
    throw error;
  }
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}

function readTls(certFile: string | undefined, keyFile: string | undefined): { cert: Buffer; key: Buffer } {
  if (!certFile || !keyFile) throw new Error('--tls-cert and --tls-key go together');
  return { cert: readFileSync(certFile), key: readFileSync(keyFile) };
}

async function startOnStore(config: AppConfig, store: Store): Promise<RunningApp> {
  // Trust settings first: a service that must not listen as configured starts nothing.
  const credentials = config.credentialsFile
    ? await step({ step: 'credentials', file: config.credentialsFile }, () => new CredentialsFile(config.credentialsFile!))
    : undefined;
  const tls = config.tlsCertFile || config.tlsKeyFile
    ? await step({ step: 'tls', cert: config.tlsCertFile ?? '', key: config.tlsKeyFile ?? '' }, () => readTls(config.tlsCertFile, config.tlsKeyFile))
    : undefined;
  if (!credentials) {
    if (!isLoopback(config.host) && !config.insecureOpen) {
      await step({ step: 'exposure', host: config.host }, () => { throw new Error('no --credentials'); });
    }
  }
  const manualClock = config.clockMode === 'manual' ? new ManualClock(config.manualClockStart ?? systemClock.now()) : undefined;
  const clock = manualClock ?? config.clock ?? systemClock;
  const ids = config.ids ?? randomIds;
  const identity = { host: hostname(), pid: process.pid, nonce: randomBytes(4).toString('hex') };
  // RUN_COMMAND invocations send Run Command commands, which simulated nodes run; the other task types
  // are simulated as a whole.
  const commands = new CommandExecutor(new SimulatedCommandRunner(config.invocationSeconds * 1000));
  const delivery = createDeliver({ eventBridgeSource: config.eventBridgeSource });
  const events = new EventBus({
    store, owner: replicaName(identity), deliver: delivery.deliver, realClock: systemClock, retention: config.eventRetention, log: config.log, leaseMs: config.leaseSeconds * 1000,
    backoffMs: config.eventRetryMs, maxBackoffMs: config.eventRetryMaxMs, observe: (outcome) => metrics.eventOutcome(outcome),
  });
  let agents: AgentService | undefined;
  const metrics: ServiceMetrics = new ServiceMetrics(store, () => agents?.onlineCount() ?? 0, () => events.depth());
  const engine = new Engine({
    store,
    events: new StateEvents(metrics),
    metrics,
    onEventsRecorded: (recorded) => {
      events.wake();
      config.onTransitions?.(recorded);
    },
    clock,
    realClock: systemClock,
    manualClock,
    ids,
    runner: new RunnersByTaskType({ RUN_COMMAND: new CommandTaskRunner(commands) }, new SimulatedRunner(config.invocationSeconds * 1000)),
    commands,
    log: config.log,
    owner: replicaName(identity),
    identity,
    leaseMs: config.leaseSeconds * 1000,
  });
  const ctx: ServiceContext = {
    store,
    clock,
    clockMode: manualClock ? 'manual' : 'system',
    ids,
    tokens: await pageTokens(store),
    quotas: config.quotas,
    pingTimeoutMs: config.pingTimeoutSeconds * 1000,
  };
  agents = new AgentService(ctx, systemClock);
  const services = {
    windows: new WindowService(ctx),
    targets: new TargetService(ctx),
    tasks: new TaskService(ctx),
    schedule: new ScheduleService(ctx),
    tags: new TagService(ctx),
    instances: new InstanceService(ctx),
    history: new HistoryService(ctx),
    commands: new CommandService(ctx, engine),
  };
  const handlers = createHandlers({
    ...services,
    documents: new DocumentService(ctx.tokens),
    activations: new ActivationService(ctx),
    clock,
    engine,
  });
  const control = new ControlService(ctx, engine);
  const nodesFile = config.nodesFile;
  if (nodesFile) await step({ step: 'nodes', file: nodesFile }, () => loadNodes(control, nodesFile));
  if (config.engine) await engine.start();
  await events.start([
    ...(config.eventWebhooks ?? []).map((url) => eventTargetFromFlag('webhook', url)),
    ...(config.eventBridgeEndpoint ? [eventTargetFromFlag('eventbridge', config.eventBridgeEndpoint, config.eventBridgeBus)] : []),
  ]);
  const verifier = credentials ? new SignatureVerifier(credentials) : undefined;
  const controlAuth = credentials && verifier ? controlAuthenticator(credentials, verifier) : undefined;
  const server = createHttpServer({
    api: createApiHandler(handlers, verifier ? async (request) => { const { account, region } = await verifier.verify(request); return { account, region }; } : undefined, agentOperations(new RegistrationService(ctx), agents, new AgentDelivery({ store, commands, waiters: commands.waiters, engine, clock, realClock: systemClock, pingTimeoutMs: ctx.pingTimeoutMs }), systemClock)),
    control: createControlHandler(control, controlAuth, eventRoutes(events)),
    pages: createConsoleHandler({
      services: { ...services, control, pingTimeoutMs: ctx.pingTimeoutMs },
      defaultScope: { account: DEFAULT_ACCOUNT, region: DEFAULT_REGION },
      authenticate: credentials ? (token, region) => fromBearer(credentials, token, region ?? null) : undefined,
    }),
    log: config.log,
    tls,
    metrics: metricsRoute(() => metrics.text(), controlAuth),
    onAnswered: (record) => {
      metrics.request(record);
      config.onAnswered?.(record);
    },
  });
  const running = await step({ step: 'listen', host: config.host, port: config.port }, () => listen(server, config.host, config.port))
    .catch(async (error: unknown) => {
      await events.stop();
      delivery.close();
      await engine.stop();
      throw error;
    });

  // Said once the service runs, so a start that fails still says only why.
  if (!credentials) config.log('no --credentials given: requests are not authenticated, any signature is accepted');
  const sweep = setInterval(() => {
    store.deleteIdempotencyRecordsBefore(clock.now() - IDEMPOTENCY_RETENTION_MS).catch((error: unknown) => {
      config.log('idempotency sweep failed', { error: String(error) });
    });
  }, SWEEP_INTERVAL_MS);
  sweep.unref();

  const host = running.host.includes(':') ? `[${running.host}]` : running.host;
  return {
    host: running.host,
    port: running.port,
    endpoint: `${tls ? 'https' : 'http'}://${host}:${running.port}`,
    reloadCredentials: credentials ? () => credentials.reload() : undefined,
    async stop() {
      clearInterval(sweep);
      events.endStreams();
      await running.close();
      await events.stop();
      delivery.close();
      await engine.stop();
      await store.close();
    },
  };
}
