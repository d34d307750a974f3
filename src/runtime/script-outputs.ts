// A step's declared `outputs` read from an action's response by their JSONPath Selector ($.Payload.name,
// $.Payload.items[0], $['Payload']['a b']), and shaped as their Type says. The subset of JSONPath runbooks
// use for single values; a selector that finds nothing leaves its output out (the execution then shows the
// output as not available). Pure.

import type { StepOutputDefinition } from '../domain/automation/runbook.ts';

/** The path's keys and indexes, or undefined when it is not the subset read here. */
export function selectorPath(selector: string): Array<string | number> | undefined {
  if (!selector.startsWith('$')) return undefined;
  const parts: Array<string | number> = [];
  const pattern = /\.([A-Za-z0-9_$:-]+)|\[(\d+)\]|\['([^']*)'\]|\["([^"]*)"\]/y;
  let at = 1;
  while (at < selector.length) {
    pattern.lastIndex = at;
    const m = pattern.exec(selector);
    if (!m) return undefined;
    parts.push(m[1] ?? (m[2] !== undefined ? Number(m[2]) : (m[3] ?? m[4])));
    at = pattern.lastIndex;
  }
  return parts;
}

export function select(root: unknown, selector: string): unknown {
  const path = selectorPath(selector);
  if (!path) return undefined;
  let value: unknown = root;
  for (const part of path) {
    if (value === null || typeof value !== 'object') return undefined;
    if (typeof part === 'number') {
      if (!Array.isArray(value)) return undefined;
      value = value[part];
    } else {
      if (Array.isArray(value) || !Object.hasOwn(value, part)) return undefined;
      value = (value as Record<string, unknown>)[part];
    }
  }
  return value;
}

/** A value as the output's Type: String is text (JSON for a structure), Integer a number, Boolean a flag. */
function typed(value: unknown, type: string): unknown {
  switch (type) {
    case 'String':
      return typeof value === 'string' ? value : JSON.stringify(value);
    case 'Integer':
      return typeof value === 'number' ? value : Number(value);
    case 'Boolean':
      return typeof value === 'boolean' ? value : String(value) === 'true';
    default:
      return value;
  }
}

export function selectOutputs(definitions: readonly StepOutputDefinition[], root: unknown): Record<string, unknown> {
  const outputs: Record<string, unknown> = {};
  for (const d of definitions) {
    if (!d.name) continue;
    const value = select(root, d.selector);
    if (value !== undefined) outputs[d.name] = typed(value, d.type);
  }
  return outputs;
}
