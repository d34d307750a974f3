// Document content as CreateDocument and UpdateDocument understand it: JSON or YAML, the schema version the
// document type takes, its parameters, its steps and the `{{ name }}` references inside them. Pure: the
// content is read, never re-serialized (the caller keeps the bytes as sent); conversion is asked for apart.
//
// Schema versions per type: AWS's "Schema features and examples" page (docs.aws.amazon.com/systems-manager/
// latest/userguide/documents-schemas-features.html, quoted in github.com/aws-cloudformation/cfn-lint issue
// 3510): Command 1.2, 2.0 and 2.2; Policy 2.0 or later; Automation 0.3; Session 1.0. Package 2.0 is [I].
// Step names: AWS's Automation actions reference gives `[a-zA-Z0-9_]+$` (github.com/awsdocs/aws-systems-
// manager-user-guide, doc_source/automation-actions.md); Command steps take [I] also '.' and '-'.
// `precondition` is for schema 2.2 and later (doc_source/documents-schemas-features.md).

import { InvalidDocumentContent, InvalidDocumentSchemaVersion } from './document-content-errors.ts';
import { commandPlatforms, isAutomationAction, isCommandPlugin, servicePlatforms, type Platform } from './document-actions.ts';
import { readContent, type DocumentFormat } from './document-format.ts';
import { readParameters, renderDefault, resolveDeclaredValues, type DocumentParameter, type ParameterType } from './document-parameters.ts';

export type { DocumentFormat } from './document-format.ts';
export type { DocumentParameter, ParameterType } from './document-parameters.ts';
export { convertContent } from './document-format.ts';
export { InvalidDocumentContent, InvalidDocumentSchemaVersion, type ContentProblem } from './document-content-errors.ts';

/** The model's DocumentType enum (spec/ssm-maintenance-windows.json); the four we understand named. */
export type DocumentType = 'Command' | 'Automation' | 'Session' | 'Package' | string;

export interface DocumentStep {
  name: string;
  action: string;
  precondition?: { StringEquals: [string, string] };
  inputs: unknown;
}

export interface ParsedDocument {
  schemaVersion: string;
  description?: string;
  parameters: DocumentParameter[];
  steps: DocumentStep[];
  /** Derived from the actions (aws:runShellScript: Linux and MacOS; aws:runPowerShellScript: all three). */
  platformTypes: Platform[];
  /** The parsed content. */
  body: Record<string, unknown>;
}

// Every schema version AWS has; one outside this list is invalid content, one inside it but not for the
// document's type is InvalidDocumentSchemaVersion.
const KNOWN_SCHEMAS = new Set(['0.3', '1.0', '1.2', '2.0', '2.2']);
const SCHEMAS: Record<string, string[]> = {
  Command: ['1.2', '2.0', '2.2'],
  Automation: ['0.3'],
  Session: ['1.0'],
  Package: ['2.0'],
  Policy: ['2.0', '2.2'],
};
// [I] TEXT is AppConfig's freeform format: documents of the application-configuration types take it.
const TEXT_TYPES = new Set(['ApplicationConfiguration']);

