// The Run Command invocation's lifecycle (domain/command-invocation.ts) as a transition table: each row is
// a state, an event and an instant, and the invocation and effects that must come out. Inputs are frozen,
// so a transition that changed its input would throw; an event that does not apply must return the very
// same object and no effect (a reply after the end changes nothing).

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  agentReply, applyEach, type CommandInvocation, type InvocationEffect, type InvocationEvent, type InvocationTerms, next, type RunReport,
} from '../../src/domain/command-invocation.ts';
import { cancelInvocations, endUndeliverable, newCommand } from '../../src/domain/commands.ts';
import { catalogueDocument } from '../../src/service/runnable-documents.ts';

const T0 = Date.UTC(2030, 0, 1);
const S = 1000;
const DEADLINE = T0 + 3600 * S;
const SILENCE = 3660 * S;
const terms: InvocationTerms = { deliveryDeadline: DEADLINE, executionTimeoutMs: 60 * S, agentSilenceMs: SILENCE, killedExitCode: 137, plugins: ['aws:runShellScript'] };

const ok: RunReport = { status: 'Success', statusDetails: 'Success', responseCode: 0, stdout: 'hi\n', stderr: '' };
const base: CommandInvocation = { commandId: 'c-1', instanceId: 'mi-1', index: 0, status: 'Pending', statusDetails: 'Pending', requestedAt: T0, responseCode: -1, stdout: '', stderr: '', dueAt: T0 };

/** The states an invocation goes through, as stored. */
const states = {
  waiting: base,
  queued: { ...base, delivery: 'queued', dueAt: DEADLINE },
  simulated: { ...base, status: 'InProgress', statusDetails: 'InProgress', startedAt: T0, pending: ok, dueAt: T0 + 5 * S },
  taken: { ...base, status: 'InProgress', statusDetails: 'InProgress', startedAt: T0, delivery: 'delivered', visibleAt: T0 + 10 * S, dueAt: T0 + 10 * S },
  requeued: { ...base, status: 'InProgress', statusDetails: 'InProgress', startedAt: T0, delivery: 'queued', dueAt: DEADLINE },
  acknowledged: { ...base, status: 'InProgress', statusDetails: 'InProgress', startedAt: T0, delivery: 'delivered', dueAt: T0 + SILENCE },
  cancellingSimulated: { ...base, status: 'Cancelling', statusDetails: 'Cancelling', startedAt: T0, dueAt: T0 + 2 * S },
  cancellingReal: { ...base, status: 'Cancelling', statusDetails: 'Cancelling', startedAt: T0, delivery: 'delivered', dueAt: T0 + 2 * S },
  cancelQueued: { ...base, status: 'Cancelled', statusDetails: 'Cancelled', delivery: 'delivered', cancelDelivery: 'queued', endedAt: T0 + 2 * S, dueAt: undefined },
  succeeded: { ...base, status: 'Success', statusDetails: 'Success', delivery: 'delivered', responseCode: 0, endedAt: T0 + 3 * S, dueAt: undefined },
  undeliverable: { ...base, status: 'Failed', statusDetails: 'Undeliverable', endedAt: T0 + 3 * S, dueAt: T0 + 3 * S },
} satisfies Record<string, CommandInvocation>;
type StateName = keyof typeof states;

function frozen(invocation: CommandInvocation): CommandInvocation {
  const copy = structuredClone(invocation);
  for (const key of Object.keys(copy) as (keyof CommandInvocation)[]) if (copy[key] === undefined) delete copy[key];
  if (copy.pending) Object.freeze(copy.pending);
  return Object.freeze(copy);
}

/** `state` with `patch` (an undefined member: absent). */
function patched(state: CommandInvocation, patch: Partial<CommandInvocation>): CommandInvocation {
  const out = { ...frozen(state), ...patch };
  for (const key of Object.keys(out) as (keyof CommandInvocation)[]) if (out[key] === undefined) delete out[key];
  return out;
}

const wake: InvocationEffect = { kind: 'wake-polls', instanceId: 'mi-1' };
const report = (status: CommandInvocation['status']): InvocationEffect => ({ kind: 'report-changed', status, ended: ['Success', 'Failed', 'TimedOut', 'Cancelled'].includes(status) });
const ended = (fields: Partial<CommandInvocation>, at: number): Partial<CommandInvocation> => ({ ...fields, endedAt: at, dueAt: undefined, pending: undefined, visibleAt: undefined });

