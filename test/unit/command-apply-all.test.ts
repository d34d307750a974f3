// The takes of many nodes at once (service/agent-delivery.ts take, runtime/command-executor.ts applyAll):
// applying several invocations' events of one command together leaves the same rows, command and events
// as applying them one after another, including an end in their midst (which takes the one-by-one path);
// and one take per node goes into a batch, so two polls of one node never both get its message.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { agentReply, type InvocationEvent } from '../../src/domain/command-invocation.ts';
import { type CommandInvocation, newCommand } from '../../src/domain/commands.ts';
import type { RecordedEvent } from '../../src/domain/events.ts';
import { CommandExecutor } from '../../src/runtime/command-executor.ts';
import { AgentDelivery } from '../../src/service/agent-delivery.ts';
import { ManualClock } from '../../src/service/manual-clock.ts';
import type { Store, StoreOperations } from '../../src/service/ports.ts';
import { catalogueDocument } from '../../src/service/runnable-documents.ts';
import { SqliteStore } from '../../src/storage/sqlite/sqlite-store.ts';

const T0 = Date.UTC(2030, 0, 1);
const scope = { account: '123456789012', region: 'us-east-1' };
const NODES = ['mi-0a', 'mi-0b', 'mi-0c', 'mi-0d', 'mi-0e'];

/** Every node is a real one: the runner queues a message for its agent. */
const realNodes = { start: async (_tx: unknown, _scope: unknown, _command: unknown, invocations: CommandInvocation[]) => invocations.map(() => ({ afterMs: 0 })) };

/** A store with one command to NODES, started (a message queued for each), and the events recorded from then on. */
async function started(maxConcurrency: string) {
  const sqlite = new SqliteStore({ path: ':memory:' });
  const events: RecordedEvent[] = [];
  const store: Store = Object.assign(Object.create(sqlite) as Store, {
    transaction: <T>(work: (tx: StoreOperations) => Promise<T>) => sqlite.transaction((tx) => work({ ...tx, appendEvents: async (e) => { events.push(...e); await tx.appendEvents(e); } })),
  });
  const commands = new CommandExecutor(realNodes);
  const { command, invocations } = newCommand('c-1', { documentName: 'AWS-RunShellScript', parameters: { commands: ['true'] }, instanceIds: NODES, maxConcurrency, maxErrors: '0' }, catalogueDocument('AWS-RunShellScript'), NODES, T0);
  await store.transaction((tx) => tx.insertCommand(scope, command, invocations));
  await store.transaction((tx) => commands.move(tx, scope, 'c-1', T0));
  events.length = 0;
  return { store, commands, events, close: () => sqlite.close() };
}

async function state(store: Store) {
  const command = await store.getCommand(scope, 'c-1');
  const rows = (await store.getCommandInvocations(scope, 'c-1')).sort((a, b) => a.index - b.index);
  return { command, rows };
}

const shown = (events: RecordedEvent[]) => events.map((e) => `${e.event['detail-type']} ${JSON.stringify(e.event.detail)}`);

describe('events of several invocations of one command applied together', () => {
  const success = agentReply('Success', [{ name: 'aws:runShellScript', status: 'Success', responseCode: 0, stdout: 'ok', stderr: '' }]);
  const failure = agentReply('Failed', [{ name: 'aws:runShellScript', status: 'Failed', responseCode: 1, stdout: '', stderr: 'no' }]);
  const cases: { name: string; maxConcurrency: string; before?: { instanceId: string; event: InvocationEvent }[]; items: { instanceId: string; event: InvocationEvent }[] }[] = [
    { name: 'polls of every node', maxConcurrency: '100%', items: NODES.map((instanceId) => ({ instanceId, event: { kind: 'polled', visibilityMs: 10_000 } })) },
    {
      name: 'acknowledgements, replies and an end in their midst',
      maxConcurrency: '100%',
      before: NODES.map((instanceId) => ({ instanceId, event: { kind: 'polled', visibilityMs: 10_000 } })),
      items: [
        { instanceId: 'mi-0a', event: { kind: 'acknowledged' } },
        { instanceId: 'mi-0b', event: { kind: 'replied', reply: success } },
        { instanceId: 'mi-0c', event: { kind: 'replied', reply: failure } },
        { instanceId: 'mi-0d', event: { kind: 'acknowledged' } },
        { instanceId: 'mi-0e', event: { kind: 'polled', visibilityMs: 10_000 } },
      ],
    },
    {
      name: 'ends that make room for rate control, and the last end',
      maxConcurrency: '3',
      before: NODES.slice(0, 3).map((instanceId) => ({ instanceId, event: { kind: 'polled', visibilityMs: 10_000 } })),
      items: NODES.slice(0, 3).map((instanceId) => ({ instanceId, event: { kind: 'replied', reply: success } })),
    },
  ];
  for (const c of cases) {
    test(c.name, async () => {
      const one = await started(c.maxConcurrency);
      const all = await started(c.maxConcurrency);
      try {
        for (const s of [one, all]) for (const b of c.before ?? []) await s.store.transaction((tx) => s.commands.apply(tx, scope, 'c-1', b.instanceId, b.event, T0 + 1_000));
        one.events.length = 0;
        all.events.length = 0;
        const each = [];
        for (const item of c.items) each.push(await one.store.transaction((tx) => one.commands.apply(tx, scope, 'c-1', item.instanceId, item.event, T0 + 2_000)));
        const together = await all.store.transaction((tx) => all.commands.applyAll(tx, scope, 'c-1', c.items, T0 + 2_000));
        assert.deepEqual(await state(all.store), await state(one.store));
        assert.ok(one.events.length > 0);
        assert.deepEqual(shown(all.events), shown(one.events));
        assert.deepEqual(together.map((a) => a && { status: a.invocation.status, own: a.own, effects: a.effects }), each.map((a) => a && { status: a.invocation.status, own: a.own, effects: a.effects }));
      } finally {
        await one.close();
        await all.close();
      }
    });
  }
});

