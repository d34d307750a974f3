// How the SSM Agent opens an ssmmessages (MGS) channel (github.com/aws/amazon-ssm-agent
// agent/session/service/api.go, service.go; agent/session/controlchannel/controlchannel.go):
//  1. POST https://{Mgs.Endpoint}/v1/control-channel/{instanceId} (data channel: /v1/data-channel/{sessionId}),
//     SigV4-signed for `ssmmessages`, Content-Type application/json, body CreateControlChannelInput JSON.
//     Only HTTP 201 is success, and the agent reads that body with encoding/xml, not JSON: an answer in
//     JSON fails with "failed to unmarshal createControlChannel response: EOF". Any other status is an
//     error whose body the agent logs; a body containing "<AccessDeniedException>" is told apart.
//  2. WebSocket wss://{endpoint}/v1/control-channel/{instanceId}?role=subscribe&stream=input (the agent's
//     url.Values.Encode sorts the keys), the upgrade request SigV4-signed; its first frame is a TEXT frame
//     holding OpenControlChannelInput JSON (not an agent message); every later frame is a binary agent message.
// Pure: JSON and XML text in and out.

import {
  type JsonObject, goJson, optionalStringMember, parseObject, stringMember, ControlPayloadError,
} from './payload-json.ts';

/** mgsConfig.MessageSchemaVersion: what the agent puts in every MessageSchemaVersion. */
export const MESSAGE_SCHEMA_VERSION = '1.0';
/** The only status the agent takes as success for CreateControlChannel and CreateDataChannel. */
export const CREATED_STATUS = 201;
/** The SigV4 service name the agent signs the POST and the WebSocket upgrade with. */
export const SIGNING_SERVICE = 'ssmmessages';

export const controlChannelPath = (instanceId: string): string => `/v1/control-channel/${instanceId}`;
export const dataChannelPath = (sessionId: string): string => `/v1/data-channel/${sessionId}`;

// The `min:` tags of api.go, checked as the service checks them.
const REQUEST_ID_MIN = 16;

/** CreateControlChannelInput: the POST body. */
export interface CreateControlChannelInput {
  messageSchemaVersion: string;
  /** A fresh UUID per attempt (v4, hyphenated). */
  requestId: string;
}

export function writeCreateControlChannelInput(input: CreateControlChannelInput): string {
  return goJson({ MessageSchemaVersion: input.messageSchemaVersion, RequestId: input.requestId });
}

export function readCreateControlChannelInput(text: string | Uint8Array): CreateControlChannelInput {
  const o = parseObject('CreateControlChannelInput', text);
  return {
    messageSchemaVersion: stringMember('CreateControlChannelInput', o, 'MessageSchemaVersion', 1),
    requestId: stringMember('CreateControlChannelInput', o, 'RequestId', REQUEST_ID_MIN),
  };
}

/** CreateControlChannelOutput (and CreateDataChannelOutput, the same two members): the 201 answer. */
export interface ChannelToken {
  messageSchemaVersion: string;
  /** The token the agent sends back in OpenControlChannelInput.TokenValue; required (the agent dereferences it). */
  tokenValue: string;
}

/**
 * The answer's body as Go's xml.Marshal writes the agent's output struct (its own tests answer that way);
 * the agent's xml.Unmarshal ignores the root element's name and takes the two children by name.
 */
export function writeChannelTokenXml(token: ChannelToken, root: 'CreateControlChannelOutput' | 'CreateDataChannelOutput' = 'CreateControlChannelOutput'): string {
  return `<${root}><MessageSchemaVersion>${xmlText(token.messageSchemaVersion)}</MessageSchemaVersion><TokenValue>${xmlText(token.tokenValue)}</TokenValue></${root}>`;
}

/** The token in such an answer, read as the agent reads it: any root, the children by name, TokenValue required. */
export function readChannelTokenXml(xml: string): ChannelToken {
  const child = (name: string): string | undefined => {
    const m = new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml);
    return m === null ? undefined : xmlUnescape(m[1]);
  };
  if (!/^\s*(<\?xml[^>]*\?>\s*)?<[A-Za-z]/.test(xml)) throw new ControlPayloadError('CreateControlChannelOutput', undefined, 'is not XML: EOF');
  const tokenValue = child('TokenValue');
  if (tokenValue === undefined) throw new ControlPayloadError('CreateControlChannelOutput', 'TokenValue', 'is missing');
  return { messageSchemaVersion: child('MessageSchemaVersion') ?? '', tokenValue };
}

/**
 * The body of a refusal (any status but 201). The agent only logs it, except that one containing
 * `<AccessDeniedException>` marks the channel as refused for access rather than failed.
 */
export function writeErrorXml(code: string, message: string): string {
  return `<${code}><Message>${xmlText(message)}</Message></${code}>`;
}

