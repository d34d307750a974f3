// Use cases of Session Manager: StartSession, ResumeSession, TerminateSession, DescribeSessions,
// GetConnectionStatus, and the hand-off points the ssmmessages control channel and the data-channel relay
// call (takeAgentSignals, openClientChannel, agentChannelAllowed, connected, disconnected, ended). Every
// change goes through the domain's nextSession in one transaction; its events are written there, and the
// wake-ups (the node's control channel, the relay) run after the commit.

import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { pingStatusOf } from '../domain/managed-instances.ts';
import { InvalidDocument } from '../domain/documents.ts';
import { resolveParameterValues } from '../domain/document-content.ts';
import { ServiceError } from '../domain/errors.ts';
import { sessionEvent } from '../domain/events.ts';
import type { Scope } from '../domain/model.ts';
import { type SessionFilter, type SessionState, sessionFilter, statusesOf } from '../domain/session-filters.ts';
import {
  clientChannelRefusal, idleSessionTimeoutOf, isSessionActive, maxSessionDurationOf, nextSession, runAsUserOf, type Session, type SessionEvent,
  type SessionOutcome, sessionIdFor, type SessionType, SESSION_TYPES, streamUrl,
} from '../domain/sessions.ts';
import type { ServiceContext } from './context.ts';
import { descendingPage, withInvalidNextToken } from './keyset-pages.ts';
import type { NodeConnections, SessionMetrics, StoreOperations, StoredSessionSignal } from './ports.ts';
import { documentToRun } from './runnable-documents.ts';

/** What the node's agent is handed over its control channel (takeAgentSignals). */
export type SessionSignal = StoredSessionSignal;

/** A session as the channels see it: its record and its scope. */
export interface SessionView {
  scope: Scope;
  session: Session;
}

/** Where the caller reached this service: the host (Host header) and whether over TLS. */
export interface Endpoint {
  host: string;
  secure: boolean;
}

export interface StartSessionInput {
  target: string;
  documentName?: string;
  reason?: string;
  parameters?: Record<string, string[]>;
  /** The caller, as an ARN (the session's Owner). */
  owner: string;
  endpoint: Endpoint;
}

export interface SessionTicket {
  sessionId: string;
  tokenValue: string;
  streamUrl: string;
}

/** What is wired in after the services are built (app.ts): the control channel and the relay. */
export interface SessionHooks {
  /** Whether a node's agent can take a session now (default: lastPingConnections). */
  connections?: NodeConnections;
  /** After a commit that queued a signal for the node: its control channel takes them (takeAgentSignals). */
  onSignalQueued?: (scope: Scope, nodeId: string) => void;
  /** After a commit that asked a session to end, or ended it: the relay closes its channels (idempotent there). */
  onTerminateRequested?: (sessionId: string) => void;
  metrics?: SessionMetrics;
}

export const DEFAULT_SESSION_DOCUMENT = 'SSM-SessionManagerRunShell';
/** How many sessions still Connecting one sweep looks at (oldest first). */
const SWEEP_BATCH = 100;
// [I] AWS documents no default for DescribeSessions' MaxResults; 20 is assumed (the model allows 1 to 200).
const DEFAULT_PAGE = 20;

export class TargetNotConnected extends ServiceError {
  constructor(target: string) {
    // AWS's words, as the aws CLI prints them: "An error occurred (TargetNotConnected) when calling the
    // StartSession operation: i-0123456789abcdef0 is not connected."
    super('TargetNotConnected', `${target} is not connected.`);
  }
}

/** Refusals of the channels (not AWS errors: the relay turns them into closed connections). */
export class SessionChannelRefused extends ServiceError {
  constructor(code: 'SessionNotFound' | 'SessionEnded' | 'InvalidSessionToken' | 'SessionTokenSpent', sessionId: string) {
    const words = {
      SessionNotFound: 'does not exist',
      SessionEnded: 'has ended',
      InvalidSessionToken: 'was asked for with a token that is not its current one',
      SessionTokenSpent: 'was asked for with a token that already opened its data channel',
    }[code];
    super(code, `Session ${sessionId} ${words}.`);
  }
}

