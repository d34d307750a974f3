// The runner of the task types no other runner takes (AUTOMATION; LAMBDA and STEP_FUNCTIONS when no
// endpoint is configured for them, remote-runners.ts): every invocation succeeds after a fixed
// simulated run time, unless one of the user's outcome rules (PUT /_mw/outcomes) matches it. The first
// matching rule wins; a rule with `times` applies to that many invocations and is then spent (the
// remaining count is stored in the step's transaction, so it survives restarts). Its report is known at
// the start and arrives on the clock.

import { matchingRule, type OutcomeRule, type OutcomeStatus } from '../../domain/inventory.ts';
import type { StoreOperations } from '../../service/ports.ts';
import type { InvocationRequest, StartedWork, TaskRunner } from './task-runner.ts';

// Run Command's own StatusDetails words, used when a rule gives none (SPEC 3.5: "Success", "Failed").
const defaultDetails: Record<OutcomeStatus, string> = { SUCCESS: 'Success', FAILED: 'Failed', TIMED_OUT: 'TimedOut' };

export class SimulatedRunner implements TaskRunner {
  private readonly defaultDurationMs: number;

  /** `defaultDurationMs`: how long an invocation runs when no rule says otherwise. */
  constructor(defaultDurationMs: number) {
    this.defaultDurationMs = defaultDurationMs;
  }

  async start(tx: StoreOperations, requests: InvocationRequest[]): Promise<StartedWork[]> {
    const rulesByScope = new Map<string, { rules: OutcomeRule[]; spent: boolean; request: InvocationRequest }>();
    const started: StartedWork[] = [];
    for (const request of requests) {
      const key = `${request.scope.account}|${request.scope.region}`;
      let entry = rulesByScope.get(key);
      if (!entry) {
        entry = { rules: await tx.getOutcomeRules(request.scope), spent: false, request };
        rulesByScope.set(key, entry);
      }
      started.push(this.decide(entry, request));
    }
    for (const entry of rulesByScope.values()) {
      if (entry.spent) await tx.setOutcomeRules(entry.request.scope, entry.rules);
    }
    return started;
  }

  private decide(entry: { rules: OutcomeRule[]; spent: boolean }, request: InvocationRequest): StartedWork {
    const index = matchingRule(entry.rules, { ...request, resourceId: request.resourceIds[0] });
    if (index < 0) return { kind: 'scheduled', report: { status: 'SUCCESS', statusDetails: defaultDetails.SUCCESS }, afterMs: this.defaultDurationMs };
    const rule = entry.rules[index];
    if (rule.times !== undefined) {
      rule.times -= 1;
      entry.spent = true;
    }
    return {
      kind: 'scheduled',
      report: { status: rule.status, statusDetails: rule.statusDetails ?? defaultDetails[rule.status] },
      afterMs: rule.durationSeconds !== undefined ? rule.durationSeconds * 1000 : this.defaultDurationMs,
    };
  }
}
