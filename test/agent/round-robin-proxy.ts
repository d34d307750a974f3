// An HTTP proxy that sends each request to the next of several replicas in turn, as a load balancer in
// front of a replicated service would: one agent's polls, acknowledgements and replies then land on
// different replicas. The turn is kept per X-Amz-Target: with one turn for all requests, two agents'
// regular rhythm of calls could line every poll up on one replica (seen once in CI), and the scenarios
// must see each kind of call served by each replica. Headers go through unchanged (the agent's SigV4 signature covers Host). It counts
// which replica served which X-Amz-Target.

import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RoundRobinProxy {
  endpoint: string;
  /** Per replica (by index): how many requests of each X-Amz-Target it was sent. */
  served: Map<string, number>[];
  stop(): Promise<void>;
}

export async function startRoundRobinProxy(replicaEndpoints: string[]): Promise<RoundRobinProxy> {
  const targets = replicaEndpoints.map((endpoint) => new URL(endpoint));
  const served = targets.map(() => new Map<string, number>());
  const turns = new Map<string, number>();
  const server = createServer((incoming: IncomingMessage, outgoing: ServerResponse) => {
    const operation = String(incoming.headers['x-amz-target'] ?? `${incoming.method} ${incoming.url}`);
    const turn = turns.get(operation) ?? 0;
    turns.set(operation, turn + 1);
    const index = turn % targets.length;
    served[index].set(operation, (served[index].get(operation) ?? 0) + 1);
    const upstream = request({
      host: targets[index].hostname, port: targets[index].port, method: incoming.method, path: incoming.url, headers: incoming.headers,
    }, (answer) => {
      outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(outgoing);
    });
    upstream.on('error', () => outgoing.destroy());
    incoming.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    served,
    stop: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
