// Use cases of the control API (/_mw/...): what AWS cannot do but a test or a self-hosted fleet needs —
// start an execution now, move the manual clock, keep the managed-node inventory, set outcome rules.

import { isIP } from 'node:net';
import { ServiceError, ValidationException } from '../domain/errors.ts';
import { type ManagedNode, type OutcomeMatch, type OutcomeRule, PLATFORM_TYPES, type PlatformType } from '../domain/inventory.ts';
import type { Scope } from '../domain/model.ts';
import { fireTimesBetween } from '../domain/window-rules.ts';
import { LATEST_RUN_MS } from '../schedule/index.ts';
import type { ManualClock } from './manual-clock.ts';
import type { Clock, EngineControl, Store } from './ports.ts';

export class NotFound extends ServiceError {
  constructor(message: string) {
    super('NotFound', message);
  }
}

export class ClockNotManual extends ServiceError {
  constructor() {
    super('ClockNotManual', 'The clock can only be set when the service runs with --clock manual.');
  }
}

const MATCH_KEYS: readonly (keyof OutcomeMatch)[] = ['windowId', 'windowTaskId', 'taskArn', 'taskType', 'resourceId', 'documentName'];
/** The most output a rule may give (the full output kept per invocation is bounded the same way). */
export const MAX_RULE_OUTPUT = 2 * 1024 * 1024;
const STATUSES = ['SUCCESS', 'FAILED', 'TIMED_OUT'] as const;
/** The most window executions one clock move may start (each is written to the history). */
export const MAX_EXECUTIONS_PER_CLOCK_MOVE = 100_000;
/**
 * A declared node's id: the model's InstanceId pattern (shape InstanceId in spec/ssm-maintenance-windows.json),
 * which every Run Command operation checks, so a node declared here is one Run Command can address.
 */