type Row = [name: string, from: StateName, event: InvocationEvent, now: number, to: Partial<CommandInvocation> | 'same', effects: InvocationEffect[]];

const rows: Row[] = [
  // started: a simulated node's report is decided, due when the run ends (or is killed at executionTimeout)
  ['a simulated node starts: InProgress, its report due after the run', 'waiting', { kind: 'started', report: ok, afterMs: 5 * S }, T0,
    { status: 'InProgress', statusDetails: 'InProgress', startedAt: T0, pending: ok, dueAt: T0 + 5 * S }, [report('InProgress')]],
  ['a run longer than executionTimeout is killed there: TimedOut, exit code 137, its output kept', 'waiting', { kind: 'started', report: ok, afterMs: 61 * S }, T0,
    { status: 'InProgress', statusDetails: 'InProgress', startedAt: T0, pending: { status: 'TimedOut', statusDetails: 'ExecutionTimedOut', responseCode: 137, stdout: 'hi\n', stderr: '' }, dueAt: T0 + 60 * S }, [report('InProgress')]],
  ['started twice changes nothing', 'simulated', { kind: 'started', report: ok, afterMs: S }, T0, 'same', []],
  // queued: a real node's message waits for its agent, until the delivery deadline
  ['a real node starts: its message is queued until the delivery deadline, its polls woken', 'waiting', { kind: 'queued' }, T0,
    { delivery: 'queued', dueAt: DEADLINE }, [wake]],
  ['queued twice changes nothing', 'queued', { kind: 'queued' }, T0, 'same', []],
  // polled
  ['a poll takes the queued message: InProgress, invisible for the visibility timeout', 'queued', { kind: 'polled', visibilityMs: 10 * S }, T0 + S,
    { status: 'InProgress', statusDetails: 'InProgress', startedAt: T0 + S, delivery: 'delivered', visibleAt: T0 + 11 * S, dueAt: T0 + 11 * S }, [{ kind: 'send-command' }, report('InProgress')]],
  ['a poll takes a message queued again: same start, no status change', 'requeued', { kind: 'polled', visibilityMs: 10 * S }, T0 + 20 * S,
    { delivery: 'delivered', visibleAt: T0 + 30 * S, dueAt: T0 + 30 * S }, [{ kind: 'send-command' }]],
  ['past the delivery deadline a poll takes nothing', 'queued', { kind: 'polled', visibilityMs: 10 * S }, DEADLINE, 'same', []],
  ['a poll takes a queued cancel message', 'cancelQueued', { kind: 'polled', visibilityMs: 10 * S }, T0 + 3 * S, { cancelDelivery: 'delivered' }, [{ kind: 'send-cancel' }]],
  ['a poll of an invocation with nothing queued takes nothing', 'taken', { kind: 'polled', visibilityMs: 10 * S }, T0 + S, 'same', []],
  ['a poll of a simulated node takes nothing', 'waiting', { kind: 'polled', visibilityMs: 10 * S }, T0, 'same', []],
  // acknowledged
  ['an acknowledgement: never delivered again, the agent has its time limit', 'taken', { kind: 'acknowledged' }, T0 + 2 * S,
    { visibleAt: undefined, delivery: 'delivered', dueAt: T0 + 2 * S + SILENCE }, []],
  ['an acknowledgement of a message queued again (its first poll died after the agent read it)', 'requeued', { kind: 'acknowledged' }, T0 + 12 * S,
    { delivery: 'delivered', dueAt: T0 + 12 * S + SILENCE }, []],
  ['a second acknowledgement changes nothing', 'acknowledged', { kind: 'acknowledged' }, T0 + 5 * S, 'same', []],
  ['an acknowledgement of a message no poll took changes nothing', 'queued', { kind: 'acknowledged' }, T0, 'same', []],
  // replied
  ['an InProgress reply acknowledges', 'taken', { kind: 'replied', reply: { kind: 'in-progress' } }, T0 + 2 * S,
    { visibleAt: undefined, delivery: 'delivered', dueAt: T0 + 2 * S + SILENCE }, []],
  ['a reboot gives the agent its time limit again from now', 'acknowledged', { kind: 'replied', reply: { kind: 'rebooting' } }, T0 + 100 * S,
    { dueAt: T0 + 100 * S + SILENCE }, []],
  ['a reboot reply to a message taken but not acknowledged acknowledges it too', 'taken', { kind: 'replied', reply: { kind: 'rebooting' } }, T0 + 3 * S,
    { visibleAt: undefined, delivery: 'delivered', dueAt: T0 + 3 * S + SILENCE }, []],
  ['an InProgress reply about a message queued again acknowledges it', 'requeued', { kind: 'replied', reply: { kind: 'in-progress' } }, T0 + 12 * S,
    { delivery: 'delivered', dueAt: T0 + 12 * S + SILENCE }, []],
  ['a reboot reply about a message queued again acknowledges it and re-arms the deadline', 'requeued', { kind: 'replied', reply: { kind: 'rebooting' } }, T0 + 12 * S,
    { delivery: 'delivered', dueAt: T0 + 12 * S + SILENCE }, []],
  ['a final reply ends the invocation with its exit code and output', 'acknowledged', { kind: 'replied', reply: { kind: 'ended', report: ok } }, T0 + 7 * S,
    ended({ status: 'Success', statusDetails: 'Success', responseCode: 0, stdout: 'hi\n', stderr: '' }, T0 + 7 * S), [report('Success')]],
  ['a final reply to a message taken but not acknowledged ends it too', 'taken', { kind: 'replied', reply: { kind: 'ended', report: { ...ok, status: 'Failed', statusDetails: 'Failed', responseCode: 2 } } }, T0 + 3 * S,
    ended({ status: 'Failed', statusDetails: 'Failed', responseCode: 2, stdout: 'hi\n', stderr: '', delivery: 'delivered' }, T0 + 3 * S), [report('Failed')]],
  ['a final reply about a message queued again ends it (the agent had it)', 'requeued', { kind: 'replied', reply: { kind: 'ended', report: ok } }, T0 + 12 * S,
    ended({ status: 'Success', statusDetails: 'Success', responseCode: 0, stdout: 'hi\n', stderr: '', delivery: 'delivered' }, T0 + 12 * S), [report('Success')]],
  ['a reply after the end changes nothing', 'succeeded', { kind: 'replied', reply: { kind: 'ended', report: { ...ok, stdout: 'late' } } }, T0 + 9 * S, 'same', []],
  ['a reply while Cancelling changes nothing (the cancel stands)', 'cancellingReal', { kind: 'replied', reply: { kind: 'ended', report: ok } }, T0 + 2 * S, 'same', []],
  ['a reply about a message no poll took changes nothing', 'queued', { kind: 'replied', reply: { kind: 'ended', report: ok } }, T0, 'same', []],
  ['a reply for a simulated node changes nothing', 'simulated', { kind: 'replied', reply: { kind: 'ended', report: ok } }, T0 + S, 'same', []],
  // failed by the agent
  ['FailMessage: Failed with no exit code', 'taken', { kind: 'failed-by-agent' }, T0 + 2 * S,
    ended({ status: 'Failed', statusDetails: 'Failed', responseCode: -1, stdout: '', stderr: '', delivery: 'delivered' }, T0 + 2 * S), [report('Failed')]],
  ['FailMessage of an acknowledged message', 'acknowledged', { kind: 'failed-by-agent' }, T0 + 5 * S,
    ended({ status: 'Failed', statusDetails: 'Failed', responseCode: -1, stdout: '', stderr: '' }, T0 + 5 * S), [report('Failed')]],
  ['FailMessage of a message queued again', 'requeued', { kind: 'failed-by-agent' }, T0 + 12 * S,
    ended({ status: 'Failed', statusDetails: 'Failed', responseCode: -1, stdout: '', stderr: '', delivery: 'delivered' }, T0 + 12 * S), [report('Failed')]],
  ['FailMessage after the end changes nothing', 'undeliverable', { kind: 'failed-by-agent' }, T0 + 4 * S, 'same', []],
  // cancel asked
  ['a cancel of what has not started: Cancelled at once', 'waiting', { kind: 'cancel-asked' }, T0 + S,
    ended({ status: 'Cancelled', statusDetails: 'Cancelled' }, T0 + S), [report('Cancelled')]],
  ['a cancel of a queued message: Cancelled at once (no poll takes it)', 'queued', { kind: 'cancel-asked' }, T0 + S,
    ended({ status: 'Cancelled', statusDetails: 'Cancelled' }, T0 + S), [report('Cancelled')]],
  ['a cancel of a running simulated node: Cancelling, due now, its report dropped', 'simulated', { kind: 'cancel-asked' }, T0 + 2 * S,
    { status: 'Cancelling', statusDetails: 'Cancelling', pending: undefined, dueAt: T0 + 2 * S }, [report('Cancelling')]],
  ['a cancel of what an agent has: Cancelling, due now', 'acknowledged', { kind: 'cancel-asked' }, T0 + 2 * S,
    { status: 'Cancelling', statusDetails: 'Cancelling', dueAt: T0 + 2 * S }, [report('Cancelling')]],
  ['a cancel of a message taken but not acknowledged: Cancelling, due now', 'taken', { kind: 'cancel-asked' }, T0 + 2 * S,
    { status: 'Cancelling', statusDetails: 'Cancelling', dueAt: T0 + 2 * S }, [report('Cancelling')]],
  ['a cancel of a message queued again: Cancelling, due now', 'requeued', { kind: 'cancel-asked' }, T0 + 12 * S,
    { status: 'Cancelling', statusDetails: 'Cancelling', dueAt: T0 + 12 * S }, [report('Cancelling')]],
  ['a second cancel changes nothing', 'cancellingReal', { kind: 'cancel-asked' }, T0 + 2 * S, 'same', []],
  ['a cancel after the end changes nothing', 'succeeded', { kind: 'cancel-asked' }, T0 + 9 * S, 'same', []],
  // node deregistered
  ['deregistration before delivery: Failed Undeliverable, due now (the command moves)', 'queued', { kind: 'node-deregistered' }, T0 + 4 * S,
    { ...ended({ status: 'Failed', statusDetails: 'Undeliverable', responseCode: -1 }, T0 + 4 * S), dueAt: T0 + 4 * S }, [report('Failed')]],
  ['deregistration of an invocation waiting behind MaxConcurrency: Undeliverable', 'waiting', { kind: 'node-deregistered' }, T0 + 4 * S,
    { ...ended({ status: 'Failed', statusDetails: 'Undeliverable', responseCode: -1 }, T0 + 4 * S), dueAt: T0 + 4 * S }, [report('Failed')]],
  ['deregistration of a message queued again: Undeliverable', 'requeued', { kind: 'node-deregistered' }, T0 + 12 * S,
    { ...ended({ status: 'Failed', statusDetails: 'Undeliverable', responseCode: -1 }, T0 + 12 * S), dueAt: T0 + 12 * S }, [report('Failed')]],
  ['deregistration of a message taken but not acknowledged: Undeliverable', 'taken', { kind: 'node-deregistered' }, T0 + 4 * S,
    { ...ended({ status: 'Failed', statusDetails: 'Undeliverable', responseCode: -1 }, T0 + 4 * S), dueAt: T0 + 4 * S }, [report('Failed')]],
  ['deregistration leaves an acknowledged run to its deadline', 'acknowledged', { kind: 'node-deregistered' }, T0 + 4 * S, 'same', []],
  ['deregistration drops a cancel message still waiting', 'cancelQueued', { kind: 'node-deregistered' }, T0 + 4 * S, { cancelDelivery: undefined }, []],
  ['deregistration after the end changes nothing', 'succeeded', { kind: 'node-deregistered' }, T0 + 4 * S, 'same', []],
  // due
  ['not yet due: nothing', 'simulated', { kind: 'due' }, T0 + 4 * S, 'same', []],
  ['a simulated report is due: it ends so, at its due instant', 'simulated', { kind: 'due' }, T0 + 6 * S,
    ended({ status: 'Success', statusDetails: 'Success', responseCode: 0, stdout: 'hi\n', stderr: '' }, T0 + 5 * S), [report('Success')]],
  ['Cancelling a simulated node is due: Cancelled', 'cancellingSimulated', { kind: 'due' }, T0 + 2 * S,
    ended({ status: 'Cancelled', statusDetails: 'Cancelled' }, T0 + 2 * S), [report('Cancelled')]],
  ['Cancelling a real node is due: Cancelled, and a cancel message queued for its agent', 'cancellingReal', { kind: 'due' }, T0 + 2 * S,
    { ...ended({ status: 'Cancelled', statusDetails: 'Cancelled' }, T0 + 2 * S), cancelDelivery: 'queued' }, [wake, report('Cancelled')]],
  ['the delivery deadline passes on a queued message: DeliveryTimedOut at the deadline', 'queued', { kind: 'due' }, DEADLINE + 5 * S,
    ended({ status: 'TimedOut', statusDetails: 'DeliveryTimedOut' }, DEADLINE), [report('TimedOut')]],
  ['the delivery deadline passes on a message queued again', 'requeued', { kind: 'due' }, DEADLINE,
    ended({ status: 'TimedOut', statusDetails: 'DeliveryTimedOut' }, DEADLINE), [report('TimedOut')]],
  ['the visibility timeout passes unacknowledged: queued again until the deadline', 'taken', { kind: 'due' }, T0 + 10 * S,
    { visibleAt: undefined, delivery: 'queued', dueAt: DEADLINE }, [wake]],
  ['waiting behind MaxConcurrency: due again at the delivery deadline', 'waiting', { kind: 'due' }, T0, { dueAt: DEADLINE }, []],
  ['waiting, seen only after its deadline: due at the deadline (where it ends, below)', 'waiting', { kind: 'due' }, DEADLINE + S, { dueAt: DEADLINE }, []],
  ['an agent silent past its time limit: ExecutionTimedOut', 'acknowledged', { kind: 'due' }, T0 + SILENCE,
    ended({ status: 'TimedOut', statusDetails: 'ExecutionTimedOut' }, T0 + SILENCE), [report('TimedOut')]],
  ['an ended invocation due (deregistered): no longer due', 'undeliverable', { kind: 'due' }, T0 + 3 * S, { dueAt: undefined }, []],
  // terminated by MaxErrors
  ['MaxErrors: what has not started ends Cancelled, Terminated', 'waiting', { kind: 'terminated' }, T0 + S,
    ended({ status: 'Cancelled', statusDetails: 'Terminated' }, T0 + S), [report('Cancelled')]],
  ['MaxErrors: a queued message is not run either', 'queued', { kind: 'terminated' }, T0 + S,
    ended({ status: 'Cancelled', statusDetails: 'Terminated' }, T0 + S), [report('Cancelled')]],
  ['MaxErrors leaves a running invocation alone', 'acknowledged', { kind: 'terminated' }, T0 + S, 'same', []],
];

