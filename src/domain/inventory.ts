// What the engine runs against and how runs turn out: the managed-node inventory that tag and
// resource-group targets resolve against, and the outcome rules a user sets to reproduce failures.

export interface ManagedNode {
  id: string;
  tags: Record<string, string>;
  resourceGroups: string[];
}

export type OutcomeStatus = 'SUCCESS' | 'FAILED' | 'TIMED_OUT';

export interface OutcomeMatch {
  windowId?: string;
  windowTaskId?: string;
  taskArn?: string;
  taskType?: string;
  resourceId?: string;
}

export interface OutcomeRule {
  match: OutcomeMatch;
  status: OutcomeStatus;
  durationSeconds?: number;
  statusDetails?: string;
  /** How many more invocations the rule applies to; absent = unlimited. */
  times?: number;
}

export interface InvocationSubject {
  windowId: string;
  windowTaskId: string;
  taskArn: string;
  taskType: string;
  resourceId?: string;
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
      (m.resourceId === undefined || m.resourceId === subject.resourceId);
  });
}
