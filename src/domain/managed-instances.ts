// Managed nodes as DescribeInstanceInformation shows them: what a simulated node reports (defaults for
// what its declaration leaves out), and the two filter forms of the request with AWS's own checks.

import { InvalidFilterKey, ServiceError, ValidationException } from './errors.ts';
import type { ManagedNode, PlatformType } from './inventory.ts';

/**
 * The agent version a simulated node reports when its declaration gives none: the release the vendored
 * SSM Agent is built from (../shared/ssm-agent/SOURCE.md). Also the version IsLatestVersion compares with.
 */
export const SIMULATED_AGENT_VERSION = '3.3.418.0';

/**
 * How long a registered node stays Online after its agent was last heard from (its UpdateInstanceInformation
 * or a message poll): the agent reports every 5 minutes (its Ssm.HealthFrequencyMinutes default) and polls
 * without pause, so ten minutes of silence mean it is gone. `--ping-timeout-seconds` changes it.
 */
export const DEFAULT_PING_TIMEOUT_MS = 10 * 60_000;

export type InstanceResourceType = 'EC2Instance' | 'ManagedInstance';
export type SourceType = 'AWS::EC2::Instance' | 'AWS::SSM::ManagedInstance';

/** One node in AWS's terms (domain names; operations/instances.ts maps them to the wire). */
export interface InstanceInfo {
  instanceId: string;
  /** A simulated node is always reachable; a real one while its agent keeps reporting. */
  pingStatus: 'Online' | 'ConnectionLost';
  /** Epoch ms: a simulated node pings continuously (the service clock's now); a real one when it last reported. */
  lastPingAt: number;
  agentVersion: string;
  isLatestVersion: boolean;
  platformType: PlatformType;
  platformName?: string;
  platformVersion?: string;
  resourceType: InstanceResourceType;
  computerName: string;
  ipAddress?: string;
  name?: string;
  sourceId: string;
  sourceType: SourceType;
  /** Hybrid (activated) nodes only: the activation they registered with, its role, and when. */
  activationId?: string;
  iamRole?: string;
  registeredAt?: number;
}

/** `i-...` is an EC2 instance; anything else (`mi-...`, or a name of your own) an on-premises managed node. */
export function resourceTypeOf(nodeId: string): InstanceResourceType {
  return nodeId.startsWith('i-') ? 'EC2Instance' : 'ManagedInstance';
}

/** Compares dotted version numbers numerically: 3.3.1000.0 is newer than 3.3.418.0. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** Online while the agent was heard from within `pingTimeoutMs`; a simulated node is always reachable. */
export function pingStatusOf(node: ManagedNode, now: number, pingTimeoutMs: number): InstanceInfo['pingStatus'] {
  if (!node.registration) return 'Online';
  return node.lastPingAt !== undefined && now - node.lastPingAt <= pingTimeoutMs ? 'Online' : 'ConnectionLost';
}

export function instanceInfo(node: ManagedNode, now: number, pingTimeoutMs = DEFAULT_PING_TIMEOUT_MS): InstanceInfo {
  const resourceType = resourceTypeOf(node.id);
  const platformType = node.platformType ?? 'Linux';
  const agentVersion = node.agentVersion ?? SIMULATED_AGENT_VERSION;
  return {
    instanceId: node.id,
    pingStatus: pingStatusOf(node, now, pingTimeoutMs),
    lastPingAt: node.registration ? node.lastPingAt ?? node.registration.registeredAt : now,
    agentVersion,
    // AWS: "doesn't indicate whether or not the latest version is installed on Windows managed nodes".
    isLatestVersion: platformType !== 'Windows' && compareVersions(agentVersion, SIMULATED_AGENT_VERSION) >= 0,
    platformType,
    platformName: node.platformName,
    platformVersion: node.platformVersion,
    resourceType,
    computerName: node.computerName ?? node.id,
    ipAddress: node.ipAddress,
    // The activation name exists only for on-premises nodes; EC2 names are EC2 tags.
    name: resourceType === 'ManagedInstance' ? node.name : undefined,
    sourceId: node.id,
    sourceType: resourceType === 'EC2Instance' ? 'AWS::EC2::Instance' : 'AWS::SSM::ManagedInstance',
    activationId: node.registration?.activationId,
    iamRole: node.registration?.iamRole,
    registeredAt: node.registration?.registeredAt,
  };
}

// ---- errors the model lists for DescribeInstanceInformation

export class InvalidInstanceInformationFilterValue extends ServiceError {
  constructor(message: string) {
    super('InvalidInstanceInformationFilterValue', message);
  }
}


// ---- filters

export interface InstanceFilterInput {
  key: string;
  values: string[];
}

/** A checked query: the predicate a node must pass, and the ids the InstanceIds filters name. */
export interface InstanceQuery {
  accept(node: ManagedNode, info: InstanceInfo): boolean;
  /** Every id named by an InstanceIds filter; each must be a known node (InvalidInstanceId otherwise). */
  instanceIds: string[];
  /** The query in a stable text form, so a page token is only good for the query it came from. */
  canonical: string;
}

