// Run Command over the ssmmessages control channel (github.com/aws/amazon-ssm-agent agent/session/contracts
// model.go, agentmessage.go; agent/messageservice/interactor/mgsinteractor): the service sends an
// `agent_job` whose Content is the very payload an ec2messages message carries (SendCommandPayload or
// CancelPayload); the agent answers `agent_job_ack` at once, then one `agent_job_reply` per SendReply the
// ec2messages path would have made, and resends each reply until the service answers `agent_job_reply_ack`
// naming that reply's agent-message id. Pure: payloads and their frames.

import { type AgentReply } from '../../domain/command-invocation.ts';
import { ServiceError } from '../../domain/errors.ts';
import { replyOf } from '../ec2messages-format.ts';
import { type AgentMessage, MessageType } from './agent-message.ts';
import { controlMessage } from './control-message.ts';
import {
  ControlPayloadError, goJson, intMember, isoMillis, isoMillisMember, parseObject, stringMember, uuidMember,
} from './payload-json.ts';

/** The agent routes an agent_job by its Topic's prefix (anything else: "Unexpected AgentJob Topic"). */
export const JobTopicPrefix = { SendCommand: 'aws.ssm.sendCommand', CancelCommand: 'aws.ssm.cancelCommand' } as const;

/** The Topic of the agent's agent_job_reply (GetTopicFromDocResult): no region, no version. */
export const ReplyTopic = {
  SendCommand: 'aws.ssm.sendCommand',
  /** Rare: the agent's reply about a cancel job. */
  CancelCommand: 'aws.ssm.cancelCommand',
  /** A session document's completion. */
  SessionComplete: MessageType.AgentTaskComplete,
} as const;

/** The agent drops a reply whose content passes this many bytes (ControlChannelAgentReplyPayloadSizeLimit). */
export const REPLY_CONTENT_LIMIT = 120_000;

/**
 * agent_job_ack statusCode by errorMessage (the agent's ackSkipCodes): "200"/"Successful" takes the job;
 * any other code means the agent dropped it (a parse error is followed by a Failed reply; the others by nothing).
 */
export const AgentJobAckStatus = {
  Successful: '200',
  ClosedProcessor: '51401',
  ProcessorBufferFull: '51402',
  UnexpectedDocumentType: '51403',
  ProcessorErrorCodeTranslationFailed: '51404',
  DuplicateCommand: '51405',
  InvalidDocument: '51406',
  ContainerNotSupported: '51407',
  AgentJobMessageParseError: '51408',
  UnexpectedError: '51499',
} as const;

/** AgentJobPayload: service -> agent. */
export interface AgentJob {
  /** The ec2messages Payload text: SendCommandPayload or CancelPayload JSON. */
  content: string;
  /** The ec2messages MessageId, `aws.ssm.<commandId>.<instanceId>`: the agent takes the command id from it. */
  jobId: string;
  /** The ec2messages Topic (aws.ssm.sendCommand.<region>.1 ...); only its prefix matters to the agent. */
  topic: string;
  schemaVersion: number;
}

/**
 * The job that carries an ec2messages message (wire/ec2messages-format.ts agentMessage) unchanged: the
 * agent turns an agent_job back into that same InstanceMessage (toInstanceMessage) and parses it alike.
 */
export function agentJobOf(message: { MessageId: string; Payload: string; Topic: string }): AgentJob {
  return { content: message.Payload, jobId: message.MessageId, topic: message.Topic, schemaVersion: 1 };
}

/** Which job a topic names, as the agent routes it; undefined for a topic it refuses. */
export function jobKind(topic: string): 'sendCommand' | 'cancelCommand' | undefined {
  if (topic.startsWith(JobTopicPrefix.SendCommand)) return 'sendCommand';
  if (topic.startsWith(JobTopicPrefix.CancelCommand)) return 'cancelCommand';
  return undefined;
}

export function writeAgentJob(job: AgentJob): string {
  return goJson({ Content: job.content, JobId: job.jobId, Topic: job.topic, SchemaVersion: job.schemaVersion });
}

export function readAgentJob(message: AgentMessage): AgentJob {
  const p = 'AgentJobPayload';
  const o = parseObject(p, payloadOf(p, message, MessageType.AgentJob));
  return {
    content: stringMember(p, o, 'Content'),
    jobId: stringMember(p, o, 'JobId'),
    topic: stringMember(p, o, 'Topic'),
    schemaVersion: intMember(p, o, 'SchemaVersion'),
  };
}

/** AgentJobAck: agent -> service, right after the job is taken or dropped. */
export interface AgentJobAck {
  /** The job's JobId; empty when the agent could not parse the job at all. */
  jobId: string;
  /** The agent_job frame's MessageId. */
  acknowledgedMessageId: string;
  /** The agent_job frame's CreatedDate, epoch milliseconds (on the wire: 2006-01-02T15:04:05.000Z). */
  createdDate: number;
  statusCode: string;
  /** The agent's error code name, "Successful" included. */
  errorMessage: string;
}

