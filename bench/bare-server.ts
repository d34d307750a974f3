// The runtime's ceiling: a bare node:http server that reads each request and answers a fixed body with
// the headers an AWS JSON 1.1 answer carries. `node bench/bare-server.ts BYTES` answers a padded JSON
// object of that size; `node bench/bare-server.ts @FILE` answers the file's bytes exactly (the API section
// hands it our own answer to an operation, so both servers write the same bytes).

import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const arg = process.argv[2] ?? '512';
function padded(bytes: number): Buffer {
  const prefix = '{"pad":"';
  const suffix = '"}';
  return Buffer.from(prefix + 'x'.repeat(Math.max(0, bytes - prefix.length - suffix.length)) + suffix);
}
const payload = arg.startsWith('@') ? readFileSync(arg.slice(1)) : padded(Number(arg));

const server = createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
  req.on('data', () => {});
  req.on('end', () => {
    res.writeHead(200, {
      'content-type': 'application/x-amz-json-1.1',
      'content-length': payload.length,
      'x-amzn-requestid': randomUUID(),
    });
    res.end(payload);
  });
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`bare server listening on http://127.0.0.1:${(server.address() as AddressInfo).port}\n`);
});
const shutdown = () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
};
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
