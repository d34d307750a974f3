// The lifecycle of one Run Command invocation (a command on one node), as a pure state machine:
// next(invocation, event, now, terms) -> { state, effects }, a new invocation out, the input never changed.
// Every rule of its life is here: how it starts (a simulated node's report decided at once, a real node's
// message queued for its agent), how a poll takes it (ec2messages' visibility timeout) and the agent
// acknowledges, replies (in progress, rebooting, how it ended) or fails it, how a cancel and a node's
// deregistration end it, and what happens when it is due (a report, the delivery deadline, the message
// visible again, the execution deadline). An event that does not apply (a reply after the end, a poll of
// an invocation with nothing queued) returns the same object and no effect: the first end stands.
// The command's rules (which invocations may start, its status) are in commands.ts.

import { invocationOutput, mergePluginResults, type PluginResult, type PluginStatus } from './command-plugins.ts';

/** An invocation's status; `Delayed` is AWS's, never set here (it counts as running). */
export type CommandInvocationStatus = 'Pending' | 'InProgress' | 'Delayed' | 'Success' | 'Cancelled' | 'TimedOut' | 'Failed' | 'Cancelling';

/** What a node's run turned out to be, as its runner (a simulated node, a real agent) reports it. */
export interface RunReport {
  status: 'Success' | 'Failed' | 'TimedOut';
  statusDetails?: string;
  responseCode: number;
  stdout: string;
  stderr: string;
  /** Each plugin's result, when the runner knows them apart (the invocation's own output is made of them). */
  plugins?: PluginResult[];
}

export interface CommandInvocation {
  commandId: string;
  instanceId: string;
  /** Position in the command (the order of its instances): invocations start in this order. */
  index: number;
  status: CommandInvocationStatus;
  statusDetails: string;
  requestedAt: number;
  startedAt?: number;
  endedAt?: number;
  /** -1 until the node reports. */
  responseCode: number;
  stdout: string;
  stderr: string;
  /** What each plugin did, in the document's order, as far as its node reported (absent: nothing yet). */
  plugins?: PluginResult[];
  /** The next instant something happens to this invocation on its own (a report due, a deadline); none when final. */
  dueAt?: number;
  /** A simulated node's report, decided at start and delivered at `dueAt`. */
  pending?: RunReport;
  /** A real node's delivery: `queued` while its message waits for the agent's poll, `delivered` once a poll took it. */
  delivery?: 'queued' | 'delivered';
  /**
   * Taken by a poll and not yet acknowledged: the instant the message becomes visible again, for the next
   * poll to take (ec2messages' visibility timeout). Absent once acknowledged: never delivered again.
   */
  visibleAt?: number;
  /** Set when a CancelCommand must reach a real node's agent: `queued` until its poll takes the cancel message. */
  cancelDelivery?: 'queued' | 'delivered';
  /** The status its last status-change event told: a change is told once. */
  eventStatus?: string;
}

/** What an invocation's life depends on from its command, fixed when the command is sent (commands.ts invocationTerms). */
export interface InvocationTerms {
  /** TimeoutSeconds after the command was sent: not in its agent's hands by then, it ends DeliveryTimedOut. */
  deliveryDeadline: number;
  /** The document's executionTimeout: a simulated run longer than this is killed there. */
  executionTimeoutMs: number;
  /** How long a silent agent is given after it has the message (or reboots): its time limit and a grace. */
  agentSilenceMs: number;
  /** The exit code of a run killed at its executionTimeout: 137 (SIGKILL) on Linux and macOS, -1 on Windows. */
  killedExitCode: number;
  /** The command's plugin names in order: the order plugin results are kept and their output joined in. */
  plugins: string[];
}

/**
 * What a real agent's reply says (see agentReply): still running (with the plugins that ended meanwhile:
 * the agent reports each plugin of a several-plugin document as it ends), rebooting, or how it ended.
 */
export type AgentReply = { kind: 'in-progress'; plugins?: PluginResult[] } | { kind: 'rebooting' } | { kind: 'ended'; report: RunReport };