describe('takes asked for together', () => {
  test('share a transaction, one per node: a node polling twice at once gets its message once', async () => {
    const s = await started('100%');
    try {
      let transactions = 0;
      const store: Store = Object.assign(Object.create(s.store) as Store, { transaction: <T>(work: (tx: StoreOperations) => Promise<T>) => { transactions++; return s.store.transaction(work); } });
      const delivery = new AgentDelivery({
        store, commands: s.commands, waiters: s.commands.waiters, clock: new ManualClock(T0 + 1_000), realClock: new ManualClock(0), pingTimeoutMs: 600_000,
        engine: { wake: async () => {}, fireNow: async () => { throw new Error('unused'); }, cancel: async () => {}, advanceTo: async () => {}, startAutomation: async () => { throw new Error('unused'); } },
      });
      const asked = [...NODES, 'mi-0a'].map((nodeId) => delivery.take({ scope, nodeId }, 10_000));
      const taken = await Promise.all(asked);
      assert.deepEqual(taken.map((d) => d.map((x) => `${x.kind} ${x.instanceId}`)), [...NODES.map((n) => [`command ${n}`]), []]);
      assert.equal(transactions, 2, 'the five nodes in one transaction; the second poll of mi-0a in the next');
      const { command, rows } = await state(s.store);
      assert.deepEqual(rows.map((r) => [r.status, r.delivery]), NODES.map(() => ['InProgress', 'delivered']));
      assert.equal(command?.status, 'InProgress');
      assert.deepEqual(shown(s.events).filter((e) => e.includes('Invocation')).length, NODES.length);
    } finally {
      await s.close();
    }
  });

  test('a take that fails fails its own node alone', async () => {
    const s = await started('100%');
    try {
      const commands = Object.assign(Object.create(s.commands) as CommandExecutor, {
        applyAll: (tx: StoreOperations, sc: typeof scope, commandId: string, items: { instanceId: string; event: InvocationEvent }[], now: number) => {
          if (items.some((i) => i.instanceId === 'mi-0c')) throw new Error('mi-0c cannot be taken');
          return s.commands.applyAll(tx, sc, commandId, items, now);
        },
      });
      const delivery = new AgentDelivery({
        store: s.store, commands, waiters: s.commands.waiters, clock: new ManualClock(T0 + 1_000), realClock: new ManualClock(0), pingTimeoutMs: 600_000,
        engine: { wake: async () => {}, fireNow: async () => { throw new Error('unused'); }, cancel: async () => {}, advanceTo: async () => {}, startAutomation: async () => { throw new Error('unused'); } },
      });
      const taken = await Promise.allSettled(NODES.map((nodeId) => delivery.take({ scope, nodeId }, 10_000)));
      assert.deepEqual(taken.map((t) => (t.status === 'fulfilled' ? t.value.map((d) => d.instanceId) : String(t.reason))), [['mi-0a'], ['mi-0b'], 'Error: mi-0c cannot be taken', ['mi-0d'], ['mi-0e']]);
    } finally {
      await s.close();
    }
  });
});