const ALLOWED_VALUES: Record<string, readonly string[]> = {
  PingStatus: ['Online', 'ConnectionLost', 'Inactive'],
  PlatformTypes: ['Windows', 'Linux', 'MacOS'],
  ResourceType: ['EC2Instance', 'ManagedInstance'],
  AssociationStatus: ['Success', 'Pending', 'Failed'],
  SourceTypes: ['AWS::EC2::Instance', 'AWS::SSM::ManagedInstance', 'AWS::IoT::Thing'],
};

/** Keys of both forms; `Filters` also takes SourceIds, SourceTypes and the tag keys. */
const LEGACY_KEYS = ['InstanceIds', 'AgentVersion', 'PingStatus', 'PlatformTypes', 'ActivationIds', 'IamRole', 'ResourceType', 'AssociationStatus'];
const STRING_KEYS = new Set([...LEGACY_KEYS, 'SourceIds', 'SourceTypes']);

/** A filter's test of one node, given the node and how DescribeInstanceInformation shows it now. */
type NodeTest = (node: ManagedNode, info: InstanceInfo, values: readonly string[]) => boolean;

const has = (values: readonly string[], value: string | undefined) => value !== undefined && values.includes(value);

const tests: Record<string, NodeTest> = {
  InstanceIds: (node, _info, values) => values.includes(node.id),
  SourceIds: (_node, info, values) => values.includes(info.sourceId),
  AgentVersion: (_node, info, values) => values.includes(info.agentVersion),
  PingStatus: (_node, info, values) => values.includes(info.pingStatus),
  PlatformTypes: (_node, info, values) => values.includes(info.platformType),
  ResourceType: (_node, info, values) => values.includes(info.resourceType),
  SourceTypes: (_node, info, values) => values.includes(info.sourceType),
  // Only activated nodes have an activation and its role; no node has State Manager associations.
  ActivationIds: (_node, info, values) => has(values, info.activationId),
  IamRole: (_node, info, values) => has(values, info.iamRole),
  AssociationStatus: () => false,
  'tag-key': (node, _info, values) => values.some((key) => Object.hasOwn(node.tags, key)),
};

function tagTest(tagKey: string): NodeTest {
  return (node, _info, values) => Object.hasOwn(node.tags, tagKey) && values.includes(node.tags[tagKey]);
}

function checkValues(key: string, values: readonly string[]): void {
  const allowed = ALLOWED_VALUES[key];
  if (key === 'ResourceType' && values.length > 1) throw new InvalidInstanceInformationFilterValue('ResourceType filter may contain only one value.');
  if (allowed && values.some((v) => !allowed.includes(v))) {
    throw new InvalidInstanceInformationFilterValue(`${key} filter is invalid, valid values are ${allowed.join(', ')}`);
  }
}

/**
 * Checks the request's filters (InstanceInformationFilterList, the legacy form, or Filters; never both) and
 * builds the query. Filters are ANDed, the values of one filter ORed. Tag filters (`tag:<key>`,
 * `tag-key`) cannot be combined with other keys in `Filters`, as AWS refuses.
 */
export function instanceQuery(legacy: InstanceFilterInput[] | undefined, filters: InstanceFilterInput[] | undefined): InstanceQuery {
  const legacyList = legacy ?? [];
  const stringList = filters ?? [];
  if (legacyList.length > 0 && stringList.length > 0) {
    throw new ValidationException('InstanceInformationFilterList and Filters cannot be used together; use Filters.');
  }
  const checks: { test: NodeTest; values: readonly string[] }[] = [];
  let tagFilters = 0;
  for (const filter of legacyList) {
    // The model's enum has already limited these keys to LEGACY_KEYS.
    checkValues(filter.key, filter.values);
    checks.push({ test: tests[filter.key], values: filter.values });
  }
  for (const filter of stringList) {
    if (filter.key.startsWith('tag:') && filter.key.length > 4) {
      tagFilters++;
      checks.push({ test: tagTest(filter.key.slice(4)), values: filter.values });
    } else if (filter.key === 'tag-key') {
      tagFilters++;
      checks.push({ test: tests['tag-key'], values: filter.values });
    } else if (STRING_KEYS.has(filter.key)) {
      checkValues(filter.key, filter.values);
      checks.push({ test: tests[filter.key], values: filter.values });
    } else {
      throw new InvalidFilterKey();
    }
  }
  if (tagFilters > 0 && tagFilters < stringList.length) {
    throw new ValidationException('Cannot mix tag or inventory filter with any other filter.');
  }
  const instanceIds = [...legacyList, ...stringList].filter((f) => f.key === 'InstanceIds').flatMap((f) => f.values);
  return {
    accept: (node, info) => checks.every((check) => check.test(node, info, check.values)),
    instanceIds: [...new Set(instanceIds)],
    canonical: JSON.stringify([legacyList.map((f) => [f.key, f.values]), stringList.map((f) => [f.key, f.values])]),
  };
}
