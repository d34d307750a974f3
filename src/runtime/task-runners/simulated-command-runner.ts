// Run Command on simulated nodes (and the hand-over to a registered node's agent): each invocation's report is decided when it starts, from the user's
// outcome rules (the first that matches the node and the document; `times` is spent and stored), and
// delivered after the rule's duration. Without a rule a node succeeds, prints nothing and exits 0.

import type { Command, CommandInvocation, RunReport } from '../../domain/commands.ts';
import { matchingRule, type OutcomeStatus } from '../../domain/inventory.ts';
import type { Scope } from '../../domain/model.ts';
import type { StoreOperations } from '../../service/ports.ts';
import type { CommandRunner } from '../command-executor.ts';

const statusOf: Record<OutcomeStatus, RunReport['status']> = { SUCCESS: 'Success', FAILED: 'Failed', TIMED_OUT: 'TimedOut' };
const detailsOf: Record<OutcomeStatus, string> = { SUCCESS: 'Success', FAILED: 'Failed', TIMED_OUT: 'ExecutionTimedOut' };

export class SimulatedCommandRunner implements CommandRunner {
  private readonly defaultDurationMs: number;

  /** `defaultDurationMs`: how long a command runs on a node when no rule says otherwise. */
  constructor(defaultDurationMs: number) {
    this.defaultDurationMs = defaultDurationMs;
  }

  async start(tx: StoreOperations, scope: Scope, command: Command, invocations: CommandInvocation[]): Promise<{ report?: RunReport; afterMs: number }[]> {
    const rules = await tx.getOutcomeRules(scope);
    let spent = false;
    // A registered machine runs the command itself: its agent reports (service/agent-delivery.ts).
    const real = new Set<string>();
    // Read, not held: a node held here, between the step's command locks, deadlocked two replicas' steps.
    for (const invocation of invocations) if ((await tx.getNode(scope, invocation.instanceId, { lock: false }))?.registration) real.add(invocation.instanceId);
    const started = invocations.map((invocation) => {
      if (real.has(invocation.instanceId)) return { afterMs: 0 };
      // A window's command is matched as its RUN_COMMAND invocation: rules on the window and task apply.
      const index = matchingRule(rules, {
        windowId: command.window?.windowId ?? '', windowTaskId: command.window?.windowTaskId ?? '', taskArn: command.window?.taskArn ?? command.documentName,
        taskType: 'RUN_COMMAND', resourceId: invocation.instanceId, documentName: command.documentName,
      });
      if (index < 0) return { report: { status: 'Success', statusDetails: 'Success', responseCode: 0, stdout: '', stderr: '' } as RunReport, afterMs: this.defaultDurationMs };
      const rule = rules[index];
      if (rule.times !== undefined) {
        rule.times -= 1;
        spent = true;
      }
      const report: RunReport = {
        status: statusOf[rule.status],
        statusDetails: rule.statusDetails ?? detailsOf[rule.status],
        responseCode: rule.responseCode ?? (rule.status === 'SUCCESS' ? 0 : rule.status === 'FAILED' ? 1 : -1),
        stdout: rule.stdout ?? '',
        stderr: rule.stderr ?? '',
      };
      return { report, afterMs: rule.durationSeconds !== undefined ? rule.durationSeconds * 1000 : this.defaultDurationMs };
    });
    if (spent) await tx.setOutcomeRules(scope, rules);
    return started;
  }
}
