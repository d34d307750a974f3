// The engine performs the command executor's effects after its step commits (issue 27): a message the
// engine queues for a real node (a SendCommand's first start, the next start MaxConcurrency allows, a
// redelivery) wakes the poll already waiting for that node at once, instead of at the poll's next look at
// the store a second later (the bench's SendCommand -> poll p50 went from 1,008 ms to 102 ms).

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { newCommand } from '../../src/domain/commands.ts';
import { CommandExecutor } from '../../src/runtime/command-executor.ts';
import { Engine } from '../../src/runtime/engine.ts';
import { ManualClock } from '../../src/service/manual-clock.ts';
import { randomIds, systemClock } from '../../src/service/system.ts';
import { SqliteStore } from '../../src/storage/sqlite/sqlite-store.ts';
import { catalogueDocument } from '../../src/service/runnable-documents.ts';

const T0 = Date.UTC(2030, 0, 1);
const scope = { account: '123456789012', region: 'us-east-1' };

test('a message the engine queues wakes the node\'s waiting poll once the step has committed', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mw-engine-wakes-'));
  const store = new SqliteStore({ path: join(dir, 'mw.sqlite') });
  // Every node is a real one: starting an invocation queues a message for its agent.
  const commands = new CommandExecutor({ start: async (_tx, _scope, _command, invocations) => invocations.map(() => ({ afterMs: 0 })) });
  const clock = new ManualClock(T0);
  const engine = new Engine({
    store, clock, manualClock: clock, realClock: systemClock, ids: randomIds, commands, owner: 'test-replica', leaseMs: 15_000, log: () => {},
    runner: { start: async () => { throw new Error('no window runs here'); } } as never,
  });
  try {
    const { command, invocations } = newCommand('11111111-2222-3333-4444-555555555555', { documentName: 'AWS-RunShellScript', parameters: { commands: ['true'] }, instanceIds: ['mi-00000000000000001'] }, catalogueDocument('AWS-RunShellScript'), ['mi-00000000000000001'], T0);
    await store.transaction((tx) => tx.insertCommand(scope, command, invocations));
    let woken = false;
    // A poll that would otherwise look at the store again only after a minute.
    const poll = commands.waiters.wait(scope, 'mi-00000000000000001', 60_000).then(() => { woken = true; });
    await engine.wake();
    await Promise.race([poll, new Promise((resolve) => setImmediate(resolve))]);
    assert.equal(woken, true, 'the poll was woken by the step that queued its message');
    const [queued] = await store.listQueuedInvocations(scope, 'mi-00000000000000001', 10);
    assert.equal(queued?.commandId, command.id, 'and the message is there for it to take');
  } finally {
    await engine.stop();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
