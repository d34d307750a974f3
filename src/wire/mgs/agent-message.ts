// The binary frame every ssmmessages (MGS) WebSocket carries, control channel and session data channels
// alike, as the SSM Agent writes and reads it (github.com/aws/amazon-ssm-agent
// agent/session/contracts/agentmessage.go, model.go) and the session-manager-plugin checks it
// (github.com/aws/session-manager-plugin src/message/messageparser.go). Pure: bytes in, fields out.
//
//   offset  size  field
//        0     4  HeaderLength   always 116: the offset of PayloadLength, not the size of the header
//        4    32  MessageType    UTF-8, right-padded with spaces
//       36     4  SchemaVersion
//       40     8  CreatedDate    epoch milliseconds
//       48     8  SequenceNumber signed
//       56     8  Flags          bit 0 SYN, bit 1 FIN
//       64    16  MessageId      a UUID, least significant half first (see below)
//       80    32  PayloadDigest  SHA-256 of the payload
//      112     4  PayloadType
//      116     4  PayloadLength
//      120     n  Payload
// All integers big-endian.

import { createHash } from 'node:crypto';

export const HEADER_LENGTH = 116;
/** The fixed part of a frame: everything before the payload. */
export const FRAME_PREFIX_LENGTH = HEADER_LENGTH + 4;
export const MESSAGE_TYPE_LENGTH = 32;

/** Message types (model.go); the frame's MessageType field. */
export const MessageType = {
  InputStreamData: 'input_stream_data',
  OutputStreamData: 'output_stream_data',
  Acknowledge: 'acknowledge',
  ChannelClosed: 'channel_closed',
  StartPublication: 'start_publication',
  PausePublication: 'pause_publication',
  AgentSessionState: 'agent_session_state',
  InteractiveShell: 'interactive_shell',
  AgentTaskReply: 'agent_task_reply',
  AgentTaskComplete: 'agent_task_complete',
  AgentTaskAcknowledge: 'agent_task_acknowledge',
  AgentJob: 'agent_job',
  AgentJobAck: 'agent_job_ack',
  AgentJobReplyAck: 'agent_job_reply_ack',
  AgentJobReply: 'agent_job_reply',
} as const;

/** What a stream data message's payload is (model.go PayloadType); 0 on control messages, which leave it unset. */
export const PayloadType = {
  Output: 1,
  Error: 2,
  Size: 3,
  Parameter: 4,
  HandshakeRequest: 5,
  HandshakeResponse: 6,
  HandshakeComplete: 7,
  EncChallengeRequest: 8,
  EncChallengeResponse: 9,
  Flag: 10,
  StdErr: 11,
  ExitCode: 12,
} as const;

/** The value a PayloadType.Flag message carries (a 4-byte big-endian integer as its payload). */
export const PayloadTypeFlag = { DisconnectToPort: 1, TerminateSession: 2, ConnectToPortError: 3 } as const;

/** Flags bits: SYN marks the first message of a stream (the agent sets it on sequence 0), FIN the last. */
export const Flag = { Syn: 1, Fin: 2 } as const;

export interface AgentMessage {
  messageType: string;
  schemaVersion: number;
  /** Epoch milliseconds; 0 is refused ("CreatedDate is missing"). */
  createdDate: number;
  sequenceNumber: number;
  flags: number;
  /** Lower-case hyphenated UUID, as the agent prints it. */
  messageId: string;
  payloadType: number;
  payload: Buffer;
}

export type AgentMessageRefusal =
  | 'truncated' | 'header-length' | 'message-type-missing' | 'message-type-too-long' | 'created-date-missing'
  | 'payload-length' | 'payload-digest' | 'message-id' | 'out-of-range' | 'acknowledge-content';

/** A frame refused, or a message that cannot become one; `reason` is for code, the message for logs. */
export class AgentMessageError extends Error {
  readonly reason: AgentMessageRefusal;
  constructor(reason: AgentMessageRefusal, message: string) {
    super(message);
    this.name = 'AgentMessageError';
    this.reason = reason;
  }
}

const OFFSET = {
  messageType: 4, schemaVersion: 36, createdDate: 40, sequenceNumber: 48, flags: 56,
  messageId: 64, payloadDigest: 80, payloadType: 112, payloadLength: 116,
} as const;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function encodeAgentMessage(message: AgentMessage): Buffer {
  const type = Buffer.from(message.messageType, 'utf8');
  // Refused here what the receiver would refuse, so a bad frame is never sent.
  if (type.length === 0) throw new AgentMessageError('message-type-missing', 'MessageType is missing');
  if (type.length > MESSAGE_TYPE_LENGTH) {
    throw new AgentMessageError('message-type-too-long', `MessageType '${message.messageType}' is ${type.length} bytes, more than ${MESSAGE_TYPE_LENGTH}: Not enough space to save the string.`);
  }
  if (message.createdDate === 0) throw new AgentMessageError('created-date-missing', 'CreatedDate is missing');
  if (!UUID.test(message.messageId)) throw new AgentMessageError('message-id', `MessageId '${message.messageId}' is not a UUID`);

  const frame = Buffer.alloc(FRAME_PREFIX_LENGTH + message.payload.length);
  frame.writeUInt32BE(HEADER_LENGTH, 0);
  frame.fill(' ', OFFSET.messageType, OFFSET.messageType + MESSAGE_TYPE_LENGTH);
  type.copy(frame, OFFSET.messageType);
  frame.writeUInt32BE(uint32('SchemaVersion', message.schemaVersion), OFFSET.schemaVersion);
  frame.writeBigUInt64BE(BigInt(uint53('CreatedDate', message.createdDate)), OFFSET.createdDate);
  frame.writeBigInt64BE(BigInt(int53('SequenceNumber', message.sequenceNumber)), OFFSET.sequenceNumber);
  frame.writeBigUInt64BE(BigInt(uint53('Flags', message.flags)), OFFSET.flags);
  writeMessageId(frame, message.messageId);
  sha256(message.payload).copy(frame, OFFSET.payloadDigest);
  frame.writeUInt32BE(uint32('PayloadType', message.payloadType), OFFSET.payloadType);
  frame.writeUInt32BE(message.payload.length, OFFSET.payloadLength);
  message.payload.copy(frame, FRAME_PREFIX_LENGTH);
  return frame;
}

