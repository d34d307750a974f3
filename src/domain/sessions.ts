// A Session Manager session: its record and the state machine that moves it. Pure: the service hands in
// the instant and the token's hash; the store keeps what comes out, and the service performs the effects
// after the commit (wake the node's control channel, tell the relay to close the channels).
//
// The statuses are the model's SessionStatus. A session starts Connecting (the agent is told over its
// control channel), is Connected while the plugin's data channel is open, Disconnected when the client
// goes away without ending it (ResumeSession reconnects), Terminating once TerminateSession asks the agent
// to end it, and Terminated or Failed when it is over (DescribeSessions' History).

export type SessionStatus = 'Connecting' | 'Connected' | 'Disconnected' | 'Terminating' | 'Terminated' | 'Failed';
export type SessionOutcome = 'Terminated' | 'Failed';
/** A Session document's `sessionType` (Session Manager's "Session document schema"). */
export type SessionType = 'Standard_Stream' | 'InteractiveCommands' | 'NonInteractiveCommands' | 'Port';
export const SESSION_TYPES: readonly SessionType[] = ['Standard_Stream', 'InteractiveCommands', 'NonInteractiveCommands', 'Port'];

export const ACTIVE_STATUSES: readonly SessionStatus[] = ['Connecting', 'Connected', 'Disconnected', 'Terminating'];
export const HISTORY_STATUSES: readonly SessionStatus[] = ['Terminated', 'Failed'];
export const SESSION_STATUSES: readonly SessionStatus[] = [...ACTIVE_STATUSES, ...HISTORY_STATUSES];

export function isSessionActive(status: SessionStatus): boolean {
  return status !== 'Terminated' && status !== 'Failed';
}

export interface Session {
  id: string;
  /** The managed node (mi-... or i-...). */
  target: string;
  status: SessionStatus;
  startedAt: number;
  endedAt?: number;
  documentName: string;
  sessionType: SessionType;
  /** The caller who started it, as an ARN (DescribeSessions' Owner). */
  owner: string;
  reason?: string;
  details?: string;
  /** Where the transcript went; absent until something writes one. */
  outputUrl?: { s3?: string; cloudWatch?: string };
  /** Minutes, from the document's `maxSessionDuration` input when it sets one. */
  maxSessionDuration?: string;
  /** Minutes without input before the session ends, from the document's `idleSessionTimeout` (default 20). */
  idleSessionTimeout?: number;
  accessType: 'Standard';
  /** Every declared parameter's values, defaults applied (what the agent is told). */
  parameters: Record<string, string[]>;
  runAsUser?: string;
  /** SHA-256 (hex) of the current token; the token itself is given to the caller once and never kept. */
  tokenHash: string;
  /** The current token opened its data channel: it opens no other. */
  tokenSpent: boolean;
  /** The node's agent was handed the start (takeAgentSignals): ending it needs the agent from then on. */
  delivered: boolean;
}

export type SessionEvent =
  | { kind: 'delivered' }
  | { kind: 'client-channel-opened' }
  | { kind: 'resumed'; tokenHash: string }
  | { kind: 'connected' }
  | { kind: 'disconnected' }
  | { kind: 'terminate-requested' }
  | { kind: 'ended'; outcome: SessionOutcome; details?: string }
  | { kind: 'node-deregistered' };

export type SessionEffect =
  /** Tell the node's agent to end it (a signal on its control channel) and the relay to close the channels. */
  | { kind: 'terminate-agent' }
  /** Nothing reached the agent: the start waiting for it is withdrawn. */
  | { kind: 'withdraw-start' }
  | { kind: 'ended'; outcome: SessionOutcome };

export interface SessionTransition {
  state: Session;
  effects: SessionEffect[];
}

const unchanged = (state: Session): SessionTransition => ({ state, effects: [] });

function end(state: Session, outcome: SessionOutcome, now: number, details?: string, extra: SessionEffect[] = []): SessionTransition {
  const ended: Session = { ...state, status: outcome, endedAt: now, ...(details === undefined ? {} : { details }) };
  return { state: ended, effects: [...extra, { kind: 'ended', outcome }] };
}

