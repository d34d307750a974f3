// The built-in SSM documents (Amazon-owned Command documents) and the rules Run Command applies to the
// parameters a caller passes to one. Pure data and functions: no I/O, no clock.
//
// AWS-RunShellScript and AWS-RunPowerShellScript are schema 1.2 documents on AWS (aws-cli's
// get-document example and the SSM Agent's own test data show their content): one `runtimeConfig` plugin
// each, so the plugin a command invocation reports is the plugin's name, `aws:runShellScript`.

import { createHash } from 'node:crypto';
import { ServiceError } from './errors.ts';

export type PlatformType = 'Windows' | 'Linux' | 'MacOS';
export type PluginName = 'aws:runShellScript' | 'aws:runPowerShellScript';
export type ContentFormat = 'JSON' | 'YAML';

export interface DocumentParameterDefinition {
  name: string;
  type: 'String' | 'StringList';
  description: string;
  /** Absent: the parameter is required. */
  defaultValue?: string;
  /** The whole value must match (AWS applies the document's pattern to the entire value). */
  allowedPattern?: string;
  /** StringList only: the fewest values accepted. */
  minItems?: number;
  /** String only: the longest value accepted. */
  maxChars?: number;
}

export interface BuiltInDocument {
  name: string;
  owner: 'Amazon';
  documentType: 'Command';
  documentFormat: 'JSON';
  schemaVersion: string;
  description: string;
  platformTypes: PlatformType[];
  parameters: DocumentParameterDefinition[];
  pluginName: PluginName;
  /** The only version there is: DocumentVersion, LatestVersion and DefaultVersion. */
  version: '1';
  /** Epoch milliseconds; fixed, as a published document's creation time is. */
  createdAt: number;
  /** The document content exactly as GetDocument returns it in JSON. */
  content: string;
  /** Lower-case hex SHA-256 of `content` (HashType Sha256). */
  hash: string;
}

// The executionTimeout pattern AWS's documents carry: 1 to 172800 seconds (48 hours).
const EXECUTION_TIMEOUT_PATTERN = '([1-9][0-9]{0,4})|(1[0-6][0-9]{4})|(17[0-1][0-9]{3})|(172[0-7][0-9]{2})|(172800)';

function scriptParameters(commandsDescription: string): DocumentParameterDefinition[] {
  return [
    { name: 'commands', type: 'StringList', description: commandsDescription, minItems: 1 },
    {
      name: 'workingDirectory',
      type: 'String',
      description: '(Optional) The path to the working directory on your instance.',
      defaultValue: '',
      maxChars: 4096,
    },
    {
      name: 'executionTimeout',
      type: 'String',
      description:
        '(Optional) The time in seconds for a command to be completed before it is considered to have failed. Default is 3600 (1 hour). Maximum is 172800 (48 hours).',
      defaultValue: '3600',
      allowedPattern: EXECUTION_TIMEOUT_PATTERN,
    },
  ];
}

/** The schema 1.2 content of a one-plugin script document, in AWS's layout (4-space indent, `"key":value`). */
function scriptContent(description: string, plugin: PluginName, parameters: DocumentParameterDefinition[]): string {
  const declared = Object.fromEntries(
    parameters.map((p) => [
      p.name,
      {
        type: p.type,
        ...(p.defaultValue === undefined ? {} : { default: p.defaultValue }),
        description: p.description,
        ...(p.minItems === undefined ? {} : { minItems: p.minItems, displayType: 'textarea' }),
        ...(p.maxChars === undefined ? {} : { maxChars: p.maxChars }),
        ...(p.allowedPattern === undefined ? {} : { allowedPattern: p.allowedPattern }),
      },
    ]),
  );
  const body = {
    schemaVersion: '1.2',
    description,
    parameters: declared,
    runtimeConfig: {
      [plugin]: {
        properties: [
          {
            id: `0.${plugin}`,
            runCommand: '{{ commands }}',
            workingDirectory: '{{ workingDirectory }}',
            timeoutSeconds: '{{ executionTimeout }}',
          },
        ],
      },
    },
  };
  // JSON.stringify puts a space after each key's colon; AWS's stored content has none.
  return `${JSON.stringify(body, null, 4).replace(/^(\s*"(?:[^"\\]|\\.)*"): /gm, '$1:')}\n`;
}

