// The composition root: configuration -> store -> runtime -> services -> HTTP, each a named step below that
// returns a handle stopping what it started. The only place that picks a storage engine, a clock and an id
// source. What it is started with and what it gives back are declared in app-config.ts.

import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { type AppConfig, type RunningApp, step } from './app-config.ts';
import type { ConsoleOptions } from './console/console-handler.ts';
import { createHandlers } from './operations/index.ts';
import { CommandExecutor } from './runtime/command-executor.ts';
import { Engine } from './runtime/engine.ts';
import { EventBus } from './runtime/event-bus.ts';
import { createDeliver } from './runtime/event-delivery.ts';
import { ServiceMetrics } from './runtime/metrics.ts';
import { replicaName } from './runtime/replica-identity.ts';
import { StateEvents } from './runtime/state-events.ts';
import { AutomationExecutor } from './runtime/automation-executor.ts';
import type { ScriptRunner } from './runtime/automation-script.ts';
import { AutomationCalls } from './runtime/automation-calls/automation-calls.ts';
import { AutomationService } from './service/automations.ts';
import { SessionService } from './service/sessions.ts';
import { SessionTranscriptService } from './service/session-transcripts.ts';
import { TranscriptWriter } from './runtime/transcript-writer.ts';
import type { TaskType } from './domain/model.ts';
import { AutomationTaskRunner } from './runtime/task-runners/automation-task-runner.ts';
import { CommandTaskRunner } from './runtime/task-runners/command-task-runner.ts';
import { SimulatedCommandRunner } from './runtime/task-runners/simulated-command-runner.ts';
import { SimulatedRunner } from './runtime/task-runners/simulated-runner.ts';
import { remoteRunners, simulatedTaskTypes } from './runtime/task-runners/remote-runners.ts';
import { RunnersByTaskType, type TaskRunner } from './runtime/task-runners/task-runner.ts';
import { ActivationService } from './service/activations.ts';
import { AgentDelivery } from './service/agent-delivery.ts';
import { AgentService } from './service/agents.ts';
import { ControlChannels } from './service/control-channels.ts';
import { CommandService } from './service/commands.ts';
import type { ServiceContext } from './service/context.ts';
import { ControlService } from './service/control.ts';
import { DocumentService } from './service/documents.ts';
import { HistoryService } from './service/history.ts';
import { IDEMPOTENCY_RETENTION_MS } from './service/idempotency.ts';
import { InstanceService } from './service/instances.ts';
import { ManualClock } from './service/manual-clock.ts';
import { PageTokens } from './service/page-tokens.ts';
import type { Clock, Store } from './service/ports.ts';
import { RegistrationService } from './service/registrations.ts';
import { ScheduleService } from './service/schedule.ts';
import { randomIds, systemClock } from './service/system.ts';
import { TagService } from './service/tags.ts';
import { TargetService } from './service/targets.ts';
import { TaskService } from './service/tasks.ts';
import { WindowService } from './service/windows.ts';
import { SqliteStore } from './storage/sqlite/sqlite-store.ts';
import { agentOperations } from './wire/agent-api.ts';
import { createApiHandler } from './wire/api.ts';
import { controlAuthenticator, fromBearer } from './wire/control-auth.ts';
import { createControlHandler, metricsRoute } from './wire/control.ts';
import { decodeNodeList } from './wire/control-decode.ts';
import { CredentialsFile } from './wire/credentials-file.ts';
import { eventRoutes, eventTargetFromFlag } from './wire/event-routes.ts';
import { createHttpServer, listen, type PageHandler } from './wire/http-server.ts';
import { mgsRoutes } from './wire/mgs-routes.ts';
import { SessionEndpoint } from './wire/mgs/session-endpoint.ts';
import { inProcessCaller } from './wire/in-process-calls.ts';
import { DEFAULT_ACCOUNT, DEFAULT_REGION } from './wire/scope.ts';
import { SignatureVerifier } from './wire/sigv4.ts';

export { type AppConfig, defaultConfig, type RunningApp, StartupError, type StartupStep } from './app-config.ts';

