// aws:branch: the first of `Choices` whose condition holds names the next step; else `Default`. A choice
// is one comparison (`Variable` and an operator with its value) or `And` / `Or` of choices or `Not` of one,
// as AWS's actions reference gives them. Pure.

import { lookup, type ReferenceContext, resolveReferences } from './references.ts';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export class BranchError extends Error {}

const STRING_OPERATORS = ['StringEquals', 'EqualsIgnoreCase', 'StartsWith', 'EndsWith', 'Contains'];
const NUMERIC_OPERATORS = ['NumericEquals', 'NumericGreater', 'NumericLesser', 'NumericGreaterOrEquals', 'NumericLesserOrEquals'];

function variableValue(raw: unknown, context: ReferenceContext): unknown {
  // Already resolved with the step's other inputs (a number, a list), or a reference still to look up.
  if (raw === undefined) throw new BranchError('A choice needs a Variable such as "{{ StepName.Output }}".');
  if (typeof raw !== 'string') return raw;
  const m = /^\{\{\s*([^{}]+?)\s*\}\}$/.exec(raw);
  if (!m) return raw;
  const found = lookup(m[1], context);
  if (found === undefined) throw new BranchError(`The branch variable {{ ${m[1]} }} cannot be resolved.`);
  return found;
}

function text(value: unknown): string {
  return Array.isArray(value) ? String(value[0] ?? '') : typeof value === 'string' ? value : JSON.stringify(value);
}

function number(value: unknown): number {
  const n = Number(Array.isArray(value) ? value[0] : value);
  if (!Number.isFinite(n)) throw new BranchError(`The value ${JSON.stringify(value)} is not a number.`);
  return n;
}

function holds(choice: Record<string, unknown>, context: ReferenceContext): boolean {
  if (Array.isArray(choice.And)) return choice.And.every((c) => isObject(c) && holds(c, context));
  if (Array.isArray(choice.Or)) return choice.Or.some((c) => isObject(c) && holds(c, context));
  if (isObject(choice.Not)) return !holds(choice.Not, context);
  const value = variableValue(choice.Variable, context);
  const operator = [...STRING_OPERATORS, ...NUMERIC_OPERATORS, 'BooleanEquals'].find((op) => Object.hasOwn(choice, op));
  if (!operator) throw new BranchError('A choice needs an operator (StringEquals, NumericGreater, BooleanEquals, ...), or And, Or, Not.');
  const wanted = resolveReferences(choice[operator], context);
  switch (operator) {
    case 'StringEquals': return text(value) === text(wanted);
    case 'EqualsIgnoreCase': return text(value).toLowerCase() === text(wanted).toLowerCase();
    case 'StartsWith': return text(value).startsWith(text(wanted));
    case 'EndsWith': return text(value).endsWith(text(wanted));
    case 'Contains': return Array.isArray(value) ? value.map(String).includes(text(wanted)) : text(value).includes(text(wanted));
    case 'NumericEquals': return number(value) === number(wanted);
    case 'NumericGreater': return number(value) > number(wanted);
    case 'NumericLesser': return number(value) < number(wanted);
    case 'NumericGreaterOrEquals': return number(value) >= number(wanted);
    case 'NumericLesserOrEquals': return number(value) <= number(wanted);
    default: return String(value).toLowerCase() === String(wanted).toLowerCase();
  }
}

/** The step the branch goes to, or undefined when no choice holds and there is no Default. */
export function chooseBranch(inputs: Record<string, unknown>, context: ReferenceContext): string | undefined {
  const choices = Array.isArray(inputs.Choices) ? inputs.Choices.filter(isObject) : [];
  for (const choice of choices) {
    if (typeof choice.NextStep === 'string' && holds(choice, context)) return choice.NextStep;
  }
  return typeof inputs.Default === 'string' ? inputs.Default : undefined;
}