describe('a Run Command invocation, transition by transition', () => {
  for (const [name, from, event, now, to, effects] of rows) {
    test(`${from} + ${event.kind}: ${name}`, () => {
      const state = frozen(states[from]);
      const out = next(state, event, now, terms);
      if (to === 'same') assert.equal(out.state, state, 'the very same object');
      else assert.deepEqual(out.state, patched(state, to));
      assert.deepEqual(out.effects, effects);
    });
  }

  test('the table is complete: any state and event it has no row for changes nothing, at any instant', () => {
    const key = (from: string, event: InvocationEvent) => `${from}|${event.kind}${event.kind === 'replied' ? `:${event.reply.kind}` : ''}`;
    const covered = new Set(rows.map(([, from, event]) => key(from, event)));
    const events: InvocationEvent[] = [
      { kind: 'started', report: ok, afterMs: 5 * S }, { kind: 'queued' }, { kind: 'polled', visibilityMs: 10 * S }, { kind: 'acknowledged' },
      { kind: 'replied', reply: { kind: 'in-progress' } }, { kind: 'replied', reply: { kind: 'rebooting' } }, { kind: 'replied', reply: { kind: 'ended', report: ok } },
      { kind: 'failed-by-agent' }, { kind: 'cancel-asked' }, { kind: 'node-deregistered' }, { kind: 'due' }, { kind: 'terminated' },
    ];
    const instants = [T0, T0 + 5 * S, T0 + 11 * S, DEADLINE, DEADLINE + SILENCE + 100 * S];
    for (const from of Object.keys(states) as StateName[]) {
      for (const event of events) {
        if (covered.has(key(from, event))) continue;
        for (const now of instants) {
          const state = frozen(states[from]);
          assert.equal(next(state, event, now, terms).state, state, `no row for ${key(from, event)}, yet it changes at ${now - T0} ms`);
        }
      }
    }
  });

  test('waiting behind MaxConcurrency until its deadline: DeliveryTimedOut at the deadline', () => {
    const atDeadline = next(frozen({ ...base, dueAt: DEADLINE }), { kind: 'due' }, DEADLINE, terms);
    assert.deepEqual(atDeadline.state, patched(base, ended({ status: 'TimedOut', statusDetails: 'DeliveryTimedOut' }, DEADLINE)));
  });

  test('on Windows a killed run exits -1', () => {
    const out = next(frozen(base), { kind: 'started', report: ok, afterMs: 61 * S }, T0, { ...terms, killedExitCode: -1 });
    assert.equal(out.state.pending?.responseCode, -1);
  });

  test('every late word of an agent after any end changes nothing', () => {
    const late: InvocationEvent[] = [
      { kind: 'acknowledged' }, { kind: 'failed-by-agent' }, { kind: 'started', report: ok, afterMs: 0 }, { kind: 'queued' }, { kind: 'terminated' },
      ...(['in-progress', 'rebooting'] as const).map((kind) => ({ kind: 'replied', reply: { kind } }) as InvocationEvent),
      { kind: 'replied', reply: { kind: 'ended', report: ok } },
    ];
    for (const from of ['succeeded', 'undeliverable', 'cancelQueued'] as const) {
      for (const event of late) {
        const state = frozen(states[from]);
        const out = next(state, event, T0 + 50 * S, terms);
        assert.equal(out.state, state, `${from} + ${JSON.stringify(event)}`);
        assert.deepEqual(out.effects, []);
      }
    }
  });

  test('the agent\'s document statuses as replies', () => {
    const plugin = [{ name: 'aws:runShellScript', status: 'Failed' as const, responseCode: 3, stdout: 'o', stderr: 'e' }];
    const base3 = { responseCode: 3, stdout: 'o', stderr: 'e', plugins: plugin };
    assert.deepEqual(agentReply('Success', plugin), { kind: 'ended', report: { status: 'Success', statusDetails: 'Success', ...base3 } });
    assert.deepEqual(agentReply('Failed', plugin), { kind: 'ended', report: { status: 'Failed', statusDetails: 'Failed', ...base3 } });
    assert.deepEqual(agentReply('TimedOut', plugin), { kind: 'ended', report: { status: 'TimedOut', statusDetails: 'ExecutionTimedOut', ...base3 } });
    assert.deepEqual(agentReply('Cancelled', plugin), { kind: 'ended', report: { status: 'Failed', statusDetails: 'Cancelled', ...base3 } });
    assert.deepEqual(agentReply('SuccessAndReboot', plugin), { kind: 'rebooting' });
    assert.deepEqual(agentReply('PassedAndReboot', plugin), { kind: 'rebooting' });
    assert.deepEqual(agentReply('InProgress', []), { kind: 'in-progress', plugins: [] });
    assert.deepEqual(agentReply('Failed', []), { kind: 'ended', report: { status: 'Failed', statusDetails: 'Failed', responseCode: -1, stdout: '', stderr: '', plugins: [] } });
  });
});

