// The session relay (src/runtime/session-relay.ts) with fake peers and manual timers: order, holding for a
// late side, limits, backpressure, transcript bound, idle timeout, terminate, resume, and the node's exit.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type AgentMessage, decodeAgentMessage, encodeAgentMessage, MessageType, PayloadType } from '../../src/wire/mgs/agent-message.ts';
import { readChannelClosed } from '../../src/wire/mgs/channel-closed.ts';
import { agentSessionStateMessage, streamDataMessage } from '../../src/wire/mgs/session-stream.ts';
import type { Peer, PeerListeners } from '../../src/runtime/session-peer.ts';
import { IDLE_TIMEOUT_OUTPUT, MAX_DURATION_OUTPUT, type RelayTimers, SessionRelay, type SessionRelayOptions } from '../../src/runtime/session-relay.ts';
import { TRUNCATION_MARKER } from '../../src/runtime/session-transcript.ts';

const SESSION = 'alice-0123456789abcdef0';
let ids = 0;
const id = (): string => `00000000-0000-4000-8000-${String(++ids).padStart(12, '0')}`;

class FakePeer implements Peer {
  sent: Buffer[] = [];
  bufferedAmount = 0;
  closed?: { code: number; reason: string };
  #listeners?: PeerListeners;
  send(frame: Buffer): void { this.sent.push(frame); }
  close(code: number, reason: string): void { this.closed ??= { code, reason }; }
  listen(listeners: PeerListeners): void { this.#listeners = listeners; }
  receive(frame: Buffer, binary = true): void { this.#listeners!.frame(frame, binary); }
  hangUp(): void { this.#listeners!.close(); }
  get messages(): AgentMessage[] { return this.sent.map((f) => decodeAgentMessage(f)); }
  get types(): string[] { return this.messages.map((m) => m.messageType); }
}

class ManualTimers implements RelayTimers {
  now = 1_000_000;
  #due: { at: number; fn: () => void; live: boolean }[] = [];
  setTimeout(fn: () => void, ms: number): unknown {
    const t = { at: this.now + ms, fn, live: true };
    this.#due.push(t);
    return t;
  }
  clearTimeout(handle: unknown): void { (handle as { live: boolean }).live = false; }
  advance(ms: number): void {
    const end = this.now + ms;
    for (;;) {
      const next = this.#due.filter((t) => t.live && t.at <= end).sort((a, b) => a.at - b.at)[0];
      if (next === undefined) break;
      this.now = next.at;
      next.live = false;
      next.fn();
    }
    this.now = end;
  }
  get pending(): number { return this.#due.filter((t) => t.live).length; }
}

function input(seq: number, text: string, payloadType: number = PayloadType.Output): Buffer {
  return encodeAgentMessage(streamDataMessage(MessageType.InputStreamData, seq, payloadType, Buffer.from(text), id(), 1_700_000_000_000));
}
function output(seq: number, text: string, payloadType: number = PayloadType.Output): Buffer {
  return encodeAgentMessage(streamDataMessage(MessageType.OutputStreamData, seq, payloadType, Buffer.from(text), id(), 1_700_000_000_000));
}
function state(value: string): Buffer {
  return encodeAgentMessage(agentSessionStateMessage({ schemaVersion: 1, sessionState: value, sessionId: SESSION }, id(), 1_700_000_000_000));
}

function setup(options: SessionRelayOptions = {}) {
  const timers = new ManualTimers();
  const log: string[] = [];
  const transcript: Buffer[] = [];
  const ended: { outcome: string; details: string }[] = [];
  const relayed = { client: 0, agent: 0 };
  const relay = new SessionRelay({
    now: () => timers.now, timers, newId: id, idleMs: 60_000, agentReconnectMs: 10_000, ...options,
    events: {
      connected: (s) => log.push(`connected ${s}`),
      disconnected: (s) => log.push(`disconnected ${s}`),
      ended: (s, outcome, details) => { log.push(`ended ${outcome}`); ended.push({ outcome, details }); },
      agentState: (_s, st) => log.push(`state ${st}`),
      terminateOnControlChannel: (s) => log.push(`control channel_closed ${s}`),
      relayed: (_s, from, bytes) => { relayed[from] += bytes; },
      transcript: (_s, chunk) => transcript.push(chunk),
    },
  });
  return { relay, timers, log, transcript, ended, relayed };
}

describe('session relay', () => {
  test('frames pass unchanged and in order both ways; Connected when both sides are attached', () => {
    const { relay, log, relayed } = setup();
    const client = new FakePeer();
    const agent = new FakePeer();
    relay.attachClient(SESSION, client, { destinationId: 'client-1' });
    assert.deepEqual(log, []);
    relay.attachAgent(SESSION, agent, { destinationId: 'mi-0123456789abcdef0' });
    assert.deepEqual(log, [`connected ${SESSION}`]);
    const outs = [output(0, 'a'), output(1, 'b'), output(2, 'c')];
    const ins = [input(0, 'l'), input(1, 's')];
    agent.receive(outs[0]!);
    client.receive(ins[0]!);
    agent.receive(outs[1]!);
    agent.receive(outs[2]!);
    client.receive(ins[1]!);
    assert.deepEqual(client.sent, outs);
    assert.deepEqual(agent.sent, ins);
    assert.equal(relayed.agent, outs.reduce((n, b) => n + b.length, 0));
    assert.equal(relayed.client, ins.reduce((n, b) => n + b.length, 0));
  });

  test('the side that comes first has the other side\'s frames held, in order, and delivered on attach', () => {
    const { relay } = setup();
    const agent = new FakePeer();
    relay.attachAgent(SESSION, agent);
    agent.receive(state('Connected'));
    const outs = [output(0, 'hand'), output(1, 'shake')];
    for (const f of outs) agent.receive(f);
    const client = new FakePeer();
    relay.attachClient(SESSION, client);
    assert.deepEqual(client.sent, outs, 'agent_session_state is the service\'s, not forwarded');
  });

  test('more than pendingBytes held for an absent side fails the session', () => {
    const { relay, log, ended } = setup({ pendingBytes: 300 });
    const agent = new FakePeer();
    relay.attachAgent(SESSION, agent);
    agent.receive(output(0, 'x'.repeat(100)));
    assert.equal(relay.has(SESSION), true);
    agent.receive(output(1, 'x'.repeat(100)));
    assert.equal(relay.has(SESSION), false);
    assert.deepEqual(log, ['control channel_closed ' + SESSION, 'ended Failed']);
    assert.match(ended[0]!.details, /more than 300 bytes waited for the client/);
    assert.equal(agent.closed?.code, 1011);
    assert.equal(agent.messages.at(-1)?.messageType, MessageType.ChannelClosed);
  });

  test('an oversized frame, an undecodable frame and a text frame each end the session with a reason', () => {
    for (const [frame, binary, reason] of [
      [output(0, 'y'.repeat(400)), true, /frame of 520 bytes, more than 256/],
      [Buffer.from('not a frame'), true, /undecodable frame/],
      [output(0, 'z'), false, /text frame/],
    ] as const) {
      const { relay, ended } = setup({ maxFrameBytes: 256 });
      const client = new FakePeer();
      const agent = new FakePeer();
      relay.attachClient(SESSION, client);
      relay.attachAgent(SESSION, agent);
      agent.receive(frame, binary);
      assert.equal(ended[0]?.outcome, 'Failed');
      assert.match(ended[0]!.details, reason);
      const closed = readChannelClosed(client.messages.at(-1)!);
      assert.equal(closed.sessionId, SESSION);
      assert.match(closed.output ?? '', reason, 'the plugin prints why');
      assert.ok(client.closed && agent.closed);
      assert.deepEqual(client.types, [MessageType.ChannelClosed], 'the frame was not relayed');
    }
  });

  test('a peer that stopped reading is dropped and nothing more is sent to it', () => {
    const { relay, log } = setup({ maxBufferedBytes: 1000 });
    const client = new FakePeer();
    const agent = new FakePeer();
    relay.attachClient(SESSION, client);
    relay.attachAgent(SESSION, agent);
    agent.receive(output(0, 'a'));
    client.bufferedAmount = 5000;
    agent.receive(output(1, 'b'));
    assert.equal(client.sent.length, 1);
    assert.equal(client.closed?.code, 1013);
    assert.deepEqual(log, [`connected ${SESSION}`, `disconnected ${SESSION}`]);
    assert.deepEqual(agent.types, [MessageType.PausePublication], 'the agent holds its output while the client is away');
    // The dropped client resumes on a new socket: held frames flow there, and the agent is restarted.
    agent.receive(output(1, 'b'));
    const again = new FakePeer();
    relay.attachClient(SESSION, again);
    assert.deepEqual(again.messages.map((m) => m.payload.toString()), ['b']);
    assert.deepEqual(agent.types, [MessageType.PausePublication, MessageType.StartPublication]);
    assert.deepEqual(log.slice(2), [`connected ${SESSION}`]);
  });

  test('the transcript keeps output (not input, not retransmissions) up to its bound, then a marker', () => {
    const { relay, transcript } = setup({ transcriptBytes: 10 });
    const client = new FakePeer();
    const agent = new FakePeer();
    relay.attachClient(SESSION, client);
    relay.attachAgent(SESSION, agent);
    client.receive(input(0, 'secret'));
    agent.receive(output(0, 'abcd'));
    agent.receive(output(0, 'abcd'));
    agent.receive(output(1, '{"cols":1}', PayloadType.HandshakeRequest));
    agent.receive(output(2, 'efgh'));
    agent.receive(output(3, 'ijkl'));
    agent.receive(output(4, 'mnop'));
    assert.equal(Buffer.concat(transcript).toString(), `abcdefghij${TRUNCATION_MARKER}`);
  });

  test('no input for idleMs terminates the session with the idle message; input postpones it', () => {
    const { relay, timers, log } = setup();
    const client = new FakePeer();
    const agent = new FakePeer();
    relay.attachClient(SESSION, client);
    relay.attachAgent(SESSION, agent);
    timers.advance(50_000);
    client.receive(input(0, 'l'));
    agent.receive(output(0, 'l'));
    timers.advance(50_000);
    assert.equal(relay.has(SESSION), true, 'output is not activity; the input 50 s ago is');
    timers.advance(10_000);
    assert.equal(relay.has(SESSION), false);
    assert.equal(readChannelClosed(client.messages.at(-1)!).output, IDLE_TIMEOUT_OUTPUT);
    assert.equal(agent.messages.at(-1)?.messageType, MessageType.ChannelClosed);
    assert.deepEqual(log.slice(-2), [`control channel_closed ${SESSION}`, 'ended Terminated']);
    assert.equal(timers.pending, 0, 'nothing left running');
  });

  test('the document\'s limits: its idle timeout replaces the default, its maximum duration ends a busy session', () => {
    const { relay, timers, log } = setup();
    const client = new FakePeer();
    const agent = new FakePeer();
    relay.attachClient(SESSION, client, { limits: { idleMs: 5_000, maxDurationMs: 12_000 } });
    relay.attachAgent(SESSION, agent);
    timers.advance(4_000);
    client.receive(input(0, 'a'));
    timers.advance(4_000);
    client.receive(input(1, 'b'));
    assert.equal(relay.has(SESSION), true, 'input within 5 s each time');
    timers.advance(4_000);
    assert.equal(relay.has(SESSION), false, 'twelve seconds: its maximum duration');
    assert.equal(readChannelClosed(client.messages.at(-1)!).output, MAX_DURATION_OUTPUT);
    assert.deepEqual(log.slice(-1), ['ended Terminated']);
    assert.equal(timers.pending, 0, 'nothing left running');

    const second = 'alice-0123456789abcdef1';
    relay.attachClient(second, new FakePeer(), { limits: { idleMs: 5_000 } });
    timers.advance(5_000);
    assert.equal(relay.has(second), false, 'five quiet seconds, not the default minute');
  });

  test('terminate tells both sides with channel_closed, asks for the control-channel one, closes both', () => {
    const { relay, log, timers } = setup();
    const client = new FakePeer();
    const agent = new FakePeer();
    relay.attachClient(SESSION, client, { destinationId: 'client-1' });
    relay.attachAgent(SESSION, agent, { destinationId: 'mi-0123456789abcdef0' });
    relay.terminate(SESSION, 'TerminateSession');
    const toClient = readChannelClosed(client.messages.at(-1)!);
    assert.equal(toClient.destinationId, 'client-1');
    assert.equal(toClient.output, undefined, 'the plugin prints its own "Exiting session" line');
    assert.equal(readChannelClosed(agent.messages.at(-1)!).destinationId, 'mi-0123456789abcdef0');
    assert.deepEqual(client.closed, { code: 1000, reason: 'TerminateSession' });
    assert.ok(agent.closed);
    assert.deepEqual(log, [`connected ${SESSION}`, `control channel_closed ${SESSION}`, 'ended Terminated']);
    assert.equal(timers.pending, 0);
    // A socket that comes late to an ended session is refused as the agent expects.
    const late = new FakePeer();
    relay.attachAgent(SESSION, late);
    assert.equal(late.closed?.reason, 'Session is already terminated');
  });

  test('the client leaving is Disconnected; a new client socket resumes and frames flow again', () => {
    const { relay, log } = setup();
    const client = new FakePeer();
    const agent = new FakePeer();
    relay.attachClient(SESSION, client);
    relay.attachAgent(SESSION, agent);
    client.hangUp();
    assert.equal(relay.has(SESSION), true);
    assert.equal(agent.closed, undefined);
    const resumed = new FakePeer();
    relay.attachClient(SESSION, resumed);
    client.receive(input(5, 'stale'));
    resumed.receive(input(0, 'x'));
    agent.receive(output(0, 'y'));
    assert.deepEqual(agent.messages.map((m) => m.messageType), [MessageType.PausePublication, MessageType.StartPublication, MessageType.InputStreamData]);
    assert.equal(agent.messages[2]!.payload.toString(), 'x', 'the old socket\'s frames are ignored');
    assert.equal(resumed.messages[0]!.payload.toString(), 'y');
    assert.deepEqual(log, [`connected ${SESSION}`, `disconnected ${SESSION}`, `connected ${SESSION}`]);
  });

  test('the shell exits: Terminating then the agent closes its channel; the client is told and the session ends', () => {
    const { relay, log } = setup();
    const client = new FakePeer();
    const agent = new FakePeer();
    relay.attachClient(SESSION, client);
    relay.attachAgent(SESSION, agent);
    agent.receive(output(0, 'exit\r\n'));
    agent.receive(state('Terminating'));
    agent.hangUp();
    assert.deepEqual(client.types, [MessageType.OutputStreamData, MessageType.ChannelClosed]);
    assert.deepEqual(log, [`connected ${SESSION}`, 'state Terminating', 'ended Terminated'], 'the node ended it: no control-channel message');
    assert.ok(client.closed);
  });

  test('the agent\'s channel breaking without Terminating waits for it to reconnect, then fails', () => {
    const { relay, timers, ended } = setup();
    const client = new FakePeer();
    relay.attachClient(SESSION, client);
    const agent = new FakePeer();
    relay.attachAgent(SESSION, agent);
    agent.hangUp();
    client.receive(input(0, 'held'));
    timers.advance(9_000);
    const back = new FakePeer();
    relay.attachAgent(SESSION, back);
    assert.equal(back.messages[0]!.payload.toString(), 'held');
    back.hangUp();
    timers.advance(10_000);
    assert.equal(ended[0]?.outcome, 'Failed');
    assert.match(ended[0]!.details, /did not reopen/);
  });

  test('the node sending channel_closed ends the session; agentCompleted does too', () => {
    const { relay, ended } = setup();
    const client = new FakePeer();
    relay.attachClient(SESSION, client);
    relay.attachAgent(SESSION, new FakePeer());
    relay.agentCompleted(SESSION);
    assert.equal(ended[0]?.outcome, 'Terminated');
    assert.equal(client.types.at(-1), MessageType.ChannelClosed);
  });
});