const INSTANCE_ID_PATTERN = '(^i-(\\w{8}|\\w{17})$)|(^mi-\\w{17}$)';
const NODE_ID = new RegExp(INSTANCE_ID_PATTERN);
// The model's limits where it has them (ComputerName 255, IPAddress 46, Version's pattern); 255 otherwise.
const NODE_TEXT_FIELDS: readonly [keyof ManagedNode & ('platformName' | 'platformVersion' | 'computerName' | 'ipAddress' | 'agentVersion' | 'name'), number][] = [
  ['platformName', 255], ['platformVersion', 255], ['computerName', 255], ['ipAddress', 46], ['agentVersion', 27], ['name', 255],
];
const AGENT_VERSION = /^[0-9]{1,6}(\.[0-9]{1,6}){2,3}$/;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Checks one outcome rule as sent by a user, returning it in canonical form. */
export function parseOutcomeRule(value: unknown, index: number): OutcomeRule {
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
    if (typeof value.durationSeconds !== 'number' || !(value.durationSeconds >= 0) || value.durationSeconds > 31 * 86_400) {
      throw new ValidationException(`${where}.durationSeconds must be a number from 0 to 2678400.`);
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

/** Checks a managed node as sent by a user. */
export function parseNode(nodeId: string, value: unknown): ManagedNode {
  if (!NODE_ID.test(nodeId)) {
    // In Run Command's own words, so the message names the rule a node id must follow.
    throw new ValidationException(`1 validation error detected: Value '${nodeId}' at 'nodeId' failed to satisfy constraint: Member must satisfy regular expression pattern: ${INSTANCE_ID_PATTERN}`);
  }
  const body = value === undefined ? {} : value;
  if (!isRecord(body)) throw new ValidationException('The node must be a JSON object.');
  const tags: Record<string, string> = {};
  if (body.tags !== undefined) {
    if (!isRecord(body.tags)) throw new ValidationException('tags must be an object of string values.');
    for (const [key, v] of Object.entries(body.tags)) {
      if (typeof v !== 'string') throw new ValidationException(`tags.${key} must be a string.`);
      tags[key] = v;
    }
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

export class ControlService {
  private readonly store: Store;
  private readonly clock: Clock;
  private readonly manualClock: ManualClock | undefined;
  private readonly engine: EngineControl;

  constructor(store: Store, clock: Clock, manualClock: ManualClock | undefined, engine: EngineControl) {
    this.store = store;
    this.clock = clock;
    this.manualClock = manualClock;
    this.engine = engine;
  }

  async startExecution(scope: Scope, windowId: string): Promise<string> {
    return (await this.engine.fireNow(scope, windowId)).id;
  }

  clockState(): { mode: 'manual' | 'system'; now: string; epochMillis: number } {
    const now = this.clock.now();
    return { mode: this.manualClock ? 'manual' : 'system', now: new Date(now).toISOString(), epochMillis: now };
  }

  async moveClock(request: unknown): Promise<void> {
    if (!this.manualClock) throw new ClockNotManual();
    if (!isRecord(request)) throw new ValidationException('Send {"advanceSeconds": N} or {"setTo": "<ISO time>"}.');
    const now = this.manualClock.now();
    let target: number;
    if (request.advanceSeconds !== undefined && request.setTo === undefined) {
      const seconds = request.advanceSeconds;
      if (typeof seconds !== 'number' || !(seconds >= 0) || !Number.isFinite(seconds)) throw new ValidationException('advanceSeconds must be a number >= 0.');
      target = now + Math.round(seconds * 1000);
    } else if (request.setTo !== undefined && request.advanceSeconds === undefined) {
      target = typeof request.setTo === 'string' ? Date.parse(request.setTo) : Number.NaN;
      if (Number.isNaN(target)) throw new ValidationException('setTo must be an ISO-8601 date-time.');
      if (target < now) throw new ValidationException(`setTo must not be before the current time ${new Date(now).toISOString()}: the clock does not go back.`);
    } else {
      throw new ValidationException('Send exactly one of advanceSeconds and setTo.');
    }
    if (!(target <= LATEST_RUN_MS)) {
      throw new ValidationException(`The manual clock cannot go past ${new Date(LATEST_RUN_MS).toISOString()}, the last time AWS's four-digit years can show.`);
    }
    await this.checkExecutionsUntil(now, target);
    await this.engine.advanceTo(target);
  }

  /** The earliest next run of an enabled window of the scope (what "advance to the next run" moves to). */
  async nextRun(scope: Scope): Promise<{ at: number; windowId: string; windowName: string } | undefined> {
    let best: { at: number; windowId: string; windowName: string } | undefined;
    const now = this.clock.now();
    for (const { scope: s, window, nextFireAt } of await this.store.listAllWindows()) {
      if (s.account !== scope.account || s.region !== scope.region || !window.enabled || nextFireAt === undefined || nextFireAt <= now) continue;
      if (!best || nextFireAt < best.at) best = { at: nextFireAt, windowId: window.id, windowName: window.name };
    }
    return best;
  }

  /** Refuses a clock move that would make the windows fire more often than can be recorded in reasonable time. */
  private async checkExecutionsUntil(now: number, target: number): Promise<void> {
    let left = MAX_EXECUTIONS_PER_CLOCK_MOVE;
    for (const { window } of await this.store.listAllWindows()) {
      if (!window.enabled) continue;
      left -= fireTimesBetween(window, now, target, left + 1).length;
      if (left < 0) {
        throw new ValidationException(
          `Moving the clock to ${new Date(target).toISOString()} would start more than ${MAX_EXECUTIONS_PER_CLOCK_MOVE} window executions; move it in smaller steps, or disable windows first.`,
        );
      }
    }
  }

  /** A command invocation's whole output (kept up to 2 MiB per stream), its status and exit code. */
  async commandOutput(scope: Scope, commandId: string, instanceId: string): Promise<{ commandId: string; instanceId: string; status: string; statusDetails: string; responseCode: number; stdout: string; stderr: string }> {
    const invocation = await this.store.getCommandInvocation(scope, commandId, instanceId);
    if (!invocation) throw new NotFound(`Command ${commandId} has no invocation on ${instanceId}.`);
    const { status, statusDetails, responseCode, stdout, stderr } = invocation;
    return { commandId, instanceId, status, statusDetails, responseCode, stdout, stderr };
  }

  async putNode(scope: Scope, nodeId: string, body: unknown): Promise<ManagedNode> {
    const node = parseNode(nodeId, body);
    await this.store.putNode(scope, node);
    return node;
  }

  listNodes(scope: Scope): Promise<ManagedNode[]> {
    return this.store.listNodes(scope);
  }

  deleteNode(scope: Scope, nodeId: string): Promise<boolean> {
    return this.store.deleteNode(scope, nodeId);
  }

  async setOutcomeRules(scope: Scope, body: unknown): Promise<OutcomeRule[]> {
    const list = isRecord(body) && Array.isArray(body.rules) ? body.rules : body;
    if (!Array.isArray(list)) throw new ValidationException('Send a JSON list of outcome rules (or {"rules": [...]}).');
    const rules = list.map(parseOutcomeRule);
    await this.store.setOutcomeRules(scope, rules);
    return rules;
  }

  getOutcomeRules(scope: Scope): Promise<OutcomeRule[]> {
    return this.store.getOutcomeRules(scope);
  }

  async clearOutcomeRules(scope: Scope): Promise<void> {
    await this.store.setOutcomeRules(scope, []);
  }
}
