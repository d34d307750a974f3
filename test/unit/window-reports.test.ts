// What a window's command tells its invocation (domain/commands.ts windowReportFor): the status the
// invocation shows for each command status (PENDING before delivery, CANCELLING after a CancelCommand),
// nothing when nothing shown changed or the command is not a window's, and the last node's end time.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type Command, type CommandInvocation, newCommand, rollUp, windowReportFor } from '../../src/domain/commands.ts';
import { catalogueDocument } from '../../src/service/runnable-documents.ts';

const T0 = Date.UTC(2030, 0, 1);
const link = { windowId: 'mw-00000000000000001', windowTaskId: 't', taskArn: 'AWS-RunShellScript', windowExecutionId: 'e', taskExecutionId: 'te', invocationId: 'inv' };

function sent(instances = ['i-1', 'i-2']): { command: Command; invocations: CommandInvocation[] } {
  return newCommand('c-1', { documentName: 'AWS-RunShellScript', parameters: { commands: ['true'] }, instanceIds: instances }, catalogueDocument('AWS-RunShellScript'), instances, T0, link);
}

describe('window reports of a window command', () => {
  test('each command status maps to the invocation status the window shows', () => {
    const { command, invocations } = sent();
    const cases: [Command['status'], string][] = [
      ['Pending', 'PENDING'], ['InProgress', 'IN_PROGRESS'], ['Cancelling', 'CANCELLING'], ['Success', 'SUCCESS'],
      ['Failed', 'FAILED'], ['TimedOut', 'TIMED_OUT'], ['Cancelled', 'CANCELLED'],
    ];
    for (const [status, shown] of cases) {
      const report = windowReportFor(undefined, { ...command, status, statusDetails: status }, invocations, T0 + 5);
      assert.deepEqual(report, { windowExecutionId: 'e', invocationId: 'inv', status: shown, statusDetails: status, at: T0 + 5 }, status);
    }
  });

  test('no report when the status and details did not change, or for a command sent with SendCommand', () => {
    const { command, invocations } = sent();
    assert.equal(windowReportFor(command, { ...command }, invocations, T0), undefined);
    const { window: _, ...plain } = command;
    assert.equal(windowReportFor(undefined, plain as Command, invocations, T0), undefined);
  });

  test('a final report carries the instant its last node ended, not the later instant it was noticed', () => {
    const { command, invocations } = sent();
    invocations[0] = { ...invocations[0], status: 'Success', statusDetails: 'Success', endedAt: T0 + 30 };
    invocations[1] = { ...invocations[1], status: 'Failed', statusDetails: 'Failed', endedAt: T0 + 45 };
    const done = rollUp(command, invocations, false);
    assert.deepEqual([done.status, done.statusDetails], ['Failed', 'Failed']);
    assert.equal(windowReportFor(command, done, invocations, T0 + 50)!.at, T0 + 45);
  });

  test('a command on one node ends with that node\'s own details', () => {
    const { command, invocations } = sent(['i-1']);
    invocations[0] = { ...invocations[0], status: 'Failed', statusDetails: 'disk full', endedAt: T0 + 1 };
    assert.deepEqual([rollUp(command, invocations, false).status, rollUp(command, invocations, false).statusDetails], ['Failed', 'disk full']);
  });
});
