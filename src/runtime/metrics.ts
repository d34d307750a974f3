// The service's Prometheus metrics (GET /metrics), with prom-client: requests by operation and error code,
// the history's final statuses and running invocations, how late due windows fire, lease takeovers,
// agent nodes online, the event queue and its delivery failures. Figures are this replica's: with
// several replicas, Prometheus scrapes each and sums them; windows by state and the event queue depth
// are read from the shared store at scrape time.

import { createRequire } from 'node:module';
import type * as PromClient from 'prom-client';
import type { SessionMetrics, Store } from '../service/ports.ts';
import { registerDefaultMetrics } from './default-metrics.ts';

// prom-client's own modules rather than its index, which also loads Summary (tdigest), the Pushgateway
// (node:https, zlib) and the cluster aggregator: none of them is used here, and they cost the service's start
// more than the rest of prom-client (about 50 ms of CPU on a 2-core machine). The same classes as the index's.
const promClient = createRequire(import.meta.url);
const Registry = promClient('prom-client/lib/registry') as typeof PromClient.Registry;
const Counter = promClient('prom-client/lib/counter') as typeof PromClient.Counter;
const Gauge = promClient('prom-client/lib/gauge') as typeof PromClient.Gauge;
const Histogram = promClient('prom-client/lib/histogram') as typeof PromClient.Histogram;

export interface EngineMetrics {
  /** A due window fired `lagMs` after its scheduled instant (system clock only). */
  windowFired(lagMs: number): void;
  /** Running executions this replica took over (from a replica that stopped renewing, or from its own last run). */
  executionsTakenOver(count: number): void;
}

export interface HistoryMetrics {
  /** A window execution, task execution or invocation reached a final status. */
  ended(kind: 'window_execution' | 'task_execution' | 'invocation', status: string): void;
  /** Invocations now running on this replica's engine. */
  runningInvocations(count: number): void;
}

/** LAMBDA and STEP_FUNCTIONS invocations sent to an endpoint (runtime/task-runners/remote-task-runner.ts). */
export interface RemoteCallMetrics {
  /** One remote call (Invoke, StartExecution, DescribeExecution, StopExecution): answered, refused (an error answer) or unreachable. */
  remoteCall(taskType: string, operation: string, outcome: 'answered' | 'refused' | 'unreachable', seconds: number): void;
  /** A remote invocation's end, as recorded. */
  remoteInvocationEnded(taskType: string, status: string): void;
}

/** Automation executions and their steps (runtime/automation-events.ts counts them once their change commits). */
export interface AutomationMetrics {
  /** An execution started: by an API call, a window's AUTOMATION task, or a parent execution (aws:executeAutomation, rate control). */
  automationStarted(by: 'api' | 'window' | 'automation'): void;
  /** An execution reached a final status. */
  automationEnded(status: string): void;
  /** A step reached a status (InProgress or Waiting as it starts, then its end). */
  automationStep(action: string, status: string): void;
}

/** The actions a step is counted under; any other name (a runbook may write anything) is counted as `other`. */
const COUNTED_ACTIONS = new Set([
  'aws:runCommand', 'aws:sleep', 'aws:pause', 'aws:approve', 'aws:branch', 'aws:executeAwsApi', 'aws:waitForAwsResourceProperty',
  'aws:assertAwsResourceProperty', 'aws:changeInstanceState', 'aws:createImage', 'aws:createTags', 'aws:invokeLambdaFunction',
  'aws:executeStateMachine', 'aws:executeAutomation', 'aws:executeScript', 'aws:deleteImage', 'aws:createStack', 'aws:deleteStack',
  'aws:copyImage', 'aws:runInstances', 'aws:loop', 'aws:invokeWebhook',
]);

export interface RequestObservation {
  operation: string;
  status: number;
  /** The error's __type; absent for a success. */
  code?: string;
  seconds: number;
}

