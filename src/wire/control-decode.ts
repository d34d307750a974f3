// Decodes the bodies of the control routes (/_mw/..., wire/control.ts) and the --nodes file into the typed
// inputs of ControlService: shapes, types, ranges and patterns are checked here, at the edge; what a value
// means against the service's state (a clock that does not go back, how far it may go) is the service's.
// Every refusal is a ValidationException (400) worded for the person who wrote the body.

import { isIP } from 'node:net';
import { ValidationException } from '../domain/errors.ts';
import { type ManagedNode, type OutcomeMatch, type OutcomeRule, PLATFORM_TYPES, type PlatformType } from '../domain/inventory.ts';
import type { Scope } from '../domain/model.ts';
import type { MoveClock } from '../service/control.ts';
import { DEFAULT_ACCOUNT, DEFAULT_REGION } from './scope.ts';

const MATCH_KEYS: readonly (keyof OutcomeMatch)[] = ['windowId', 'windowTaskId', 'taskArn', 'taskType', 'resourceId', 'documentName', 'pluginName'];
/** The most output a rule may give (the full output kept per invocation is bounded the same way). */
export const MAX_RULE_OUTPUT = 2 * 1024 * 1024;
/** The longest a rule may make an invocation run: 31 days. */
const MAX_RULE_SECONDS = 31 * 86_400;
const STATUSES = ['SUCCESS', 'FAILED', 'TIMED_OUT'] as const;
/**
 * A declared node's id: the model's InstanceId pattern (shape InstanceId in spec/ssm-maintenance-windows.json),
 * which every Run Command operation checks, so a node declared here is one Run Command can address.
 */
const INSTANCE_ID_PATTERN = '(^i-(\\w{8}|\\w{17})$)|(^mi-\\w{17}$)';
const NODE_ID = new RegExp(INSTANCE_ID_PATTERN);
type NodeTextField = keyof ManagedNode & ('platformName' | 'platformVersion' | 'computerName' | 'ipAddress' | 'agentVersion' | 'name');
// The model's limits where it has them (ComputerName 255, IPAddress 46, Version's pattern); 255 otherwise.
const NODE_TEXT_FIELDS: readonly [NodeTextField, number][] = [
  ['platformName', 255], ['platformVersion', 255], ['computerName', 255], ['ipAddress', 46], ['agentVersion', 27], ['name', 255],
];
const AGENT_VERSION = /^[0-9]{1,6}(\.[0-9]{1,6}){2,3}$/;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** POST /_mw/clock: `{"advanceSeconds": N}` (N >= 0) or `{"setTo": "<ISO time>"}`, exactly one of them. */
export function decodeMoveClock(body: unknown): MoveClock {
  if (!isRecord(body)) throw new ValidationException('Send {"advanceSeconds": N} or {"setTo": "<ISO time>"}.');
  // `!== undefined`: a member sent as null counts as sent (and is then refused for its type).
  if (body.advanceSeconds !== undefined && body.setTo === undefined) {
    const seconds = body.advanceSeconds;
    if (typeof seconds !== 'number' || !(seconds >= 0) || !Number.isFinite(seconds)) throw new ValidationException('advanceSeconds must be a number >= 0.');
    return { advanceSeconds: seconds };
  }
  if (body.setTo !== undefined && body.advanceSeconds === undefined) {
    const at = typeof body.setTo === 'string' ? Date.parse(body.setTo) : Number.NaN;
    if (Number.isNaN(at)) throw new ValidationException('setTo must be an ISO-8601 date-time.');
    return { setTo: at };
  }
  throw new ValidationException('Send exactly one of advanceSeconds and setTo.');
}

/** One outcome rule as sent by a user, in canonical form; `index` names it in messages (`rules[2].status ...`). */
export function decodeOutcomeRule(value: unknown, index: number): OutcomeRule {
  const where = `rules[${index}]`;
  if (!isRecord(value)) throw new ValidationException(`${where} must be an object.`);
  const match: OutcomeMatch = {};
  if (value.match !== undefined) {
    if (!isRecord(value.match)) throw new ValidationException(`${where}.match must be an object.`);
    for (const [key, v] of Object.entries(value.match)) {
      if (!MATCH_KEYS.includes(key as keyof OutcomeMatch)) {
        throw new ValidationException(`${where}.match.${key} is not a match key; use ${MATCH_KEYS.join(', ')}.`);
      }
      if (typeof v !== 'string' || v === '') throw new ValidationException(`${where}.match.${key} must be a non-empty string.`);
      match[key as keyof OutcomeMatch] = v;
    }
  }
  if (!STATUSES.includes(value.status as (typeof STATUSES)[number])) {
    throw new ValidationException(`${where}.status must be one of ${STATUSES.join(', ')}.`);
  }
  const rule: OutcomeRule = { match, status: value.status as OutcomeRule['status'] };
  if (value.durationSeconds !== undefined) {
    if (typeof value.durationSeconds !== 'number' || !(value.durationSeconds >= 0) || value.durationSeconds > MAX_RULE_SECONDS) {
      throw new ValidationException(`${where}.durationSeconds must be a number from 0 to ${MAX_RULE_SECONDS}.`);
    }
    rule.durationSeconds = value.durationSeconds;
  }
  if (value.statusDetails !== undefined) {
    if (typeof value.statusDetails !== 'string' || value.statusDetails.length > 250) {
      throw new ValidationException(`${where}.statusDetails must be a string of at most 250 characters.`);
    }
    rule.statusDetails = value.statusDetails;
  }
  for (const stream of ['stdout', 'stderr'] as const) {
    if (value[stream] === undefined) continue;
    if (typeof value[stream] !== 'string' || value[stream].length > MAX_RULE_OUTPUT) {
      throw new ValidationException(`${where}.${stream} must be a string of at most ${MAX_RULE_OUTPUT} characters.`);
    }
    rule[stream] = value[stream];
  }
  if (value.responseCode !== undefined) {
    if (!Number.isInteger(value.responseCode) || Math.abs(value.responseCode as number) > 2_147_483_647) {
      throw new ValidationException(`${where}.responseCode must be an integer.`);
    }
    rule.responseCode = value.responseCode as number;
  }
  if (value.times !== undefined) {
    if (!Number.isInteger(value.times) || (value.times as number) < 1) throw new ValidationException(`${where}.times must be a positive integer.`);
    rule.times = value.times as number;
  }
  return rule;
}

