// The ssmmessages control channel's payloads (src/wire/mgs/channel-open.ts, agent-job.ts, channel-closed.ts):
// exact JSON as the agent's Go structs marshal it (json tags, field order), each framed in an agent message
// and through the frame codec, and refusals naming the member.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Command } from '../../src/domain/commands.ts';
import { agentMessage as ec2Message } from '../../src/wire/ec2messages-format.ts';
import {
  type AgentJob, AgentJobAckStatus, agentJobAckMessage, agentJobMessage, agentJobOf, agentJobReplyAckMessage,
  agentJobReplyMessage, agentReplyOf, jobKind, readAgentJob, readAgentJobAck, readAgentJobReply, readAgentJobReplyAck,
  ReplyTopic, writeAgentJob, writeAgentJobAck, writeAgentJobReply, writeAgentJobReplyAck,
} from '../../src/wire/mgs/agent-job.ts';
import { type AgentMessage, decodeAgentMessage, encodeAgentMessage, MessageType } from '../../src/wire/mgs/agent-message.ts';
import { channelClosedMessage, readChannelClosed, writeChannelClosed } from '../../src/wire/mgs/channel-closed.ts';
import {
  controlChannelPath, CREATED_STATUS, MESSAGE_SCHEMA_VERSION, readChannelTokenXml, readCreateControlChannelInput,
  readCreateDataChannelInput, readOpenControlChannelInput, readOpenDataChannelInput, writeChannelTokenXml,
  writeCreateControlChannelInput, writeCreateDataChannelInput, writeErrorXml, writeOpenControlChannelInput,
  writeOpenDataChannelInput,
} from '../../src/wire/mgs/channel-open.ts';
import { ControlPayloadError, goJson } from '../../src/wire/mgs/payload-json.ts';

const INSTANCE = 'mi-0123456789abcdef0';
const REQUEST = '3a1e0c6e-9d0b-4e55-8f7c-2a2b2c2d2e2f';
const JOB_FRAME = 'dd01e56b-ff48-483e-a508-b5f073f31b16';
const ACK_FRAME = '8c7f2f34-1a4e-4c51-9a0b-5b6c7d8e9f01';
const REPLY_FRAME = '0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0';
const CREATED = Date.UTC(2026, 11, 7, 20, 0, 0, 123);

/** Through the frame codec and back, as the peer would take it off the socket. */
const wire = (message: AgentMessage): AgentMessage => decodeAgentMessage(encodeAgentMessage(message));

/** The refusal `f` throws: which payload, which member. */
function refusal(f: () => unknown): { payload: string; member: string | undefined } {
  try {
    f();
  } catch (error) {
    assert.ok(error instanceof ControlPayloadError, `not a ControlPayloadError: ${String(error)}`);
    return { payload: error.payload, member: error.member };
  }
  assert.fail('expected a refusal, the payload was accepted');
}

/** A control message of `type` whose payload is `json` (any JSON value), framed and decoded. */
function framed(type: string, json: unknown): AgentMessage {
  return wire({ messageType: type, schemaVersion: 1, createdDate: CREATED, sequenceNumber: 0, flags: 0, messageId: ACK_FRAME, payloadType: 0, payload: Buffer.from(JSON.stringify(json)) });
}