export type InvocationEvent =
  /** A simulated node starts: its report is decided now and arrives `afterMs` later. */
  | { kind: 'started'; report: RunReport; afterMs: number }
  /** A real node starts: its message waits for the agent's poll. */
  | { kind: 'queued' }
  /** A poll of its node takes what is queued; what it takes stays invisible `visibilityMs` unless acknowledged. */
  | { kind: 'polled'; visibilityMs: number }
  | { kind: 'acknowledged' }
  | { kind: 'replied'; reply: AgentReply }
  /** The agent could not handle the message (FailMessage). */
  | { kind: 'failed-by-agent' }
  | { kind: 'cancel-asked' }
  | { kind: 'node-deregistered' }
  /** The clock reached `dueAt` (a report, the delivery deadline, the visibility timeout, the execution deadline). */
  | { kind: 'due' }
  /** MaxErrors passed: what has not started is not run. */
  | { kind: 'terminated' };

export type InvocationEffect =
  /** A message waits for the node's agent: wake its waiting polls, after the change has committed. */
  | { kind: 'wake-polls'; instanceId: string }
  /** The poll that took it hands out the command's message ... */
  | { kind: 'send-command' }
  /** ... or a cancel message for it. */
  | { kind: 'send-cancel' }
  /** The status changed: the command rolls up (counts, its window's report, status events). */
  | { kind: 'report-changed'; status: CommandInvocationStatus; ended: boolean };

export interface Transition {
  state: CommandInvocation;
  effects: InvocationEffect[];
}

/** StatusDetails of an invocation whose node was deregistered before its agent had the command. */
export const UNDELIVERABLE = 'Undeliverable';
/** The most output kept per invocation and stream (the API shows the first 24,000 / 8,000 characters). */
export const KEPT_OUTPUT_LIMIT = 2 * 1024 * 1024;
/** How long after its time limit a silent agent's invocation is given up. */
export const AGENT_SILENCE_GRACE_MS = 60_000;

const FINAL: ReadonlySet<CommandInvocationStatus> = new Set(['Success', 'Cancelled', 'TimedOut', 'Failed']);

/** Success, Cancelled, TimedOut and Failed (a command's statuses are a subset of these). */
export function isFinal(status: CommandInvocationStatus): boolean {
  return FINAL.has(status);
}

/**
 * How long the agent lets a script run: the document's executionTimeout, except that the agent takes a value
 * under 5 s as its default of 3600 ("'TimeoutSeconds' value should be between 5 and 172800", in its log).
 */
export function agentTimeLimitSeconds(executionTimeoutSeconds: number): number {
  return executionTimeoutSeconds < 5 ? 3600 : executionTimeoutSeconds;
}

/**
 * What the store indexes for the agents' polls: a message waits for the node (first delivery while Pending;
 * again while InProgress, when a poll took it and the agent never acknowledged it; a cancel message).
 */
export function hasQueuedMessage(invocation: CommandInvocation): boolean {
  return ((invocation.status === 'Pending' || invocation.status === 'InProgress') && invocation.delivery === 'queued') || invocation.cancelDelivery === 'queued';
}

/** A plugin's status as the agent words it, as this service keeps it (an unknown word: still running). */
export function pluginStatusOf(agentStatus: string): PluginStatus {
  switch (agentStatus) {
    case 'Success':
    case 'Failed':
    case 'TimedOut':
    case 'Cancelled':
    case 'Skipped':
    case 'Pending':
      return agentStatus;
    case 'SuccessAndReboot':
    case 'PassedAndReboot':
      return 'InProgress';
    default:
      return 'InProgress';
  }
}

/**
 * The agent's document status as a reply, with the plugin results it carried: a script that asked for a
 * reboot (exit code 194 on Linux and macOS, 3010 on Windows) makes the agent reboot the machine and resume
 * the document after it, and only then say how it ended; a document the agent cancelled is Failed there.
 * A one-plugin document's last reply carries its plugin; a several-plugin document's carries none (each
 * plugin was reported as it ended), so the invocation's output is made from the results kept.
 */