/** PUT /_mw/outcomes: a list of rules, or `{"rules": [...]}` (what GET answers). */
export function decodeOutcomeRules(body: unknown): OutcomeRule[] {
  const list = isRecord(body) && Array.isArray(body.rules) ? body.rules : body;
  if (!Array.isArray(list)) throw new ValidationException('Send a JSON list of outcome rules (or {"rules": [...]}).');
  return list.map(decodeOutcomeRule);
}

/** PUT /_mw/nodes/{id}: the node's id (from the path) and its body (absent: a node with no tags or groups). */
export function decodeNode(nodeId: string, value: unknown): ManagedNode {
  if (!NODE_ID.test(nodeId)) {
    // In Run Command's own words, so the message names the rule a node id must follow.
    throw new ValidationException(`1 validation error detected: Value '${nodeId}' at 'nodeId' failed to satisfy constraint: Member must satisfy regular expression pattern: ${INSTANCE_ID_PATTERN}`);
  }
  const body = value === undefined ? {} : value;
  if (!isRecord(body)) throw new ValidationException('The node must be a JSON object.');
  let tags: Record<string, string> = {};
  if (body.tags !== undefined) {
    if (!isRecord(body.tags)) throw new ValidationException('tags must be an object of string values.');
    for (const [key, v] of Object.entries(body.tags)) {
      if (typeof v !== 'string') throw new ValidationException(`tags.${key} must be a string.`);
    }
    // fromEntries keeps a key such as `__proto__` as a tag of its own (an assignment would drop it).
    tags = Object.fromEntries(Object.entries(body.tags)) as Record<string, string>;
  }
  let resourceGroups: string[] = [];
  if (body.resourceGroups !== undefined) {
    if (!Array.isArray(body.resourceGroups) || body.resourceGroups.some((g) => typeof g !== 'string' || g === '')) {
      throw new ValidationException('resourceGroups must be a list of non-empty strings.');
    }
    resourceGroups = [...new Set(body.resourceGroups as string[])];
  }
  const node: ManagedNode = { id: nodeId, tags, resourceGroups };
  if (body.platformType !== undefined) {
    if (!PLATFORM_TYPES.includes(body.platformType as PlatformType)) {
      throw new ValidationException(`platformType must be one of ${PLATFORM_TYPES.join(', ')}.`);
    }
    node.platformType = body.platformType as PlatformType;
  }
  for (const [field, max] of NODE_TEXT_FIELDS) {
    const v = body[field];
    if (v === undefined) continue;
    if (typeof v !== 'string' || v === '' || v.length > max) throw new ValidationException(`${field} must be a string of 1 to ${max} characters.`);
    node[field] = v;
  }
  if (node.ipAddress !== undefined && isIP(node.ipAddress) === 0) throw new ValidationException(`ipAddress ${node.ipAddress} is not an IPv4 or IPv6 address.`);
  if (node.agentVersion !== undefined && !AGENT_VERSION.test(node.agentVersion)) {
    throw new ValidationException(`agentVersion ${node.agentVersion} is not valid: 3 or 4 numbers of 1-6 digits separated by '.', such as 3.3.418.0.`);
  }
  return node;
}

/** A node of a --nodes file, with the account and Region it belongs to. */
export interface DeclaredNode {
  scope: Scope;
  node: ManagedNode;
}

/**
 * A --nodes file's parsed JSON: `[{"id", "account"?, "region"?, ...}]`, where every other member is what a
 * PUT /_mw/nodes body may carry (tags, resourceGroups, platformType, computerName, ...). The whole file is
 * checked before any node is stored.
 */
export function decodeNodeList(value: unknown): DeclaredNode[] {
  if (!Array.isArray(value)) throw new Error('expected a JSON list of nodes');
  return (value as Record<string, unknown>[]).map((entry, index) => {
    if (typeof entry?.id !== 'string') throw new Error(`entry ${index + 1} has no "id" string`);
    const { id, account, region, ...body } = entry;
    // Not checked as a query's account is: the file is the operator's own, as it always was.
    const scope = { account: String(account ?? DEFAULT_ACCOUNT), region: String(region ?? DEFAULT_REGION) };
    return { scope, node: decodeNode(id, body) };
  });
}