describe('opening the control channel', () => {
  test('CreateControlChannelInput as the agent posts it', () => {
    const text = writeCreateControlChannelInput({ messageSchemaVersion: MESSAGE_SCHEMA_VERSION, requestId: REQUEST });
    assert.equal(text, `{"MessageSchemaVersion":"1.0","RequestId":"${REQUEST}"}`);
    assert.deepEqual(readCreateControlChannelInput(Buffer.from(text)), { messageSchemaVersion: '1.0', requestId: REQUEST });
    assert.equal(controlChannelPath(INSTANCE), `/v1/control-channel/${INSTANCE}`);
    assert.equal(CREATED_STATUS, 201);
  });

  test('CreateControlChannelInput refusals name the member', () => {
    assert.deepEqual(refusal(() => readCreateControlChannelInput('{"MessageSchemaVersion":"1.0"}')), { payload: 'CreateControlChannelInput', member: 'RequestId' });
    assert.deepEqual(refusal(() => readCreateControlChannelInput(`{"MessageSchemaVersion":1,"RequestId":"${REQUEST}"}`)).member, 'MessageSchemaVersion');
    assert.deepEqual(refusal(() => readCreateControlChannelInput('{"MessageSchemaVersion":"1.0","RequestId":"short"}')).member, 'RequestId');
    assert.deepEqual(refusal(() => readCreateControlChannelInput('[]')), { payload: 'CreateControlChannelInput', member: undefined });
    assert.deepEqual(refusal(() => readCreateControlChannelInput('{')), { payload: 'CreateControlChannelInput', member: undefined });
  });

  test('the token answer is XML, as the agent unmarshals it', () => {
    const xml = writeChannelTokenXml({ messageSchemaVersion: '1.0', tokenValue: 'tok&en<1>' });
    assert.equal(xml, '<CreateControlChannelOutput><MessageSchemaVersion>1.0</MessageSchemaVersion><TokenValue>tok&amp;en&lt;1&gt;</TokenValue></CreateControlChannelOutput>');
    assert.deepEqual(readChannelTokenXml(xml), { messageSchemaVersion: '1.0', tokenValue: 'tok&en<1>' });
    assert.match(writeChannelTokenXml({ messageSchemaVersion: '1.0', tokenValue: 't' }, 'CreateDataChannelOutput'), /^<CreateDataChannelOutput>/);
    // JSON is what the agent cannot read (xml.Unmarshal: EOF), and a missing token would be dereferenced.
    assert.equal(refusal(() => readChannelTokenXml('{"TokenValue":"t"}')).member, undefined);
    assert.equal(refusal(() => readChannelTokenXml('<X><MessageSchemaVersion>1.0</MessageSchemaVersion></X>')).member, 'TokenValue');
    assert.ok(writeErrorXml('AccessDeniedException', 'not "yours"').includes('<AccessDeniedException>'));
    assert.equal(writeErrorXml('AccessDeniedException', 'not "yours"'), '<AccessDeniedException><Message>not &#34;yours&#34;</Message></AccessDeniedException>');
  });

  test('OpenControlChannelInput as the agent sends it first, with its nil Cookie', () => {
    const open = { messageSchemaVersion: '1.0', requestId: REQUEST, tokenValue: 'token', agentVersion: '3.3.1142.0', platformType: 'linux' };
    const text = writeOpenControlChannelInput(open);
    assert.equal(text, `{"Cookie":null,"MessageSchemaVersion":"1.0","RequestId":"${REQUEST}","TokenValue":"token","AgentVersion":"3.3.1142.0","PlatformType":"linux"}`);
    assert.deepEqual(readOpenControlChannelInput(text), open);
    assert.deepEqual(readOpenControlChannelInput(writeOpenControlChannelInput({ ...open, cookie: 'c' })), { ...open, cookie: 'c' });
    const without = (member: string): string => JSON.stringify({ ...JSON.parse(text), [member]: undefined });
    for (const member of ['MessageSchemaVersion', 'RequestId', 'TokenValue', 'AgentVersion', 'PlatformType']) {
      assert.deepEqual(refusal(() => readOpenControlChannelInput(without(member))), { payload: 'OpenControlChannelInput', member });
    }
    assert.equal(refusal(() => readOpenControlChannelInput(text.replace('"token"', '""'))).member, 'TokenValue');
    assert.equal(refusal(() => readOpenControlChannelInput(text.replace('null', '7'))).member, 'Cookie');
  });

  test('the data channel counterparts the agent posts and sends', () => {
    const create = { messageSchemaVersion: '1.0', requestId: REQUEST, clientId: 'client-1' };
    assert.equal(writeCreateDataChannelInput(create), `{"MessageSchemaVersion":"1.0","RequestId":"${REQUEST}","ClientId":"client-1"}`);
    assert.deepEqual(readCreateDataChannelInput(writeCreateDataChannelInput(create)), create);
    const open = { messageSchemaVersion: '1.0', requestId: REQUEST, tokenValue: 't', clientInstanceId: INSTANCE, clientId: 'client-1' };
    assert.equal(writeOpenDataChannelInput(open), `{"MessageSchemaVersion":"1.0","RequestId":"${REQUEST}","TokenValue":"t","ClientInstanceId":"${INSTANCE}","ClientId":"client-1"}`);
    assert.deepEqual(readOpenDataChannelInput(writeOpenDataChannelInput(open)), open);
    assert.equal(refusal(() => readOpenDataChannelInput('{"MessageSchemaVersion":"1.0"}')).member, 'RequestId');
  });
});

