// The `acknowledge` message: what a data channel peer sends back for every stream message it takes
// (agent/session/datachannel SendAcknowledgeMessage; the plugin's SerializeClientMessageWithAcknowledgeContent),
// and what stops the sender retransmitting it. Its payload is the AcknowledgeContent JSON of model.go.

import { type AgentMessage, AgentMessageError, Flag, MessageType } from './agent-message.ts';

export interface Acknowledgement {
  /** The acknowledged message's type, e.g. output_stream_data. */
  messageType: string;
  messageId: string;
  sequenceNumber: number;
  /** Always true from the agent and the plugin: the acknowledged message is part of a numbered stream. */
  isSequentialMessage: boolean;
}

/** What acknowledges `message`, as the agent and the plugin fill it in. */
export function acknowledgementOf(message: AgentMessage): Acknowledgement {
  return { messageType: message.messageType, messageId: message.messageId, sequenceNumber: message.sequenceNumber, isSequentialMessage: true };
}

/**
 * The acknowledge message itself, framed as both peers frame theirs: schema 1, sequence 0, flags SYN|FIN
 * (a stream of one), no payload type. The id and the time are the caller's (a fresh UUID, the clock's now).
 */
export function acknowledgeMessage(ack: Acknowledgement, messageId: string, createdDate: number): AgentMessage {
  // Go's json.Marshal of AcknowledgeContent: these names, in this order.
  const content = {
    AcknowledgedMessageType: ack.messageType,
    AcknowledgedMessageId: ack.messageId,
    AcknowledgedMessageSequenceNumber: ack.sequenceNumber,
    IsSequentialMessage: ack.isSequentialMessage,
  };
  return {
    messageType: MessageType.Acknowledge,
    schemaVersion: 1,
    createdDate,
    sequenceNumber: 0,
    flags: Flag.Syn | Flag.Fin,
    messageId,
    payloadType: 0,
    payload: Buffer.from(JSON.stringify(content), 'utf8'),
  };
}

/**
 * The acknowledgement an `acknowledge` message carries. Like Go's json.Unmarshal, an absent member reads
 * as its zero value (the plugin's own tests send only the type and the id); a member of the wrong type or
 * a payload that is not a JSON object is refused.
 */
export function readAcknowledgement(message: AgentMessage): Acknowledgement {
  if (message.messageType !== MessageType.Acknowledge) {
    throw refused(`AgentMessage is not of type AcknowledgeMessage. Found message type: ${message.messageType}`);
  }
  let content: unknown;
  try {
    content = JSON.parse(message.payload.toString('utf8'));
  } catch {
    throw refused('Could not deserialize rawMessage to AcknowledgeMessage: not JSON');
  }
  if (typeof content !== 'object' || content === null || Array.isArray(content)) {
    throw refused('Could not deserialize rawMessage to AcknowledgeMessage: not a JSON object');
  }
  const c = content as Record<string, unknown>;
  return {
    messageType: member(c, 'AcknowledgedMessageType', 'string', ''),
    messageId: member(c, 'AcknowledgedMessageId', 'string', ''),
    sequenceNumber: member(c, 'AcknowledgedMessageSequenceNumber', 'number', 0),
    isSequentialMessage: member(c, 'IsSequentialMessage', 'boolean', false),
  };
}

function member<T extends string | number | boolean>(c: Record<string, unknown>, name: string, type: 'string' | 'number' | 'boolean', zero: T): T {
  const value = c[name];
  if (value === undefined || value === null) return zero;
  if (typeof value !== type || (type === 'number' && !Number.isSafeInteger(value))) {
    throw refused(`Could not deserialize rawMessage to AcknowledgeMessage: ${name} is not a ${type === 'number' ? '64-bit integer' : type}`);
  }
  return value as T;
}

function refused(message: string): AgentMessageError {
  return new AgentMessageError('acknowledge-content', message);
}