export function agentReply(documentStatus: string, plugins: PluginResult[]): AgentReply {
  const only = plugins.length === 1 ? plugins[0] : undefined;
  const base = { responseCode: only?.responseCode ?? -1, stdout: only?.stdout ?? '', stderr: only?.stderr ?? '', plugins };
  switch (documentStatus) {
    case 'Success':
      return { kind: 'ended', report: { status: 'Success', statusDetails: 'Success', ...base } };
    case 'SuccessAndReboot':
    case 'PassedAndReboot':
      return { kind: 'rebooting' };
    case 'Failed':
      return { kind: 'ended', report: { status: 'Failed', statusDetails: 'Failed', ...base } };
    case 'TimedOut':
      return { kind: 'ended', report: { status: 'TimedOut', statusDetails: 'ExecutionTimedOut', ...base } };
    case 'Cancelled':
      return { kind: 'ended', report: { status: 'Failed', statusDetails: 'Cancelled', ...base } };
    default:
      return { kind: 'in-progress', plugins };
  }
}

const FAILED_BY_AGENT: RunReport = { status: 'Failed', statusDetails: 'Failed', responseCode: -1, stdout: '', stderr: '' };

const unchanged = (state: CommandInvocation): Transition => ({ state, effects: [] });

/** The invocation after `event` at `now`, with what the runtime must do once the change is saved. */
export function next(state: CommandInvocation, event: InvocationEvent, now: number, terms: InvocationTerms): Transition {
  const running = state.status === 'InProgress' || state.status === 'Delayed';
  const waiting = state.status === 'Pending' && state.delivery === undefined;
  // What a poll took: the agent's replies, acknowledgements and failures are about it.
  const withAgent = state.status === 'InProgress' && state.delivery !== undefined;
  switch (event.kind) {
    case 'started': {
      if (!waiting) return unchanged(state);
      const { report, afterMs } = event;
      // A run longer than the document's executionTimeout is killed there by the agent.
      const killed = afterMs > terms.executionTimeoutMs;
      const pending: RunReport = killed ? { status: 'TimedOut', statusDetails: 'ExecutionTimedOut', responseCode: terms.killedExitCode, stdout: report.stdout, stderr: report.stderr } : report;
      return changed(state, { status: 'InProgress', statusDetails: 'InProgress', startedAt: now, pending, dueAt: now + Math.min(afterMs, terms.executionTimeoutMs) });
    }
    case 'queued':
      if (!waiting) return unchanged(state);
      return changed(state, { delivery: 'queued', dueAt: terms.deliveryDeadline }, [{ kind: 'wake-polls', instanceId: state.instanceId }]);
    case 'polled': {
      if (state.cancelDelivery === 'queued') return changed(state, { cancelDelivery: 'delivered' }, [{ kind: 'send-cancel' }]);
      // Past its delivery deadline it is not handed out any more (it is due to end DeliveryTimedOut).
      if (!hasQueuedMessage(state) || now >= terms.deliveryDeadline) return unchanged(state);
      // InProgress from the first poll that takes it (AWS: "Systems Manager is attempting to send the command
      // to the instance, or the command was received by SSM Agent"), due when it becomes visible again.
      const visibleAt = now + event.visibilityMs;
      return changed(state, {
        status: 'InProgress', statusDetails: 'InProgress', startedAt: state.startedAt ?? now, delivery: 'delivered', visibleAt, dueAt: visibleAt,
      }, [{ kind: 'send-command' }]);
    }
    case 'acknowledged':
      return withAgent ? acknowledged(state, now, terms) : unchanged(state);
    case 'replied':
      if (!withAgent) return unchanged(state);
      // Any reply tells that the agent has the message, as its acknowledgement does; the plugins it
      // reports as ended are kept.
      if (event.reply.kind === 'in-progress') return withPlugins(acknowledged(state, now, terms), event.reply.plugins, terms);
      // A reboot gives the agent its time limit again from now.
      if (event.reply.kind === 'rebooting') return changed(state, { visibleAt: undefined, delivery: 'delivered', dueAt: now + terms.agentSilenceMs });
      return ended(state, reported(event.reply.report, state, terms), now, { delivery: 'delivered' });
    case 'failed-by-agent':
      return withAgent ? ended(state, reported(FAILED_BY_AGENT, state, terms), now, { delivery: 'delivered' }) : unchanged(state);
    case 'cancel-asked':
      // Not started: Cancelled at once. Running: Cancelling, due now, to end Cancelled when the engine has
      // told the node (a real node's agent gets a cancel message then).
      if (state.status === 'Pending') return ended(state, { status: 'Cancelled', statusDetails: 'Cancelled' }, now);
      if (!running) return unchanged(state);
      return changed(state, { status: 'Cancelling', statusDetails: 'Cancelling', dueAt: now, pending: undefined });
    case 'node-deregistered':
      return deregistered(state, now);
    case 'due':
      return state.dueAt === undefined || state.dueAt > now ? unchanged(state) : due(state, state.dueAt, now, terms);
    case 'terminated':
      // Run Command's "Terminated": what MaxErrors kept from starting (queued messages too) is not run.
      return state.status === 'Pending' ? ended(state, { status: 'Cancelled', statusDetails: 'Terminated' }, now) : unchanged(state);
  }
}