const command = {
  id: '4f7e1c2a-5b6d-4e8f-9a0b-1c2d3e4f5a6b',
  documentName: 'AWS-RunShellScript',
  parameters: { commands: ['echo hello'], workingDirectory: [''], executionTimeout: ['3600'] },
} as unknown as Command;

describe('agent_job', () => {
  test('carries the SendCommand payload ec2messages carries, unchanged, through the frame', () => {
    const message = ec2Message({ kind: 'command', command, instanceId: INSTANCE }, 'eu-west-1', CREATED);
    const job = agentJobOf(message);
    const taken = wire(agentJobMessage(job, JOB_FRAME, CREATED));
    assert.equal(taken.messageType, MessageType.AgentJob);
    assert.equal(taken.messageId, JOB_FRAME);
    assert.equal(taken.payload.toString(), goJson({ Content: message.Payload, JobId: message.MessageId, Topic: message.Topic, SchemaVersion: 1 }));
    const read = readAgentJob(taken);
    assert.deepEqual(read, { content: message.Payload, jobId: `aws.ssm.${command.id}.${INSTANCE}`, topic: 'aws.ssm.sendCommand.eu.west.1.1', schemaVersion: 1 });
    assert.equal(jobKind(read.topic), 'sendCommand');
    // The content is the SendCommandPayload the agent parses, as JSON text inside the JSON.
    const payload = JSON.parse(read.content) as Record<string, unknown>;
    assert.equal(payload.CommandId, command.id);
    assert.equal(payload.DocumentName, 'AWS-RunShellScript');
    assert.deepEqual((payload.Parameters as Record<string, unknown>).commands, ['echo hello']);
  });

  test('a cancel goes with a cancelCommand topic and the CancelPayload', () => {
    const message = ec2Message({ kind: 'cancel', commandId: command.id, instanceId: INSTANCE }, 'us-east-1', CREATED);
    const read = readAgentJob(wire(agentJobMessage(agentJobOf(message), JOB_FRAME, CREATED)));
    assert.equal(read.topic, 'aws.ssm.cancelCommand.us.east.1.1');
    assert.equal(jobKind(read.topic), 'cancelCommand');
    assert.deepEqual(JSON.parse(read.content), { CancelMessageId: `aws.ssm.${command.id}.${INSTANCE}` });
    assert.equal(jobKind('aws.ssm.somethingElse'), undefined);
  });

  test('writes Go\'s escaping and refuses a wrong member', () => {
    const job: AgentJob = { content: '{"commands":["a<b && c>d"]}', jobId: 'aws.ssm.x.mi-1', topic: 'aws.ssm.sendCommand.t.1', schemaVersion: 1 };
    assert.equal(writeAgentJob(job), '{"Content":"{\\"commands\\":[\\"a\\u003cb \\u0026\\u0026 c\\u003ed\\"]}","JobId":"aws.ssm.x.mi-1","Topic":"aws.ssm.sendCommand.t.1","SchemaVersion":1}');
    assert.deepEqual(readAgentJob(wire(agentJobMessage(job, JOB_FRAME, CREATED))), job);
    const good = JSON.parse(writeAgentJob(job)) as Record<string, unknown>;
    assert.equal(refusal(() => readAgentJob(framed(MessageType.AgentJob, { ...good, SchemaVersion: '1' }))).member, 'SchemaVersion');
    assert.equal(refusal(() => readAgentJob(framed(MessageType.AgentJob, { ...good, SchemaVersion: 1.5 }))).member, 'SchemaVersion');
    assert.equal(refusal(() => readAgentJob(framed(MessageType.AgentJob, { ...good, Content: undefined }))).member, 'Content');
    assert.equal(refusal(() => readAgentJob(framed(MessageType.AgentJob, { ...good, JobId: null }))).member, 'JobId');
    assert.deepEqual(refusal(() => readAgentJob(framed(MessageType.AgentJobAck, good))), { payload: 'AgentJobPayload', member: undefined });
  });
});