const PAGE_TOKEN_KEY = 'page-token-key';
const SWEEP_INTERVAL_MS = 60 * 60 * 1000;

/** What a step started, and how to stop it. */
interface Handle {
  stop(): Promise<void>;
}

export async function startApp(config: AppConfig): Promise<RunningApp> {
  /** What the steps started, stopped in the reverse order. */
  const started: Handle[] = [];
  const stopAll = async () => {
    for (const handle of started.splice(0).reverse()) await handle.stop();
  };
  try {
    const store = await openStore(config);
    started.push({ stop: () => store.close() });
    // Trust settings before anything runs: a service that must not listen as configured starts nothing.
    const trust = await readTrust(config);
    const time = clocks(config);
    const ctx = await serviceContext(config, store, time);
    const agents = new AgentService(ctx, systemClock);
    // aws:executeScript runs runbook code on this machine: only with --allow-execute-script, and its module
    // (with node:child_process) is loaded only then.
    const scripts = config.allowExecuteScript ? (await import('./runtime/automation-script.ts')).scriptRunner() : undefined;
    const runtime = createRuntime(config, ctx, time, agents, scripts);
    started.push(runtime);
    const services = createServices(config, ctx, runtime, agents);
    started.push(services);
    const nodesFile = config.nodesFile;
    if (nodesFile) await step({ step: 'nodes', file: nodesFile }, () => loadNodes(services.control, nodesFile));
    await runtime.start();
    const http = await startHttp(config, trust, ctx, services, runtime);
    started.push(http);
    // Said once the service runs, so a start that fails still says only why.
    if (!trust.credentials) config.log('no --credentials given: requests are not authenticated, any signature is accepted');
    return { host: http.host, port: http.port, endpoint: http.endpoint, reloadCredentials: trust.reloadCredentials, stop: stopAll };
  } catch (error) {
    // Whatever fails stops what was started, so a failed start leaves nothing running and says only why.
    for (const handle of started.splice(0).reverse()) await handle.stop().catch(() => undefined);
    throw error;
  }
}

// ---- store

/** Opens the store: PostgreSQL for a `postgres://` --store, SQLite in the data folder otherwise. */
function openStore(config: AppConfig): Promise<Store> {
  return config.store?.startsWith('postgres')
    // Loaded only for PostgreSQL: the embedded default never pays pg's start time.
    ? step({ step: 'postgres', store: config.store }, async () => {
      const { openPostgresStore } = await import('./storage/postgres/postgres-store.ts');
      return openPostgresStore({ connectionString: config.store!, schema: config.postgresSchema });
    })
    : step({ step: 'sqlite', dataDir: config.dataDir }, () => new SqliteStore({ path: join(config.dataDir, 'mw.sqlite') }));
}

// ---- trust: who may call, over what (nothing is started)

interface Trust {
  credentials?: CredentialsFile;
  tls?: { cert: Buffer; key: Buffer };
  verifier?: SignatureVerifier;
  reloadCredentials?: () => void;
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}

function readTls(certFile: string | undefined, keyFile: string | undefined): { cert: Buffer; key: Buffer } {
  if (!certFile || !keyFile) throw new Error('--tls-cert and --tls-key go together');
  return { cert: readFileSync(certFile), key: readFileSync(keyFile) };
}

async function readTrust(config: AppConfig): Promise<Trust> {
  const credentials = config.credentialsFile
    ? await step({ step: 'credentials', file: config.credentialsFile }, () => new CredentialsFile(config.credentialsFile!))
    : undefined;
  const tls = config.tlsCertFile || config.tlsKeyFile
    ? await step({ step: 'tls', cert: config.tlsCertFile ?? '', key: config.tlsKeyFile ?? '' }, () => readTls(config.tlsCertFile, config.tlsKeyFile))
    : undefined;
  if (!credentials && !isLoopback(config.host) && !config.insecureOpen) {
    await step({ step: 'exposure', host: config.host }, () => { throw new Error('no --credentials'); });
  }
  return {
    credentials,
    tls,
    verifier: credentials ? new SignatureVerifier(credentials, systemClock) : undefined,
    reloadCredentials: credentials ? () => credentials.reload() : undefined,
  };
}

