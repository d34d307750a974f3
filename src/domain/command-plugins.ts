// The plugins (steps) of a Command document as Run Command runs them on one node, and how their results
// make the invocation's. Facts from the SSM Agent (github.com/aws/amazon-ssm-agent):
// - a schema 1.2 document's plugin is named after its `runtimeConfig` key (aws:runShellScript); a 2.x
//   document's after its step's `name` (agent/framework/runpluginutil: the plugin id);
// - a 2.2 step whose `precondition` does not hold is Skipped, exit code 0, with the agent's words as its
//   output; Skipped counts as success (agent/contracts/aggregator.go);
// - the document's status is Failed if a plugin failed, else TimedOut, else Cancelled, else Success once
//   every plugin succeeded or was skipped (the same precedence, a contract between agent and service).
// Pure: no I/O, no clock.

import type { DocumentStep } from './document-content.ts';

/** A plugin's status as the agent reports it; `Skipped` is shown as Success on the API [I]. */
export type PluginStatus = 'Pending' | 'InProgress' | 'Success' | 'Failed' | 'TimedOut' | 'Cancelled' | 'Skipped';

/** One plugin of a command: what the node runs, in order. */
export interface PluginSpec {
  /** The name CommandPlugins and GetCommandInvocation's PluginName use: the step name (1.2: the plugin). */
  name: string;
  /** The plugin that runs it, e.g. aws:runShellScript. */
  action: string;
  /** 2.2 only: `StringEquals` of two arguments (`platformType` or `{{ parameter }}` references). */
  precondition?: { StringEquals: [string, string] };
  /** The step's `timeoutSeconds` input when it has one (the agent's own limit for it, 3600 by default). */
  timeoutSeconds?: number;
}

/** How one plugin ran on one node. */
export interface PluginResult {
  name: string;
  status: PluginStatus;
  /** -1 until the plugin ends. */
  responseCode: number;
  stdout: string;
  stderr: string;
  /** The agent's own Output for the plugin when it is not the streams (a skipped step's reason). */
  output?: string;
  startedAt?: number;
  endedAt?: number;
}

/** The agent's default time limit for a plugin without `timeoutSeconds` (one hour). */
export const DEFAULT_PLUGIN_TIMEOUT_SECONDS = 3600;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** `{{ name }}` replaced by the parameter's value (a list joined as the agent joins a StringList into text). */
function resolveReferences(text: string, parameters: Record<string, string[]>): string {
  return text.replace(/\{\{\s*([A-Za-z0-9_.:-]+)\s*\}\}/g, (whole, name: string) => {
    const values = parameters[name];
    return values === undefined ? whole : values.join('\n');
  });
}

/** The plugins of a parsed Command document, in the order the agent runs them. */
export function pluginsOf(steps: readonly DocumentStep[], parameters: Record<string, string[]>): PluginSpec[] {
  return steps.map((step) => {
    const timeout = firstInput(step.inputs, 'timeoutSeconds');
    const seconds = timeout === undefined ? undefined : Number(resolveReferences(String(timeout), parameters));
    return {
      name: step.name,
      action: step.action,
      ...(step.precondition ? { precondition: step.precondition } : {}),
      ...(seconds !== undefined && Number.isFinite(seconds) && seconds > 0 ? { timeoutSeconds: Math.floor(seconds) } : {}),
    };
  });
}

/** An input of a step (a 1.2 plugin's inputs are a list of property maps: the first one's). */
function firstInput(inputs: unknown, key: string): unknown {
  const first = Array.isArray(inputs) ? inputs[0] : inputs;
  return isObject(first) ? first[key] : undefined;
}

/**
 * The longest a node may run the document: each plugin's time limit, one after the other (the agent
 * enforces each plugin's `timeoutSeconds`; the service has no limit of its own for the whole) [I].
 */
export function documentTimeLimitSeconds(plugins: readonly PluginSpec[], fallbackSeconds: number): number {
  if (plugins.every((p) => p.timeoutSeconds === undefined)) return fallbackSeconds;
  return plugins.reduce((sum, p) => sum + (p.timeoutSeconds ?? DEFAULT_PLUGIN_TIMEOUT_SECONDS), 0);
}