export class ServiceMetrics implements EngineMetrics, HistoryMetrics, RemoteCallMetrics, AutomationMetrics, SessionMetrics {
  readonly registry = new Registry();
  private readonly requestSeconds: PromClient.Histogram<'operation' | 'code'>;
  private readonly requests: PromClient.Counter<'operation' | 'status' | 'code'>;
  private readonly finals: PromClient.Counter<'kind' | 'status'>;
  private readonly running: PromClient.Gauge;
  private readonly fireLag: PromClient.Histogram;
  private readonly takeovers: PromClient.Counter;
  private readonly eventsDelivered: PromClient.Counter<'target_kind'>;
  private readonly eventFailures: PromClient.Counter<'target_kind'>;
  private readonly eventsDropped: PromClient.Counter<'target_kind'>;
  private readonly remoteCalls: PromClient.Counter<'task_type' | 'operation' | 'outcome'>;
  private readonly remoteSeconds: PromClient.Histogram<'task_type' | 'operation'>;
  private readonly remoteEnds: PromClient.Counter<'task_type' | 'status'>;
  private readonly automationsStarted: PromClient.Counter<'started_by'>;
  private readonly automationsEnded: PromClient.Counter<'status'>;
  private readonly automationSteps: PromClient.Counter<'action' | 'status'>;
  private readonly sessionsStarted: PromClient.Counter<'session_type'>;
  private readonly sessionsEnded: PromClient.Counter<'outcome'>;
  private readonly channelJobs: PromClient.Counter<'kind'>;
  private readonly sessionBytes: PromClient.Counter<'from'>;
  /** How many agent control channels this replica holds open, once the channels exist (read at scrape time). */
  private openChannels: () => number = () => 0;

