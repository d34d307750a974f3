// Use cases of Automation: start an execution of a runbook, read it and its steps, list executions, stop
// one, signal one. The engine runs them on the service's clock (runtime/automation-executor.ts); a stop
// or a signal is news put in the execution's inbox, which the engine's next step applies.

import { type AutomationExecution, isAutomationFinal, shownCurrentStep, type SignalType, signalRefusal, type StepExecution } from '../domain/automation/execution.ts';
import { newAutomationExecution } from '../domain/automation/new-execution.ts';
import { DEFAULT_AUTOMATION_CONCURRENCY, DEFAULT_AUTOMATION_ERRORS, type RateControl, targetRuns } from '../domain/automation/rate-control.ts';
import { resolveTargets } from '../domain/target-resolution.ts';
import { InvalidParameters } from '../domain/documents.ts';
import { InvalidFilterKey, ServiceError, ValidationException } from '../domain/errors.ts';
import type { Scope, Tag } from '../domain/model.ts';
import { parseIsoDateTime } from '../schedule/index.ts';
import type { ServiceContext } from './context.ts';
import { oncePerToken } from './idempotency.ts';
import { descendingPage, listingPage, withInvalidNextToken } from './keyset-pages.ts';
import type { EngineControl } from './ports.ts';
import { findRunbook } from './runbooks.ts';

export interface StartAutomationInput {
  documentName: string;
  documentVersion?: string;
  parameters?: Record<string, string[]>;
  clientToken?: string;
  mode?: 'Auto' | 'Interactive';
  tags?: Tag[];
  /** Rate control: the parameter each target's value goes to, and the targets (or TargetMaps instead). */
  targetParameterName?: string;
  targets?: { key: string; values: string[] }[];
  targetMaps?: Record<string, string[]>[];
  maxConcurrency?: string;
  maxErrors?: string;
  /** Who starts it (ExecutedBy): the caller's identity as an ARN. */
  executedBy: string;
}

export interface Filter {
  key: string;
  values: string[];
}

export class AutomationExecutionNotFound extends ServiceError {
  constructor(id: string) {
    super('AutomationExecutionNotFoundException', `Automation execution ${id} is not found.`);
  }
}

const DEFAULT_PAGE = 50;

type Predicate<T> = (item: T) => boolean;

function timeFilter(key: string, value: string): number {
  const ms = parseIsoDateTime(value);
  if (ms === undefined) throw new ServiceError('InvalidFilterValue', `The filter ${key} value ${value} is not a valid date-time.`);
  return ms;
}

/** DescribeAutomationExecutions' filters: every filter must hold, any of its values. */
function executionFilter(filters: Filter[] | undefined): Predicate<AutomationExecution> {
  const tests: Predicate<AutomationExecution>[] = [];
  for (const { key, values } of filters ?? []) {
    const any = (test: (v: string) => boolean) => values.some(test);
    switch (key) {
      case 'DocumentNamePrefix': tests.push((e) => any((v) => e.documentName.startsWith(v))); break;
      case 'ExecutionStatus': tests.push((e) => any((v) => e.status === v)); break;
      case 'ExecutionId': tests.push((e) => any((v) => e.id === v)); break;
      case 'ParentExecutionId': tests.push((e) => any((v) => e.parentId === v)); break;
      case 'CurrentAction': tests.push((e) => any((v) => shownCurrentStep(e)?.action === v)); break;
      case 'StartTimeBefore': { const t = Math.max(...values.map((v) => timeFilter(key, v))); tests.push((e) => (e.startedAt ?? e.createdAt) <= t); break; }
      case 'StartTimeAfter': { const t = Math.min(...values.map((v) => timeFilter(key, v))); tests.push((e) => (e.startedAt ?? e.createdAt) >= t); break; }
      // Every execution here runs in its own account and Region: Local. [I] no change requests, OpsItems or resource-group targets.
      case 'AutomationType': tests.push(() => values.includes('Local')); break;
      case 'TagKey': tests.push((e) => any((v) => (e.tags ?? []).some((t) => t.key === v))); break;
      case 'TargetResourceGroup':
      case 'AutomationSubtype':
      case 'OpsItemId':
        tests.push(() => false);
        break;
      default:
        throw new InvalidFilterKey();
    }
  }
  return (e) => tests.every((t) => t(e));
}

