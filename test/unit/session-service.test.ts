// Session Manager's use cases against a real SQLite store on a fixed clock: the domain's transitions,
// StartSession's checks, and the hand-off points the control channel and the relay call (signals handed
// out once, a token opens one data channel once, the agent's channel only for its node, reports
// idempotent with the first end standing), the wake-ups after commit, events, deregistration.

import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { Scope } from '../../src/domain/model.ts';
import { nextSession, type Session, sessionIdFor, streamUrl } from '../../src/domain/sessions.ts';
import { sessionFilter } from '../../src/domain/session-filters.ts';
import { ActivationService } from '../../src/service/activations.ts';
import { defaultQuotas, type ServiceContext } from '../../src/service/context.ts';
import { PageTokens } from '../../src/service/page-tokens.ts';
import { SessionService } from '../../src/service/sessions.ts';
import { randomIds } from '../../src/service/system.ts';
import { SqliteStore } from '../../src/storage/sqlite/sqlite-store.ts';

const scope: Scope = { account: '123456789012', region: 'us-east-1' };
const other: Scope = { account: '210987654321', region: 'us-east-1' };
const T0 = Date.parse('2026-12-01T00:00:00Z');
const NODE = 'mi-0123456789abcdef0';
const OWNER = 'arn:aws:iam::123456789012:root';
const endpoint = { host: 'ssm.example:4100', secure: true };

let store: SqliteStore;
let ctx: ServiceContext;
let now: number;
let sessions: SessionService;
let queued: string[];
let terminated: string[];
let counted: string[];

async function putNode(at: Scope, id: string, lastPingAt?: number): Promise<void> {
  await store.putNode(at, {
    id, tags: {}, resourceGroups: [],
    registration: { activationId: 'a', publicKey: 'k', publicKeyType: 'Rsa', fingerprint: 'f', registeredAt: T0 },
    ...(lastPingAt === undefined ? {} : { lastPingAt }),
  });
}

beforeEach(async () => {
  store = new SqliteStore({ path: ':memory:' });
  now = T0;
  ctx = { store, clock: { now: () => now }, ids: randomIds, tokens: new PageTokens('00'.repeat(32)), quotas: defaultQuotas, pingTimeoutMs: 600_000, clockMode: 'system' };
  queued = [];
  terminated = [];
  counted = [];
  sessions = new SessionService(ctx, {
    onSignalQueued: (s, nodeId) => queued.push(`${s.account}/${nodeId}`),
    onTerminateRequested: (id) => terminated.push(id),
    metrics: { sessionStarted: (t) => counted.push(`started ${t}`), sessionEnded: (o) => counted.push(`ended ${o}`) },
  });
  await putNode(scope, NODE, T0);
});

afterEach(async () => {
  await store.close();
});

const start = (input: Partial<Parameters<SessionService['start']>[1]> = {}) =>
  sessions.start(scope, { target: NODE, owner: OWNER, endpoint, ...input });

const statusOf = async (id: string) => (await store.getSession(scope, id))?.status;

describe('the session state machine', () => {
  const base: Session = {
    id: 'root-0123456789abcdef0', target: NODE, status: 'Connecting', startedAt: T0, documentName: 'SSM-SessionManagerRunShell',
    sessionType: 'Standard_Stream', owner: OWNER, accessType: 'Standard', parameters: {}, tokenHash: 'h', tokenSpent: false, delivered: false,
  };

  it('ends at once when the agent never got the start; asks the agent otherwise', () => {
    const early = nextSession(base, { kind: 'terminate-requested' }, T0 + 1);
    assert.equal(early.state.status, 'Terminated');
    assert.deepEqual(early.effects.map((e) => e.kind), ['withdraw-start', 'ended']);
    const late = nextSession({ ...base, delivered: true }, { kind: 'terminate-requested' }, T0 + 1);
    assert.equal(late.state.status, 'Terminating');
    assert.deepEqual(late.effects, [{ kind: 'terminate-agent' }]);
  });

  it('the first end stands; reports after it change nothing', () => {
    const failed = nextSession(base, { kind: 'ended', outcome: 'Failed', details: 'agent gone' }, T0 + 5).state;
    assert.deepEqual([failed.status, failed.endedAt, failed.details], ['Failed', T0 + 5, 'agent gone']);
    for (const event of [{ kind: 'ended', outcome: 'Terminated' }, { kind: 'connected' }, { kind: 'resumed', tokenHash: 'x' }] as const) {
      assert.equal(nextSession(failed, event, T0 + 9).state, failed);
    }
  });

  it('Connected, Disconnected, resumable; a Terminating session stays so', () => {
    const connected = nextSession(base, { kind: 'connected' }, T0).state;
    assert.equal(connected.status, 'Connected');
    assert.equal(nextSession(connected, { kind: 'disconnected' }, T0).state.status, 'Disconnected');
    const ending = { ...base, status: 'Terminating' as const };
    assert.equal(nextSession(ending, { kind: 'connected' }, T0).state, ending);
    assert.equal(nextSession(ending, { kind: 'resumed', tokenHash: 'x' }, T0).state, ending);
  });

  it('ids, stream URLs and filters', () => {
    assert.equal(sessionIdFor('arn:aws:iam::123456789012:root', '0123456789abcdef0'), 'root-0123456789abcdef0');
    assert.equal(sessionIdFor('arn:aws:iam::123456789012:user/alice', '0123456789abcdef0'), 'alice-0123456789abcdef0');
    assert.equal(streamUrl({ host: 'h:1', secure: false }, 'root-1'), 'ws://h:1/v1/data-channel/root-1?role=publish_subscribe');
    const accept = sessionFilter([{ key: 'InvokedAfter', value: '2026-12-01T00:00:00Z' }, { key: 'Status', value: 'Connecting' }]);
    assert.equal(accept(base), true);
    assert.equal(accept({ ...base, startedAt: T0 - 1 }), false);
    assert.throws(() => sessionFilter([{ key: 'Status', value: 'Gone' }]), { code: 'ValidationException' });
    assert.throws(() => sessionFilter([{ key: 'InvokedBefore', value: 'yesterday' }]), { code: 'ValidationException' });
  });
});

