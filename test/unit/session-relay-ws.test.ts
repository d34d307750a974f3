// The session relay over real `ws` sockets on 127.0.0.1 (wsPeer): frames cross in order, a terminate reaches
// both sockets as channel_closed and closes them. Each wait is on an event, bounded by the test's timeout.

import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { WebSocket, WebSocketServer } from 'ws';
import { wsPeer } from '../../src/runtime/session-peer.ts';
import { SessionRelay } from '../../src/runtime/session-relay.ts';
import { decodeAgentMessage, encodeAgentMessage, MessageType, PayloadType } from '../../src/wire/mgs/agent-message.ts';
import { readChannelClosed } from '../../src/wire/mgs/channel-closed.ts';
import { streamDataMessage } from '../../src/wire/mgs/session-stream.ts';

const SESSION = 'bob-0fedcba9876543210';
let n = 0;
const id = (): string => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`;
const frame = (type: typeof MessageType.InputStreamData | typeof MessageType.OutputStreamData, seq: number, text: string): Buffer =>
  encodeAgentMessage(streamDataMessage(type, seq, PayloadType.Output, Buffer.from(text), id(), 1_700_000_000_000));

describe('session relay over ws', { timeout: 10_000 }, () => {
  let server: WebSocketServer;
  let url: string;
  const ended: string[] = [];
  const relay = new SessionRelay({ events: { ended: (s, outcome) => ended.push(`${s} ${outcome}`) } });

  before(async () => {
    server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await once(server, 'listening');
    url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
    // Stands in for the endpoint: the first text frame opens the channel, then the socket is the relay's.
    server.on('connection', (socket, request) => {
      socket.once('message', (data, binary) => {
        assert.equal(binary, false);
        const role = new URL(request.url ?? '/', url).searchParams.get('as');
        const peer = wsPeer(socket);
        const sessionId = JSON.parse(String(data)).SessionId as string;
        if (role === 'agent') relay.attachAgent(sessionId, peer, { destinationId: 'mi-0fedcba9876543210' });
        else relay.attachClient(sessionId, peer, { destinationId: 'client-7' });
      });
    });
  });

  after(async () => {
    relay.stop();
    for (const c of server.clients) c.terminate();
    server.close();
    await once(server, 'close');
  });

  async function open(as: string): Promise<{ socket: WebSocket; received: Buffer[]; next(count: number): Promise<Buffer[]> }> {
    const socket = new WebSocket(`${url}/v1/data-channel/${SESSION}?as=${as}`);
    const received: Buffer[] = [];
    let waiter: (() => void) | undefined;
    socket.on('message', (data) => { received.push(data as Buffer); waiter?.(); });
    await once(socket, 'open');
    socket.send(JSON.stringify({ SessionId: SESSION }));
    return {
      socket, received,
      next: (count) => new Promise((resolve) => {
        const check = (): void => { if (received.length >= count) resolve(received.slice(0, count)); };
        waiter = check;
        check();
      }),
    };
  }

  test('frames cross in order both ways, and terminate ends both sockets with channel_closed', async () => {
    const agent = await open('agent');
    const outs = [0, 1, 2, 3, 4].map((i) => frame(MessageType.OutputStreamData, i, `out ${i}`));
    // Sent before the client exists: held, then delivered in order.
    for (const f of outs) agent.socket.send(f);
    const client = await open('client');
    const ins = [0, 1, 2].map((i) => frame(MessageType.InputStreamData, i, `in ${i}`));
    for (const f of ins) client.socket.send(f);
    assert.deepEqual(await client.next(5), outs);
    assert.deepEqual(await agent.next(3), ins);

    const clientClosed = once(client.socket, 'close');
    const agentClosed = once(agent.socket, 'close');
    relay.terminate(SESSION, 'TerminateSession');
    const [[clientCode], [agentCode]] = await Promise.all([clientClosed, agentClosed]);
    assert.equal(clientCode, 1000);
    assert.equal(agentCode, 1000);
    const toClient = decodeAgentMessage(client.received.at(-1)!);
    assert.equal(readChannelClosed(toClient).destinationId, 'client-7');
    assert.equal(decodeAgentMessage(agent.received.at(-1)!).messageType, MessageType.ChannelClosed);
    assert.deepEqual(ended, [`${SESSION} Terminated`]);
  });
});
