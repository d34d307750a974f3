// Names from a request used as keys never reach Object.prototype (issue 28, finding 3, beyond X-Amz-Target):
// a console asset named `constructor` is a 404 page, not a 500; a node tag named `__proto__` is kept as a
// tag like any other instead of being dropped.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { putNode, listNodes } from '../support/control.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

describe('names of Object.prototype in paths and bodies', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.stop());

  test('console assets named after Object.prototype members are 404s', async () => {
    for (const name of ['constructor', 'tostring', 'valueof', '__proto__', 'hasownproperty']) {
      const response = await fetch(`${server.app.endpoint}/console/assets/${name}`, { signal: AbortSignal.timeout(10_000) });
      assert.equal(response.status, 404, name);
    }
  });

  test('a node tag named __proto__ is stored and listed as a tag', async () => {
    const tags = JSON.parse('{"__proto__": "odd", "Env": "prod"}') as Record<string, string>;
    const node = await putNode(server, 'i-00000000000000042', { tags });
    assert.deepEqual(Object.entries(node.tags), [['__proto__', 'odd'], ['Env', 'prod']]);
    const [listed] = (await listNodes(server)).filter((n) => n.id === 'i-00000000000000042');
    assert.deepEqual(Object.entries(listed.tags), [['__proto__', 'odd'], ['Env', 'prod']]);
  });
});