function scriptDocument(fields: {
  name: string;
  description: string;
  commandsDescription: string;
  plugin: PluginName;
  platformTypes: PlatformType[];
  createdAt: number;
}): BuiltInDocument {
  const parameters = scriptParameters(fields.commandsDescription);
  const content = scriptContent(fields.description, fields.plugin, parameters);
  return {
    name: fields.name,
    owner: 'Amazon',
    documentType: 'Command',
    documentFormat: 'JSON',
    schemaVersion: '1.2',
    description: fields.description,
    platformTypes: fields.platformTypes,
    parameters,
    pluginName: fields.plugin,
    version: '1',
    createdAt: fields.createdAt,
    content,
    hash: createHash('sha256').update(content).digest('hex'),
  };
}

/** Every built-in document, sorted by name (the order ListDocuments pages through). */
export const builtInDocuments: readonly BuiltInDocument[] = [
  scriptDocument({
    name: 'AWS-RunPowerShellScript',
    description: 'Run a PowerShell script or specify the paths to scripts to run.',
    commandsDescription: '(Required) Specify the commands to run or the paths to existing scripts on the instance.',
    plugin: 'aws:runPowerShellScript',
    // PowerShell runs on Linux and macOS nodes too, and AWS lists all three for this document.
    platformTypes: ['Windows', 'Linux', 'MacOS'],
    createdAt: Date.UTC(2017, 7, 31, 0, 0, 0),
  }),
  scriptDocument({
    name: 'AWS-RunShellScript',
    description: 'Run a shell script or specify the commands to run.',
    commandsDescription: '(Required) Specify a shell script or a command to run.',
    plugin: 'aws:runShellScript',
    platformTypes: ['Linux', 'MacOS'],
    createdAt: Date.UTC(2017, 7, 31, 0, 0, 0),
  }),
];

const byName = new Map(builtInDocuments.map((d) => [d.name, d]));

export class InvalidDocument extends ServiceError {
  readonly documentName: string;
  constructor(missing: { name: string }) {
    super('InvalidDocument', 'The specified document does not exist.');
    this.documentName = missing.name;
  }
}

export class InvalidDocumentVersion extends ServiceError {
  readonly wanted: { name: string; version?: string; versionName?: string };
  constructor(wanted: { name: string; version?: string; versionName?: string }) {
    super('InvalidDocumentVersion', 'The document version is not valid or does not exist.');
    this.wanted = wanted;
  }
}

export type ParameterProblem =
  | { problem: 'undefined'; names: string[] }
  | { problem: 'missing'; names: string[] }
  | { problem: 'pattern'; name: string; value: string; pattern: string }
  | { problem: 'one-value'; name: string; count: number; type?: string }
  | { problem: 'too-long'; name: string; maxChars: number }
  // The kinds below serve documents users write (document-parameters.ts); their wording is inferred.
  | { problem: 'not-allowed'; name: string; value: string; allowedValues: string[] }
  | { problem: 'too-short'; name: string; minChars: number }
  | { problem: 'too-few-items'; name: string; minItems: number }
  | { problem: 'too-many-items'; name: string; maxItems: number }
  | { problem: 'not-type'; name: string; value: string; type: string };

function parameterMessage(p: ParameterProblem): string {
  switch (p.problem) {
    case 'undefined':
      return `Parameters [${p.names.join(', ')}] are not defined in the document.`;
    case 'missing':
      return `Parameters [${p.names.join(', ')}] are required but not provided.`;
    case 'pattern':
      // AWS's own wording (seen for StartSession, which validates document parameters the same way).
      return `Parameter "${p.name}" has value "${p.value}" not matching "${p.pattern}".`;
    case 'one-value':
      return `Parameter "${p.name}" is of type ${p.type ?? 'String'} and takes exactly one value, but ${p.count} were given.`;
    case 'too-long':
      return `Parameter "${p.name}" has a value longer than ${p.maxChars} characters.`;
    case 'not-allowed':
      return `Parameter "${p.name}" has value "${p.value}" not in {${p.allowedValues.join(', ')}}.`;
    case 'too-short':
      return `Parameter "${p.name}" has a value shorter than ${p.minChars} characters.`;
    case 'too-few-items':
      return `Parameter "${p.name}" takes at least ${p.minItems} values.`;
    case 'too-many-items':
      return `Parameter "${p.name}" takes at most ${p.maxItems} values.`;
    case 'not-type':
      return `Parameter "${p.name}" has value "${p.value}" that is not a valid ${p.type}.`;
  }
}

export class InvalidParameters extends ServiceError {
  readonly detail: ParameterProblem;
  constructor(detail: ParameterProblem) {
    super('InvalidParameters', parameterMessage(detail));
    this.detail = detail;
  }
}