/** DescribeAutomationStepExecutions' filters. */
function stepFilter(filters: Filter[] | undefined): Predicate<StepExecution> {
  const tests: Predicate<StepExecution>[] = [];
  for (const { key, values } of filters ?? []) {
    const any = (test: (v: string) => boolean) => values.some(test);
    switch (key) {
      case 'StepExecutionStatus': tests.push((s) => any((v) => s.status === v)); break;
      case 'StepExecutionId': tests.push((s) => any((v) => s.stepExecutionId === v)); break;
      case 'StepName': tests.push((s) => any((v) => s.stepName === v)); break;
      case 'Action': tests.push((s) => any((v) => s.action === v)); break;
      case 'StartTimeBefore': { const t = Math.max(...values.map((v) => timeFilter(key, v))); tests.push((s) => s.startedAt <= t); break; }
      case 'StartTimeAfter': { const t = Math.min(...values.map((v) => timeFilter(key, v))); tests.push((s) => s.startedAt >= t); break; }
      // [I] steps of aws:loop iterations: this engine does not run aws:loop, so no step has a parent step.
      case 'ParentStepExecutionId':
      case 'ParentStepIteration':
      case 'ParentStepIteratorValue':
        tests.push(() => false);
        break;
      default:
        throw new InvalidFilterKey();
    }
  }
  return (s) => tests.every((t) => t(s));
}

export class AutomationService {
  private readonly ctx: ServiceContext;
  private readonly engine: EngineControl;

  constructor(ctx: ServiceContext, engine: EngineControl) {
    this.ctx = ctx;
    this.engine = engine;
  }

  /** StartAutomationExecution: the runbook found, its parameters checked, the execution started now. */
  async start(scope: Scope, input: StartAutomationInput): Promise<string> {
    const now = this.ctx.clock.now();
    const runbook = await findRunbook(this.ctx.store, scope, input.documentName, input.documentVersion);
    const rate = await this.rateControl(scope, input);
    const build = (parameters: Record<string, string[]> | undefined) => {
      try {
        return newAutomationExecution({
          id: this.ctx.ids.uuid(), account: scope.account, region: scope.region, documentName: runbook.name, documentVersion: runbook.version,
          document: runbook.document, parameters, mode: input.mode, executedBy: input.executedBy, now,
        });
      } catch (error) {
        if (error instanceof InvalidParameters) throw new ServiceError('InvalidAutomationExecutionParametersException', error.message);
        throw error;
      }
    };
    let execution: AutomationExecution;
    if (rate) {
      // Each target's child must be a valid run of the runbook: checked now, as AWS refuses the request.
      for (const run of rate.runs) build({ ...input.parameters, ...run.parameters });
      execution = { ...build({ ...input.parameters, ...rate.runs[0].parameters }), parameters: input.parameters ?? {}, values: {}, rate };
    } else {
      execution = build(input.parameters);
    }
    if (input.tags && input.tags.length > 0) execution = { ...execution, tags: input.tags };
    const { clientToken, executedBy: _by, ...request } = input;
    return this.engine.startAutomation(scope, execution, (tx, create) => oncePerToken(tx, scope, 'StartAutomationExecution', clientToken, request, now, create));
  }

  /** The runs rate control asks for, or undefined without TargetParameterName/Targets/TargetMaps. */
  private async rateControl(scope: Scope, input: StartAutomationInput): Promise<RateControl | undefined> {
    const { targetParameterName, targets, targetMaps } = input;
    if (targetParameterName === undefined && targets === undefined && targetMaps === undefined) return undefined;
    if (targetMaps !== undefined && (targets !== undefined || targetParameterName !== undefined)) {
      throw new ValidationException('TargetMaps cannot be specified with Targets or TargetParameterName.');
    }
    if (targetMaps === undefined && (targetParameterName === undefined || targets === undefined)) {
      throw new ValidationException('Targets and TargetParameterName must be specified together.');
    }
    const nodes = await this.ctx.store.listNodes(scope);
    const runs = targetRuns({ targetParameterName, targets, targetMaps }, (criteria) => resolveTargets(criteria, nodes));
    if (runs.length === 0) throw new ServiceError('InvalidTarget', 'The targets of the automation resolve to no value.');
    return {
      ...(targetParameterName === undefined ? {} : { targetParameterName }),
      ...(targets === undefined ? {} : { targets }),
      ...(targetMaps === undefined ? {} : { targetMaps }),
      maxConcurrency: input.maxConcurrency ?? DEFAULT_AUTOMATION_CONCURRENCY,
      maxErrors: input.maxErrors ?? DEFAULT_AUTOMATION_ERRORS,
      runs,
    };
  }

