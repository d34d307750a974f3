// Rate-controlled automation (issue 22, item 3): TargetParameterName with Targets (tags, parameter values)
// or TargetMaps fans a runbook out into child executions, MaxConcurrency at a time, stopped by MaxErrors;
// the parent shows its resolved targets and counters; children name their parent. SDK, manual clock.

import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { CreateDocumentCommand, DescribeAutomationExecutionsCommand, GetAutomationExecutionCommand, StartAutomationExecutionCommand, StopAutomationExecutionCommand } from '@aws-sdk/client-ssm';
import { advance, control, setOutcomes } from '../support/control.ts';
import { rejectsWith } from '../support/errors.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const T0 = Date.parse('2026-11-02T00:00:00Z');
const NODES = ['i-0000000000000e001', 'i-0000000000000e002', 'i-0000000000000e003'];

const RUNBOOK = JSON.stringify({
  schemaVersion: '0.3',
  parameters: { InstanceId: { type: 'String' }, Message: { type: 'String', default: 'hello' } },
  mainSteps: [{ name: 'say', action: 'aws:runCommand', inputs: { DocumentName: 'AWS-RunShellScript', InstanceIds: ['{{ InstanceId }}'], Parameters: { commands: ['echo {{ Message }}'] } } }],
});

let server: TestServer;
const send = (command: any): Promise<any> => server.client.send(command);
const get = async (id: string) => (await send(new GetAutomationExecutionCommand({ AutomationExecutionId: id }))).AutomationExecution;

async function children(parentId: string) {
  const list = (await send(new DescribeAutomationExecutionsCommand({ Filters: [{ Key: 'ParentExecutionId', Values: [parentId] }] }))).AutomationExecutionMetadataList;
  return Promise.all(list.reverse().map((m: any) => get(m.AutomationExecutionId)));
}

describe('rate-controlled automation', () => {
  beforeEach(async () => {
    server = await startTestServer({ clockMode: 'manual', manualClockStart: T0, invocationSeconds: 10, simulatedTaskTypes: [] });
    for (const id of NODES) await control(server, 'PUT', `/_mw/nodes/${id}`, { body: { tags: { Env: 'prod' } } });
    await send(new CreateDocumentCommand({ Name: 'Say', Content: RUNBOOK, DocumentType: 'Automation' }));
  });
  afterEach(() => server.stop());

  test('Targets by tag, one at a time: the second target fails, MaxErrors 0 stops the third; the parent is Failed', async () => {
    await setOutcomes(server, [{ match: { resourceId: NODES[1] }, status: 'FAILED', responseCode: 1 }] as never);
    const { AutomationExecutionId: id } = await send(new StartAutomationExecutionCommand({
      DocumentName: 'Say', TargetParameterName: 'InstanceId', Targets: [{ Key: 'tag:Env', Values: ['prod'] }], MaxConcurrency: '1', MaxErrors: '0',
      Parameters: { Message: ['patched'] },
    }));
    let parent = await get(id);
    assert.deepEqual([parent.AutomationExecutionStatus, parent.TargetParameterName, parent.ResolvedTargets.ParameterValues, parent.MaxConcurrency, parent.MaxErrors],
      ['InProgress', 'InstanceId', NODES, '1', '0']);
    assert.deepEqual((await children(id)).map((c: any) => c.Parameters), [{ InstanceId: [NODES[0]], Message: ['patched'] }], 'one child at a time');
    await advance(server, 60);
    parent = await get(id);
    assert.equal(parent.AutomationExecutionStatus, 'Failed');
    assert.deepEqual(parent.ProgressCounters, { TotalSteps: 3, SuccessSteps: 1, FailedSteps: 1, CancelledSteps: 1, TimedOutSteps: 0 });
    const kids = await children(id);
    assert.deepEqual(kids.map((c: any) => [c.Parameters.InstanceId[0], c.AutomationExecutionStatus, c.ParentAutomationExecutionId]),
      [[NODES[0], 'Success', id], [NODES[1], 'Failed', id]]);
  });

  test('ParameterValues and TargetMaps, all at once; a stop cancels the children still running', async () => {
    const { AutomationExecutionId: values } = await send(new StartAutomationExecutionCommand({
      DocumentName: 'Say', TargetParameterName: 'InstanceId', Targets: [{ Key: 'ParameterValues', Values: [NODES[0], NODES[2]] }], MaxConcurrency: '100%',
    }));
    await advance(server, 30);
    assert.equal((await get(values)).AutomationExecutionStatus, 'Success');

    await setOutcomes(server, [{ match: {}, status: 'SUCCESS', durationSeconds: 600 }] as never);
    const { AutomationExecutionId: maps } = await send(new StartAutomationExecutionCommand({
      DocumentName: 'Say', TargetMaps: [{ InstanceId: [NODES[0]], Message: ['a'] }, { InstanceId: [NODES[1]], Message: ['b'] }], MaxConcurrency: '2',
    }));
    const running = await children(maps);
    assert.deepEqual(running.map((c: any) => [c.Parameters.Message[0], c.AutomationExecutionStatus]), [['a', 'InProgress'], ['b', 'InProgress']]);
    await send(new StopAutomationExecutionCommand({ AutomationExecutionId: maps }));
    await advance(server, 1);
    assert.equal((await get(maps)).AutomationExecutionStatus, 'Cancelled');
    assert.deepEqual((await children(maps)).map((c: any) => c.AutomationExecutionStatus), ['Cancelled', 'Cancelled']);
  });

  test('refused: targets that resolve to nothing, TargetMaps with Targets, a target that breaks the runbook\'s parameters', async () => {
    await rejectsWith(send(new StartAutomationExecutionCommand({ DocumentName: 'Say', TargetParameterName: 'InstanceId', Targets: [{ Key: 'tag:Env', Values: ['dev'] }] })), 'InvalidTarget');
    await rejectsWith(send(new StartAutomationExecutionCommand({
      DocumentName: 'Say', TargetParameterName: 'InstanceId', Targets: [{ Key: 'ParameterValues', Values: ['x'] }], TargetMaps: [{ InstanceId: ['y'] }],
    })), 'ValidationException');
    await rejectsWith(send(new StartAutomationExecutionCommand({ DocumentName: 'Say', TargetParameterName: 'Nope', Targets: [{ Key: 'ParameterValues', Values: ['x'] }] })),
      'InvalidAutomationExecutionParametersException');
  });
});