describe('events across a command\'s invocations', () => {
  const sent = () => newCommand('c-1', { documentName: 'AWS-RunShellScript', parameters: { commands: ['true'] }, instanceIds: ['mi-1', 'mi-2'] }, catalogueDocument('AWS-RunShellScript'), ['mi-1', 'mi-2'], T0);

  test('applyEach: new rows for the picked ones, the others the same objects', () => {
    const { invocations } = sent();
    const inputs = invocations.map(frozen);
    const out = applyEach(inputs, (i) => (i.instanceId === 'mi-2' ? { kind: 'queued' } : undefined), T0, terms);
    assert.equal(out.invocations[0], inputs[0]);
    assert.notEqual(out.invocations[1], inputs[1]);
    assert.deepEqual(out.changed.map((i) => [i.instanceId, i.delivery]), [['mi-2', 'queued']]);
    assert.deepEqual(out.effects, [{ kind: 'wake-polls', instanceId: 'mi-2' }]);
  });

  test('cancelInvocations and endUndeliverable leave their inputs as they were', () => {
    const { command, invocations } = sent();
    const inputs = invocations.map(frozen);
    const cancelled = cancelInvocations(Object.freeze(command), inputs, undefined, T0 + S);
    assert.deepEqual(cancelled.invocations.map((i) => i.status), ['Cancelled', 'Cancelled']);
    assert.equal(cancelled.command.status, 'Cancelled');
    assert.equal(cancelled.command.cancelRequested, true);
    const gone = endUndeliverable(Object.freeze(command), inputs, 'mi-1', T0 + S);
    assert.deepEqual(gone.changed.map((i) => [i.instanceId, i.status, i.statusDetails]), [['mi-1', 'Failed', 'Undeliverable']]);
    assert.equal(gone.command.status, 'InProgress');
    assert.deepEqual(inputs.map((i) => i.status), ['Pending', 'Pending']);
  });
});