/**
 * Whether a 2.2 step runs on a node of `platform` with these parameter values; when not, the agent's words
 * for the skip (agent/framework/runpluginutil evaluatePreconditions: platformType compared without case).
 */
export function preconditionSkip(plugin: PluginSpec, platform: string, parameters: Record<string, string[]>): string | undefined {
  if (!plugin.precondition) return undefined;
  const [left, right] = plugin.precondition.StringEquals;
  let holds: boolean;
  if (left === 'platformType' || right === 'platformType') {
    const wanted = left === 'platformType' ? right : left;
    holds = wanted.toLowerCase() === platform.toLowerCase();
  } else {
    holds = resolveReferences(left, parameters) === resolveReferences(right, parameters);
  }
  if (holds) return undefined;
  return `Step execution skipped due to unsatisfied preconditions: '"StringEquals": [${left}, ${right}]'. Step name: ${plugin.name}`;
}

/** A plugin that did not run because its precondition does not hold on the node. */
export function skippedPlugin(name: string, reason: string, at: number): PluginResult {
  return { name, status: 'Skipped', responseCode: 0, stdout: '', stderr: '', output: reason, startedAt: at, endedAt: at };
}

const FINAL_PLUGIN: ReadonlySet<PluginStatus> = new Set(['Success', 'Failed', 'TimedOut', 'Cancelled', 'Skipped']);

export function isPluginFinal(status: PluginStatus): boolean {
  return FINAL_PLUGIN.has(status);
}

/**
 * Results merged by plugin name: what a later reply says of a plugin replaces what an earlier one said, in
 * the document's plugin order (the agent reports each plugin as it ends, then the document).
 */
export function mergePluginResults(order: readonly string[], before: readonly PluginResult[] | undefined, reported: readonly PluginResult[]): PluginResult[] {
  const byName = new Map((before ?? []).map((r) => [r.name, r]));
  for (const r of reported) byName.set(r.name, r);
  const known = order.filter((name) => byName.has(name)).map((name) => byName.get(name)!);
  const extra = [...byName.values()].filter((r) => !order.includes(r.name));
  return [...known, ...extra];
}

/** The document's status from its plugins, in the agent's precedence; undefined while one is not final. */
export function documentStatus(results: readonly PluginResult[], count: number): 'Success' | 'Failed' | 'TimedOut' | 'Cancelled' | undefined {
  if (results.some((r) => r.status === 'Failed')) return 'Failed';
  if (results.some((r) => r.status === 'TimedOut')) return 'TimedOut';
  if (results.some((r) => r.status === 'Cancelled')) return 'Cancelled';
  if (results.length >= count && results.every((r) => r.status === 'Success' || r.status === 'Skipped')) return 'Success';
  return undefined;
}

/**
 * The invocation's own output and exit code from its plugins' [I]: the streams of the plugins that ran,
 * in order, each on its own line; the exit code of the first plugin that failed or timed out, else of
 * the last one that ran (0 when every plugin was skipped).
 */
export function invocationOutput(results: readonly PluginResult[]): { responseCode: number; stdout: string; stderr: string } {
  const ran = results.filter((r) => r.status !== 'Skipped' && r.status !== 'Pending');
  const join = (texts: string[]) => texts.filter((t) => t.length > 0).map((t) => (t.endsWith('\n') ? t : `${t}\n`)).join('');
  const failed = ran.find((r) => r.status === 'Failed' || r.status === 'TimedOut');
  const last = ran.at(-1);
  return {
    responseCode: failed?.responseCode ?? last?.responseCode ?? (results.length > 0 ? 0 : -1),
    stdout: ran.length === 1 ? ran[0].stdout : join(ran.map((r) => r.stdout)),
    stderr: ran.length === 1 ? ran[0].stderr : join(ran.map((r) => r.stderr)),
  };
}