// ---- time and the services' context

/** The service's clock (manual or system), and the real one leases, backoff and credentials are measured on. */
interface Time {
  clock: Clock;
  /** Present with --clock manual: the engine moves it. */
  manualClock?: ManualClock;
  realClock: Clock;
}

function clocks(config: AppConfig): Time {
  const manualClock = config.clockMode === 'manual' ? new ManualClock(config.manualClockStart ?? systemClock.now()) : undefined;
  return { clock: manualClock ?? config.clock ?? systemClock, manualClock, realClock: systemClock };
}

async function pageTokens(store: Store): Promise<PageTokens> {
  // Kept in the store so tokens handed out before a restart stay valid after it.
  await store.putSettingIfAbsent(PAGE_TOKEN_KEY, randomBytes(32).toString('hex'));
  return new PageTokens((await store.getSetting(PAGE_TOKEN_KEY))!);
}

async function serviceContext(config: AppConfig, store: Store, time: Time): Promise<ServiceContext> {
  return {
    store,
    clock: time.clock,
    clockMode: time.manualClock ? 'manual' : 'system',
    ids: config.ids ?? randomIds,
    tokens: await pageTokens(store),
    quotas: config.quotas,
    pingTimeoutMs: config.pingTimeoutSeconds * 1000,
  };
}

// ---- runtime: the engine, Run Command's executor, the event bus and its delivery, the metrics

type Runtime = ReturnType<typeof createRuntime>;

/** Builds the runtime; nothing runs until start() (after the --nodes file is loaded); stop() works either way. */
function createRuntime(config: AppConfig, ctx: ServiceContext, time: Time, agents: AgentService, scripts: ScriptRunner | undefined) {
  const { store, ids } = ctx;
  const identity = { host: hostname(), pid: process.pid, nonce: randomBytes(4).toString('hex') };
  const owner = replicaName(identity);
  const leaseMs = config.leaseSeconds * 1000;
  // RUN_COMMAND invocations send Run Command commands, which simulated nodes run; LAMBDA and STEP_FUNCTIONS
  // call the endpoint the AWS SDK's environment names for them, if any; the rest is simulated as a whole.
  const commands = new CommandExecutor(new SimulatedCommandRunner(config.invocationSeconds * 1000));
  const delivery = createDeliver({ eventBridgeSource: config.eventBridgeSource });
  // The queue depth is read at scrape time, from the bus built just below.
  const metrics = new ServiceMetrics(store, () => agents.onlineCount(), () => events.depth());
  const remote = remoteRunners(process.env, { store, clock: time.clock, wake: () => void engine.wake(), metrics, log: config.log });
  // AUTOMATION invocations run their runbook in the automation engine (outcome rules still decide them).
  const simulated = new SimulatedRunner(config.invocationSeconds * 1000);
  // Automation's calls to services: EC2, Lambda, Step Functions at the endpoints configured, ssm in process.
  const automationCalls = new AutomationCalls(process.env, store);
  const automations = new AutomationExecutor(ids, { calls: automationCalls.calls, scripts: scripts?.call, notEndedLimit: config.quotas.automationsNotEnded });
  const real: Partial<Record<TaskType, TaskRunner>> = { RUN_COMMAND: new CommandTaskRunner(commands), AUTOMATION: new AutomationTaskRunner(automations, simulated), ...remote.runners };
  // --simulate: the operator's choice of task types that stay simulated whatever could run them for real.
  const byType = Object.fromEntries(Object.entries(real).filter(([type]) => !(config.simulatedTaskTypes ?? []).includes(type))) as Partial<Record<TaskType, TaskRunner>>;
  const runner = new RunnersByTaskType(byType, simulated);
  const events = new EventBus({
    store, owner, deliver: delivery.deliver, realClock: time.realClock, retention: config.eventRetention, log: config.log, leaseMs,
    backoffMs: config.eventRetryMs, maxBackoffMs: config.eventRetryMaxMs, observe: (outcome) => metrics.eventOutcome(outcome),
  });
  const engine = new Engine({
    store, events: new StateEvents(metrics), metrics, clock: time.clock, realClock: time.realClock, manualClock: time.manualClock,
    ids, runner, commands, automations, log: config.log, owner, identity, leaseMs,
    onEventsRecorded: (recorded) => {
      events.wake();
      config.onTransitions?.(recorded);
    },
  });
  automations.connect(store, time.clock, () => void engine.wake(), config.log);
  let stopWakeBus: (() => Promise<void>) | undefined;
  automations.countWith(metrics);
  return {
    engine, commands, automations, automationCalls, events, metrics, owner,
    /** Starts the engine (unless config.engine is false) and the delivery to the command line's event targets. */
    async start(): Promise<void> {
      // Replicas on one PostgreSQL database wake each other's polls and channels when a message is queued.
      if (store.wakeBus) stopWakeBus = await commands.waiters.connect(store.wakeBus(config.log));
      if (config.engine) {
        config.log('task types simulated (no AWS endpoint configured for them, or --simulate)', { simulated: simulatedTaskTypes(byType), endpoints: remote.endpoints });
        await engine.start();
      }
      await events.start([
        ...(config.eventWebhooks ?? []).map((url) => eventTargetFromFlag('webhook', url)),
        ...(config.eventBridgeEndpoint ? [eventTargetFromFlag('eventbridge', config.eventBridgeEndpoint, config.eventBridgeBus)] : []),
      ]);
    },
    async stop(): Promise<void> {
      await events.stop();
      delivery.close();
      // Remote calls first: an answer arriving later would wake an engine that is stopping.
      await runner.stop();
      automationCalls.stop();
      scripts?.close();
      await engine.stop();
      await stopWakeBus?.();
    },
  };
}

