// A task execution's counts by status, moved one invocation change at a time through the step's change
// batch, must always equal a count of the invocations' statuses, whatever order changes come in.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ExecutionStatus, Invocation, TaskExecution } from '../../src/domain/execution.ts';
import { ChangeBatch } from '../../src/runtime/change-batch.ts';

const STATUSES: ExecutionStatus[] = ['PENDING', 'IN_PROGRESS', 'SUCCESS', 'FAILED', 'TIMED_OUT', 'CANCELLING', 'CANCELLED'];
const scope = { account: '123456789012', region: 'us-east-1' };

/** A small deterministic generator (mulberry32), so a failure names its seed. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function recount(invocations: Invocation[]): Partial<Record<ExecutionStatus, number>> {
  const counts: Partial<Record<ExecutionStatus, number>> = {};
  for (const i of invocations) counts[i.status] = (counts[i.status] ?? 0) + 1;
  return counts;
}

test('counts kept with the task equal a recount after any sequence of starts and changes', () => {
  for (let seed = 1; seed <= 200; seed++) {
    const next = random(seed);
    const task = { id: 'task', invocationCounts: {} } as TaskExecution;
    const invocations: Invocation[] = [];
    let batch = new ChangeBatch();
    for (let change = 0; change < 60; change++) {
      if (invocations.length === 0 || next() < 0.3) {
        const invocation = { id: `inv-${invocations.length}`, taskExecutionId: 'task', status: STATUSES[Math.floor(next() * 2)] } as Invocation;
        invocations.push(invocation);
        batch.invocation(scope, invocation, task, true);
      } else {
        const invocation = invocations[Math.floor(next() * invocations.length)];
        invocation.status = STATUSES[Math.floor(next() * STATUSES.length)];
        batch.invocation(scope, invocation, task);
      }
      assert.deepEqual(task.invocationCounts, recount(invocations), `seed ${seed}, change ${change}`);
      if (next() < 0.2) batch = new ChangeBatch(); // a new step
    }
  }
});

test('a task recorded before counts were kept is left without them (its page counts its rows instead)', () => {
  const task = { id: 'old-task' } as TaskExecution;
  const invocation = { id: 'inv', taskExecutionId: 'old-task', status: 'SUCCESS' } as Invocation;
  new ChangeBatch().invocation(scope, invocation, task);
  assert.equal(task.invocationCounts, undefined);
  assert.equal(invocation.countedStatus, undefined);
});
