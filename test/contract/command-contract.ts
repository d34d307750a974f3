// Contract: Run Command's commands and their per-node invocations: round trips, listings newest command
// first (each in instance order), updates of invocations (status, due time, delivery), the messages
// queued for a node's agent, and the due work the engine finds in every scope.

import assert from 'node:assert/strict';
import type { CommandInvocation } from '../../src/domain/commands.ts';
import { A, B, C, command, items, keys, T0, windowExecution } from './fixtures.ts';
import type { StoreTest } from './store-contract.ts';

const MAX = Number.MAX_SAFE_INTEGER;
const ids = (rows: CommandInvocation[]) => rows.map((i) => `${i.commandId}/${i.instanceId}`);

export function commandContract(it: StoreTest): void {
  it('a command and its invocations round-trip, in instance order, in their own scope only', async (store) => {
    const sent = command('c-1', ['i-3', 'i-1', 'i-2']);
    await store.insertCommand(A, sent.command, sent.invocations);
    assert.deepEqual(await store.getCommand(A, 'c-1'), sent.command);
    assert.equal(await store.getCommand(B, 'c-1'), undefined);
    assert.equal(await store.getCommand(A, 'c-unknown'), undefined);
    assert.deepEqual(await store.getCommandInvocations(A, 'c-1'), sent.invocations, 'in the command\'s instance order');
    assert.deepEqual(await store.getCommandInvocations(C, 'c-1'), []);
    assert.deepEqual(await store.getCommandInvocation(A, 'c-1', 'i-1'), sent.invocations[1]);
    assert.equal(await store.getCommandInvocation(A, 'c-1', 'i-9'), undefined);
    await assert.rejects(store.insertCommand(A, sent.command, []), 'an existing id cannot be inserted again');

    const done = { ...sent.command, status: 'Success' as const, statusDetails: 'Success', completedCount: 3 };
    await store.updateCommand(A, done);
    assert.deepEqual(await store.getCommand(A, 'c-1'), done);
  });

  it('listCommands is newest first, before a key, optionally only those with an invocation on one instance', async (store) => {
    for (const [n, instances] of [['c-1', ['i-1']], ['c-2', ['i-2']], ['c-3', ['i-1', 'i-2']]] as const) {
      const sent = command(n, [...instances]);
      await store.insertCommand(A, sent.command, sent.invocations);
    }
    const other = command('c-4', ['i-1']);
    await store.insertCommand(B, other.command, other.invocations);

    const all = await store.listCommands(A, MAX, 10);
    assert.deepEqual(items(all).map((c) => c.id), ['c-3', 'c-2', 'c-1']);
    assert.deepEqual(items(await store.listCommands(A, all[0].key, 10)).map((c) => c.id), ['c-2', 'c-1']);
    assert.deepEqual(items(await store.listCommands(A, MAX, 1)).map((c) => c.id), ['c-3']);
    assert.deepEqual(items(await store.listCommands(A, MAX, 10, 'i-1')).map((c) => c.id), ['c-3', 'c-1']);
    assert.deepEqual(items(await store.listCommands(A, MAX, 10, 'i-9')), []);
  });

  it('listCommandInvocations: newest command first, each in instance order, of one command and/or one instance', async (store) => {
    const first = command('c-1', ['i-2', 'i-1']);
    const second = command('c-2', ['i-1', 'i-3']);
    await store.insertCommand(A, first.command, first.invocations);
    await store.insertCommand(A, second.command, second.invocations);
    const list = async (where: { commandId?: string; instanceId?: string }, before = MAX, limit = 10) =>
      (await store.listCommandInvocations(A, where, before, limit)).map((r) => `${r.item.commandId}/${r.item.instanceId}`);

    assert.deepEqual(await list({}), ['c-2/i-1', 'c-2/i-3', 'c-1/i-2', 'c-1/i-1']);
    assert.deepEqual(await list({ commandId: 'c-1' }), ['c-1/i-2', 'c-1/i-1']);
    assert.deepEqual(await list({ instanceId: 'i-1' }), ['c-2/i-1', 'c-1/i-1']);
    assert.deepEqual(await list({ commandId: 'c-2', instanceId: 'i-3' }), ['c-2/i-3']);
    const page = await store.listCommandInvocations(A, {}, MAX, 3);
    const k = keys(page);
    assert.deepEqual([...k].sort((x, y) => y - x), k, 'keys descend');
    assert.deepEqual(await list({}, page[2].key), ['c-1/i-1'], 'the next page continues before the last key');
    assert.deepEqual(await store.listCommandInvocations(B, {}, MAX, 10), []);
  });

  it('updateCommandInvocations changes status, due time and delivery; queued messages are listed per node, oldest first', async (store) => {
    const first = command('c-1', ['i-1', 'i-2']);
    const second = command('c-2', ['i-1']);
    await store.insertCommand(A, first.command, first.invocations);
    await store.insertCommand(A, second.command, second.invocations);
    assert.deepEqual(await store.listQueuedInvocations(A, 'i-1', 10), [], 'nothing is queued before a delivery is');

    const queued = (i: CommandInvocation): CommandInvocation => ({ ...i, status: 'InProgress', statusDetails: 'InProgress', delivery: 'queued', dueAt: T0 + 60_000 });
    await store.updateCommandInvocations(A, [queued(second.invocations[0]), queued(first.invocations[0]), queued(first.invocations[1])]);
    assert.deepEqual(await store.getCommandInvocation(A, 'c-1', 'i-1'), queued(first.invocations[0]));
    assert.deepEqual(ids(await store.listQueuedInvocations(A, 'i-1', 10)), ['c-1/i-1', 'c-2/i-1'], 'oldest first');
    assert.deepEqual(ids(await store.listQueuedInvocations(A, 'i-1', 1)), ['c-2/i-1'], 'the limit keeps the newest, still oldest first');
    assert.deepEqual(await store.listQueuedInvocations(B, 'i-1', 10), []);

    // Delivered, then a cancel queued for the agent; then final: nothing waits any more.
    const delivered = { ...queued(first.invocations[0]), delivery: 'delivered' as const };
    await store.updateCommandInvocations(A, [delivered]);
    assert.deepEqual(ids(await store.listQueuedInvocations(A, 'i-1', 10)), ['c-2/i-1']);
    await store.updateCommandInvocations(A, [{ ...delivered, status: 'Cancelling', cancelDelivery: 'queued' }]);
    assert.deepEqual(ids(await store.listQueuedInvocations(A, 'i-1', 10)), ['c-1/i-1', 'c-2/i-1']);
    const final = { ...delivered, status: 'Cancelled' as const, cancelDelivery: 'delivered' as const, dueAt: undefined };
    await store.updateCommandInvocations(A, [final]);
    assert.deepEqual(await store.getCommandInvocation(A, 'c-1', 'i-1'), JSON.parse(JSON.stringify(final)));
    assert.deepEqual(ids(await store.listQueuedInvocations(A, 'i-1', 10)), ['c-2/i-1']);
  });

  it('listDueCommands: commands with an invocation due at or before now, every scope, once each, in (account, Region, id) order', async (store) => {
    const sends: [typeof A, string, number][] = [[B, 'c-b', T0 + 10], [A, 'c-z', T0 + 30], [C, 'c-c', T0 + 20], [A, 'c-a', T0 + 40], [A, 'c-late', T0 + 1000]];
    for (const [scope, id, dueAt] of sends) {
      const sent = command(id, ['i-1', 'i-2'], dueAt);
      await store.insertCommand(scope, sent.command, sent.invocations);
    }
    assert.deepEqual(await store.listDueCommands(T0 + 9, 10), []);
    const due = await store.listDueCommands(T0 + 40, 10);
    assert.deepEqual(due, [
      { scope: C, commandId: 'c-c' }, { scope: A, commandId: 'c-a' }, { scope: A, commandId: 'c-z' }, { scope: B, commandId: 'c-b' },
    ]);
    assert.deepEqual(await store.listDueCommands(T0 + 40, 2), due.slice(0, 2));

    // An invocation with no due time (final) is never due; its command is due while another one is.
    const [one, two] = await store.getCommandInvocations(A, 'c-late');
    await store.updateCommandInvocations(A, [{ ...one, status: 'Success', dueAt: undefined }]);
    assert.deepEqual((await store.listDueCommands(MAX, 10)).filter((d) => d.commandId === 'c-late'), [{ scope: A, commandId: 'c-late' }]);
    await store.updateCommandInvocations(A, [{ ...two, status: 'Success', dueAt: undefined }]);
    assert.deepEqual((await store.listDueCommands(MAX, 10)).filter((d) => d.commandId === 'c-late'), []);
  });

  it('earliestCommandEvent: the earliest due invocation of any scope, or an earlier report due for the owner\'s executions', async (store) => {
    assert.equal(await store.earliestCommandEvent('r1'), undefined);
    const late = command('c-1', ['i-1'], T0 + 500);
    const early = command('c-2', ['i-1'], T0 + 300);
    await store.insertCommand(A, late.command, late.invocations);
    await store.insertCommand(B, early.command, early.invocations);
    assert.equal(await store.earliestCommandEvent('r1'), T0 + 300);

    await store.insertWindowExecution(A, windowExecution('mw-00000000000000001', 'e-1'), { owner: 'r1', until: T0 + 60_000 });
    await store.putWindowReport(A, { windowExecutionId: 'e-1', invocationId: 'inv-1', status: 'SUCCESS', statusDetails: 'Success', at: T0 + 100 });
    assert.equal(await store.earliestCommandEvent('r1'), T0 + 100);
    assert.equal(await store.earliestCommandEvent('r2'), T0 + 300, 'another owner\'s reports do not count');

    await store.updateCommandInvocations(B, [{ ...early.invocations[0], status: 'Success', dueAt: undefined }]);
    await store.updateCommandInvocations(A, [{ ...late.invocations[0], status: 'Success', dueAt: undefined }]);
    assert.equal(await store.earliestCommandEvent('r2'), undefined);
    // Epoch milliseconds far in the future survive the round trip exactly.
    await store.updateCommandInvocations(A, [{ ...late.invocations[0], dueAt: 8_640_000_000_000_000 }]);
    assert.equal(await store.earliestCommandEvent('r2'), 8_640_000_000_000_000);
  });
}
