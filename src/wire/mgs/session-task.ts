// Session Manager over the agent's control channel (github.com/aws/amazon-ssm-agent agent/session/contracts
// model.go, agentmessage.go; agent/messageservice/interactor/mgsinteractor): the service starts a session
// with `interactive_shell` (then the agent opens the session's data channel itself), stops it with
// `channel_closed` (channel-closed.ts: the agent turns it into a TerminateSession document), and the agent
// reports the end with `agent_task_complete`, which it sends up to 3 times, 1 s apart
// (replytypes/sessioncompletereplytype.go, sendreply.go), until the service answers `agent_task_acknowledge`
// naming that frame's MessageId (processTaskAcknowledgeMessage). The agent defines `agent_task_reply` but
// never sends it. Pure: payloads and their frames.

import { type AgentMessage, MessageType } from './agent-message.ts';
import { controlMessage } from './control-message.ts';
import { ControlPayloadError, goJson, intMember, type JsonObject, parseObject, stringMember, uuidMember } from './payload-json.ts';

/**
 * SessionDocumentContent (agent/contracts/model.go): a Session document's content as the agent reads it.
 * `inputs`, `parameters` and `properties` are the document's own JSON objects, passed through.
 */
export interface SessionDocContent {
  schemaVersion: string;
  description: string;
  /** Standard_Stream, InteractiveCommands, NonInteractiveCommands, Port: the agent's session plugin. */
  sessionType: string;
  inputs: JsonObject;
  parameters: JsonObject;
  properties: unknown;
}

/** AgentTaskPayload: what the session is (model.go). */
export interface AgentTask {
  documentName: string;
  documentContent: SessionDocContent;
  sessionId: string;
  /** StartSession's Parameters (name -> list of values), as given. */
  parameters: Record<string, unknown>;
  /** Empty: the agent's default (ssm-user, or the document's runAsDefaultUser). */
  runAsUser: string;
  /** The caller's ARN. */
  sessionOwner: string;
}

/**
 * The interactive_shell payload, MGSPayload: AgentTaskPayload as a JSON string under `Content`. The agent
 * reads only Content (deserializeAgentTaskPayload): TaskId and Topic are not checked, so we name the
 * session and the message type there.
 */
export function writeInteractiveShell(task: AgentTask): string {
  const d = task.documentContent;
  // Go's field order and json tags; Go's Unmarshal matches names case-insensitively, but we write the tags.
  const content = goJson({
    DocumentName: task.documentName,
    DocumentContent: {
      schemaVersion: d.schemaVersion, description: d.description, sessionType: d.sessionType,
      inputs: d.inputs, parameters: d.parameters, properties: d.properties ?? null,
    },
    SessionId: task.sessionId,
    Parameters: task.parameters,
    RunAsUser: task.runAsUser,
    SessionOwner: task.sessionOwner,
  });
  return goJson({ Content: content, TaskId: task.sessionId, Topic: MessageType.InteractiveShell, SchemaVersion: 1 });
}

/** The interactive_shell control message; the frame id and time are the caller's. */
export function interactiveShellMessage(task: AgentTask, messageId: string, createdDate: number): AgentMessage {
  return controlMessage(MessageType.InteractiveShell, writeInteractiveShell(task), messageId, createdDate);
}

export function readInteractiveShell(message: AgentMessage): AgentTask {
  const p = 'MGSPayload';
  if (message.messageType !== MessageType.InteractiveShell) {
    throw new ControlPayloadError(p, undefined, `AgentMessage is not of type interactive_shell. Found message type: ${message.messageType}`);
  }
  const outer = parseObject(p, message.payload);
  const t = 'AgentTaskPayload';
  const o = parseObject(t, stringMember(p, outer, 'Content'));
  const doc = objectMember(t, o, 'DocumentContent');
  const dc = 'SessionDocumentContent';
  return {
    documentName: stringMember(t, o, 'DocumentName'),
    documentContent: {
      schemaVersion: stringMember(dc, doc, 'schemaVersion'),
      description: stringMember(dc, doc, 'description'),
      sessionType: stringMember(dc, doc, 'sessionType', 1),
      inputs: objectMember(dc, doc, 'inputs'),
      parameters: objectMember(dc, doc, 'parameters'),
      properties: doc.properties ?? null,
    },
    sessionId: stringMember(t, o, 'SessionId', 1),
    parameters: objectMember(t, o, 'Parameters'),
    runAsUser: stringMember(t, o, 'RunAsUser'),
    sessionOwner: stringMember(t, o, 'SessionOwner'),
  };
}

/** The Topic of the agent's agent_task_complete (utils.go SessionCompleteTopic). */
export const TASK_COMPLETE_TOPIC = MessageType.AgentTaskComplete;

