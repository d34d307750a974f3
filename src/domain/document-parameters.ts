// A document's declared parameters: read and checked at CreateDocument (a default must keep its own
// constraints), rendered for DescribeDocument, and applied to the values SendCommand passes.
//
// Types and attributes: AWS's "Data elements and parameters" page (docs.aws.amazon.com/systems-manager/
// latest/userguide/documents-syntax-data-elements-parameters.html; github.com/awsdocs/aws-systems-manager-
// user-guide, doc_source/documents-syntax-data-elements-parameters.md). Rules marked [I] are inferred.
// That page says Command documents take only String and StringList, but AWS's own Command documents
// declare Boolean (aws:updateSsmAgent's allowDowngrade, the same page) and StringMap (aws:runDocument's
// documentParameters), so every type is taken for every document type.

import { InvalidParameters } from './documents.ts';
import { InvalidDocumentContent } from './document-content-errors.ts';

export type ParameterType = 'String' | 'StringList' | 'Integer' | 'Boolean' | 'MapList' | 'StringMap';

export interface DocumentParameter {
  name: string;
  type: ParameterType;
  description?: string;
  default?: unknown;
  allowedValues?: string[];
  allowedPattern?: string;
  minItems?: number;
  maxItems?: number;
  minChars?: number;
  maxChars?: number;
  displayType?: string;
}

const TYPES = new Set<string>(['String', 'StringList', 'Integer', 'Boolean', 'MapList', 'StringMap']);
const LISTS = new Set<string>(['StringList', 'MapList']);
// [I] AWS's own documents use letters, digits and underscores; we also take '.' and '-'.
const NAME = /^[a-zA-Z0-9_.-]+$/;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The whole value must match: AWS applies a document's pattern to the entire value. */
function matches(pattern: string, value: string): boolean {
  return new RegExp(`^(?:${pattern})$`).test(value);
}

function count(name: string, attribute: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isInteger(value) || (value as number) < 0) throw new InvalidDocumentContent({ problem: 'parameter-attribute', name, attribute });
  return value as number;
}

/** The `parameters` map of a document, checked. Absent: none. */
export function readParameters(declared: unknown): DocumentParameter[] {
  if (declared === undefined || declared === null) return [];
  if (!isObject(declared)) throw new InvalidDocumentContent({ problem: 'field', where: 'Document', field: 'parameters', expected: 'a map' });
  return Object.entries(declared).map(([name, spec]) => readParameter(name, spec));
}

function readParameter(name: string, spec: unknown): DocumentParameter {
  if (!NAME.test(name)) throw new InvalidDocumentContent({ problem: 'parameter-name', name });
  if (!isObject(spec)) throw new InvalidDocumentContent({ problem: 'field', where: `Parameter "${name}"`, field: 'its definition', expected: 'a map' });
  const type = spec.type;
  if (typeof type !== 'string' || !TYPES.has(type)) throw new InvalidDocumentContent({ problem: 'parameter-type', name, type: String(type) });
  const p: DocumentParameter = { name, type: type as ParameterType };
  const text = (attribute: string): string | undefined => {
    const v = spec[attribute];
    if (v === undefined) return undefined;
    if (typeof v !== 'string') throw new InvalidDocumentContent({ problem: 'parameter-attribute', name, attribute });
    return v;
  };
  const description = text('description');
  if (description !== undefined) p.description = description;
  const displayType = text('displayType');
  if (displayType !== undefined) p.displayType = displayType;
  const allowedPattern = text('allowedPattern');
  if (allowedPattern !== undefined) {
    try {
      new RegExp(allowedPattern);
    } catch {
      throw new InvalidDocumentContent({ problem: 'pattern-invalid', name, pattern: allowedPattern });
    }
    p.allowedPattern = allowedPattern;
  }
  if (spec.allowedValues !== undefined) {
    const values = spec.allowedValues;
    // [I] YAML authors write `allowedValues: [1, 2]`; scalars are taken as their text.
    if (!Array.isArray(values) || values.some((v) => isObject(v) || Array.isArray(v))) {
      throw new InvalidDocumentContent({ problem: 'parameter-attribute', name, attribute: 'allowedValues' });
    }
    p.allowedValues = values.map((v) => String(v));
  }
  for (const attribute of ['minItems', 'maxItems', 'minChars', 'maxChars'] as const) {
    const n = count(name, attribute, spec[attribute]);
    if (n === undefined) continue;
    // [I] item counts only make sense for lists, character counts for text.
    const fits = attribute.endsWith('Items') ? LISTS.has(type) : type === 'String' || type === 'StringList';
    if (!fits) throw new InvalidDocumentContent({ problem: 'parameter-attribute', name, attribute });
    p[attribute] = n;
  }
  if (Object.hasOwn(spec, 'default')) {
    p.default = spec.default;
    checkDefault(p);
  }
  return p;
}