/**
 * The document a request names, at the version it asks for: none (the default), `$DEFAULT`, `$LATEST` or
 * `1`. A version name never matches: built-in documents have none.
 */
export function findDocument(name: string, version?: string, versionName?: string): BuiltInDocument {
  const document = byName.get(name);
  if (!document) throw new InvalidDocument({ name });
  const versionOk = version === undefined || version === '$DEFAULT' || version === '$LATEST' || version === document.version;
  if (!versionOk || versionName !== undefined) throw new InvalidDocumentVersion({ name, version, versionName });
  return document;
}

export interface ResolvedDocument {
  document: BuiltInDocument;
  pluginName: PluginName;
  /** Every parameter the document declares: the caller's values, defaults for the rest. */
  parameters: Record<string, string[]>;
  /** The document's executionTimeout, in seconds. */
  executionTimeoutSeconds: number;
}

/**
 * What SendCommand checks before anything runs: the document exists at that version, and the parameters
 * are the document's (none unknown, every required one given, each value as the declaration allows).
 */
export function resolveDocumentParameters(
  documentName: string,
  documentVersion: string | undefined,
  parameters: Record<string, string[]> | undefined,
): ResolvedDocument {
  const document = findDocument(documentName, documentVersion);
  const given = parameters ?? {};
  const declared = new Set(document.parameters.map((p) => p.name));
  const unknown = Object.keys(given).filter((name) => !declared.has(name));
  if (unknown.length > 0) throw new InvalidParameters({ problem: 'undefined', names: unknown });
  const missing = document.parameters
    .filter((p) => p.defaultValue === undefined && (given[p.name] ?? []).length < (p.minItems ?? 1))
    .map((p) => p.name);
  if (missing.length > 0) throw new InvalidParameters({ problem: 'missing', names: missing });

  const resolved: Record<string, string[]> = {};
  for (const p of document.parameters) {
    const values = Object.hasOwn(given, p.name) ? given[p.name] : [p.defaultValue ?? ''];
    if (p.type === 'String' && values.length !== 1) {
      throw new InvalidParameters({ problem: 'one-value', name: p.name, count: values.length });
    }
    for (const value of values) {
      if (p.maxChars !== undefined && value.length > p.maxChars) {
        throw new InvalidParameters({ problem: 'too-long', name: p.name, maxChars: p.maxChars });
      }
      if (p.allowedPattern !== undefined && !new RegExp(`^(?:${p.allowedPattern})$`).test(value)) {
        throw new InvalidParameters({ problem: 'pattern', name: p.name, value, pattern: p.allowedPattern });
      }
    }
    resolved[p.name] = [...values];
  }
  return {
    document,
    pluginName: document.pluginName,
    parameters: resolved,
    executionTimeoutSeconds: Number(resolved.executionTimeout[0]),
  };
}

/** The content in the format asked for: as stored (JSON), or converted to YAML as GetDocument does. */
export function documentContent(document: BuiltInDocument, format: ContentFormat): string {
  return format === 'JSON' ? document.content : toYaml(JSON.parse(document.content) as unknown, 0);
}

// A small YAML writer for document content (maps, lists, strings, numbers): block style, strings plain
// when that is unambiguous and double-quoted (JSON escapes are valid YAML) otherwise.
function scalar(value: unknown): string {
  if (typeof value !== 'string') return JSON.stringify(value);
  const plain = /^[A-Za-z(][A-Za-z0-9 .,()_/-]*$/.test(value) && !/^(true|false|yes|no|on|off|null|~)$/i.test(value) && !value.endsWith(' ');
  return plain ? value : JSON.stringify(value);
}

function toYaml(value: unknown, indent: number): string {
  const pad = ' '.repeat(indent);
  if (Array.isArray(value)) {
    if (value.length === 0) return `${pad}[]\n`;
    return value
      .map((item) => {
        const nested = typeof item === 'object' && item !== null;
        return nested ? `${pad}- ${toYaml(item, indent + 2).slice(indent + 2)}` : `${pad}- ${scalar(item)}\n`;
      })
      .join('');
  }
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value);
    if (entries.length === 0) return `${pad}{}\n`;
    return entries
      .map(([key, item]) => {
        const nested = typeof item === 'object' && item !== null && Object.keys(item).length > 0;
        return nested ? `${pad}${scalar(key)}:\n${toYaml(item, indent + 2)}` : `${pad}${scalar(key)}: ${toYaml(item, 0).trimEnd()}\n`;
      })
      .join('');
  }
  return `${pad}${scalar(value)}\n`;
}