const AUTOMATION_STEP = /^[a-zA-Z0-9_]+$/;
const COMMAND_STEP = /^[a-zA-Z0-9_.-]+$/;
const PLATFORMS = new Set(['Windows', 'Linux', 'MacOS']);
// References Automation resolves itself: AWS's "Runbook variables" (automation:EXECUTION_ID, global:...).
const AUTOMATION_VARIABLES = /^(automation:[A-Z_]+|global:[A-Z_]+|variable:[A-Za-z0-9_]+)$/;
// Parameter Store references, resolved when the document runs.
const STORE_REFERENCE = /^ssm(-secure)?:/;
const REFERENCE = /^\{\{\s*[^{}]+?\s*\}\}$/;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Parses and checks content as CreateDocument/UpdateDocument do; throws the ServiceError AWS answers. */
export function parseDocumentContent(content: string, format: DocumentFormat, documentType: DocumentType): ParsedDocument {
  if (format === 'TEXT') {
    if (!TEXT_TYPES.has(documentType)) throw new InvalidDocumentContent({ problem: 'format', format, documentType });
    return { schemaVersion: '', parameters: [], steps: [], platformTypes: [], body: {} };
  }
  const { body, schemaVersion } = readContent(content, format);
  const allowed = SCHEMAS[documentType];
  // [I] the types we do not model (Policy aside) are kept as parsed, with the schema version they carry.
  if (allowed === undefined) {
    return { schemaVersion: schemaVersion ?? '', parameters: readParameters(body.parameters), steps: [], platformTypes: [], body };
  }
  if (schemaVersion === undefined) throw new InvalidDocumentContent({ problem: 'schema-missing' });
  if (!KNOWN_SCHEMAS.has(schemaVersion)) throw new InvalidDocumentContent({ problem: 'schema-invalid', schemaVersion });
  if (!allowed.includes(schemaVersion)) throw new InvalidDocumentSchemaVersion({ schemaVersion, documentType });
  if (body.description !== undefined && typeof body.description !== 'string') {
    throw new InvalidDocumentContent({ problem: 'field', where: 'Document', field: 'description', expected: 'a string' });
  }
  const parameters = readParameters(body.parameters);
  const base = { schemaVersion, parameters, body, ...(typeof body.description === 'string' ? { description: body.description } : {}) };

  if (documentType === 'Command') {
    const steps = schemaVersion === '1.2' ? runtimeConfigSteps(body) : mainSteps(body, 'Command', schemaVersion === '2.2');
    checkReferences(steps, parameters, 'Command');
    return { ...base, steps, platformTypes: commandPlatforms(steps.map((s) => s.action)) };
  }
  if (documentType === 'Automation') {
    const steps = mainSteps(body, 'Automation', false);
    checkAutomationFields(body, steps);
    checkReferences(steps, parameters, 'Automation');
    return { ...base, steps, platformTypes: servicePlatforms() };
  }
  if (documentType === 'Session') checkSessionFields(body);
  // Session, Package and Policy documents have no steps we run: checked for their schema and parameters.
  return { ...base, steps: [], platformTypes: documentType === 'Session' ? servicePlatforms() : [] };
}

// Session Manager's "Session document schema": sessionType is required and one of four; `inputs` (the
// session preferences) is required for Standard_Stream; inputs and properties are maps.
const SESSION_TYPES = ['InteractiveCommands', 'NonInteractiveCommands', 'Port', 'Standard_Stream'];

function checkSessionFields(body: Record<string, unknown>): void {
  if (typeof body.sessionType !== 'string' || !SESSION_TYPES.includes(body.sessionType)) {
    throw new InvalidDocumentContent({ problem: 'field', where: 'Document', field: 'sessionType', expected: `one of ${SESSION_TYPES.join(', ')}` });
  }
  const needsInputs = body.sessionType === 'Standard_Stream';
  if (body.inputs === undefined ? needsInputs : !isObject(body.inputs)) {
    throw new InvalidDocumentContent({ problem: 'field', where: 'Document', field: 'inputs', expected: 'a map' });
  }
  if (body.properties !== undefined && !isObject(body.properties)) {
    throw new InvalidDocumentContent({ problem: 'field', where: 'Document', field: 'properties', expected: 'a map' });
  }
}

/** Schema 1.2: one step per `runtimeConfig` plugin, named after the plugin, its `properties` as inputs. */
function runtimeConfigSteps(body: Record<string, unknown>): DocumentStep[] {
  const config = body.runtimeConfig;
  if (!isObject(config)) throw new InvalidDocumentContent({ problem: 'field', where: 'Document', field: 'runtimeConfig', expected: 'a map' });
  const entries = Object.entries(config);
  if (entries.length === 0) throw new InvalidDocumentContent({ problem: 'no-steps', field: 'runtimeConfig' });
  return entries.map(([plugin, spec]) => {
    if (!isCommandPlugin(plugin)) throw new InvalidDocumentContent({ problem: 'action', step: plugin, action: plugin });
    if (!isObject(spec) || !(isObject(spec.properties) || Array.isArray(spec.properties))) {
      throw new InvalidDocumentContent({ problem: 'field', where: `Plugin "${plugin}"`, field: 'properties', expected: 'a map or a list' });
    }
    return { name: plugin, action: plugin, inputs: spec.properties };
  });
}