describe('StartSession', () => {
  it('answers an id, a token and the stream URL; the session is Connecting, its start queued for the node', async () => {
    const ticket = await start({ reason: 'patch night' });
    assert.match(ticket.sessionId, /^root-[0-9a-f]{17}$/);
    assert.ok(ticket.tokenValue.length >= 40);
    assert.equal(ticket.streamUrl, `wss://ssm.example:4100/v1/data-channel/${ticket.sessionId}?role=publish_subscribe`);
    const stored = await store.getSession(scope, ticket.sessionId);
    assert.equal(stored?.status, 'Connecting');
    assert.equal(stored?.reason, 'patch night');
    assert.notEqual(stored?.tokenHash, ticket.tokenValue);
    assert.deepEqual(queued, [`${scope.account}/${NODE}`]);
    assert.deepEqual(counted, ['started Standard_Stream']);
    const [event] = await store.readEvents(0, 10);
    assert.equal(event.event['detail-type'], 'Session Manager Session State-change Notification');
    assert.equal(event.event.detail.status, 'Connecting');
  });

  it('refuses a node not connected, unknown, or of another account: TargetNotConnected', async () => {
    await putNode(scope, 'mi-00000000000000001', T0 - 700_000);
    await putNode(other, 'mi-00000000000000002', T0);
    for (const target of ['mi-00000000000000001', 'mi-00000000000000002', 'mi-00000000000000009']) {
      await assert.rejects(start({ target }), { code: 'TargetNotConnected', message: `${target} is not connected.` });
    }
  });

  it('asks the NodeConnections it is given', async () => {
    sessions.connect({ connections: { isConnected: async () => false } });
    await assert.rejects(start(), { code: 'TargetNotConnected' });
    assert.equal(await sessions.connectionStatus(scope, NODE), 'notconnected');
    sessions.connect({ connections: { isConnected: async () => true } });
    assert.equal(await sessions.connectionStatus(scope, NODE), 'connected');
  });

  it('only Session documents; parameters checked against the document', async () => {
    await assert.rejects(start({ documentName: 'AWS-RunShellScript' }), { code: 'InvalidDocument' });
    await assert.rejects(start({ documentName: 'No-Such-Document' }), { code: 'InvalidDocument' });
    await assert.rejects(start({ documentName: 'AWS-StartPortForwardingSession', parameters: { portNumber: ['99999'] } }), { code: 'InvalidParameters' });
    await assert.rejects(start({ documentName: 'AWS-StartPortForwardingSession', parameters: { nope: ['1'] } }), { code: 'InvalidParameters' });
    const ticket = await start({ documentName: 'AWS-StartPortForwardingSession', parameters: { portNumber: ['22'] } });
    const [signal] = await sessions.takeAgentSignals(scope, NODE);
    assert.equal(signal.kind, 'start');
    assert.ok(signal.kind === 'start');
    assert.equal(signal.sessionId, ticket.sessionId);
    assert.equal(signal.sessionType, 'Port');
    assert.deepEqual(signal.parameters, { portNumber: ['22'], localPortNumber: ['0'] });
    assert.equal(signal.documentContent.sessionType, 'Port');
    assert.equal(signal.owner, OWNER);
  });
});