describe('agent_job_ack', () => {
  const ack = { jobId: `aws.ssm.${command.id}.${INSTANCE}`, acknowledgedMessageId: JOB_FRAME, createdDate: CREATED, statusCode: AgentJobAckStatus.Successful, errorMessage: 'Successful' };

  test('as the agent writes it, through the frame', () => {
    const text = writeAgentJobAck(ack);
    assert.equal(text, `{"jobId":"aws.ssm.${command.id}.${INSTANCE}","acknowledgedMessageId":"${JOB_FRAME}","createdDate":"2026-12-07T20:00:00.123Z","statusCode":"200","errorMessage":"Successful"}`);
    const taken = wire(agentJobAckMessage(ack, ACK_FRAME, CREATED + 5));
    assert.equal(taken.messageType, 'agent_job_ack');
    assert.deepEqual(readAgentJobAck(taken), ack);
  });

  test('a parse error\'s ack, with no job id', () => {
    const dropped = { ...ack, jobId: '', statusCode: AgentJobAckStatus.AgentJobMessageParseError, errorMessage: 'AgentJobMessageParseError' };
    assert.deepEqual(readAgentJobAck(wire(agentJobAckMessage(dropped, ACK_FRAME, CREATED))), dropped);
  });

  test('refusals name the member', () => {
    const good = JSON.parse(writeAgentJobAck(ack)) as Record<string, unknown>;
    const bad = (patch: Record<string, unknown>): string | undefined => refusal(() => readAgentJobAck(framed(MessageType.AgentJobAck, { ...good, ...patch }))).member;
    assert.equal(bad({ statusCode: 200 }), 'statusCode');
    assert.equal(bad({ statusCode: 'OK' }), 'statusCode');
    assert.equal(bad({ acknowledgedMessageId: 'not-a-uuid' }), 'acknowledgedMessageId');
    assert.equal(bad({ createdDate: '1765137600123' }), 'createdDate');
    assert.equal(bad({ errorMessage: undefined }), 'errorMessage');
    assert.equal(bad({ jobId: 7 }), 'jobId');
  });
});

// What the agent's SendReplyPayload looks like (agent/runcommand/contracts, agent/contracts), a command ended.
const SEND_REPLY = JSON.stringify({
  additionalInfo: { agent: { lang: 'en-US', name: 'amazon-ssm-agent', os: '', osver: '1', ver: '' }, dateTime: '2026-12-07T20:00:01.000Z', runId: '', runtimeStatusCounts: { Success: 1 } },
  documentStatus: 'Success',
  documentTraceOutput: '',
  runtimeStatus: {
    'aws:runShellScript': {
      status: 'Success', code: 0, name: 'aws:runShellScript', output: 'hello\n', startDateTime: '2026-12-07T20:00:00.500Z', endDateTime: '2026-12-07T20:00:00.900Z',
      outputS3BucketName: '', outputS3KeyPrefix: '', stepName: '', standardOutput: 'hello\n', standardError: '',
    },
  },
});