/** OpenControlChannelInput: the WebSocket's first (text) frame. */
export interface OpenControlChannelInput {
  /** A Go *string the agent never sets: it writes "Cookie":null. */
  cookie?: string;
  messageSchemaVersion: string;
  requestId: string;
  tokenValue: string;
  /** e.g. 3.3.1142.0 */
  agentVersion: string;
  /** platform.PlatformType: linux, windows, macos. */
  platformType: string;
}

export function writeOpenControlChannelInput(input: OpenControlChannelInput): string {
  return goJson({
    Cookie: input.cookie ?? null,
    MessageSchemaVersion: input.messageSchemaVersion,
    RequestId: input.requestId,
    TokenValue: input.tokenValue,
    AgentVersion: input.agentVersion,
    PlatformType: input.platformType,
  });
}

export function readOpenControlChannelInput(text: string | Uint8Array): OpenControlChannelInput {
  const p = 'OpenControlChannelInput';
  const o = parseObject(p, text);
  const cookie = optionalStringMember(p, o, 'Cookie', 1);
  return {
    ...(cookie === undefined ? {} : { cookie }),
    messageSchemaVersion: stringMember(p, o, 'MessageSchemaVersion', 1),
    requestId: stringMember(p, o, 'RequestId', REQUEST_ID_MIN),
    tokenValue: stringMember(p, o, 'TokenValue', 1),
    agentVersion: stringMember(p, o, 'AgentVersion', 1),
    platformType: stringMember(p, o, 'PlatformType', 1),
  };
}

/** CreateDataChannelInput: the agent's POST for a session's data channel (answered like the control channel's). */
export interface CreateDataChannelInput {
  messageSchemaVersion: string;
  requestId: string;
  /** A fresh UUID the agent names itself with on this data channel. */
  clientId: string;
}

export function writeCreateDataChannelInput(input: CreateDataChannelInput): string {
  return goJson({ MessageSchemaVersion: input.messageSchemaVersion, RequestId: input.requestId, ClientId: input.clientId });
}

export function readCreateDataChannelInput(text: string | Uint8Array): CreateDataChannelInput {
  const p = 'CreateDataChannelInput';
  const o = parseObject(p, text);
  return {
    messageSchemaVersion: stringMember(p, o, 'MessageSchemaVersion', 1),
    requestId: stringMember(p, o, 'RequestId', REQUEST_ID_MIN),
    // api.go says min 1, but the agent's session worker sends it empty (its document information's
    // ClientId is never set: agent/session/contracts/agentmessage.go buildSessionDocumentInfo).
    clientId: stringMember(p, o, 'ClientId'),
  };
}

/** OpenDataChannelInput: the agent's first (text) frame on a session's data channel. */
export interface OpenDataChannelInput {
  messageSchemaVersion: string;
  requestId: string;
  tokenValue: string;
  /** The instance id. */
  clientInstanceId: string;
  clientId: string;
}

export function writeOpenDataChannelInput(input: OpenDataChannelInput): string {
  return goJson({
    MessageSchemaVersion: input.messageSchemaVersion,
    RequestId: input.requestId,
    TokenValue: input.tokenValue,
    ClientInstanceId: input.clientInstanceId,
    ClientId: input.clientId,
  });
}

export function readOpenDataChannelInput(text: string | Uint8Array): OpenDataChannelInput {
  const p = 'OpenDataChannelInput';
  const o: JsonObject = parseObject(p, text);
  return {
    messageSchemaVersion: stringMember(p, o, 'MessageSchemaVersion', 1),
    requestId: stringMember(p, o, 'RequestId', REQUEST_ID_MIN),
    tokenValue: stringMember(p, o, 'TokenValue', 1),
    clientInstanceId: stringMember(p, o, 'ClientInstanceId', 1),
    // Empty from the agent, as in CreateDataChannelInput.
    clientId: stringMember(p, o, 'ClientId'),
  };
}

// Go's xml.EscapeText: these five characters and the three control characters a text may hold.
const XML_ESCAPES: Record<string, string> = { '"': '&#34;', "'": '&#39;', '&': '&amp;', '<': '&lt;', '>': '&gt;', '\t': '&#x9;', '\n': '&#xA;', '\r': '&#xD;' };

function xmlText(text: string): string {
  return text.replace(/["'&<>\t\n\r]/g, (c) => XML_ESCAPES[c]);
}

function xmlUnescape(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|amp|lt|gt|quot|apos);/g, (_, e: string) => {
    if (e.startsWith('#x')) return String.fromCodePoint(Number.parseInt(e.slice(2), 16));
    if (e.startsWith('#')) return String.fromCodePoint(Number.parseInt(e.slice(1), 10));
    return { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" }[e] as string;
  });
}
