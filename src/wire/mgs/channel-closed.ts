// The `channel_closed` message: the service tells a peer that a session is over. On the agent's control
// channel it terminates the session whose id it names (agentmessage.go parseTerminateSessionMessage); on
// a data channel the agent cancels the session, and the session-manager-plugin exits, printing `Output`
// when there is one ("SessionId: <id> : <Output>") and "Exiting session with sessionId: <id>." otherwise
// (github.com/aws/session-manager-plugin src/datachannel/streaming.go). Payload: the ChannelClosed JSON
// of model.go; the plugin's copy of the struct adds Output. Pure.

import { type AgentMessage, MessageType } from './agent-message.ts';
import { controlMessage } from './control-message.ts';
import { ControlPayloadError, goJson, intMember, isoMillis, parseObject, stringMember, uuidMember } from './payload-json.ts';

export interface ChannelClosed {
  /** The id of the message that carries it (the service repeats the frame's MessageId here). */
  messageId: string;
  /** The node (on the control channel) or the client the data channel belongs to. */
  destinationId: string;
  sessionId: string;
  schemaVersion: number;
  /** Epoch milliseconds; on the wire an ISO-8601 text (the agent keeps it as its document's CreatedDate). */
  createdDate: number;
  /** What the plugin prints on leaving; absent: its default line. */
  output?: string;
}

export function writeChannelClosed(closed: ChannelClosed): string {
  // The agent's field order; Output (the plugin's extra member) last, only when there is one.
  return goJson({
    MessageType: MessageType.ChannelClosed,
    MessageId: closed.messageId,
    DestinationId: closed.destinationId,
    SessionId: closed.sessionId,
    SchemaVersion: closed.schemaVersion,
    CreatedDate: isoMillis(closed.createdDate),
    ...(closed.output === undefined ? {} : { Output: closed.output }),
  });
}

/** A channel_closed message, framed as the other control messages; its MessageId is the payload's. */
export function channelClosedMessage(closed: ChannelClosed): AgentMessage {
  return controlMessage(MessageType.ChannelClosed, writeChannelClosed(closed), closed.messageId, closed.createdDate);
}

export function readChannelClosed(message: AgentMessage): ChannelClosed {
  const p = 'ChannelClosed';
  if (message.messageType !== MessageType.ChannelClosed) {
    throw new ControlPayloadError(p, undefined, `AgentMessage is not of type ChannelClosed. Found message type: ${message.messageType}`);
  }
  const o = parseObject(p, message.payload);
  const type = stringMember(p, o, 'MessageType');
  if (type !== MessageType.ChannelClosed) throw new ControlPayloadError(p, 'MessageType', `is '${type}', not '${MessageType.ChannelClosed}'`);
  const created = stringMember(p, o, 'CreatedDate', 1);
  const createdDate = Date.parse(created);
  if (Number.isNaN(createdDate)) throw new ControlPayloadError(p, 'CreatedDate', `'${created}' is not a date`);
  const output = o.Output === undefined ? undefined : stringMember(p, o, 'Output');
  return {
    messageId: uuidMember(p, o, 'MessageId'),
    destinationId: stringMember(p, o, 'DestinationId'),
    sessionId: stringMember(p, o, 'SessionId', 1),
    schemaVersion: intMember(p, o, 'SchemaVersion'),
    createdDate,
    ...(output === undefined ? {} : { output }),
  };
}