// A default's values as text, or undefined when it is not of its type. "Boolean: Accepts only true or
// false. Doesn't accept "true" or 0." and "Integer: ... Doesn't accept decimal numbers ... or numbers wrapped
// in quotation marks" (doc_source/documents-syntax-data-elements-parameters.md). [I] YAML scalars
// (`default: 10` for a String) are taken as their text.
function defaultValues(p: DocumentParameter): string[] | undefined {
  const d = p.default;
  const scalar = (v: unknown) => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
  switch (p.type) {
    case 'String':
      return scalar(d) ? [String(d)] : undefined;
    case 'StringList':
      return Array.isArray(d) && d.every(scalar) ? d.map(String) : undefined;
    case 'Integer':
      return Number.isInteger(d) ? [String(d)] : undefined;
    case 'Boolean':
      return typeof d === 'boolean' ? [String(d)] : undefined;
    case 'StringMap':
      return isObject(d) ? [JSON.stringify(d)] : undefined;
    case 'MapList':
      return Array.isArray(d) && d.every(isObject) ? [JSON.stringify(d)] : undefined;
  }
}

/**
 * [I] A default that is a Parameter Store reference (`{{ssm:name}}`) is resolved when the document runs,
 * so its constraints are not checked here.
 */
const isReference = (d: unknown) => typeof d === 'string' && /^\{\{\s*ssm:[^}]+\}\}$/.test(d);

function checkDefault(p: DocumentParameter): void {
  if (isReference(p.default)) return;
  const values = defaultValues(p);
  if (values === undefined) throw new InvalidDocumentContent({ problem: 'default', name: p.name, rule: 'type' });
  const items = p.type === 'MapList' ? (p.default as unknown[]).length : values.length;
  const broken = constraintBroken(p, values, items);
  if (broken) throw new InvalidDocumentContent({ problem: 'default', name: p.name, rule: broken });
}

/** The first constraint the values break, by its attribute name; undefined when they keep them all. */
function constraintBroken(p: DocumentParameter, values: string[], items: number): string | undefined {
  if (p.minItems !== undefined && items < p.minItems) return 'minItems';
  if (p.maxItems !== undefined && items > p.maxItems) return 'maxItems';
  for (const v of p.type === 'MapList' || p.type === 'StringMap' ? [] : values) {
    if (p.allowedValues !== undefined && !p.allowedValues.includes(v)) return 'allowedValues';
    if (p.allowedPattern !== undefined && !matches(p.allowedPattern, v)) return 'allowedPattern';
    if (p.minChars !== undefined && v.length < p.minChars) return 'minChars';
    if (p.maxChars !== undefined && v.length > p.maxChars) return 'maxChars';
  }
  return undefined;
}

/**
 * DescribeDocument's rendering of a default: text as it is, numbers and booleans as their text, lists and
 * maps as compact JSON. [I] moto writes Python's `json.dumps` (`["a", "b"]`, `False`); AWS's service is
 * Java, whose JSON writer is compact and whose booleans are lower case, so `["a","b"]` and `false`.
 */
export function renderDefault(p: DocumentParameter): string | undefined {
  const d = p.default;
  if (d === undefined || d === null) return undefined;
  return typeof d === 'string' ? d : typeof d === 'object' ? JSON.stringify(d) : String(d);
}

/** The values a parameter runs with when the caller sends none: its default as SendCommand applies it. */
function defaultsFor(p: DocumentParameter): string[] {
  const d = p.default;
  if (Array.isArray(d) && p.type === 'StringList') return d.map(String);
  return [renderDefault(p) ?? ''];
}