// ---- services: the use cases, and the housekeeping they own

type Services = ReturnType<typeof createServices>;

function createServices(config: AppConfig, ctx: ServiceContext, runtime: Runtime, agents: AgentService) {
  const { engine } = runtime;
  const byResource = {
    windows: new WindowService(ctx),
    targets: new TargetService(ctx),
    tasks: new TaskService(ctx),
    schedule: new ScheduleService(ctx),
    tags: new TagService(ctx),
    instances: new InstanceService(ctx),
    history: new HistoryService(ctx),
    commands: new CommandService(ctx, engine),
    documents: new DocumentService(ctx),
    automations: new AutomationService(ctx, engine),
    // Session Manager; the control channel and the relay wire themselves in with sessions.connect().
    sessions: new SessionService(ctx, { metrics: runtime.metrics }),
  };
  const handlers = createHandlers({
    ...byResource, activations: new ActivationService(ctx, byResource.sessions), clock: ctx.clock, engine,
  });
  // Automation's calls to ssm go to these handlers, through the wire's checks.
  runtime.automationCalls.connectSelf(inProcessCaller(handlers));
  const sweep = sweepIdempotencyRecords(ctx, config.log);
  return { ...byResource, handlers, agents, control: new ControlService(ctx, engine), stop: sweep.stop };
}

/** Deletes idempotency records past their retention, every hour (a timer that does not keep the process up). */
function sweepIdempotencyRecords(ctx: ServiceContext, log: AppConfig['log']): Handle {
  const timer = setInterval(() => {
    ctx.store.deleteIdempotencyRecordsBefore(ctx.clock.now() - IDEMPOTENCY_RETENTION_MS).catch((error: unknown) => {
      log('idempotency sweep failed', { error: String(error) });
    });
  }, SWEEP_INTERVAL_MS);
  timer.unref();
  return { stop: async () => clearInterval(timer) };
}

/** Loads a --nodes file (wire/control-decode.ts decodeNodeList says what it holds) into the inventory. */
async function loadNodes(control: ControlService, file: string): Promise<void> {
  for (const { scope, node } of decodeNodeList(JSON.parse(await readFile(file, 'utf8')))) await control.putNode(scope, node);
}

// ---- HTTP: the AWS API, the agents' API, the control routes, the console and the metrics

