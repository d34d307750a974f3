// What the service is started with (AppConfig, its defaults), what a start gives back (RunningApp), and
// how a start that fails says which step failed (StartupError). The composition root is app.ts.

import { DEFAULT_PING_TIMEOUT_MS } from './domain/managed-instances.ts';
import { defaultQuotas, type Quotas } from './service/context.ts';
import type { Clock, IdGenerator } from './service/ports.ts';
import type { RecordedEvent } from './domain/events.ts';
import type { RequestRecord } from './wire/http-server.ts';

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
  /** Windows, targets, tasks, tags and documents allowed per account and Region (default: AWS's defaults, defaultQuotas). */
  quotas: Quotas;
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
  /**
   * Task types run as simulated invocations (outcome rules, invocationSeconds) instead of for real:
   * AUTOMATION (else: a real automation execution), LAMBDA, STEP_FUNCTIONS (else: the endpoint configured).
   */
  simulatedTaskTypes?: string[];
  /**
   * Run aws:executeScript steps: runbook code (Python, PowerShell) runs on this machine as the service's
   * user, each script in its own process. Default off: such a step fails saying so.
   */
  allowExecuteScript?: boolean;
  /**
   * Keep each Session Manager session's output (what the node sent, bounded at 1 MiB by the relay) in the
   * store, where every replica's console reads it; deleted 30 days after the session ends. Default off.
   */
  sessionTranscripts?: boolean;
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
  /** How long a job sent down an agent's control channel waits for its agent_job_ack before it is sent again. */
  jobVisibilitySeconds: number;
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
  /** The service's clock when it is not manual (default: systemClock); tests may give their own. */
  clock?: Clock;
  /** Where ids come from (default: randomIds); tests may give a predictable source. */
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
  jobVisibilitySeconds: 30,
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
export async function step<T>(failed: StartupStep, run: () => T | Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (cause) {
    throw new StartupError(failed, { cause });
  }
}
