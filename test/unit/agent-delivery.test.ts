// The delivery use cases (service/agent-delivery.ts) over the command executor, on an in-memory store
// whose commit the test holds: a node's waiting poll is woken only once the change that queued its message
// has committed (issue 27: woken from inside the transaction, a poll on PostgreSQL looked before the
// commit and found nothing), and a late reply changes nothing and wakes no one.

import assert from 'node:assert/strict';
import { setImmediate as turn } from 'node:timers/promises';
import { describe, test } from 'node:test';
import { agentReply } from '../../src/domain/command-invocation.ts';
import { type Command, type CommandInvocation, newCommand, rollUp } from '../../src/domain/commands.ts';
import { CommandExecutor } from '../../src/runtime/command-executor.ts';
import { AgentDelivery } from '../../src/service/agent-delivery.ts';
import { ManualClock } from '../../src/service/manual-clock.ts';
import type { Store, StoreOperations } from '../../src/service/ports.ts';
import { catalogueDocument } from '../../src/service/runnable-documents.ts';

const T0 = Date.UTC(2030, 0, 1);
const scope = { account: '123456789012', region: 'us-east-1' };

/** One command's rows, and a transaction whose commit waits for `release()`. */
function memoryStore(command: Command, invocations: CommandInvocation[]) {
  const log: string[] = [];
  let rows = invocations;
  let saved = command;
  let release = () => {};
  const tx = {
    getCommand: async () => saved,
    getCommandInvocations: async () => rows,
    getCommandInvocation: async (_: unknown, _commandId: string, instanceId: string) => rows.find((i) => i.instanceId === instanceId),
    listQueuedInvocations: async (_: unknown, nodeId: string) => rows.filter((i) => i.instanceId === nodeId && i.delivery === 'queued'),
    updateCommandInvocations: async (_: unknown, changed: CommandInvocation[]) => {
      rows = rows.map((i) => changed.find((c) => c.instanceId === i.instanceId) ?? i);
    },
    updateCommand: async (_: unknown, after: Command) => {
      saved = after;
    },
    putWindowReport: async () => {},
    appendEvents: async () => {},
  } as unknown as StoreOperations;
  const store = {
    async transaction<T>(work: (tx: StoreOperations) => Promise<T>): Promise<T> {
      const out = await work(tx);
      log.push('work done');
      await new Promise<void>((resolve) => (release = resolve));
      log.push('committed');
      return out;
    },
  } as unknown as Store;
  return { store, log, rows: () => rows, release: () => release() };
}

/** Every node is a real one: the runner queues a message for its agent. */
const realNodes = { start: async (_tx: unknown, _scope: unknown, _command: unknown, invocations: CommandInvocation[]) => invocations.map(() => ({ afterMs: 0 })) };

describe('agent delivery', () => {
  test('a reply that frees a MaxConcurrency slot wakes the next node\'s poll only after its commit', async () => {
    const { command, invocations } = newCommand('c-1', { documentName: 'AWS-RunShellScript', parameters: { commands: ['true'] }, instanceIds: ['mi-1', 'mi-2'], maxConcurrency: '1' }, catalogueDocument('AWS-RunShellScript'), ['mi-1', 'mi-2'], T0);
    const first: CommandInvocation = { ...invocations[0], status: 'InProgress', statusDetails: 'InProgress', startedAt: T0, delivery: 'delivered', dueAt: T0 + 3_660_000 };
    const second: CommandInvocation = { ...invocations[1], dueAt: command.requestedAt + 3_600_000 };
    const memory = memoryStore(rollUp(command, [first, second], false), [first, second]);
    const commands = new CommandExecutor(realNodes);
    let engineWakes = 0;
    const delivery = new AgentDelivery({
      store: memory.store, commands, waiters: commands.waiters, clock: new ManualClock(T0 + 5_000), realClock: new ManualClock(0), pingTimeoutMs: 600_000,
      engine: { wake: async () => { engineWakes++; }, fireNow: async () => { throw new Error('unused'); }, cancel: async () => {}, advanceTo: async () => {}, startAutomation: async () => { throw new Error('unused'); } },
    });
    const woken = commands.waiters.wait(scope, 'mi-2', 60_000).then(() => memory.log.push('mi-2 woken'));
    const replied = delivery.reply({ scope, nodeId: 'mi-1' }, { commandId: 'c-1', instanceId: 'mi-1' }, agentReply('Success', [{ name: 'aws:runShellScript', status: 'Success', responseCode: 0, stdout: 'ok', stderr: '' }]));
    for (let i = 0; i < 20 && !memory.log.includes('work done'); i++) await turn();
    await turn();
    assert.deepEqual(memory.log, ['work done'], 'the message is queued, but the poll is not woken before the commit');
    assert.deepEqual(memory.rows().map((i) => [i.instanceId, i.status, i.delivery]), [['mi-1', 'Success', 'delivered'], ['mi-2', 'Pending', 'queued']]);
    memory.release();
    await replied;
    await woken;
    assert.deepEqual(memory.log, ['work done', 'committed', 'mi-2 woken']);
    assert.equal(engineWakes, 1, 'an end wakes the engine (the window waiting on the command)');

    // The same reply again: the first end stands, nothing is written, no one is woken.
    const again = delivery.reply({ scope, nodeId: 'mi-1' }, { commandId: 'c-1', instanceId: 'mi-1' }, agentReply('Failed', [{ name: 'aws:runShellScript', status: 'Failed', responseCode: 1, stdout: '', stderr: '' }]));
    for (let i = 0; i < 20 && memory.log.length < 4; i++) await turn();
    memory.release();
    await again;
    assert.equal(memory.rows()[0].status, 'Success');
    assert.equal(engineWakes, 1);
    assert.equal(commands.waiters.size(), 0);
  });

  test('a node answers only for itself', async () => {
    const commands = new CommandExecutor(realNodes);
    const { command, invocations } = newCommand('c-1', { documentName: 'AWS-RunShellScript', parameters: { commands: ['true'] }, instanceIds: ['mi-1'] }, catalogueDocument('AWS-RunShellScript'), ['mi-1'], T0);
    const delivery = new AgentDelivery({
      store: memoryStore(command, invocations).store, commands, waiters: commands.waiters, clock: new ManualClock(T0), realClock: new ManualClock(0), pingTimeoutMs: 600_000,
      engine: { wake: async () => {}, fireNow: async () => { throw new Error('unused'); }, cancel: async () => {}, advanceTo: async () => {}, startAutomation: async () => { throw new Error('unused'); } },
    });
    await assert.rejects(delivery.acknowledge({ scope, nodeId: 'mi-2' }, { commandId: 'c-1', instanceId: 'mi-1' }), { code: 'AccessDeniedException' });
    await assert.rejects(delivery.poll({ scope, nodeId: 'mi-2' }, 'mi-1', 10_000), { code: 'AccessDeniedException' });
  });
});
