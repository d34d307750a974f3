// The JSON of the ssmmessages (MGS) control payloads, read and written as the SSM Agent's Go structs marshal
// it (encoding/json with json tags): every member present (the agent's structs have no omitempty), strings
// as strings, ints as integers. Readers refuse what the agent would never write, naming the member; writers
// keep the struct's field order and Go's escaping. Pure.

/** A control payload refused: `payload` names the agent's struct, `member` its json tag (absent: the whole text). */
export class ControlPayloadError extends Error {
  readonly payload: string;
  readonly member: string | undefined;
  constructor(payload: string, member: string | undefined, problem: string) {
    super(member === undefined ? `${payload}: ${problem}` : `${payload}.${member}: ${problem}`);
    this.name = 'ControlPayloadError';
    this.payload = payload;
    this.member = member;
  }
}

export type JsonObject = Record<string, unknown>;

/**
 * Go's json.Marshal of a struct whose members are given in field order. Go escapes <, >, & and the two
 * line separators inside strings (HTMLEscape); they appear nowhere else in JSON text, so a global replace
 * is exact.
 */
export function goJson(members: JsonObject): string {
  return JSON.stringify(members).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** The text as a JSON object, or a refusal naming `payload`. Unknown members are ignored, as Go ignores them. */
export function parseObject(payload: string, text: string | Uint8Array): JsonObject {
  const source = typeof text === 'string' ? text : Buffer.from(text).toString('utf8');
  let value: unknown;
  try {
    value = JSON.parse(source);
  } catch {
    throw new ControlPayloadError(payload, undefined, 'is not JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ControlPayloadError(payload, undefined, 'is not a JSON object');
  }
  return value as JsonObject;
}

/** A string member the agent always writes; `minLength` from the agent's `min:` tag where it has one. */
export function stringMember(payload: string, o: JsonObject, name: string, minLength = 0): string {
  const value = o[name];
  if (value === undefined) throw new ControlPayloadError(payload, name, 'is missing');
  if (typeof value !== 'string') throw new ControlPayloadError(payload, name, `must be a string, not ${kind(value)}`);
  if (value.length < minLength) throw new ControlPayloadError(payload, name, `must be at least ${minLength} characters long`);
  return value;
}

/** A Go `*string` member without omitempty: null (nil) or absent reads as undefined. */
export function optionalStringMember(payload: string, o: JsonObject, name: string, minLength = 0): string | undefined {
  return o[name] === undefined || o[name] === null ? undefined : stringMember(payload, o, name, minLength);
}

/** A Go `int` member: an integer JSON number (Go refuses 1.5 and "1" for an int). */
export function intMember(payload: string, o: JsonObject, name: string): number {
  const value = o[name];
  if (value === undefined) throw new ControlPayloadError(payload, name, 'is missing');
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw new ControlPayloadError(payload, name, `must be an integer, not ${kind(value)}`);
  return value;
}

function kind(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'number') return `the number ${value}`;
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A member holding a UUID as the agent prints it (an agent message's id). */
export function uuidMember(payload: string, o: JsonObject, name: string): string {
  const value = stringMember(payload, o, name);
  if (!UUID.test(value)) throw new ControlPayloadError(payload, name, `'${value}' is not a UUID`);
  return value;
}

/**
 * Epoch milliseconds as the agent's mgsinteractor writes a date (Go layout "2006-01-02T15:04:05.000Z", UTC):
 * exactly toISOString's form for the years 0000 to 9999.
 */
export function isoMillis(epochMillis: number): string {
  return new Date(epochMillis).toISOString();
}

const ISO_MILLIS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** A date member in the agent's ISO-8601 form, as epoch milliseconds. */
export function isoMillisMember(payload: string, o: JsonObject, name: string): number {
  const value = stringMember(payload, o, name);
  const ms = ISO_MILLIS.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(ms)) throw new ControlPayloadError(payload, name, `'${value}' is not a date of the form 2006-01-02T15:04:05.000Z`);
  return ms;
}
