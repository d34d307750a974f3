// The Amazon-owned documents (the catalogue, catalogue/*) and the rules Run Command applies to the
// parameters a caller passes to one. Pure data and functions: no I/O, no clock.
//
// A catalogue entry is its content plus the facts content cannot say (name, type, creation time, target
// type); its schema version, description, parameters and platform types are read from the content by
// parseDocumentContent, the parser the account's own documents go through, so both describe themselves
// the same way.

import { createHash } from 'node:crypto';
import { catalogue, type CatalogueEntry } from './catalogue/index.ts';
import { convertContent, type DocumentType, type ParsedDocument, parseDocumentContent } from './document-content.ts';
import { type DocumentParameter, renderDefault } from './document-parameters.ts';
import { ServiceError } from './errors.ts';

export type PlatformType = 'Windows' | 'Linux' | 'MacOS';
export type ContentFormat = 'JSON' | 'YAML';

/** A declared parameter, with its default as DescribeDocument renders it (absent: the parameter is required). */
export interface DocumentParameterDefinition extends DocumentParameter {
  description: string;
  defaultValue?: string;
}

export interface BuiltInDocument {
  name: string;
  owner: 'Amazon';
  documentType: DocumentType;
  documentFormat: 'JSON';
  schemaVersion: string;
  description: string;
  platformTypes: PlatformType[];
  parameters: DocumentParameterDefinition[];
  /** DescribeDocument's TargetType, where AWS gives the document one (/AWS::EC2::Instance). */
  targetType?: string;
  /** The only version there is: DocumentVersion, LatestVersion and DefaultVersion. */
  version: '1';
  /** Epoch milliseconds; fixed, as a published document's creation time is. */
  createdAt: number;
  /** The document content exactly as GetDocument returns it in JSON. */
  content: string;
  /** Lower-case hex SHA-256 of `content` (HashType Sha256). */
  hash: string;
  /** The content as parseDocumentContent reads it: steps, parameters, platforms. */
  parsed: ParsedDocument;
}

function builtIn(entry: CatalogueEntry): BuiltInDocument {
  // Parsed on first read, not here: document-content.ts reaches this module through document-parameters.ts
  // (InvalidParameters), so when it is the first of them loaded its constants are not yet set as this runs.
  let parsed: ParsedDocument | undefined;
  let parameters: DocumentParameterDefinition[] | undefined;
  const read = () => (parsed ??= parseDocumentContent(entry.content, entry.documentFormat, entry.documentType));
  return {
    name: entry.name,
    owner: 'Amazon',
    documentType: entry.documentType,
    documentFormat: entry.documentFormat,
    version: '1',
    createdAt: entry.createdAt,
    content: entry.content,
    hash: createHash('sha256').update(entry.content).digest('hex'),
    ...(entry.targetType === undefined ? {} : { targetType: entry.targetType }),
    get parsed() {
      return read();
    },
    get schemaVersion() {
      return read().schemaVersion;
    },
    get description() {
      return read().description ?? '';
    },
    get platformTypes() {
      return [...(entry.platformTypes ?? read().platformTypes)];
    },
    get parameters() {
      return (parameters ??= read().parameters.map(definition));
    },
  };
}

function definition(p: DocumentParameter): DocumentParameterDefinition {
  const defaultValue = renderDefault(p);
  return { ...p, description: p.description ?? '', ...(defaultValue === undefined ? {} : { defaultValue }) };
}

/** Every built-in document, sorted by name (the order ListDocuments pages through). */
export const builtInDocuments: readonly BuiltInDocument[] = catalogue.map(builtIn);

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

/** The content in the format asked for: as stored (JSON), or converted to YAML as GetDocument converts the account's own. */
export function documentContent(document: BuiltInDocument, format: ContentFormat): string {
  return convertContent(document.content, document.documentFormat, format);
}
