// Session Manager payloads (src/wire/mgs/session-task.ts, session-stream.ts): exact JSON member names and
// order as the agent's and the plugin's Go structs marshal them, round trips through the frame codec, refusals.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type AgentMessage, decodeAgentMessage, encodeAgentMessage, Flag, MessageType, PayloadTypeFlag } from '../../src/wire/mgs/agent-message.ts';
import { ControlPayloadError } from '../../src/wire/mgs/payload-json.ts';
import {
  type AgentTask, interactiveShellMessage, readAgentTaskComplete, readInteractiveShell, readTaskAcknowledgement,
  taskAcknowledgeMessage, taskAcknowledgementOf, writeInteractiveShell,
} from '../../src/wire/mgs/session-task.ts';
import {
  agentSessionStateMessage, publicationMessage, readAgentSessionState, readExitCode, readFlag, readHandshakeComplete,
  readHandshakeRequest, readHandshakeResponse, readTerminalSize, requestedSessionType, writeExitCode, writeFlag,
  writeHandshakeComplete, writeHandshakeRequest, writeHandshakeResponse, writeTerminalSize,
} from '../../src/wire/mgs/session-stream.ts';

const FRAME = 'dd01e56b-ff48-483e-a508-b5f073f31b16';
const CREATED = Date.UTC(2026, 11, 7, 20, 0, 0, 123);
const wire = (m: AgentMessage): AgentMessage => decodeAgentMessage(encodeAgentMessage(m));
const framed = (type: string, json: unknown): AgentMessage => wire({
  messageType: type, schemaVersion: 1, createdDate: CREATED, sequenceNumber: 0, flags: 0, messageId: FRAME, payloadType: 0,
  payload: Buffer.from(typeof json === 'string' ? json : JSON.stringify(json)),
});
function refusal(f: () => unknown): string {
  try { f(); } catch (error) {
    assert.ok(error instanceof ControlPayloadError, String(error));
    return `${error.payload}.${error.member ?? ''}`;
  }
  assert.fail('accepted');
}

const TASK: AgentTask = {
  documentName: 'SSM-SessionManagerRunShell',
  documentContent: {
    schemaVersion: '1.0', description: 'Document to hold regional settings for Session Manager', sessionType: 'Standard_Stream',
    inputs: { s3BucketName: '', runAsEnabled: false }, parameters: {}, properties: null,
  },
  sessionId: 'alice-0123456789abcdef0', parameters: {}, runAsUser: '', sessionOwner: 'arn:aws:iam::123456789012:user/alice',
};

describe('interactive_shell', () => {
  test('MGSPayload carries AgentTaskPayload as a JSON string under Content, members as the agent names them', () => {
    const outer = JSON.parse(writeInteractiveShell(TASK));
    assert.deepEqual(Object.keys(outer), ['Content', 'TaskId', 'Topic', 'SchemaVersion']);
    assert.equal(typeof outer.Content, 'string');
    const inner = JSON.parse(outer.Content);
    assert.deepEqual(Object.keys(inner), ['DocumentName', 'DocumentContent', 'SessionId', 'Parameters', 'RunAsUser', 'SessionOwner']);
    assert.deepEqual(Object.keys(inner.DocumentContent), ['schemaVersion', 'description', 'sessionType', 'inputs', 'parameters', 'properties']);
    assert.equal(inner.DocumentContent.sessionType, 'Standard_Stream');
  });

  test('round trip through the frame codec', () => {
    const m = wire(interactiveShellMessage(TASK, FRAME, CREATED));
    assert.equal(m.messageType, 'interactive_shell');
    assert.deepEqual(readInteractiveShell(m), TASK);
  });

  test('refusals name the member', () => {
    assert.equal(refusal(() => readInteractiveShell(framed('interactive_shell', { Content: 7 }))), 'MGSPayload.Content');
    assert.equal(refusal(() => readInteractiveShell(framed('interactive_shell', { Content: '{"DocumentName":"x"}' }))), 'AgentTaskPayload.DocumentContent');
    assert.equal(refusal(() => readInteractiveShell(framed('agent_job', {}))), 'MGSPayload.');
  });
});

