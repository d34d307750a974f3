// Run Command on simulated nodes (and the hand-over to a registered node's agent): each invocation's report is decided when it starts, from the user's
// outcome rules (the first that matches the node and the document; `times` is spent and stored), and
// delivered after the rule's duration. Without a rule a node succeeds, prints nothing and exits 0.

import { documentStatus, invocationOutput, type PluginResult, type PluginStatus, preconditionSkip, skippedPlugin } from '../../domain/command-plugins.ts';
import { type Command, type CommandInvocation, commandPlugins, type RunReport } from '../../domain/commands.ts';
import { type ManagedNode, matchingRule, type OutcomeRule, type OutcomeStatus } from '../../domain/inventory.ts';
import type { Scope } from '../../domain/model.ts';
import type { StoreOperations } from '../../service/ports.ts';
import type { CommandRunner } from '../command-executor.ts';

const pluginStatusOf: Record<OutcomeStatus, PluginStatus> = { SUCCESS: 'Success', FAILED: 'Failed', TIMED_OUT: 'TimedOut' };
const detailsOf: Record<RunReport['status'], string> = { Success: 'Success', Failed: 'Failed', TimedOut: 'ExecutionTimedOut' };

export class SimulatedCommandRunner implements CommandRunner {
  private readonly defaultDurationMs: number;

  /** `defaultDurationMs`: how long a command runs on a node when no rule says otherwise. */
  constructor(defaultDurationMs: number) {
    this.defaultDurationMs = defaultDurationMs;
  }

  async start(tx: StoreOperations, scope: Scope, command: Command, invocations: CommandInvocation[], now: number): Promise<{ report?: RunReport; afterMs: number }[]> {
    const rules = await tx.getOutcomeRules(scope);
    let spent = false;
    // Read once each, not held: a node held here, between the step's command locks, deadlocked two
    // replicas' steps. A registered machine runs the command itself (its agent reports: service/
    // agent-delivery.ts); a declared one is simulated on its platform (for 2.2 preconditions).
    const nodes = new Map<string, ManagedNode | undefined>();
    for (const invocation of invocations) nodes.set(invocation.instanceId, await tx.getNode(scope, invocation.instanceId, { lock: false }));
    const started = invocations.map((invocation) => {
      const node = nodes.get(invocation.instanceId);
      if (node?.registration) return { afterMs: 0 };
      const run = this.run(rules, command, invocation.instanceId, node?.platformType ?? 'Linux', now);
      spent ||= run.spent;
      return { report: run.report, afterMs: run.afterMs };
    });
    if (spent) await tx.setOutcomeRules(scope, rules);
    return started;
  }

  /**
   * One node's run: each plugin in order is skipped (its precondition does not hold on the node's platform),
   * or decided by the first rule that matches it (one naming the plugin, or one for the whole command), or
   * succeeds. A rule's `times` is spent once per node however many plugins it decided. The node's status is
   * the plugins' in the agent's precedence; the run lasts as long as the longest rule applied says.
   */
  private run(rules: OutcomeRule[], command: Command, instanceId: string, platform: string, now: number): { report: RunReport; afterMs: number; spent: boolean } {
    const applied = new Set<number>();
    const decidedBy = new Map<string, OutcomeRule>();
    const plugins: PluginResult[] = commandPlugins(command).map((plugin) => {
      const skip = preconditionSkip(plugin, platform, command.parameters);
      if (skip !== undefined) return skippedPlugin(plugin.name, skip, now);
      // A window's command is matched as its RUN_COMMAND invocation: rules on the window and task apply.
      const index = matchingRule(rules, {
        windowId: command.window?.windowId ?? '', windowTaskId: command.window?.windowTaskId ?? '', taskArn: command.window?.taskArn ?? command.documentName,
        taskType: 'RUN_COMMAND', resourceId: instanceId, documentName: command.documentName, pluginName: plugin.name,
      });
      if (index < 0) return { name: plugin.name, status: 'Success', responseCode: 0, stdout: '', stderr: '' };
      const rule = rules[index];
      applied.add(index);
      decidedBy.set(plugin.name, rule);
      return {
        name: plugin.name,
        status: pluginStatusOf[rule.status],
        responseCode: rule.responseCode ?? (rule.status === 'SUCCESS' ? 0 : rule.status === 'FAILED' ? 1 : -1),
        stdout: rule.stdout ?? '',
        stderr: rule.stderr ?? '',
      };
    });
    let spent = false;
    for (const index of applied) {
      const rule = rules[index];
      if (rule.times !== undefined) {
        rule.times -= 1;
        spent = true;
      }
    }
    const status = documentStatus(plugins, plugins.length) ?? 'Success';
    const deciding = plugins.find((p) => p.status === status) ?? plugins.find((p) => p.status !== 'Skipped');
    const rule = deciding ? decidedBy.get(deciding.name) : undefined;
    const reportStatus: RunReport['status'] = status === 'Cancelled' ? 'Failed' : status;
    const own = plugins.length === 1 ? plugins[0] : invocationOutput(plugins);
    const report: RunReport = {
      status: reportStatus,
      statusDetails: rule?.statusDetails ?? detailsOf[reportStatus],
      responseCode: own.responseCode,
      stdout: own.stdout,
      stderr: own.stderr,
      plugins: plugins.map((p) => ({ ...p })),
    };
    const durations = [...applied].map((index) => rules[index].durationSeconds).filter((d): d is number => d !== undefined);
    return { report, afterMs: durations.length > 0 ? Math.max(...durations) * 1000 : this.defaultDurationMs, spent };
  }
}