async function startHttp(config: AppConfig, trust: Trust, ctx: ServiceContext, services: Services, runtime: Runtime) {
  const { credentials, verifier, tls } = trust;
  const { store, clock } = ctx;
  const { engine, commands, events, metrics } = runtime;
  const agents = services.agents;
  const controlAuth = credentials && verifier ? controlAuthenticator(credentials, verifier) : undefined;
  const delivery = new AgentDelivery({ store, commands, waiters: commands.waiters, engine, clock, realClock: systemClock, pingTimeoutMs: ctx.pingTimeoutMs });
  const agentApi = agentOperations(new RegistrationService(ctx), agents, delivery, systemClock);
  // The agents' ssmmessages control channels: the same delivery, pushed down a WebSocket.
  const channels = new ControlChannels({ store, agents, delivery, waiters: commands.waiters, realClock: systemClock, replica: runtime.owner, log: config.log, sessions: services.sessions, jobSent: (kind) => metrics.channelJobSent(kind),
    jobVisibilityMs: config.jobVisibilitySeconds * 1000,
  });
  metrics.countChannelsWith(() => channels.size());
  // Session Manager: a node is connected while its control channel is open, and a session's start or end
  // queued for it wakes its channel's delivery loop; the relay joins the plugin's and the agent's data channels.
  services.sessions.connect({ connections: channels, onSignalQueued: (scope, nodeId) => commands.waiters.wake(scope, nodeId) });
  // --session-transcripts: the relay's output goes to the store in batches; any replica's console reads it.
  const transcripts = new SessionTranscriptService(ctx, { recording: config.sessionTranscripts === true });
  const transcriptWriter = transcripts.recording ? new TranscriptWriter({ store, clock, log: config.log }) : undefined;
  const sessionEndpoint = new SessionEndpoint({
    sessions: services.sessions, channels, realClock: systemClock, clock, log: config.log, transcripts: transcriptWriter,
    relayed: (from, bytes) => metrics.sessionBytesRelayed(from, bytes),
  });
  const mgs = mgsRoutes({ agents, channels, realClock: systemClock, log: config.log, dataChannels: () => sessionEndpoint });
  const server = createHttpServer({
    api: createApiHandler(services.handlers, verifier ? async (request) => {
      const { account, region } = await verifier.verify(request);
      return { account, region };
    } : undefined, agentApi, { secure: tls !== undefined }),
    control: createControlHandler(services.control, controlAuth, eventRoutes(events)),
    pages: consolePages({
      services: { ...services, pingTimeoutMs: ctx.pingTimeoutMs, transcripts },
      defaultScope: { account: DEFAULT_ACCOUNT, region: DEFAULT_REGION },
      authenticate: credentials ? (token, region) => fromBearer(credentials, token, region ?? null) : undefined,
    }),
    log: config.log,
    tls,
    mgs,
    metrics: metricsRoute(() => metrics.text(), controlAuth),
    onAnswered: (record) => {
      metrics.request(record);
      config.onAnswered?.(record);
    },
  });
  const running = await step({ step: 'listen', host: config.host, port: config.port }, () => listen(server, config.host, config.port));
  const host = running.host.includes(':') ? `[${running.host}]` : running.host;
  return {
    host: running.host,
    port: running.port,
    endpoint: `${tls ? 'https' : 'http'}://${host}:${running.port}`,
    async stop(): Promise<void> {
      // Live event streams hold their connections open: end them, or the server would wait for them.
      events.endStreams();
      // Agents' channels too: they reconnect to whichever replica answers next.
      // Sessions here end (Failed: their sockets die with the process), recorded before the store closes.
      await sessionEndpoint.stop();
      await transcriptWriter?.close();
      channels.closeAll();
      mgs.close();
      await running.close();
    },
  };
}

/**
 * The web console, loaded by its first page: its pages and what only they use are a tenth of the modules
 * the service would load at start otherwise.
 */
function consolePages(options: ConsoleOptions): PageHandler {
  let handler: Promise<PageHandler> | undefined;
  return async (request) => {
    handler ??= import('./console/console-handler.ts').then(({ createConsoleHandler }) => createConsoleHandler(options));
    return (await handler)(request);
  };
}
