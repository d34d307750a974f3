// A runbook (an Automation document, schema 0.3) as the engine runs it: its steps with the step options
// AWS documents (onFailure, onCancel, isEnd, nextStep, maxAttempts, timeoutSeconds, isCritical, outputs) and
// the runbook's own `outputs`. Read from content the document parser already checked; pure.

import type { ParsedDocument } from '../document-content.ts';

export interface StepOutputDefinition {
  name: string;
  /** A JSONPath into the action's response ($.Reservations[0].Instances[0].State.Name). */
  selector: string;
  type: string;
}

export interface RunbookStep {
  name: string;
  action: string;
  inputs: Record<string, unknown>;
  /** `Abort` (the default), `Continue`, or `step:NAME`. */
  onFailure: string;
  /** `Abort` (the default) or `step:NAME`. */
  onCancel: string;
  isEnd: boolean;
  nextStep?: string;
  /** At least 1 (the default). */
  maxAttempts: number;
  timeoutSeconds?: number;
  /** Default true: a critical step that fails makes the whole execution fail. */
  isCritical: boolean;
  outputs: StepOutputDefinition[];
}

export interface Runbook {
  steps: RunbookStep[];
  /** `Step.Output` names the execution shows as its Outputs. */
  outputs: string[];
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function positiveInteger(value: unknown): number | undefined {
  const n = typeof value === 'string' && /^[0-9]+$/.test(value) ? Number(value) : value;
  return typeof n === 'number' && Number.isInteger(n) && n > 0 ? n : undefined;
}

function flag(value: unknown, fallback: boolean): boolean {
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  return fallback;
}

function onFailureOf(step: Record<string, unknown>): string {
  return typeof step.onFailure === 'string' ? step.onFailure : 'Abort';
}

export function runbookOf(document: ParsedDocument): Runbook {
  const raw = Array.isArray(document.body.mainSteps) ? document.body.mainSteps : [];
  const steps = raw.filter(isObject).map((step): RunbookStep => ({
    name: String(step.name),
    action: String(step.action),
    inputs: isObject(step.inputs) ? step.inputs : {},
    onFailure: onFailureOf(step),
    onCancel: typeof step.onCancel === 'string' ? step.onCancel : 'Abort',
    isEnd: flag(step.isEnd, false),
    ...(typeof step.nextStep === 'string' ? { nextStep: step.nextStep } : {}),
    maxAttempts: positiveInteger(step.maxAttempts) ?? 1,
    ...(positiveInteger(step.timeoutSeconds) === undefined ? {} : { timeoutSeconds: positiveInteger(step.timeoutSeconds) }),
    // "If the onFailure property is set to Continue in a step, the value defaults to false" (the reference).
    isCritical: flag(step.isCritical, onFailureOf(step) !== 'Continue'),
    outputs: (Array.isArray(step.outputs) ? step.outputs : []).filter(isObject).map((o) => ({
      name: String(o.Name ?? ''), selector: String(o.Selector ?? ''), type: String(o.Type ?? 'String'),
    })),
  }));
  const outputs = Array.isArray(document.body.outputs) ? document.body.outputs.filter((o): o is string => typeof o === 'string') : [];
  return { steps, outputs };
}