function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** A token of 256 random bits (TokenValue is at most 300 characters). */
function newToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Constant-time comparison of a token with the stored hash. */
function tokenMatches(token: string, storedHash: string): boolean {
  const a = Buffer.from(hashToken(token), 'hex');
  const b = Buffer.from(storedHash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Until the control channel is wired in: a registered node whose agent pinged within the ping timeout. */
export function lastPingConnections(ctx: ServiceContext): NodeConnections {
  return {
    async isConnected(scope, nodeId) {
      const node = await ctx.store.getNode(scope, nodeId, { lock: false });
      return node?.registration !== undefined && pingStatusOf(node, ctx.clock.now(), ctx.pingTimeoutMs) === 'Online';
    },
  };
}

/** What a committed change leaves to do. */
interface AfterCommit {
  signalled?: { scope: Scope; nodeId: string };
  terminated?: string;
  ended?: SessionOutcome;
}

/** Applies `event` to the session in `tx`: saved, its end told (event), its effects queued; what to do after the commit. */
async function applySession(tx: StoreOperations, scope: Scope, session: Session, event: SessionEvent, now: number): Promise<{ state: Session; after: AfterCommit }> {
  const { state, effects } = nextSession(session, event, now);
  const after: AfterCommit = {};
  if (state === session) return { state, after };
  await tx.updateSession(scope, state);
  for (const effect of effects) {
    if (effect.kind === 'withdraw-start') await tx.dropSessionSignals(scope, state.id);
    else if (effect.kind === 'terminate-agent') {
      await tx.queueSessionSignal(scope, state.target, { kind: 'terminate', sessionId: state.id }, now);
      after.signalled = { scope, nodeId: state.target };
      after.terminated = state.id;
    } else {
      await tx.appendEvents([sessionEvent(scope, state, now)]);
      after.ended = effect.outcome;
      after.terminated = state.id;
    }
  }
  return { state, after };
}

/**
 * DeregisterManagedInstance's effect on sessions, in its transaction: each of the node's sessions not
 * ended is Terminated, its waiting start withdrawn, nothing sent to the agent. Returns the ids ended.
 */
export async function endSessionsOfNode(tx: StoreOperations, scope: Scope, nodeId: string, now: number): Promise<string[]> {
  const ended: string[] = [];
  for (const listed of await tx.listActiveSessionsOfNode(scope, nodeId)) {
    const session = await tx.getSession(scope, listed.id);
    if (!session) continue;
    const { after } = await applySession(tx, scope, session, { kind: 'node-deregistered' }, now);
    if (after.ended) ended.push(session.id);
  }
  return ended;
}

export class SessionService {
  private readonly ctx: ServiceContext;
  private hooks: Required<Omit<SessionHooks, 'metrics'>> & { metrics?: SessionMetrics };

  constructor(ctx: ServiceContext, hooks: SessionHooks = {}) {
    this.ctx = ctx;
    this.hooks = { connections: lastPingConnections(ctx), onSignalQueued: () => undefined, onTerminateRequested: () => undefined };
    this.connect(hooks);
  }

  /** Wires in the control channel's NodeConnections, its wake-up, the relay's, the metrics (each optional). */
  connect(hooks: SessionHooks): void {
    this.hooks = { ...this.hooks, ...Object.fromEntries(Object.entries(hooks).filter(([, v]) => v !== undefined)) };
  }

  /** After a commit: the wake-ups and the counts. */
  private afterCommit(after: AfterCommit): void {
    if (after.signalled) this.hooks.onSignalQueued(after.signalled.scope, after.signalled.nodeId);
    if (after.terminated) this.hooks.onTerminateRequested(after.terminated);
    if (after.ended) this.hooks.metrics?.sessionEnded(after.ended);
  }

  /** The session `sessionId` of `scope` moved by `event` in one transaction; undefined for none. */
  private async move(scope: Scope, sessionId: string, event: SessionEvent): Promise<Session | undefined> {
    const now = this.ctx.clock.now();
    const result = await this.ctx.store.transaction(async (tx) => {
      const session = await tx.getSession(scope, sessionId);
      return session && applySession(tx, scope, session, event, now);
    });
    if (!result) return undefined;
    this.afterCommit(result.after);
    return result.state;
  }

  /** After a deregistration ended these sessions in its transaction: counted, and their channels closed. */
  nodeSessionsEnded(sessionIds: string[]): void {
    for (const id of sessionIds) this.afterCommit({ terminated: id, ended: 'Terminated' });
  }

  // ---- the API

  /** StartSession: a managed node of the caller's scope, connected; a Session document; its parameters checked. */
  async start(scope: Scope, input: StartSessionInput): Promise<SessionTicket> {
    const node = await this.ctx.store.getNode(scope, input.target, { lock: false });
    // Another account's or Region's node is not connected for this caller (the model's TargetNotConnected
    // "is also returned if you attempt to start a session on a managed node that is located in a
    // different account or Region").
    if (!node || !(await this.hooks.connections.isConnected(scope, input.target))) throw new TargetNotConnected(input.target);
    const name = input.documentName ?? DEFAULT_SESSION_DOCUMENT;
    const document = await documentToRun(this.ctx.store, scope, name, undefined, (_n, documentType) => {
      // [I] AWS's wording for a document of another type.
      if (documentType !== 'Session') throw new ServiceError('InvalidDocument', `Document type ${documentType} is not supported. Only type Session is supported for Session Manager.`);
    }).catch((error: unknown) => {
      if (error instanceof InvalidDocument || (error instanceof ServiceError && error.code === 'InvalidDocumentVersion')) throw new InvalidDocument({ name });
      throw error;
    });
    // InvalidParameters in AWS's words (domain/documents.ts) for values the document does not declare or take.
    const parameters = resolveParameterValues(document.parsed, input.parameters);
    const body = document.parsed.body;
    const sessionType = SESSION_TYPES.includes(body.sessionType as SessionType) ? body.sessionType as SessionType : 'Standard_Stream';
    const now = this.ctx.clock.now();
    const token = newToken();
    const maxSessionDuration = maxSessionDurationOf(body);
    const idleSessionTimeout = idleSessionTimeoutOf(body);
    const runAsUser = runAsUserOf(body);
    const session: Session = {
      id: sessionIdFor(input.owner, randomBytes(9).toString('hex').slice(0, 17)),
      target: input.target,
      status: 'Connecting',
      startedAt: now,
      documentName: document.name,
      sessionType,
      owner: input.owner,
      ...(input.reason === undefined ? {} : { reason: input.reason }),
      ...(maxSessionDuration === undefined ? {} : { maxSessionDuration }),
      ...(idleSessionTimeout === undefined ? {} : { idleSessionTimeout }),
      accessType: 'Standard',
      parameters,
      ...(runAsUser === undefined ? {} : { runAsUser }),
      tokenHash: hashToken(token),
      tokenSpent: false,
      delivered: false,
    };
    const start: StoredSessionSignal = {
      kind: 'start', sessionId: session.id, documentName: session.documentName, sessionType, documentContent: body, parameters,
      ...(runAsUser === undefined ? {} : { runAsUser }), owner: session.owner, createdAt: now,
    };
    await this.ctx.store.transaction(async (tx) => {
      await tx.insertSession(scope, session);
      await tx.queueSessionSignal(scope, session.target, start, now);
      await tx.appendEvents([sessionEvent(scope, session, now)]);
    });
    this.hooks.metrics?.sessionStarted(sessionType);
    this.hooks.onSignalQueued(scope, session.target);
    return { sessionId: session.id, tokenValue: token, streamUrl: streamUrl(input.endpoint, session.id) };
  }

  /** ResumeSession: a new token and the stream URL for a session not ended; DoesNotExistException otherwise. */
  async resume(scope: Scope, sessionId: string, endpoint: Endpoint): Promise<SessionTicket> {
    const token = newToken();
    const resumed = await this.move(scope, sessionId, { kind: 'resumed', tokenHash: hashToken(token) });
    // An ended or ending session keeps its token: the new one did not take.
    if (resumed?.tokenHash !== hashToken(token)) {
      // [I] AWS's words for a session it cannot resume.
      throw new ServiceError('DoesNotExistException', `Session ${sessionId} does not exist or has ended.`);
    }
    return { sessionId, tokenValue: token, streamUrl: streamUrl(endpoint, sessionId) };
  }

  /**
   * TerminateSession: answered with the id whatever the session's state (the model lists no error but
   * InternalServerError); one not ended is Terminating until its agent reports the end, or Terminated at
   * once when its agent never got the start.
   */
  async terminate(scope: Scope, sessionId: string): Promise<string> {
    await this.move(scope, sessionId, { kind: 'terminate-requested' });
    return sessionId;
  }

  /** DescribeSessions: the State's sessions, newest first, filtered, in pages. */
  async list(scope: Scope, input: { state: SessionState; filters?: SessionFilter[]; maxResults?: number; nextToken?: string }): Promise<{ sessions: Session[]; nextToken?: string }> {
    const accept = sessionFilter(input.filters);
    const statuses = statusesOf(input.state);
    const listing = `DescribeSessions|${scope.account}|${scope.region}|${input.state}`;
    const page = await withInvalidNextToken(descendingPage(this.ctx.tokens, listing, { nextToken: input.nextToken, pageSize: input.maxResults ?? DEFAULT_PAGE },
      (before, limit) => this.ctx.store.listSessions(scope, statuses, before, limit), accept));
    return { sessions: page.items, nextToken: page.nextToken };
  }

  /** GetConnectionStatus: whether the caller's node can take a session now. */
  async connectionStatus(scope: Scope, target: string): Promise<'connected' | 'notconnected'> {
    const node = await this.ctx.store.getNode(scope, target, { lock: false });
    return node && (await this.hooks.connections.isConnected(scope, target)) ? 'connected' : 'notconnected';
  }

  // ---- the hand-off points of the control channel and the relay

  /**
   * The node's signals not handed out yet, in the order queued, each handed out once (one transaction):
   * a start marks its session delivered, so ending it from then on waits for the agent.
   */
  async takeAgentSignals(scope: Scope, nodeId: string): Promise<SessionSignal[]> {
    const now = this.ctx.clock.now();
    return this.ctx.store.transaction(async (tx) => {
      const signals = await tx.takeSessionSignals(scope, nodeId, now);
      for (const signal of signals) {
        if (signal.kind !== 'start') continue;
        const session = await tx.getSession(scope, signal.sessionId);
        if (session) await applySession(tx, scope, session, { kind: 'delivered' }, now);
      }
      return signals;
    });
  }

  /**
   * The session-manager-plugin's data channel: `token` must be the session's current one (compared by
   * hash in constant time) and opens one channel once; an ended or ending session is refused. Throws
   * SessionChannelRefused (SessionNotFound, SessionEnded, InvalidSessionToken, SessionTokenSpent).
   */
  async openClientChannel(sessionId: string, token: string): Promise<SessionView> {
    const scope = await this.ctx.store.locateSession(sessionId);
    if (!scope) throw new SessionChannelRefused('SessionNotFound', sessionId);
    const now = this.ctx.clock.now();
    const session = await this.ctx.store.transaction(async (tx) => {
      const current = await tx.getSession(scope, sessionId);
      if (!current) throw new SessionChannelRefused('SessionNotFound', sessionId);
      const refusal = clientChannelRefusal(current, tokenMatches(token, current.tokenHash));
      if (refusal === 'ended') throw new SessionChannelRefused('SessionEnded', sessionId);
      if (refusal === 'token') throw new SessionChannelRefused('InvalidSessionToken', sessionId);
      if (refusal === 'spent') throw new SessionChannelRefused('SessionTokenSpent', sessionId);
      return (await applySession(tx, scope, current, { kind: 'client-channel-opened' }, now)).state;
    });
    return { scope, session };
  }

  /** The agent's data channel for a session: only its target node, only while the session has not ended. */
  async agentChannelAllowed(scope: Scope, nodeId: string, sessionId: string): Promise<boolean> {
    const session = await this.ctx.store.getSession(scope, sessionId);
    return session !== undefined && session.target === nodeId && isSessionActive(session.status);
  }

  /** Both channels are open: Connected (a session being ended stays Terminating). Idempotent. */
  async connected(sessionId: string): Promise<void> {
    await this.report(sessionId, { kind: 'connected' });
  }

  /** The plugin went away without ending the session: Disconnected, resumable. Idempotent. */
  async disconnected(sessionId: string): Promise<void> {
    await this.report(sessionId, { kind: 'disconnected' });
  }

  /** The agent or the relay reports the end: Terminated or Failed, with details. The first end stands. */
  async ended(sessionId: string, outcome: SessionOutcome, details?: string): Promise<void> {
    await this.report(sessionId, { kind: 'ended', outcome, ...(details === undefined ? {} : { details: details.slice(0, 1024) }) });
  }

  /**
   * Ends, Failed, the sessions still Connecting that started before `startedBefore` (service clock): their
   * plugin never opened its data channel, or the agent never got the start (its channel dropped). [I] AWS's
   * own limit is not documented. Idempotent: every replica may run it; the first end stands.
   */
  async expireUnconnected(startedBefore: number): Promise<number> {
    let expired = 0;
    for (const { scope, session } of await this.ctx.store.listConnectingSessions(SWEEP_BATCH)) {
      if (session.startedAt >= startedBefore) break;
      await this.move(scope, session.id, { kind: 'ended', outcome: 'Failed', details: 'The session was not connected in time: its client or its node never opened their data channel.' });
      expired++;
    }
    return expired;
  }

  private async report(sessionId: string, event: SessionEvent): Promise<void> {
    const scope = await this.ctx.store.locateSession(sessionId);
    if (scope) await this.move(scope, sessionId, event);
  }
}