  /**
   * `store`: read at scrape time for windows by state and the event queue. `agentsOnline`: how many
   * registered nodes' agents were heard from within the ping timeout.
   */
  constructor(store: Store, agentsOnline: () => number, eventQueueDepth: () => Promise<number>) {
    const registers = [this.registry];
    registerDefaultMetrics(this.registry, 'mw_');
    this.requestSeconds = new Histogram({
      name: 'mw_request_duration_seconds', help: 'Time to answer an API or control request, by operation and error code ("" for success).',
      labelNames: ['operation', 'code'], buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 15], registers,
    });
    this.requests = new Counter({ name: 'mw_requests_total', help: 'Requests answered, by operation, HTTP status and error code.', labelNames: ['operation', 'status', 'code'], registers });
    this.finals = new Counter({ name: 'mw_history_final_total', help: 'Window executions, task executions and invocations that reached a final status.', labelNames: ['kind', 'status'], registers });
    this.running = new Gauge({ name: 'mw_invocations_running', help: 'Invocations IN_PROGRESS on this replica.', registers });
    this.fireLag = new Histogram({
      name: 'mw_engine_fire_lag_seconds', help: 'How late a due window fired after its scheduled instant (system clock).',
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60], registers,
    });
    this.takeovers = new Counter({ name: 'mw_engine_lease_takeovers_total', help: 'Running executions this replica took over after their lease lapsed.', registers });
    this.eventsDelivered = new Counter({ name: 'mw_events_delivered_total', help: 'Events a target acknowledged.', labelNames: ['target_kind'], registers });
    this.eventFailures = new Counter({ name: 'mw_event_delivery_failures_total', help: 'Delivery attempts that failed (retried later).', labelNames: ['target_kind'], registers });
    this.eventsDropped = new Counter({ name: 'mw_events_dropped_total', help: 'Events a target missed because they were dropped beyond the retention.', labelNames: ['target_kind'], registers });
    this.remoteCalls = new Counter({
      name: 'mw_remote_calls_total', help: 'Calls to Lambda and Step Functions endpoints, by task type, operation and outcome (answered, refused, unreachable).',
      labelNames: ['task_type', 'operation', 'outcome'], registers,
    });
    this.remoteSeconds = new Histogram({
      name: 'mw_remote_call_duration_seconds', help: 'Time a call to a Lambda or Step Functions endpoint took, retries included.',
      labelNames: ['task_type', 'operation'], buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 15, 60, 300, 900], registers,
    });
    this.remoteEnds = new Counter({ name: 'mw_remote_invocations_total', help: 'LAMBDA and STEP_FUNCTIONS invocations run on an endpoint, by final status.', labelNames: ['task_type', 'status'], registers });
    this.automationsStarted = new Counter({
      name: 'mw_automation_executions_started_total', help: 'Automation executions started, by who started them (api, window, automation: a parent execution).',
      labelNames: ['started_by'], registers,
    });
    this.automationsEnded = new Counter({ name: 'mw_automation_executions_ended_total', help: 'Automation executions that reached a final status, by status.', labelNames: ['status'], registers });
    this.automationSteps = new Counter({
      name: 'mw_automation_steps_total', help: 'Statuses automation steps reached (InProgress or Waiting as they start, then their end), by action and status.',
      labelNames: ['action', 'status'], registers,
    });
    new Gauge({
      name: 'mw_windows', help: 'Maintenance windows, by state.', labelNames: ['state'], registers,
      async collect() {
        const windows = await store.listAllWindows();
        const enabled = windows.filter((w) => w.window.enabled).length;
        this.set({ state: 'enabled' }, enabled);
        this.set({ state: 'disabled' }, windows.length - enabled);
      },
    });
    this.sessionsStarted = new Counter({ name: 'mw_sessions_started_total', help: 'Session Manager sessions started (StartSession), by session type.', labelNames: ['session_type'], registers });
    this.sessionsEnded = new Counter({ name: 'mw_sessions_ended_total', help: 'Session Manager sessions ended on this replica, by outcome (Terminated, Failed).', labelNames: ['outcome'], registers });
    new Gauge({ name: 'mw_sessions_active', help: 'Session Manager sessions not ended (every replica\'s, read from the store).', registers, async collect() { this.set(await store.countActiveSessions()); } });
    this.channelJobs = new Counter({ name: 'mw_control_channel_jobs_total', help: 'Run Command messages pushed down agents\' ssmmessages control channels (agent_job), by kind (command, cancel).', labelNames: ['kind'], registers });
    this.sessionBytes = new Counter({ name: 'mw_session_bytes_relayed_total', help: 'Bytes of data channel frames this replica relayed between session-manager-plugins and agents, by the side that sent them.', labelNames: ['from'], registers });
    const channels = () => this.openChannels();
    new Gauge({ name: 'mw_control_channels_open', help: 'Agents\' ssmmessages control channels open on this replica.', registers, collect() { this.set(channels()); } });
    new Gauge({ name: 'mw_agent_nodes_online', help: 'Registered nodes whose agent this replica heard from within the ping timeout.', registers, collect() { this.set(agentsOnline()); } });
    new Gauge({ name: 'mw_event_queue_depth', help: 'Events not yet acknowledged by the target furthest behind.', registers, async collect() { this.set(await eventQueueDepth()); } });
  }

  /** The labelled children per operation, status and code: prom-client hashes a label set on every call otherwise. */
  private readonly requestChildren = new Map<string, { seconds: { observe(v: number): void }; count: { inc(): void } }>();

  request(o: RequestObservation): void {
    const code = o.code ?? '';
    const key = `${o.operation}|${o.status}|${code}`;
    let children = this.requestChildren.get(key);
    if (!children) {
      children = {
        seconds: this.requestSeconds.labels({ operation: o.operation, code }),
        count: this.requests.labels({ operation: o.operation, status: String(o.status), code }),
      };
      // Operations are a closed set, but a bound keeps odd clients from growing it without end.
      if (this.requestChildren.size < 10_000) this.requestChildren.set(key, children);
    }
    children.seconds.observe(o.seconds);
    children.count.inc();
  }

  windowFired(lagMs: number): void {
    this.fireLag.observe(Math.max(0, lagMs) / 1000);
  }

  executionsTakenOver(count: number): void {
    this.takeovers.inc(count);
  }

  ended(kind: 'window_execution' | 'task_execution' | 'invocation', status: string): void {
    this.finals.inc({ kind, status });
  }

  runningInvocations(count: number): void {
    this.running.set(count);
  }

  remoteCall(taskType: string, operation: string, outcome: 'answered' | 'refused' | 'unreachable', seconds: number): void {
    this.remoteCalls.inc({ task_type: taskType, operation, outcome });
    this.remoteSeconds.observe({ task_type: taskType, operation }, seconds);
  }

  remoteInvocationEnded(taskType: string, status: string): void {
    this.remoteEnds.inc({ task_type: taskType, status });
  }

  automationStarted(by: 'api' | 'window' | 'automation'): void {
    this.automationsStarted.inc({ started_by: by });
  }

  /** Reads the number of open control channels from `count` at every scrape. */
  countChannelsWith(count: () => number): void {
    this.openChannels = count;
  }

  channelJobSent(kind: 'command' | 'cancel'): void {
    this.channelJobs.inc({ kind });
  }

  sessionBytesRelayed(from: 'client' | 'agent', bytes: number): void {
    this.sessionBytes.inc({ from }, bytes);
  }

  sessionStarted(sessionType: string): void {
    this.sessionsStarted.inc({ session_type: sessionType });
  }

  sessionEnded(outcome: 'Terminated' | 'Failed'): void {
    this.sessionsEnded.inc({ outcome });
  }

  automationEnded(status: string): void {
    this.automationsEnded.inc({ status });
  }

  automationStep(action: string, status: string): void {
    this.automationSteps.inc({ action: COUNTED_ACTIONS.has(action) ? action : 'other', status });
  }

  eventOutcome(outcome: { target: { kind: string }; delivered: number } | { target: { kind: string }; error: string } | { target: { kind: string }; dropped: number }): void {
    const labels = { target_kind: outcome.target.kind };
    if ('delivered' in outcome) this.eventsDelivered.inc(labels, outcome.delivered);
    else if ('error' in outcome) this.eventFailures.inc(labels);
    else this.eventsDropped.inc(labels, outcome.dropped);
  }

  async text(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