describe('agent_job_reply and its ack', () => {
  const reply = { schemaVersion: 1, jobId: `aws.ssm.${command.id}.${INSTANCE}`, content: SEND_REPLY, topic: ReplyTopic.SendCommand };

  test('as the agent writes it, through the frame, and the invocation event it carries', () => {
    const text = writeAgentJobReply(reply);
    assert.equal(text, goJson({ schemaVersion: 1, jobId: reply.jobId, content: SEND_REPLY, topic: 'aws.ssm.sendCommand' }));
    assert.deepEqual(Object.keys(JSON.parse(text) as object), ['schemaVersion', 'jobId', 'content', 'topic']);
    const taken = readAgentJobReply(wire(agentJobReplyMessage(reply, REPLY_FRAME, CREATED)));
    assert.deepEqual(taken, reply);
    const event = agentReplyOf(taken);
    assert.equal(event.kind, 'ended');
    assert.ok(event.kind === 'ended' && event.report.status === 'Success' && event.report.stdout === 'hello\n' && event.report.responseCode === 0);
  });

  test('an in-progress reply', () => {
    const content = JSON.stringify({ additionalInfo: {}, documentStatus: 'InProgress', documentTraceOutput: '', runtimeStatus: null });
    assert.equal(agentReplyOf({ ...reply, content }).kind, 'in-progress');
  });

  test('refusals name the member, the content\'s own checks included', () => {
    const good = JSON.parse(writeAgentJobReply(reply)) as Record<string, unknown>;
    const bad = (patch: Record<string, unknown>): string | undefined => refusal(() => readAgentJobReply(framed(MessageType.AgentJobReply, { ...good, ...patch }))).member;
    assert.equal(bad({ schemaVersion: '1' }), 'schemaVersion');
    assert.equal(bad({ jobId: '' }), 'jobId');
    assert.equal(bad({ content: { documentStatus: 'Success' } }), 'content');
    assert.equal(bad({ topic: undefined }), 'topic');
    // Capitalised names are not the agent's: its tags are lower camel case here.
    assert.equal(refusal(() => readAgentJobReply(framed(MessageType.AgentJobReply, { SchemaVersion: 1, JobId: 'j', Content: SEND_REPLY, Topic: 't' }))).member, 'schemaVersion');
    const wrongContent = refusal(() => agentReplyOf({ ...reply, content: '{"documentStatus":7}' }));
    assert.deepEqual(wrongContent, { payload: 'AgentJobReplyContent', member: 'content' });
  });

  test('agent_job_reply_ack names the reply frame', () => {
    const ack = { jobId: reply.jobId, acknowledgedMessageId: REPLY_FRAME };
    assert.equal(writeAgentJobReplyAck(ack), `{"jobId":"${reply.jobId}","acknowledgedMessageId":"${REPLY_FRAME}"}`);
    const taken = wire(agentJobReplyAckMessage(ack, ACK_FRAME, CREATED));
    assert.equal(taken.messageType, 'agent_job_reply_ack');
    assert.deepEqual(readAgentJobReplyAck(taken), ack);
    assert.equal(refusal(() => readAgentJobReplyAck(framed(MessageType.AgentJobReplyAck, { jobId: reply.jobId }))).member, 'acknowledgedMessageId');
  });
});

describe('channel_closed', () => {
  const closed = { messageId: ACK_FRAME, destinationId: INSTANCE, sessionId: 'alice-0a1b2c3d4e5f67890', schemaVersion: 1, createdDate: CREATED };

  test('as model.go marshals it, through the frame', () => {
    assert.equal(writeChannelClosed(closed), `{"MessageType":"channel_closed","MessageId":"${ACK_FRAME}","DestinationId":"${INSTANCE}","SessionId":"alice-0a1b2c3d4e5f67890","SchemaVersion":1,"CreatedDate":"2026-12-07T20:00:00.123Z"}`);
    const taken = wire(channelClosedMessage(closed));
    assert.equal(taken.messageType, 'channel_closed');
    assert.equal(taken.messageId, ACK_FRAME);
    assert.deepEqual(readChannelClosed(taken), closed);
    const withOutput = { ...closed, output: 'Session terminated' };
    assert.match(writeChannelClosed(withOutput), /"CreatedDate":"[^"]+","Output":"Session terminated"}$/);
    assert.deepEqual(readChannelClosed(wire(channelClosedMessage(withOutput))), withOutput);
  });

  test('refusals name the member', () => {
    const good = JSON.parse(writeChannelClosed(closed)) as Record<string, unknown>;
    const bad = (patch: Record<string, unknown>): string | undefined => refusal(() => readChannelClosed(framed(MessageType.ChannelClosed, { ...good, ...patch }))).member;
    assert.equal(bad({ SessionId: undefined }), 'SessionId');
    assert.equal(bad({ SchemaVersion: '1' }), 'SchemaVersion');
    assert.equal(bad({ MessageType: 'acknowledge' }), 'MessageType');
    assert.equal(bad({ CreatedDate: 'yesterday' }), 'CreatedDate');
    assert.equal(bad({ Output: 3 }), 'Output');
  });
});
