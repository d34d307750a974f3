// The messages of a session's data channel that the service itself reads or writes (github.com/aws/amazon-ssm-agent
// agent/session/datachannel/datachannel.go, contracts/model.go; github.com/aws/session-manager-plugin
// src/datachannel/streaming.go, src/message/): stream data frames (input_stream_data from the plugin,
// output_stream_data from the agent, both numbered from 0 and acknowledged end to end by the other peer), the
// agent's agent_session_state (addressed to the service; the plugin does not know the type), the service's
// start_publication / pause_publication (the agent only; the plugin ignores both), and the payloads the stream
// frames carry by PayloadType: handshake JSON, terminal size, flags, the exit code. Pure.

import { type AgentMessage, Flag, MessageType, PayloadType } from './agent-message.ts';
import { ControlPayloadError, goJson, intMember, type JsonObject, parseObject, stringMember } from './payload-json.ts';

/** Largest stream payload either peer writes: both read their input in 1024-byte chunks (StreamDataPayloadSize). */
export const STREAM_DATA_PAYLOAD_SIZE = 1024;

/** A stream data frame as the agent writes one (SendStreamDataMessage): SYN on sequence 0, schema 1. */
export function streamDataMessage(
  type: typeof MessageType.InputStreamData | typeof MessageType.OutputStreamData,
  sequenceNumber: number, payloadType: number, payload: Buffer, messageId: string, createdDate: number,
): AgentMessage {
  return {
    messageType: type, schemaVersion: 1, createdDate, sequenceNumber, flags: sequenceNumber === 0 ? Flag.Syn : 0,
    messageId, payloadType, payload,
  };
}

/**
 * start_publication / pause_publication: the agent stops sending and resending its output while paused and
 * keeps it in its outgoing buffer (datachannel.go SendStreamDataMessage, ResendStreamDataMessageScheduler);
 * any input or acknowledgement from the client also unpauses it. No payload is read; framed as the agent
 * frames its own one-off messages (sendAgentMessage: sequence 0, flags SYN|FIN).
 */
export function publicationMessage(
  type: typeof MessageType.StartPublication | typeof MessageType.PausePublication, messageId: string, createdDate: number,
): AgentMessage {
  return { messageType: type, schemaVersion: 1, createdDate, sequenceNumber: 0, flags: Flag.Syn | Flag.Fin, messageId, payloadType: 0, payload: Buffer.alloc(0) };
}

/** SessionStatus (model.go): the agent sends Connected on opening its data channel, Terminating when the shell ends. */
export const AgentSessionStatus = { Connected: 'Connected', Terminating: 'Terminating' } as const;

/** AgentSessionStateContent. */
export interface AgentSessionState {
  schemaVersion: number;
  sessionState: string;
  sessionId: string;
}

export function writeAgentSessionState(s: AgentSessionState): string {
  return goJson({ SchemaVersion: s.schemaVersion, SessionState: s.sessionState, SessionId: s.sessionId });
}

export function agentSessionStateMessage(s: AgentSessionState, messageId: string, createdDate: number): AgentMessage {
  return {
    messageType: MessageType.AgentSessionState, schemaVersion: 1, createdDate, sequenceNumber: 0, flags: Flag.Syn | Flag.Fin,
    messageId, payloadType: 0, payload: Buffer.from(writeAgentSessionState(s), 'utf8'),
  };
}

export function readAgentSessionState(message: AgentMessage): AgentSessionState {
  const p = 'AgentSessionStateContent';
  if (message.messageType !== MessageType.AgentSessionState) {
    throw new ControlPayloadError(p, undefined, `AgentMessage is not of type agent_session_state. Found message type: ${message.messageType}`);
  }
  const o = parseObject(p, message.payload);
  return { schemaVersion: intMember(p, o, 'SchemaVersion'), sessionState: stringMember(p, o, 'SessionState', 1), sessionId: stringMember(p, o, 'SessionId', 1) };
}

/** SizeData: PayloadType Size, the client's terminal in characters. */
export interface TerminalSize { cols: number; rows: number }

export function writeTerminalSize(size: TerminalSize): Buffer {
  return Buffer.from(goJson({ cols: uint32('SizeData', 'cols', size.cols), rows: uint32('SizeData', 'rows', size.rows) }), 'utf8');
}

export function readTerminalSize(payload: Uint8Array): TerminalSize {
  const p = 'SizeData';
  const o = parseObject(p, payload);
  return { cols: uint32(p, 'cols', o.cols), rows: uint32(p, 'rows', o.rows) };
}

/** PayloadType Flag: a PayloadTypeFlag as a 4-byte big-endian integer (the plugin's SendFlag, binary.Write). */
export function writeFlag(flag: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(flag);
  return b;
}

export function readFlag(payload: Uint8Array): number {
  if (payload.length !== 4) throw new ControlPayloadError('PayloadTypeFlag', undefined, `is ${payload.length} bytes, not 4`);
  return Buffer.from(payload).readUInt32BE(0);
}

/** PayloadType ExitCode: text, "EXIT_CODE: <n>" (agent/session/shell/shell.go sendExitCode). */
export function writeExitCode(code: number): Buffer {
  return Buffer.from(`EXIT_CODE: ${code}`, 'utf8');
}