/** Schema 2.0, 2.2 and 0.3: `mainSteps`, each with a unique name, a known action and its inputs. */
function mainSteps(body: Record<string, unknown>, kind: 'Command' | 'Automation', preconditions: boolean): DocumentStep[] {
  const list = body.mainSteps;
  if (!Array.isArray(list)) throw new InvalidDocumentContent({ problem: 'field', where: 'Document', field: 'mainSteps', expected: 'a list' });
  if (list.length === 0) throw new InvalidDocumentContent({ problem: 'no-steps', field: 'mainSteps' });
  const seen = new Set<string>();
  const steps = list.map((raw, index) => {
    const where = `Step ${index + 1}`;
    if (!isObject(raw)) throw new InvalidDocumentContent({ problem: 'field', where, field: 'the step', expected: 'a map' });
    const { name, action } = raw;
    if (typeof name !== 'string') throw new InvalidDocumentContent({ problem: 'field', where, field: 'name', expected: 'a string' });
    if (typeof action !== 'string') throw new InvalidDocumentContent({ problem: 'field', where: `Step "${name}"`, field: 'action', expected: 'a string' });
    const pattern = kind === 'Automation' ? AUTOMATION_STEP : COMMAND_STEP;
    if (!pattern.test(name)) throw new InvalidDocumentContent({ problem: 'step-name', name, pattern: pattern.source });
    if (seen.has(name)) throw new InvalidDocumentContent({ problem: 'duplicate-step', name });
    seen.add(name);
    const known = kind === 'Automation' ? isAutomationAction(action) : isCommandPlugin(action);
    if (!known) throw new InvalidDocumentContent({ problem: 'action', step: name, action });
    // Inputs are a map (a list, as 1.2's properties, is refused: github.com/hashicorp/terraform-provider-aws
    // issue 10130). [I] Automation steps must carry them; a Command step may omit them.
    const inputs = raw.inputs;
    if (inputs === undefined ? kind === 'Automation' : !isObject(inputs)) {
      throw new InvalidDocumentContent({ problem: 'field', where: `Step "${name}"`, field: 'inputs', expected: 'a map' });
    }
    const step: DocumentStep = { name, action, inputs: inputs ?? {} };
    if (raw.precondition !== undefined) step.precondition = precondition(name, raw.precondition, preconditions);
    return step;
  });
  if (kind === 'Automation') checkAutomationSteps(list as Record<string, unknown>[], seen);
  return steps;
}

// `StringEquals: [platformType, Linux|MacOS|Windows]`, or a document parameter's value against a string
// (`["{{ Mode }}", "full"]`): "supports referencing your SSM document's input parameters, and platformType"
// (doc_source/documents-schemas-features.md). The reference itself is checked with the others.
function precondition(step: string, raw: unknown, allowed: boolean): { StringEquals: [string, string] } {
  const pair = isObject(raw) && Object.keys(raw).length === 1 ? raw.StringEquals : undefined;
  const ok =
    allowed &&
    Array.isArray(pair) &&
    pair.length === 2 &&
    typeof pair[1] === 'string' &&
    (pair[0] === 'platformType' ? PLATFORMS.has(pair[1]) : typeof pair[0] === 'string' && REFERENCE.test(pair[0]));
  if (!ok) throw new InvalidDocumentContent({ problem: 'precondition', step });
  return { StringEquals: [pair[0] as string, pair[1] as string] };
}

