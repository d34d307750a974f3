// What the engine runs against and how runs turn out: the managed-node inventory that tag and
// resource-group targets resolve against, and the outcome rules a user sets to reproduce failures.

export const PLATFORM_TYPES = ['Linux', 'Windows', 'MacOS'] as const;
export type PlatformType = (typeof PLATFORM_TYPES)[number];

/**
 * A managed node. Only `id`, `tags` and `resourceGroups` are always present; the rest is what a user chose
 * to declare about the node, kept as given (defaults are applied where the node is shown, see
 * managed-instances.ts), so nodes stored before these fields existed stay valid as they are.
 */
export interface ManagedNode {
  id: string;
  tags: Record<string, string>;
  resourceGroups: string[];
  /** Default Linux. */
  platformType?: PlatformType;
  /** e.g. "Amazon Linux", "Microsoft Windows Server 2022 Datacenter"; absent: not shown. */
  platformName?: string;
  /** e.g. "2023", "10.0.20348"; absent: not shown. */
  platformVersion?: string;
  /** The node's host name; default: the node id. */
  computerName?: string;
  /** IPv4 or IPv6 address; absent: not shown. */
  ipAddress?: string;
  /** SSM Agent version (digits and dots, as AWS shows it); default: the simulated agent's version. */
  agentVersion?: string;
  /** The name an on-premises node was activated with; absent: not shown. */
  name?: string;
  /** Set for a real machine that registered with an activation (its agent proves itself with this key). */
  registration?: NodeRegistration;
  /** When its agent last reported (UpdateInstanceInformation); simulated nodes have none and are always Online. */
  lastPingAt?: number;
  /** The agent's ssmmessages control channel, while one is (or was last) open; absent for nodes that only poll. */
  controlChannel?: ControlChannelState;
}

/**
 * Where and when a node's control channel was opened and last heard from, in real milliseconds (the agent
 * pings it every 54 s, whatever clock the engine runs on). Kept with the node so every replica can tell
 * whether the node is connected (GetConnectionStatus, StartSession), not only the one holding the socket.
 */
export interface ControlChannelState {
  /** One per opened socket: a close names it, so it never ends a newer channel opened on another replica. */
  connectionId: string;
  replica: string;
  openedAt: number;
  seenAt: number;
  closedAt?: number;
}

export interface NodeRegistration {
  activationId: string;
  /** The activation's IamRole when the node registered (DescribeInstanceInformation's IamRole). */
  iamRole?: string;
  /** Base64 DER of the agent's RSA public key, as RegisterManagedInstance sent it. */
  publicKey: string;
  publicKeyType: string;
  fingerprint: string;
  registeredAt: number;
}

export type OutcomeStatus = 'SUCCESS' | 'FAILED' | 'TIMED_OUT';

export interface OutcomeMatch {
  windowId?: string;
  windowTaskId?: string;
  taskArn?: string;
  taskType?: string;
  resourceId?: string;
  /** Run Command commands: the document a command runs (SendCommand's DocumentName, or a RUN_COMMAND task's). */
  documentName?: string;
  /**
   * Run Command commands: one plugin (step) of the document, by the name CommandPlugins shows. A rule with
   * it decides that plugin only; a rule without it decides every plugin its other keys match.
   */
  pluginName?: string;
}

export interface OutcomeRule {
  match: OutcomeMatch;
  status: OutcomeStatus;
  durationSeconds?: number;
  statusDetails?: string;
  /** What a simulated node's command prints and exits with (defaults: empty output, 0 for SUCCESS, else 1). */
  stdout?: string;
  stderr?: string;
  responseCode?: number;
  /** How many more invocations the rule applies to; absent = unlimited. */
  times?: number;
}

export interface InvocationSubject {
  windowId: string;
  windowTaskId: string;
  taskArn: string;
  taskType: string;
  resourceId?: string;
  documentName?: string;
  /** The plugin being decided; absent when the subject is not one plugin (then rules naming a plugin do not match). */
  pluginName?: string;
}

/** The index of the first rule that matches, or -1. An empty match matches everything. */
export function matchingRule(rules: readonly OutcomeRule[], subject: InvocationSubject): number {
  return rules.findIndex((rule) => {
    if (rule.times !== undefined && rule.times <= 0) return false;
    const m = rule.match;
    return (m.windowId === undefined || m.windowId === subject.windowId) &&
      (m.windowTaskId === undefined || m.windowTaskId === subject.windowTaskId) &&
      (m.taskArn === undefined || m.taskArn === subject.taskArn) &&
      (m.taskType === undefined || m.taskType === subject.taskType) &&
      (m.resourceId === undefined || m.resourceId === subject.resourceId) &&
      (m.documentName === undefined || m.documentName === subject.documentName) &&
      (m.pluginName === undefined || m.pluginName === subject.pluginName);
  });
}