/** The message a frame holds, checked as the agent (Deserialize, Validate) and the plugin (Validate) check it. */
export function decodeAgentMessage(frame: Uint8Array): AgentMessage {
  const bytes = Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength);
  if (bytes.length < FRAME_PREFIX_LENGTH) {
    throw new AgentMessageError('truncated', `Frame of ${bytes.length} bytes is shorter than its ${FRAME_PREFIX_LENGTH}-byte header: Offset is outside the byte array.`);
  }
  const headerLength = bytes.readUInt32BE(0);
  if (headerLength === 0) throw new AgentMessageError('header-length', 'HeaderLength cannot be zero');
  // The agent reads every field at a fixed offset but the payload at HeaderLength + 4: any other value
  // than the 116 every agent and plugin writes would make the two disagree, so it is a frame we would misread.
  if (headerLength !== HEADER_LENGTH) {
    throw new AgentMessageError('header-length', `HeaderLength is ${headerLength}, not ${HEADER_LENGTH}`);
  }
  // The agent trims NULs, then white space (getString).
  const messageType = bytes.subarray(OFFSET.messageType, OFFSET.messageType + MESSAGE_TYPE_LENGTH)
    .toString('utf8').replace(/^\0+|\0+$/g, '').trim();
  if (messageType === '') throw new AgentMessageError('message-type-missing', 'MessageType is missing');
  const createdDate = safe('CreatedDate', bytes.readBigUInt64BE(OFFSET.createdDate));
  if (createdDate === 0) throw new AgentMessageError('created-date-missing', 'CreatedDate is missing');

  const payloadLength = bytes.readUInt32BE(OFFSET.payloadLength);
  const payload = bytes.subarray(FRAME_PREFIX_LENGTH);
  if (payloadLength !== payload.length) {
    throw new AgentMessageError('payload-length', `PayloadLength is ${payloadLength} but ${payload.length} bytes follow the header`);
  }
  // The plugin checks the digest only of a non-empty payload; so do we.
  if (payloadLength !== 0 && !sha256(payload).equals(bytes.subarray(OFFSET.payloadDigest, OFFSET.payloadDigest + 32))) {
    throw new AgentMessageError('payload-digest', 'payload Hash is not valid');
  }
  return {
    messageType,
    schemaVersion: bytes.readUInt32BE(OFFSET.schemaVersion),
    createdDate,
    sequenceNumber: safe('SequenceNumber', bytes.readBigInt64BE(OFFSET.sequenceNumber)),
    flags: safe('Flags', bytes.readBigUInt64BE(OFFSET.flags)),
    messageId: readMessageId(bytes),
    payloadType: bytes.readUInt32BE(OFFSET.payloadType),
    // A copy: the frame's buffer may be reused by the transport.
    payload: Buffer.from(payload),
  };
}

// The agent writes a UUID as two Java-style longs, least significant first (putUuid): the UUID's bytes
// 8..15 go at offset 64, its bytes 0..7 at offset 72.
function writeMessageId(frame: Buffer, id: string): void {
  const raw = Buffer.from(id.replace(/-/g, ''), 'hex');
  raw.copy(frame, OFFSET.messageId, 8, 16);
  raw.copy(frame, OFFSET.messageId + 8, 0, 8);
}

function readMessageId(frame: Buffer): string {
  const at = OFFSET.messageId;
  const hex = Buffer.concat([frame.subarray(at + 8, at + 16), frame.subarray(at, at + 8)]).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function sha256(bytes: Uint8Array): Buffer {
  return createHash('sha256').update(bytes).digest();
}

// The wire holds 64-bit integers; a JS number holds 53 bits exactly. Milliseconds, sequence numbers and
// the two flag bits fit; a value that does not is refused rather than silently rounded.
function safe(field: string, value: bigint): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new AgentMessageError('out-of-range', `${field} ${value} is beyond what this service represents`);
  return n;
}

function uint32(field: string, n: number): number {
  if (!Number.isInteger(n) || n < 0 || n > 0xffff_ffff) throw new AgentMessageError('out-of-range', `${field} ${n} is not an unsigned 32-bit integer`);
  return n;
}

function uint53(field: string, n: number): number {
  if (!Number.isSafeInteger(n) || n < 0) throw new AgentMessageError('out-of-range', `${field} ${n} is not a non-negative safe integer`);
  return n;
}

function int53(field: string, n: number): number {
  if (!Number.isSafeInteger(n)) throw new AgentMessageError('out-of-range', `${field} ${n} is not a safe integer`);
  return n;
}
