// What a step keeps from a service's answer: the values its `outputs` Selectors choose (JSONPath, with
// jsonpath-plus: a maintained implementation with a script-free evaluator for filters), each converted to
// its declared Type (String, Integer, Boolean, StringList, StringMap, MapList); and the values a
// PropertySelector chooses, compared with DesiredValues. Pure but for the library.

import { createRequire } from 'node:module';
import type * as JsonPathPlus from 'jsonpath-plus';
import type { StepOutputDefinition } from '../../domain/automation/runbook.ts';

/** An answer a Selector or a Type does not fit: the step fails with this message. */
export class SelectorError extends Error {}

let loaded: typeof JsonPathPlus.JSONPath | undefined;

/** jsonpath-plus, loaded (synchronously: its CommonJS build) by the first selector, not at the service's start. */
function jsonPath(): typeof JsonPathPlus.JSONPath {
  return loaded ??= (createRequire(import.meta.url)('jsonpath-plus') as typeof JsonPathPlus).JSONPath;
}

/** Every value `selector` matches in `answer` (none when it matches nothing). */
export function selectAll(answer: unknown, selector: string): unknown[] {
  const JSONPath = jsonPath();
  try {
    return JSONPath({ path: selector, json: answer as object, wrap: true, eval: 'safe' }) as unknown[];
  } catch (error) {
    throw new SelectorError(`Selector ${selector} is not a JSONPath expression this service reads: ${error instanceof Error ? error.message : String(error)}`);
  }
}

const isMap = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function asString(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** The matches as one value of `type`; undefined when nothing matched (the output is then absent) [I]. */
export function convert(matches: unknown[], type: string, name: string): unknown {
  if (matches.length === 0) return undefined;
  // A list type takes a list that was matched whole, or every match; a single type takes the one match.
  const list = matches.length === 1 && Array.isArray(matches[0]) ? matches[0] : matches;
  const one = (): unknown => {
    if (matches.length > 1) throw new SelectorError(`Output ${name} of type ${type} matched ${matches.length} values; a ${type} takes one.`);
    return matches[0];
  };
  const wrong = (value: unknown) => new SelectorError(`Output ${name}: ${asString(value).slice(0, 200)} is not a ${type}.`);
  switch (type) {
    case 'String':
      return asString(one());
    case 'Integer': {
      const value = one();
      const n = typeof value === 'string' && /^-?[0-9]+$/.test(value.trim()) ? Number(value) : value;
      if (typeof n !== 'number' || !Number.isInteger(n)) throw wrong(value);
      return n;
    }
    case 'Boolean': {
      const value = one();
      if (typeof value === 'boolean') return value;
      if (value === 'true' || value === 'false') return value === 'true';
      throw wrong(value);
    }
    case 'StringList':
      return list.map(asString);
    case 'StringMap': {
      const value = one();
      if (!isMap(value)) throw wrong(value);
      return value;
    }
    case 'MapList':
      if (!list.every(isMap)) throw wrong(list);
      return list;
    default:
      throw new SelectorError(`Output ${name} has Type ${type}; the types are String, Integer, Boolean, StringList, StringMap and MapList.`);
  }
}

/** A step's outputs from `answer`, by its output definitions. */
export function outputsOf(answer: unknown, definitions: readonly StepOutputDefinition[]): Record<string, unknown> {
  const outputs: Record<string, unknown> = {};
  for (const definition of definitions) {
    const value = convert(selectAll(answer, definition.selector), definition.type, definition.name);
    if (value !== undefined) outputs[definition.name] = value;
  }
  return outputs;
}

/** The values PropertySelector chooses, as texts (a list matched whole counts as its items). */
export function propertyValues(answer: unknown, selector: string): string[] {
  const matches = selectAll(answer, selector);
  const values = matches.length === 1 && Array.isArray(matches[0]) ? matches[0] : matches;
  return values.map(asString);
}

/** True when something was chosen and every value chosen is one of `desired` [I: all, not any]. */
export function holds(values: readonly string[], desired: readonly string[]): boolean {
  return values.length > 0 && values.every((v) => desired.includes(v));
}