// [I] How SendCommand values (always lists of strings) are read for each type: one value for String,
// Integer, Boolean and StringMap; MapList takes one JSON list, or one JSON map per value.
function checkType(p: DocumentParameter, values: string[]): void {
  const single = p.type !== 'StringList' && p.type !== 'MapList';
  if (single && values.length !== 1) throw new InvalidParameters({ problem: 'one-value', name: p.name, count: values.length, type: p.type });
  const wrong = (value: string) => new InvalidParameters({ problem: 'not-type', name: p.name, value, type: p.type });
  const json = (value: string): unknown => {
    try {
      return JSON.parse(value);
    } catch {
      throw wrong(value);
    }
  };
  for (const value of values) {
    if (p.type === 'Integer' && !/^-?\d+$/.test(value)) throw wrong(value);
    if (p.type === 'Boolean' && value !== 'true' && value !== 'false') throw wrong(value);
    if (p.type === 'StringMap' && !isObject(json(value))) throw wrong(value);
    if (p.type === 'MapList') {
      const parsed = json(value);
      const ok = values.length === 1 && Array.isArray(parsed) ? parsed.every(isObject) : isObject(parsed);
      if (!ok) throw wrong(value);
    }
  }
}

function itemCount(p: DocumentParameter, values: string[]): number {
  if (p.type !== 'MapList' || values.length !== 1) return values.length;
  const parsed = JSON.parse(values[0]) as unknown;
  return Array.isArray(parsed) ? parsed.length : 1;
}

/**
 * SendCommand's check of the values a caller passes: none unknown, every required one given, each of its
 * type and within its constraints. Returns every declared parameter's values, defaults for the rest.
 */
export function resolveDeclaredValues(parameters: readonly DocumentParameter[], sent: Record<string, string[]> | undefined): Record<string, string[]> {
  const given = sent ?? {};
  const declared = new Set(parameters.map((p) => p.name));
  const unknown = Object.keys(given).filter((name) => !declared.has(name));
  if (unknown.length > 0) throw new InvalidParameters({ problem: 'undefined', names: unknown });
  // Required: no default. Not sent, or sent empty where at least one value is wanted, is missing.
  const isMissing = (p: DocumentParameter) =>
    !Object.hasOwn(given, p.name) || (given[p.name].length === 0 && (p.minItems ?? 1) > 0);
  const missing = parameters.filter((p) => p.default === undefined && isMissing(p)).map((p) => p.name);
  if (missing.length > 0) throw new InvalidParameters({ problem: 'missing', names: missing });

  const resolved: Record<string, string[]> = {};
  for (const p of parameters) {
    if (!Object.hasOwn(given, p.name)) {
      resolved[p.name] = defaultsFor(p);
      continue;
    }
    const values = given[p.name];
    checkType(p, values);
    const broken = constraintBroken(p, values, itemCount(p, values));
    if (broken) throw constraintError(p, values, broken);
    resolved[p.name] = [...values];
  }
  return resolved;
}

function constraintError(p: DocumentParameter, values: string[], broken: string): InvalidParameters {
  const name = p.name;
  const offending = (test: (v: string) => boolean) => values.find(test) ?? '';
  switch (broken) {
    case 'minItems':
      return new InvalidParameters({ problem: 'too-few-items', name, minItems: p.minItems ?? 0 });
    case 'maxItems':
      return new InvalidParameters({ problem: 'too-many-items', name, maxItems: p.maxItems ?? 0 });
    case 'allowedValues':
      return new InvalidParameters({ problem: 'not-allowed', name, value: offending((v) => !p.allowedValues?.includes(v)), allowedValues: p.allowedValues ?? [] });
    case 'allowedPattern': {
      const pattern = p.allowedPattern ?? '';
      return new InvalidParameters({ problem: 'pattern', name, value: offending((v) => !matches(pattern, v)), pattern });
    }
    case 'minChars':
      return new InvalidParameters({ problem: 'too-short', name, minChars: p.minChars ?? 0 });
    default:
      return new InvalidParameters({ problem: 'too-long', name, maxChars: p.maxChars ?? 0 });
  }
}