describe('agent_task_complete and agent_task_acknowledge', () => {
  // Go's json.Marshal of AgentTaskCompletePayload as the agent fills it in (sessioncompletereplytype.go).
  const complete = {
    SchemaVersion: 1, TaskId: 'alice-0123456789abcdef0', Topic: 'agent_task_complete', FinalTaskStatus: 'Success',
    IsRoutingFailure: false, AwsAccountId: '', InstanceId: 'mi-0123456789abcdef0', Output: '', S3Bucket: '', S3UrlSuffix: '',
    CwlGroup: '', CwlStream: '', RetryNumber: 1,
  };

  test('the agent\'s completion is read, and the acknowledgement names that frame\'s MessageId', () => {
    const frame = framed(MessageType.AgentTaskComplete, complete);
    const c = readAgentTaskComplete(frame);
    assert.equal(c.taskId, 'alice-0123456789abcdef0');
    assert.equal(c.finalTaskStatus, 'Success');
    const ack = wire(taskAcknowledgeMessage(taskAcknowledgementOf(frame, c), '8c7f2f34-1a4e-4c51-9a0b-5b6c7d8e9f01', CREATED));
    assert.equal(ack.messageType, 'agent_task_acknowledge');
    assert.equal(ack.payload.toString(), `{"SchemaVersion":1,"MessageId":"${FRAME}","TaskId":"alice-0123456789abcdef0","Topic":"agent_task_complete"}`);
    assert.equal(readTaskAcknowledgement(ack).messageId, FRAME);
  });

  test('refusals', () => {
    assert.equal(refusal(() => readAgentTaskComplete(framed(MessageType.AgentTaskComplete, { ...complete, IsRoutingFailure: 'no' }))), 'AgentTaskCompletePayload.IsRoutingFailure');
    assert.equal(refusal(() => readAgentTaskComplete(framed(MessageType.AgentTaskComplete, { ...complete, TaskId: '' }))), 'AgentTaskCompletePayload.TaskId');
    assert.equal(refusal(() => readAgentTaskComplete(framed(MessageType.AgentTaskComplete, '[1]'))), 'AgentTaskCompletePayload.');
  });
});

describe('data channel payloads', () => {
  test('agent_session_state as the agent writes it', () => {
    const m = wire(agentSessionStateMessage({ schemaVersion: 1, sessionState: 'Terminating', sessionId: 's-1' }, FRAME, CREATED));
    assert.equal(m.payload.toString(), '{"SchemaVersion":1,"SessionState":"Terminating","SessionId":"s-1"}');
    assert.equal(m.flags, Flag.Syn | Flag.Fin);
    assert.equal(readAgentSessionState(m).sessionState, 'Terminating');
    assert.equal(refusal(() => readAgentSessionState(framed(MessageType.AgentSessionState, { SchemaVersion: 1, SessionState: '', SessionId: 's' }))), 'AgentSessionStateContent.SessionState');
  });

  test('start and pause publication have no payload', () => {
    for (const type of [MessageType.StartPublication, MessageType.PausePublication] as const) {
      const m = wire(publicationMessage(type, FRAME, CREATED));
      assert.equal(m.messageType, type);
      assert.equal(m.payload.length, 0);
    }
  });

  test('terminal size, flag and exit code', () => {
    assert.equal(writeTerminalSize({ cols: 120, rows: 40 }).toString(), '{"cols":120,"rows":40}');
    assert.deepEqual(readTerminalSize(Buffer.from('{"cols":80,"rows":24}')), { cols: 80, rows: 24 });
    assert.equal(refusal(() => readTerminalSize(Buffer.from('{"cols":-1,"rows":24}'))), 'SizeData.cols');
    assert.deepEqual([...writeFlag(PayloadTypeFlag.TerminateSession)], [0, 0, 0, 2]);
    assert.equal(readFlag(Buffer.from([0, 0, 0, 2])), PayloadTypeFlag.TerminateSession);
    assert.throws(() => readFlag(Buffer.from([2])), ControlPayloadError);
    assert.equal(writeExitCode(127).toString(), 'EXIT_CODE: 127');
    assert.equal(readExitCode(Buffer.from('EXIT_CODE: 0')), 0);
    assert.throws(() => readExitCode(Buffer.from('EXIT: 0')), ControlPayloadError);
  });

  test('handshake request, response and complete', () => {
    const request = writeHandshakeRequest({ agentVersion: '3.3.40.0', requestedClientActions: [{ actionType: 'SessionType', actionParameters: { SessionType: 'InteractiveCommands', Properties: null } }] });
    assert.equal(request.toString(), '{"AgentVersion":"3.3.40.0","RequestedClientActions":[{"ActionType":"SessionType","ActionParameters":{"SessionType":"InteractiveCommands","Properties":null}}]}');
    assert.equal(requestedSessionType(readHandshakeRequest(request)), 'InteractiveCommands');
    const response = writeHandshakeResponse({ clientVersion: '1.2.707.0', processedClientActions: [{ actionType: 'SessionType', actionStatus: 1, actionResult: null, error: '' }], errors: [] });
    assert.equal(response.toString(), '{"ClientVersion":"1.2.707.0","ProcessedClientActions":[{"ActionType":"SessionType","ActionStatus":1,"ActionResult":null,"Error":""}],"Errors":[]}');
    assert.equal(readHandshakeResponse(response).clientVersion, '1.2.707.0');
    // The plugin's Go writes a nil slice as null.
    assert.deepEqual(readHandshakeResponse(Buffer.from('{"ClientVersion":"1","ProcessedClientActions":null,"Errors":null}')).errors, []);
    const complete = writeHandshakeComplete({ handshakeTimeToCompleteNanos: 1_500_000, customerMessage: '' });
    assert.equal(complete.toString(), '{"HandshakeTimeToComplete":1500000,"CustomerMessage":""}');
    assert.equal(readHandshakeComplete(complete).handshakeTimeToCompleteNanos, 1_500_000);
    assert.equal(refusal(() => readHandshakeRequest(Buffer.from('{"AgentVersion":"1","RequestedClientActions":[1]}'))), 'HandshakeRequestPayload.RequestedClientActions');
  });
});