export function readExitCode(payload: Uint8Array): number {
  const text = Buffer.from(payload).toString('utf8');
  const match = /^EXIT_CODE: (-?\d+)$/.exec(text);
  if (match === null) throw new ControlPayloadError('ExitCode', undefined, `'${text}' is not of the form EXIT_CODE: <n>`);
  return Number(match[1]);
}

/** Handshake action types and statuses (model.go ActionType, ActionStatus). */
export const HandshakeAction = { KMSEncryption: 'KMSEncryption', SessionType: 'SessionType' } as const;
export const ActionStatus = { Success: 1, Failed: 2, Unsupported: 3 } as const;

/** HandshakeRequestPayload: agent -> plugin (PayloadType HandshakeRequest), for sessions whose plugin requires it. */
export interface HandshakeRequest {
  agentVersion: string;
  requestedClientActions: { actionType: string; actionParameters: unknown }[];
}

export function writeHandshakeRequest(r: HandshakeRequest): Buffer {
  return Buffer.from(goJson({
    AgentVersion: r.agentVersion,
    RequestedClientActions: r.requestedClientActions.map((a) => ({ ActionType: a.actionType, ActionParameters: a.actionParameters })),
  }), 'utf8');
}

export function readHandshakeRequest(payload: Uint8Array): HandshakeRequest {
  const p = 'HandshakeRequestPayload';
  const o = parseObject(p, payload);
  return {
    agentVersion: stringMember(p, o, 'AgentVersion'),
    requestedClientActions: objects(p, o, 'RequestedClientActions').map((a) => ({
      actionType: stringMember('RequestedClientAction', a, 'ActionType'), actionParameters: a.ActionParameters ?? null,
    })),
  };
}

/** The session type the agent announces in its handshake request (SessionTypeRequest.SessionType), if any. */
export function requestedSessionType(r: HandshakeRequest): string | undefined {
  const action = r.requestedClientActions.find((a) => a.actionType === HandshakeAction.SessionType);
  const params = action?.actionParameters as JsonObject | null | undefined;
  return typeof params?.SessionType === 'string' ? params.SessionType : undefined;
}

/** HandshakeResponsePayload: plugin -> agent (PayloadType HandshakeResponse). */
export interface HandshakeResponse {
  clientVersion: string;
  processedClientActions: { actionType: string; actionStatus: number; actionResult: unknown; error: string }[];
  errors: string[];
}

export function writeHandshakeResponse(r: HandshakeResponse): Buffer {
  return Buffer.from(goJson({
    ClientVersion: r.clientVersion,
    ProcessedClientActions: r.processedClientActions.map((a) => ({ ActionType: a.actionType, ActionStatus: a.actionStatus, ActionResult: a.actionResult, Error: a.error })),
    Errors: r.errors,
  }), 'utf8');
}

export function readHandshakeResponse(payload: Uint8Array): HandshakeResponse {
  const p = 'HandshakeResponsePayload';
  const o = parseObject(p, payload);
  const errors = o.Errors ?? [];
  if (!Array.isArray(errors) || errors.some((e) => typeof e !== 'string')) throw new ControlPayloadError(p, 'Errors', 'must be an array of strings');
  return {
    clientVersion: stringMember(p, o, 'ClientVersion'),
    processedClientActions: objects(p, o, 'ProcessedClientActions').map((a) => ({
      actionType: stringMember('ProcessedClientAction', a, 'ActionType'),
      actionStatus: intMember('ProcessedClientAction', a, 'ActionStatus'),
      actionResult: a.ActionResult ?? null,
      error: typeof a.Error === 'string' ? a.Error : '',
    })),
    errors: errors as string[],
  };
}

/** HandshakeCompletePayload: agent -> plugin (PayloadType HandshakeComplete); the time is a Go Duration, nanoseconds. */
export interface HandshakeComplete { handshakeTimeToCompleteNanos: number; customerMessage: string }

export function writeHandshakeComplete(c: HandshakeComplete): Buffer {
  return Buffer.from(goJson({ HandshakeTimeToComplete: c.handshakeTimeToCompleteNanos, CustomerMessage: c.customerMessage }), 'utf8');
}

export function readHandshakeComplete(payload: Uint8Array): HandshakeComplete {
  const p = 'HandshakeCompletePayload';
  const o = parseObject(p, payload);
  return { handshakeTimeToCompleteNanos: intMember(p, o, 'HandshakeTimeToComplete'), customerMessage: stringMember(p, o, 'CustomerMessage') };
}

/** Whether a stream frame carries what the session's user sees (Output, StdErr: what AWS's session logs record). */
export function isSessionOutput(message: AgentMessage): boolean {
  return message.messageType === MessageType.OutputStreamData
    && (message.payloadType === PayloadType.Output || message.payloadType === PayloadType.StdErr);
}

function objects(payload: string, o: JsonObject, name: string): JsonObject[] {
  const value = o[name] ?? [];
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'object' || v === null || Array.isArray(v))) {
    throw new ControlPayloadError(payload, name, 'must be an array of objects');
  }
  return value as JsonObject[];
}

function uint32(payload: string, name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 0xffff_ffff) {
    throw new ControlPayloadError(payload, name, 'must be an unsigned 32-bit integer');
  }
  return value;
}