/** What happens at `at`, the instant the invocation was due (seen at `now`). */
function due(state: CommandInvocation, at: number, now: number, terms: InvocationTerms): Transition {
  if (state.status === 'Cancelling') {
    // A real node's agent is told to stop too (a poll took the message at least once: it may be running).
    if (state.delivery === undefined) return ended(state, { status: 'Cancelled', statusDetails: 'Cancelled' }, at);
    return ended(state, { status: 'Cancelled', statusDetails: 'Cancelled' }, at, { cancelDelivery: 'queued' }, [{ kind: 'wake-polls', instanceId: state.instanceId }]);
  }
  if (state.pending) return ended(state, reported(state.pending, state, terms), at);
  // Not yet in its agent's hands: Pending, or a message queued again after a poll took it unacknowledged.
  const awaitsDelivery = state.status === 'Pending' || (state.status === 'InProgress' && state.delivery === 'queued');
  if (awaitsDelivery && at >= terms.deliveryDeadline) {
    // TimeoutSeconds passed before the node got it (behind MaxConcurrency, its node never asked, or never
    // acknowledged what a poll took): Run Command does not run it any more.
    return ended(state, { status: 'TimedOut', statusDetails: 'DeliveryTimedOut' }, terms.deliveryDeadline);
  }
  if (state.visibleAt !== undefined && state.visibleAt <= now) {
    // A poll took it and the agent never acknowledged it (the poll's connection died, the agent restarted):
    // visible again, the next poll takes it again with the same MessageId (the agent runs a command id
    // once). Past the delivery deadline it was never delivered.
    if (state.visibleAt >= terms.deliveryDeadline) return ended(state, { status: 'TimedOut', statusDetails: 'DeliveryTimedOut' }, state.visibleAt);
    return changed(state, { visibleAt: undefined, delivery: 'queued', dueAt: terms.deliveryDeadline }, [{ kind: 'wake-polls', instanceId: state.instanceId }]);
  }
  // The agent took it and never said how it ended, past its time limit and a grace: over.
  if (state.status === 'InProgress' && state.delivery === 'delivered') return ended(state, { status: 'TimedOut', statusDetails: 'ExecutionTimedOut' }, at);
  // Waiting behind MaxConcurrency: it comes back at its delivery deadline (unless it starts before).
  if (state.status === 'Pending') return changed(state, { dueAt: terms.deliveryDeadline });
  // Ended and due (a deregistration): the command moves now; nothing more for the invocation itself.
  return changed(state, { dueAt: undefined });
}

/**
 * DeregisterManagedInstance: what its agent does not have ends Failed `Undeliverable` ("The command can't
 * be delivered to the managed node"), ResponseCode -1, due now so the command starts what MaxConcurrency
 * then allows; an acknowledged run is left to its own deadline (the node's replies are refused from now
 * on). A cancel message still waiting for the node is dropped.
 */
function deregistered(state: CommandInvocation, now: number): Transition {
  const notDelivered = state.status === 'Pending' || (state.status === 'InProgress' && (state.delivery === 'queued' || state.visibleAt !== undefined));
  const dropCancel = state.cancelDelivery === 'queued' ? { cancelDelivery: undefined } : {};
  if (notDelivered) return ended(state, { status: 'Failed', statusDetails: UNDELIVERABLE, responseCode: -1, ...dropCancel }, now, { dueAt: now });
  return state.cancelDelivery === 'queued' ? changed(state, dropCancel) : unchanged(state);
}

