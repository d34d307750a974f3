// Use cases of the control API (/_mw/...): what AWS cannot do but a test or a self-hosted fleet needs —
// start an execution now, move the manual clock, keep the managed-node inventory, set outcome rules.

import { ServiceError, ValidationException } from '../domain/errors.ts';
import type { ManagedNode, OutcomeRule } from '../domain/inventory.ts';
import type { Scope } from '../domain/model.ts';
import { fireTimesBetween } from '../domain/window-rules.ts';
import { LATEST_RUN_MS } from '../schedule/index.ts';
import type { ServiceContext } from './context.ts';
import type { EngineControl } from './ports.ts';

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

/** The most window executions one clock move may start (each is written to the history). */
export const MAX_EXECUTIONS_PER_CLOCK_MOVE = 100_000;

/** A move of the manual clock, decoded at the edge (wire/control-decode.ts): forward by seconds, or to an instant (epoch ms). */
export type MoveClock = { advanceSeconds: number } | { setTo: number };

export class ControlService {
  private readonly ctx: ServiceContext;
  private readonly engine: EngineControl;

  constructor(ctx: ServiceContext, engine: EngineControl) {
    this.ctx = ctx;
    this.engine = engine;
  }

  async startExecution(scope: Scope, windowId: string): Promise<string> {
    return (await this.engine.fireNow(scope, windowId)).id;
  }

  clockState(): { mode: 'manual' | 'system'; now: string; epochMillis: number } {
    const now = this.ctx.clock.now();
    return { mode: this.ctx.clockMode, now: new Date(now).toISOString(), epochMillis: now };
  }

  /** Refuses, before the request's body is read, to move a clock that is not manual. */
  requireManualClock(): void {
    if (this.ctx.clockMode !== 'manual') throw new ClockNotManual();
  }

  /** Moves the manual clock forward, processing every event on the way; it never goes back. */
  async moveClock(move: MoveClock): Promise<void> {
    this.requireManualClock();
    const now = this.ctx.clock.now();
    let target: number;
    if ('advanceSeconds' in move) {
      target = now + Math.round(move.advanceSeconds * 1000);
    } else {
      target = move.setTo;
      if (target < now) throw new ValidationException(`setTo must not be before the current time ${new Date(now).toISOString()}: the clock does not go back.`);
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
    const now = this.ctx.clock.now();
    for (const { scope: s, window, nextFireAt } of await this.ctx.store.listAllWindows()) {
      if (s.account !== scope.account || s.region !== scope.region || !window.enabled || nextFireAt === undefined || nextFireAt <= now) continue;
      if (!best || nextFireAt < best.at) best = { at: nextFireAt, windowId: window.id, windowName: window.name };
    }
    return best;
  }

  /** Refuses a clock move that would make the windows fire more often than can be recorded in reasonable time. */
  private async checkExecutionsUntil(now: number, target: number): Promise<void> {
    let left = MAX_EXECUTIONS_PER_CLOCK_MOVE;
    for (const { window } of await this.ctx.store.listAllWindows()) {
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
    const invocation = await this.ctx.store.getCommandInvocation(scope, commandId, instanceId);
    if (!invocation) throw new NotFound(`Command ${commandId} has no invocation on ${instanceId}.`);
    const { status, statusDetails, responseCode, stdout, stderr } = invocation;
    return { commandId, instanceId, status, statusDetails, responseCode, stdout, stderr };
  }

  async putNode(scope: Scope, node: ManagedNode): Promise<ManagedNode> {
    await this.ctx.store.putNode(scope, node);
    return node;
  }

  listNodes(scope: Scope): Promise<ManagedNode[]> {
    return this.ctx.store.listNodes(scope);
  }

  deleteNode(scope: Scope, nodeId: string): Promise<boolean> {
    return this.ctx.store.deleteNode(scope, nodeId);
  }

  async setOutcomeRules(scope: Scope, rules: OutcomeRule[]): Promise<OutcomeRule[]> {
    await this.ctx.store.setOutcomeRules(scope, rules);
    return rules;
  }

  getOutcomeRules(scope: Scope): Promise<OutcomeRule[]> {
    return this.ctx.store.getOutcomeRules(scope);
  }

  async clearOutcomeRules(scope: Scope): Promise<void> {
    await this.ctx.store.setOutcomeRules(scope, []);
  }
}