describe('the hand-off points', () => {
  it('signals are handed out once', async () => {
    const { sessionId } = await start();
    assert.equal((await sessions.takeAgentSignals(scope, NODE)).length, 1);
    assert.deepEqual(await sessions.takeAgentSignals(scope, NODE), []);
    await sessions.terminate(scope, sessionId);
    assert.deepEqual(await sessions.takeAgentSignals(scope, NODE), [{ kind: 'terminate', sessionId }]);
    assert.deepEqual(await sessions.takeAgentSignals(scope, NODE), []);
    assert.equal(await statusOf(sessionId), 'Terminating');
    assert.deepEqual(terminated, [sessionId]);
    await sessions.ended(sessionId, 'Terminated');
    assert.equal(await statusOf(sessionId), 'Terminated');
  });

  it('a terminate before the agent got the start ends it at once and withdraws the start', async () => {
    const { sessionId } = await start();
    assert.equal(await sessions.terminate(scope, sessionId), sessionId);
    assert.equal(await statusOf(sessionId), 'Terminated');
    assert.deepEqual(await sessions.takeAgentSignals(scope, NODE), []);
    assert.equal(await sessions.terminate(scope, sessionId), sessionId, 'an ended session is answered the same');
    assert.equal(await sessions.terminate(scope, 'root-00000000000000000'), 'root-00000000000000000');
  });

  it('a token opens one data channel once; ResumeSession gives a new one; an ended session is refused', async () => {
    const { sessionId, tokenValue } = await start();
    await assert.rejects(sessions.openClientChannel(sessionId, 'wrong'), { code: 'InvalidSessionToken' });
    await assert.rejects(sessions.openClientChannel('root-00000000000000000', tokenValue), { code: 'SessionNotFound' });
    const view = await sessions.openClientChannel(sessionId, tokenValue);
    assert.deepEqual(view.scope, scope);
    assert.equal(view.session.id, sessionId);
    await assert.rejects(sessions.openClientChannel(sessionId, tokenValue), { code: 'SessionTokenSpent' });
    await sessions.connected(sessionId);
    await sessions.connected(sessionId);
    assert.equal(await statusOf(sessionId), 'Connected');
    await sessions.disconnected(sessionId);
    assert.equal(await statusOf(sessionId), 'Disconnected');
    const resumed = await sessions.resume(scope, sessionId, endpoint);
    assert.notEqual(resumed.tokenValue, tokenValue);
    await assert.rejects(sessions.openClientChannel(sessionId, tokenValue), { code: 'InvalidSessionToken' });
    await sessions.openClientChannel(sessionId, resumed.tokenValue);
    await sessions.ended(sessionId, 'Failed', 'the agent closed the channel');
    await sessions.ended(sessionId, 'Terminated');
    const ended = await store.getSession(scope, sessionId);
    assert.deepEqual([ended?.status, ended?.details], ['Failed', 'the agent closed the channel']);
    await assert.rejects(sessions.openClientChannel(sessionId, resumed.tokenValue), { code: 'SessionEnded' });
    await assert.rejects(sessions.resume(scope, sessionId, endpoint), { code: 'DoesNotExistException' });
    await assert.rejects(sessions.resume(other, sessionId, endpoint), { code: 'DoesNotExistException' });
    assert.deepEqual(counted, ['started Standard_Stream', 'ended Failed']);
  });

  it('a session still Connecting after the limit ends Failed; a younger one, or one connected, is left', async () => {
    const old = await start();
    now = T0 + 60_000;
    const connected = await start();
    await sessions.connected(connected.sessionId);
    now = T0 + 120_000;
    const young = await start();
    now = T0 + 5 * 60_000 + 30_000;
    assert.equal(await sessions.expireUnconnected(now - 5 * 60_000), 1);
    assert.deepEqual([await statusOf(old.sessionId), await statusOf(connected.sessionId), await statusOf(young.sessionId)], ['Failed', 'Connected', 'Connecting']);
    assert.match((await store.getSession(scope, old.sessionId))!.details!, /not connected in time/);
    assert.ok(terminated.includes(old.sessionId), 'its channels, if any, are closed');
    assert.equal(await sessions.expireUnconnected(now - 5 * 60_000), 0, 'idempotent');
  });

  it('the agent\'s channel: only the target node, only while active', async () => {
    const { sessionId } = await start();
    assert.equal(await sessions.agentChannelAllowed(scope, NODE, sessionId), true);
    assert.equal(await sessions.agentChannelAllowed(scope, 'mi-00000000000000009', sessionId), false);
    assert.equal(await sessions.agentChannelAllowed(other, NODE, sessionId), false);
    await sessions.ended(sessionId, 'Terminated');
    assert.equal(await sessions.agentChannelAllowed(scope, NODE, sessionId), false);
  });

  it('DeregisterManagedInstance ends the node\'s sessions and queues nothing', async () => {
    const first = await start();
    await sessions.takeAgentSignals(scope, NODE);
    const second = await start();
    const activations = new ActivationService(ctx, sessions);
    terminated = [];
    await activations.deregister(scope, NODE);
    assert.equal(await statusOf(first.sessionId), 'Terminated');
    assert.equal(await statusOf(second.sessionId), 'Terminated');
    assert.deepEqual(await sessions.takeAgentSignals(scope, NODE), []);
    assert.deepEqual(terminated.sort(), [first.sessionId, second.sessionId].sort());
    const page = await sessions.list(scope, { state: 'History' });
    assert.deepEqual(page.sessions.map((s) => s.id), [second.sessionId, first.sessionId]);
  });
});