// A runbook step's flow fields (doc_source/automation-actions.md): onFailure Abort | Continue | step:NAME,
// onCancel Abort | step:NAME, nextStep NAME, maxAttempts and timeoutSeconds integers, isEnd and isCritical
// booleans. [I] that a step they name must exist at CreateDocument, and the wording.
function checkAutomationSteps(list: Record<string, unknown>[], names: Set<string>): void {
  for (const raw of list) {
    const where = `Step "${String(raw.name)}"`;
    const flow = (field: string, fixed: string[]) => {
      const v = raw[field];
      if (v === undefined) return;
      const ok = typeof v === 'string' && (fixed.includes(v) || (v.startsWith('step:') && names.has(v.slice(5))));
      if (!ok) throw new InvalidDocumentContent({ problem: 'field', where, field, expected: [...fixed, 'step:NAME of a step'].join(' or ') });
    };
    flow('onFailure', ['Abort', 'Continue']);
    flow('onCancel', ['Abort']);
    if (raw.nextStep !== undefined && !(typeof raw.nextStep === 'string' && names.has(raw.nextStep))) {
      throw new InvalidDocumentContent({ problem: 'field', where, field: 'nextStep', expected: 'the name of a step' });
    }
    for (const field of ['maxAttempts', 'timeoutSeconds']) {
      if (raw[field] !== undefined && !(Number.isInteger(raw[field]) && (raw[field] as number) > 0)) {
        throw new InvalidDocumentContent({ problem: 'field', where, field, expected: 'a positive integer' });
      }
    }
    for (const field of ['isEnd', 'isCritical']) {
      if (raw[field] !== undefined && typeof raw[field] !== 'boolean') {
        throw new InvalidDocumentContent({ problem: 'field', where, field, expected: 'true or false' });
      }
    }
  }
}

/** [I] Automation's `assumeRole` is a string, `outputs` a list of `Step.Output` names of existing steps. */
function checkAutomationFields(body: Record<string, unknown>, steps: DocumentStep[]): void {
  if (body.assumeRole !== undefined && typeof body.assumeRole !== 'string') {
    throw new InvalidDocumentContent({ problem: 'field', where: 'Document', field: 'assumeRole', expected: 'a string' });
  }
  if (body.outputs === undefined) return;
  const names = new Set(steps.map((s) => s.name));
  const outputs = body.outputs;
  const ok = Array.isArray(outputs) && outputs.every((o) => typeof o === 'string' && names.has(o.split('.')[0]) && o.includes('.'));
  if (!ok) throw new InvalidDocumentContent({ problem: 'field', where: 'Document', field: 'outputs', expected: 'a list of Step.Output names' });
}

/** Every string inside a value, depth first. */
function strings(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const v of value) strings(v, out);
  else if (isObject(value)) for (const [k, v] of Object.entries(value)) strings(v, strings(k, out));
  return out;
}

/** Each `{{ name }}` inside the steps names a declared parameter (or, in a runbook, a variable or step output). */
function checkReferences(steps: DocumentStep[], parameters: DocumentParameter[], kind: 'Command' | 'Automation'): void {
  const declared = new Set(parameters.map((p) => p.name));
  const stepNames = new Set(steps.map((s) => s.name));
  for (const text of strings(steps.map((s) => ({ inputs: s.inputs, precondition: s.precondition })))) {
    for (const match of text.matchAll(/\{\{\s*([^{}]*?)\s*\}\}/g)) {
      const name = match[1];
      if (declared.has(name) || STORE_REFERENCE.test(name)) continue;
      if (kind === 'Automation' && (AUTOMATION_VARIABLES.test(name) || stepNames.has(name.split('.')[0]))) continue;
      throw new InvalidDocumentContent({ problem: 'undeclared', name });
    }
  }
}

/** DescribeDocument's Parameters: Name, Type, Description, DefaultValue as AWS renders each type's default. */
export function describedParameters(document: ParsedDocument): { Name: string; Type: ParameterType; Description?: string; DefaultValue?: string }[] {
  return document.parameters.map((p) => {
    const defaultValue = renderDefault(p);
    return {
      Name: p.name,
      Type: p.type,
      ...(p.description === undefined ? {} : { Description: p.description }),
      ...(defaultValue === undefined ? {} : { DefaultValue: defaultValue }),
    };
  });
}

/** SendCommand's parameter check for this document; every declared parameter's values, defaults applied. */
export function resolveParameterValues(document: ParsedDocument, sent: Record<string, string[]> | undefined): Record<string, string[]> {
  return resolveDeclaredValues(document.parameters, sent);
}