  async get(scope: Scope, id: string): Promise<AutomationExecution> {
    const execution = await this.ctx.store.getAutomationExecution(scope, id);
    if (!execution) throw new AutomationExecutionNotFound(id);
    return execution;
  }

  /** DescribeAutomationExecutions: newest first, filtered, in pages. */
  async list(scope: Scope, input: { filters?: Filter[]; maxResults?: number; nextToken?: string }): Promise<{ executions: AutomationExecution[]; nextToken?: string }> {
    const accept = executionFilter(input.filters);
    const listing = `DescribeAutomationExecutions|${scope.account}|${scope.region}`;
    const page = await withInvalidNextToken(descendingPage(this.ctx.tokens, listing, { nextToken: input.nextToken, pageSize: input.maxResults ?? DEFAULT_PAGE },
      (before, limit) => this.ctx.store.listAutomationExecutions(scope, before, limit), accept));
    return { executions: page.items, nextToken: page.nextToken };
  }

  /** DescribeAutomationStepExecutions: the execution's steps in the order they started (or reversed), filtered, in pages. */
  async steps(scope: Scope, id: string, input: { filters?: Filter[]; maxResults?: number; nextToken?: string; reverseOrder?: boolean }): Promise<{ steps: StepExecution[]; nextToken?: string }> {
    const execution = await this.get(scope, id);
    const accept = stepFilter(input.filters);
    const ordered = input.reverseOrder ? [...execution.steps].reverse() : execution.steps;
    // The steps are in memory: their positions are the keys the shared paging walks.
    const rows = ordered.map((item, i) => ({ key: i + 1, item }));
    const listing = `DescribeAutomationStepExecutions|${scope.account}|${scope.region}|${id}|${input.reverseOrder === true}`;
    const page = await withInvalidNextToken(listingPage(this.ctx.tokens, listing, { nextToken: input.nextToken, pageSize: input.maxResults ?? DEFAULT_PAGE },
      async (after, limit) => rows.filter((row) => row.key > after).slice(0, limit), accept));
    return { steps: page.items, nextToken: page.nextToken };
  }

  /** StopAutomationExecution: a running execution is stopped by the engine's next step; a finished one cannot be. */
  async stop(scope: Scope, id: string, type: 'Cancel' | 'Complete' = 'Cancel'): Promise<void> {
    const execution = await this.get(scope, id);
    if (isAutomationFinal(execution.status)) {
      throw new ServiceError('InvalidAutomationStatusUpdateException', `Automation execution ${id} is ${execution.status} and cannot be stopped.`);
    }
    await this.ctx.store.transaction((tx) => tx.putAutomationInbox(scope, id, { kind: 'stop', type }, this.ctx.clock.now()));
    await this.engine.wake();
  }

  /** SendAutomationSignal: checked against what the execution waits for now, then applied by the engine. */
  async signal(scope: Scope, id: string, signal: SignalType, payload: Record<string, string[]>, by: string): Promise<void> {
    const execution = await this.get(scope, id);
    const refusal = signalRefusal(execution, signal, payload);
    if (refusal) throw new ServiceError(refusal.code, refusal.message);
    await this.ctx.store.transaction((tx) => tx.putAutomationInbox(scope, id, { kind: 'signal', signal, payload, by }, this.ctx.clock.now()));
    await this.engine.wake();
  }
}

export function checkMode(mode: string | undefined): 'Auto' | 'Interactive' | undefined {
  if (mode === undefined || mode === 'Auto' || mode === 'Interactive') return mode;
  throw new ValidationException(`Mode ${mode} is not Auto or Interactive.`);
}