/** AgentTaskCompletePayload: agent -> service, the session's end as a document result. */
export interface AgentTaskComplete {
  schemaVersion: number;
  /** The session id. */
  taskId: string;
  topic: string;
  /** The session plugin's result status: Success, Failed, Cancelled, TimedOut... */
  finalTaskStatus: string;
  isRoutingFailure: boolean;
  awsAccountId: string;
  instanceId: string;
  output: string;
  s3Bucket: string;
  s3UrlSuffix: string;
  cwlGroup: string;
  cwlStream: string;
  /** 1 on the first send, counting each resend (the service should take one and ignore the rest). */
  retryNumber: number;
}

export function writeAgentTaskComplete(c: AgentTaskComplete): string {
  return goJson({
    SchemaVersion: c.schemaVersion, TaskId: c.taskId, Topic: c.topic, FinalTaskStatus: c.finalTaskStatus,
    IsRoutingFailure: c.isRoutingFailure, AwsAccountId: c.awsAccountId, InstanceId: c.instanceId, Output: c.output,
    S3Bucket: c.s3Bucket, S3UrlSuffix: c.s3UrlSuffix, CwlGroup: c.cwlGroup, CwlStream: c.cwlStream, RetryNumber: c.retryNumber,
  });
}

export function readAgentTaskComplete(message: AgentMessage): AgentTaskComplete {
  const p = 'AgentTaskCompletePayload';
  if (message.messageType !== MessageType.AgentTaskComplete) {
    throw new ControlPayloadError(p, undefined, `AgentMessage is not of type agent_task_complete. Found message type: ${message.messageType}`);
  }
  const o = parseObject(p, message.payload);
  const flag = o.IsRoutingFailure;
  if (typeof flag !== 'boolean') throw new ControlPayloadError(p, 'IsRoutingFailure', 'must be a boolean');
  return {
    schemaVersion: intMember(p, o, 'SchemaVersion'),
    taskId: stringMember(p, o, 'TaskId', 1),
    topic: stringMember(p, o, 'Topic'),
    finalTaskStatus: stringMember(p, o, 'FinalTaskStatus'),
    isRoutingFailure: flag,
    awsAccountId: stringMember(p, o, 'AwsAccountId'),
    instanceId: stringMember(p, o, 'InstanceId'),
    output: stringMember(p, o, 'Output'),
    s3Bucket: stringMember(p, o, 'S3Bucket'),
    s3UrlSuffix: stringMember(p, o, 'S3UrlSuffix'),
    cwlGroup: stringMember(p, o, 'CwlGroup'),
    cwlStream: stringMember(p, o, 'CwlStream'),
    retryNumber: intMember(p, o, 'RetryNumber'),
  };
}

/** AcknowledgeTaskContent: service -> agent, stops the agent resending an agent_task_complete. */
export interface TaskAcknowledgement {
  schemaVersion: number;
  /** The acknowledged agent_task_complete frame's MessageId: the key the agent looks its resend loop up by. */
  messageId: string;
  taskId: string;
  topic: string;
}

/** What acknowledges an agent_task_complete frame. */
export function taskAcknowledgementOf(frame: AgentMessage, complete: AgentTaskComplete): TaskAcknowledgement {
  return { schemaVersion: 1, messageId: frame.messageId, taskId: complete.taskId, topic: complete.topic };
}

export function writeTaskAcknowledgement(a: TaskAcknowledgement): string {
  return goJson({ SchemaVersion: a.schemaVersion, MessageId: a.messageId, TaskId: a.taskId, Topic: a.topic });
}

export function taskAcknowledgeMessage(a: TaskAcknowledgement, messageId: string, createdDate: number): AgentMessage {
  return controlMessage(MessageType.AgentTaskAcknowledge, writeTaskAcknowledgement(a), messageId, createdDate);
}

export function readTaskAcknowledgement(message: AgentMessage): TaskAcknowledgement {
  const p = 'AcknowledgeTaskContent';
  if (message.messageType !== MessageType.AgentTaskAcknowledge) {
    throw new ControlPayloadError(p, undefined, `AgentMessage is not of type TaskAcknowledgeMessage. Found message type: ${message.messageType}`);
  }
  const o = parseObject(p, message.payload);
  return {
    schemaVersion: intMember(p, o, 'SchemaVersion'),
    messageId: uuidMember(p, o, 'MessageId'),
    taskId: stringMember(p, o, 'TaskId'),
    topic: stringMember(p, o, 'Topic'),
  };
}

/** A JSON object member (a Go struct or map); null reads as an empty object, as Go leaves it nil. */
function objectMember(payload: string, o: JsonObject, name: string): JsonObject {
  const value = o[name];
  if (value === undefined) throw new ControlPayloadError(payload, name, 'is missing');
  if (value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw new ControlPayloadError(payload, name, 'must be a JSON object');
  return value as JsonObject;
}
