// The default runner: every invocation succeeds after a fixed simulated run time, unless one of the
// user's outcome rules (PUT /_mw/outcomes) matches it. The first matching rule wins; a rule with `times`
// applies to that many invocations and is then spent (the remaining count is stored, so it survives restarts).

import { matchingRule, type OutcomeRule, type OutcomeStatus } from '../../domain/inventory.ts';
import type { Store } from '../../service/ports.ts';
import type { InvocationRequest, PlannedOutcome, TaskRunner } from './task-runner.ts';

// Run Command's own StatusDetails words, used when a rule gives none (SPEC 3.5: "Success", "Failed").
const defaultDetails: Record<OutcomeStatus, string> = { SUCCESS: 'Success', FAILED: 'Failed', TIMED_OUT: 'TimedOut' };
const severity: Record<OutcomeStatus, number> = { SUCCESS: 0, FAILED: 1, TIMED_OUT: 2 };

export class SimulatedRunner implements TaskRunner {
  private readonly store: Store;
  private readonly defaultDurationMs: number;

  /** `defaultDurationMs`: how long an invocation runs when no rule says otherwise. */
  constructor(store: Store, defaultDurationMs: number) {
    this.store = store;
    this.defaultDurationMs = defaultDurationMs;
  }

  async plan(requests: InvocationRequest[]): Promise<PlannedOutcome[]> {
    const rulesByScope = new Map<string, { rules: OutcomeRule[]; spent: boolean; request: InvocationRequest }>();
    const outcomes = [];
    for (const request of requests) {
      const key = `${request.scope.account}|${request.scope.region}`;
      let entry = rulesByScope.get(key);
      if (!entry) {
        entry = { rules: await this.store.getOutcomeRules(request.scope), spent: false, request };
        rulesByScope.set(key, entry);
      }
      outcomes.push(this.decide(entry, request));
    }
    for (const entry of rulesByScope.values()) {
      if (entry.spent) await this.store.setOutcomeRules(entry.request.scope, entry.rules);
    }
    return outcomes;
  }

  // A Run Command command covers several instances: each is matched on its own, and the command takes
  // the worst status and the longest run time among them.
  private decide(entry: { rules: OutcomeRule[]; spent: boolean }, request: InvocationRequest): PlannedOutcome {
    const subjects = request.resourceIds.length > 0 ? request.resourceIds : [undefined];
    let outcome: PlannedOutcome | undefined;
    for (const resourceId of subjects) {
      const index = matchingRule(entry.rules, { ...request, resourceId });
      let candidate: PlannedOutcome = { status: 'SUCCESS', durationMs: this.defaultDurationMs };
      if (index >= 0) {
        const rule = entry.rules[index];
        if (rule.times !== undefined) {
          rule.times -= 1;
          entry.spent = true;
        }
        candidate = {
          status: rule.status,
          durationMs: rule.durationSeconds !== undefined ? rule.durationSeconds * 1000 : this.defaultDurationMs,
          statusDetails: rule.statusDetails,
        };
      }
      if (!outcome) outcome = candidate;
      else {
        outcome = {
          status: severity[candidate.status] > severity[outcome.status] ? candidate.status : outcome.status,
          durationMs: Math.max(outcome.durationMs, candidate.durationMs),
          statusDetails: severity[candidate.status] > severity[outcome.status] ? candidate.statusDetails : outcome.statusDetails,
        };
      }
    }
    return { ...outcome!, statusDetails: outcome!.statusDetails ?? defaultDetails[outcome!.status] };
  }
}