export function writeAgentJobAck(ack: AgentJobAck): string {
  return goJson({
    jobId: ack.jobId,
    acknowledgedMessageId: ack.acknowledgedMessageId,
    createdDate: isoMillis(ack.createdDate),
    statusCode: ack.statusCode,
    errorMessage: ack.errorMessage,
  });
}

export function readAgentJobAck(message: AgentMessage): AgentJobAck {
  const p = 'AgentJobAck';
  const o = parseObject(p, payloadOf(p, message, MessageType.AgentJobAck));
  const statusCode = stringMember(p, o, 'statusCode', 1);
  if (!/^\d+$/.test(statusCode)) throw new ControlPayloadError(p, 'statusCode', `'${statusCode}' is not a status code`);
  return {
    jobId: stringMember(p, o, 'jobId'),
    acknowledgedMessageId: uuidMember(p, o, 'acknowledgedMessageId'),
    createdDate: isoMillisMember(p, o, 'createdDate'),
    statusCode,
    errorMessage: stringMember(p, o, 'errorMessage'),
  };
}

/** AgentJobReplyContent: agent -> service, a SendReply's payload for a job. */
export interface AgentJobReply {
  schemaVersion: number;
  jobId: string;
  /** SendReplyPayload JSON, as ec2messages' SendReply Payload. */
  content: string;
  topic: string;
}

export function writeAgentJobReply(reply: AgentJobReply): string {
  return goJson({ schemaVersion: reply.schemaVersion, jobId: reply.jobId, content: reply.content, topic: reply.topic });
}

export function readAgentJobReply(message: AgentMessage): AgentJobReply {
  const p = 'AgentJobReplyContent';
  const o = parseObject(p, payloadOf(p, message, MessageType.AgentJobReply));
  return {
    schemaVersion: intMember(p, o, 'schemaVersion'),
    jobId: stringMember(p, o, 'jobId', 1),
    content: stringMember(p, o, 'content', 1),
    topic: stringMember(p, o, 'topic'),
  };
}

/** The invocation event a reply's content carries, checked as an ec2messages SendReply's payload is. */
export function agentReplyOf(reply: AgentJobReply): AgentReply {
  try {
    return replyOf(reply.content);
  } catch (error) {
    if (error instanceof ServiceError) throw new ControlPayloadError('AgentJobReplyContent', 'content', error.message);
    throw error;
  }
}

/** AgentJobReplyAckContent: service -> agent; without it the agent resends the reply. */
export interface AgentJobReplyAck {
  jobId: string;
  /** The agent_job_reply frame's MessageId (the agent waits on that id). */
  acknowledgedMessageId: string;
}

export function writeAgentJobReplyAck(ack: AgentJobReplyAck): string {
  return goJson({ jobId: ack.jobId, acknowledgedMessageId: ack.acknowledgedMessageId });
}

export function readAgentJobReplyAck(message: AgentMessage): AgentJobReplyAck {
  const p = 'AgentJobReplyAckContent';
  const o = parseObject(p, payloadOf(p, message, MessageType.AgentJobReplyAck));
  return { jobId: stringMember(p, o, 'jobId'), acknowledgedMessageId: uuidMember(p, o, 'acknowledgedMessageId') };
}

export const agentJobMessage = (job: AgentJob, messageId: string, createdDate: number): AgentMessage =>
  controlMessage(MessageType.AgentJob, writeAgentJob(job), messageId, createdDate);
export const agentJobAckMessage = (ack: AgentJobAck, messageId: string, createdDate: number): AgentMessage =>
  controlMessage(MessageType.AgentJobAck, writeAgentJobAck(ack), messageId, createdDate);
export const agentJobReplyMessage = (reply: AgentJobReply, messageId: string, createdDate: number): AgentMessage =>
  controlMessage(MessageType.AgentJobReply, writeAgentJobReply(reply), messageId, createdDate);
export const agentJobReplyAckMessage = (ack: AgentJobReplyAck, messageId: string, createdDate: number): AgentMessage =>
  controlMessage(MessageType.AgentJobReplyAck, writeAgentJobReplyAck(ack), messageId, createdDate);

// The agent's Deserialize first checks the frame's type ("AgentMessage is not of type ...").
function payloadOf(payload: string, message: AgentMessage, type: string): Buffer {
  if (message.messageType !== type) {
    throw new ControlPayloadError(payload, undefined, `AgentMessage is not of type ${type}. Found message type: ${message.messageType}`);
  }
  return message.payload;
}