function acknowledged(state: CommandInvocation, now: number, terms: InvocationTerms): Transition {
  // Already acknowledged: nothing moves (the deadline runs from the first acknowledgement).
  if (state.visibleAt === undefined && state.delivery !== 'queued') return unchanged(state);
  return changed(state, { visibleAt: undefined, delivery: 'delivered', dueAt: now + terms.agentSilenceMs });
}

/**
 * The end a report tells. With plugin results (a real agent's, a simulated node's per step), they are kept
 * merged with those reported before, and a several-plugin document's output and exit code are made from
 * them; a one-plugin document's are its plugin's, as reported.
 */
function reported(report: RunReport, state: CommandInvocation, terms: InvocationTerms): Partial<CommandInvocation> {
  const plugins = report.plugins && report.plugins.length > 0 ? mergePluginResults(terms.plugins, state.plugins, report.plugins) : state.plugins;
  const several = terms.plugins.length > 1 && plugins !== undefined && plugins.length > 0;
  const own = several ? invocationOutput(plugins) : { responseCode: report.responseCode, stdout: report.stdout, stderr: report.stderr };
  return {
    status: report.status,
    statusDetails: report.statusDetails ?? report.status,
    responseCode: own.responseCode,
    stdout: own.stdout.slice(0, KEPT_OUTPUT_LIMIT),
    stderr: own.stderr.slice(0, KEPT_OUTPUT_LIMIT),
    ...(plugins ? { plugins: plugins.map((p) => ({ ...p, stdout: p.stdout.slice(0, KEPT_OUTPUT_LIMIT), stderr: p.stderr.slice(0, KEPT_OUTPUT_LIMIT) })) } : {}),
  };
}

/** The transition with the plugin results a reply carried kept on the invocation (a change even when acknowledged before). */
function withPlugins(transition: Transition, plugins: PluginResult[] | undefined, terms: InvocationTerms): Transition {
  if (!plugins || plugins.length === 0) return transition;
  const merged = mergePluginResults(terms.plugins, transition.state.plugins, plugins);
  return { state: { ...transition.state, plugins: merged }, effects: transition.effects };
}

/** Ends the invocation at `at` with `result` (`extra` after the end's own fields, e.g. a due instant). */
function ended(state: CommandInvocation, result: Partial<CommandInvocation>, at: number, extra: Partial<CommandInvocation> = {}, effects: InvocationEffect[] = []): Transition {
  return changed(state, { ...result, endedAt: at, dueAt: undefined, pending: undefined, visibleAt: undefined, ...extra }, effects);
}

/** A new invocation with `fields`, and a report-changed effect when its status moved. */
function changed(state: CommandInvocation, fields: Partial<CommandInvocation>, effects: InvocationEffect[] = []): Transition {
  const after: CommandInvocation = { ...state, ...fields };
  for (const key of Object.keys(fields) as (keyof CommandInvocation)[]) if (after[key] === undefined) delete after[key];
  const moved = after.status !== state.status || after.statusDetails !== state.statusDetails;
  return { state: after, effects: moved ? [...effects, { kind: 'report-changed', status: after.status, ended: isFinal(after.status) }] : effects };
}

/** `eventOf` applied to each invocation (none when it gives undefined): the new list, the changed ones and their effects. */
export function applyEach(invocations: readonly CommandInvocation[], eventOf: (invocation: CommandInvocation) => InvocationEvent | undefined, now: number, terms: InvocationTerms): { invocations: CommandInvocation[]; changed: CommandInvocation[]; effects: InvocationEffect[] } {
  const changedList: CommandInvocation[] = [];
  const effects: InvocationEffect[] = [];
  const after = invocations.map((invocation) => {
    const event = eventOf(invocation);
    if (!event) return invocation;
    const { state, effects: own } = next(invocation, event, now, terms);
    if (state !== invocation) changedList.push(state);
    effects.push(...own);
    return state;
  });
  return { invocations: after, changed: changedList, effects };
}
