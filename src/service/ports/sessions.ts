// The sessions port: Session Manager sessions and the signals waiting for a node's agent (start one, end
// one), which its control channel takes. Also the two small interfaces the session use cases are handed:
// whether a node's agent is reachable for sessions now, and what the metrics count.

import type { Scope } from '../../domain/model.ts';
import type { Session, SessionStatus } from '../../domain/sessions.ts';
import type { Keyed } from './keyed.ts';

/** A signal as it waits in the store for the node's agent. */
export type StoredSessionSignal =
  | {
    kind: 'start';
    sessionId: string;
    documentName: string;
    sessionType: string;
    /** The Session document's content, parsed, as it was when the session started. */
    documentContent: Record<string, unknown>;
    parameters: Record<string, string[]>;
    runAsUser?: string;
    owner: string;
    createdAt: number;
  }
  | { kind: 'terminate'; sessionId: string };

export interface SessionsPort {
  insertSession(scope: Scope, session: Session): Promise<void>;
  /** Inside a transaction the session is held until the transaction ends. */
  getSession(scope: Scope, sessionId: string): Promise<Session | undefined>;
  /** A session by id alone (ids are unique across scopes): the data channel's URL names only the id. */
  locateSession(sessionId: string): Promise<Scope | undefined>;
  updateSession(scope: Scope, session: Session): Promise<void>;
  /** Newest first: the sessions with one of `statuses`, rows with key < beforeKey. */
  listSessions(scope: Scope, statuses: readonly SessionStatus[], beforeKey: number, limit: number): Promise<Keyed<Session>[]>;
  /** The node's sessions that have not ended, oldest first. */
  listActiveSessionsOfNode(scope: Scope, nodeId: string): Promise<Session[]>;
  /** How many sessions of every scope have not ended (the metrics' gauge). */
  countActiveSessions(): Promise<number>;
  /** Sessions of every scope still Connecting, oldest first (those whose channels never met are ended). */
  listConnectingSessions(limit: number): Promise<{ scope: Scope; session: Session }[]>;
  /** Queues a signal for the node's agent. */
  queueSessionSignal(scope: Scope, nodeId: string, signal: StoredSessionSignal, at: number): Promise<void>;
  /** The node's signals not handed out yet, in the order queued, marked handed out at `now`. */
  takeSessionSignals(scope: Scope, nodeId: string, now: number): Promise<StoredSessionSignal[]>;
  /** Drops the session's signals not handed out yet. */
  dropSessionSignals(scope: Scope, sessionId: string): Promise<void>;
}

/**
 * Whether a node can take a session now: its agent's control channel is open. The ssmmessages control
 * channel answers this once it is wired in (SessionService.connect); until then a node counts as connected
 * while its agent's last ping is within the ping timeout (service/sessions.ts lastPingConnections).
 */
export interface NodeConnections {
  isConnected(scope: Scope, nodeId: string): Promise<boolean>;
}

/** What the metrics count of sessions (runtime/metrics.ts); the number active is read from the store. */
export interface SessionMetrics {
  sessionStarted(sessionType: string): void;
  sessionEnded(outcome: 'Terminated' | 'Failed'): void;
}