/** The session after `event` at `now`. An ended session never changes again: the first end stands. */
export function nextSession(state: Session, event: SessionEvent, now: number): SessionTransition {
  if (!isSessionActive(state.status)) return unchanged(state);
  switch (event.kind) {
    case 'delivered':
      return state.delivered ? unchanged(state) : { state: { ...state, delivered: true }, effects: [] };
    case 'client-channel-opened':
      return { state: { ...state, tokenSpent: true }, effects: [] };
    case 'resumed':
      if (state.status === 'Terminating') return unchanged(state);
      return { state: { ...state, tokenHash: event.tokenHash, tokenSpent: false }, effects: [] };
    case 'connected':
      // A session being ended stays so, whatever channel opens meanwhile.
      return state.status === 'Terminating' || state.status === 'Connected' ? unchanged(state) : { state: { ...state, status: 'Connected' }, effects: [] };
    case 'disconnected':
      return state.status === 'Connected' || state.status === 'Connecting' ? { state: { ...state, status: 'Disconnected' }, effects: [] } : unchanged(state);
    case 'terminate-requested':
      if (state.status === 'Terminating') return unchanged(state);
      // The agent never heard of it: nothing to wait for.
      if (!state.delivered) return end(state, 'Terminated', now, undefined, [{ kind: 'withdraw-start' }]);
      return { state: { ...state, status: 'Terminating' }, effects: [{ kind: 'terminate-agent' }] };
    case 'ended':
      return end(state, event.outcome, now, event.details);
    case 'node-deregistered':
      // Its agent's credentials are gone with the node: nothing is sent to it.
      return end(state, 'Terminated', now, undefined, [{ kind: 'withdraw-start' }]);
  }
}

/** Why a data channel is refused to a token, or undefined when it may open one. */
export function clientChannelRefusal(state: Session, tokenMatches: boolean): 'ended' | 'token' | 'spent' | undefined {
  if (!isSessionActive(state.status) || state.status === 'Terminating') return 'ended';
  if (!tokenMatches) return 'token';
  if (state.tokenSpent) return 'spent';
  return undefined;
}

/**
 * AWS's session id: the caller's name, a dash, 17 hex characters (`alice-0123456789abcdef0`). The name is
 * the last part of the owner's ARN: an IAM user's name, a role session's name, `root` for an account root.
 */
export function sessionIdFor(ownerArn: string, hex17: string): string {
  const tail = ownerArn.split(/[:/]/).at(-1) || 'session';
  // A session id is at most 96 characters (the model's SessionId).
  return `${tail.slice(0, 96 - 18)}-${hex17}`;
}

/** `wss://host/v1/data-channel/<id>?role=publish_subscribe`: where the session-manager-plugin opens its data channel. */
export function streamUrl(endpoint: { host: string; secure: boolean }, sessionId: string): string {
  return `${endpoint.secure ? 'wss' : 'ws'}://${endpoint.host}/v1/data-channel/${encodeURIComponent(sessionId)}?role=publish_subscribe`;
}

/** A Session document's `inputs.maxSessionDuration` when it sets a valid one (1 to 1440 minutes). */
export function maxSessionDurationOf(body: Record<string, unknown>): string | undefined {
  const inputs = body.inputs;
  if (typeof inputs !== 'object' || inputs === null) return undefined;
  const value = (inputs as Record<string, unknown>).maxSessionDuration;
  const text = typeof value === 'number' ? String(value) : value;
  return typeof text === 'string' && /^([1-9]|[1-9][0-9]|[1-9][0-9][0-9]|1[0-4][0-3][0-9]|1440)$/.test(text) ? text : undefined;
}

/** A Session document's `inputs.idleSessionTimeout` when it sets a valid one (1 to 60 minutes, as AWS allows). */
export function idleSessionTimeoutOf(body: Record<string, unknown>): number | undefined {
  const inputs = body.inputs;
  if (typeof inputs !== 'object' || inputs === null) return undefined;
  const value = Number((inputs as Record<string, unknown>).idleSessionTimeout);
  return Number.isInteger(value) && value >= 1 && value <= 60 ? value : undefined;
}

/** A Session document's `inputs.runAsDefaultUser` when `runAsEnabled` is on. */
export function runAsUserOf(body: Record<string, unknown>): string | undefined {
  const inputs = body.inputs as Record<string, unknown> | undefined;
  if (!inputs || (inputs.runAsEnabled !== true && inputs.runAsEnabled !== 'true')) return undefined;
  return typeof inputs.runAsDefaultUser === 'string' && inputs.runAsDefaultUser !== '' ? inputs.runAsDefaultUser : undefined;
}
