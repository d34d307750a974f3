// A command's kept tally (domain/commands.ts): moving it by one invocation's difference (rollUpOne) gives the
// very command a roll-up of every invocation (rollUp) gives, whatever the sequence of changes, cancelled or
// not, with one node or many.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CommandInvocation } from '../../src/domain/command-invocation.ts';
import { type Command, rollUp, rollUpOne } from '../../src/domain/commands.ts';

/** The states an invocation can be seen in, as (status, details, delivery). */
const STATES: Pick<CommandInvocation, 'status' | 'statusDetails' | 'delivery'>[] = [
  { status: 'Pending', statusDetails: 'Pending', delivery: undefined },
  { status: 'Pending', statusDetails: 'Pending', delivery: 'queued' },
  { status: 'InProgress', statusDetails: 'InProgress', delivery: 'delivered' },
  { status: 'Delayed', statusDetails: 'Delayed', delivery: undefined },
  { status: 'Success', statusDetails: 'Success', delivery: 'delivered' },
  { status: 'Failed', statusDetails: 'Failed', delivery: 'delivered' },
  { status: 'Failed', statusDetails: 'Undeliverable', delivery: undefined },
  { status: 'TimedOut', statusDetails: 'DeliveryTimedOut', delivery: undefined },
  { status: 'TimedOut', statusDetails: 'ExecutionTimedOut', delivery: 'delivered' },
  { status: 'Cancelled', statusDetails: 'Cancelled', delivery: undefined },
  { status: 'Cancelling', statusDetails: 'Cancelling', delivery: 'delivered' },
] as Pick<CommandInvocation, 'status' | 'statusDetails' | 'delivery'>[];

/** A small deterministic generator (mulberry32), so a failure names its seed. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function invocation(k: number, state: (typeof STATES)[number]): CommandInvocation {
  return { commandId: 'c', instanceId: `mi-${String(k).padStart(17, '0')}`, index: k, requestedAt: 0, responseCode: -1, stdout: '', stderr: '', ...state } as CommandInvocation;
}

const shown = (c: Command) => [c.status, c.statusDetails, c.targetCount, c.completedCount, c.errorCount, c.deliveryTimedOutCount, c.tally];

test('rollUpOne gives what rollUp of every invocation gives, over random changes', () => {
  for (let seed = 1; seed <= 300; seed++) {
    const next = random(seed);
    const size = 1 + Math.floor(next() * 6);
    const cancelRequested = next() < 0.3;
    let rows = Array.from({ length: size }, (_, k) => invocation(k, STATES[Math.floor(next() * STATES.length)]));
    const base = { id: 'c', cancelRequested, status: 'Pending', statusDetails: 'Pending' } as Command;
    let command = rollUp(base, rows, cancelRequested);
    for (let step = 0; step < 20; step++) {
      const k = Math.floor(next() * size);
      const before = rows[k];
      const after = invocation(k, STATES[Math.floor(next() * STATES.length)]);
      rows = rows.map((r, j) => (j === k ? after : r));
      const quick = rollUpOne(command, before, after);
      const full = rollUp(command, rows, cancelRequested);
      assert.ok(quick, 'a command rolled up keeps its tally');
      assert.deepEqual(shown(quick), shown(full), `seed ${seed}, step ${step}`);
      command = quick;
    }
  }
});

test('a command stored without a tally is rolled up from its invocations instead', () => {
  const rows = [invocation(0, STATES[2])];
  assert.equal(rollUpOne({ id: 'c', status: 'InProgress' } as Command, rows[0], invocation(0, STATES[4])), undefined);
});
