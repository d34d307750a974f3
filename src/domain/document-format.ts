// Reading document content in JSON or YAML, and GetDocument's conversion between the two.
//
// YAML goes through the `yaml` package in YAML 1.1 mode: [I] AWS's service is Java, and Java's YAML parser
// (SnakeYAML, under Jackson) reads YAML 1.1, where `yes`/`no`/`on`/`off` are booleans.
// Converted YAML follows [I] Jackson's YAML writer: a `---` start line, string values double-quoted, keys
// plain, list items at their key's indent. Converted JSON is [I] compact, as Jackson writes it.

import { parseDocument, Document, isScalar } from 'yaml';
import { ValidationException } from './errors.ts';
import { InvalidDocumentContent } from './document-content-errors.ts';

export type DocumentFormat = 'JSON' | 'YAML' | 'TEXT';

export interface ReadContent {
  body: Record<string, unknown>;
  /** schemaVersion as written (a YAML `2.0` stays "2.0", not 2), or undefined when absent. */
  schemaVersion: string | undefined;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Line and column (1-based) of a character offset. */
function position(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, Math.max(0, Math.min(offset, text.length)));
  const lines = before.split('\n');
  return { line: lines.length, column: lines[lines.length - 1].length + 1 };
}

// V8 names the place for most errors ("... at position 6 (line 1 column 7)"); for an unexpected first
// token it does not, and the token's place is found by where the parse would have to stop. [I] AWS's
// Jackson parser counts lines and columns from 1, as we do; its column can differ by a token's length.
function jsonError(content: string, message: string): InvalidDocumentContent {
  const at = /line (\d+) column (\d+)/.exec(message);
  if (at) return new InvalidDocumentContent({ problem: 'json', line: Number(at[1]), column: Number(at[2]) });
  const offset = /at position (\d+)/.exec(message);
  if (offset) return new InvalidDocumentContent({ problem: 'json', ...position(content, Number(offset[1])) });
  if (/Unexpected end of JSON input/.test(message)) return new InvalidDocumentContent({ problem: 'json', ...position(content, content.length) });
  const token = /Unexpected token '(.)'/.exec(message);
  const index = token ? content.indexOf(token[1]) : 0;
  return new InvalidDocumentContent({ problem: 'json', ...position(content, index) });
}

function readJson(content: string): ReadContent {
  let parsed: unknown;
  try {
    parsed = JSON.parse(content);
  } catch (error) {
    throw jsonError(content, (error as Error).message);
  }
  if (!isObject(parsed)) throw new InvalidDocumentContent({ problem: 'not-object' });
  const v = parsed.schemaVersion;
  // [I] a number (`"schemaVersion": 2.2`) is read as its text; a whole number as "N.0".
  const schemaVersion = typeof v === 'string' ? v : typeof v === 'number' ? (Number.isInteger(v) ? v.toFixed(1) : String(v)) : undefined;
  return { body: parsed, schemaVersion };
}

function readYaml(content: string): ReadContent {
  const document = parseDocument(content, { version: '1.1', keepSourceTokens: true, prettyErrors: true });
  const error = document.errors[0];
  if (error) {
    const at = error.linePos?.[0] ?? { line: 1, col: 1 };
    throw new InvalidDocumentContent({ problem: 'yaml', line: at.line, column: at.col });
  }
  let body: unknown;
  try {
    body = document.toJS({ maxAliasCount: 100 });
  } catch {
    throw new InvalidDocumentContent({ problem: 'not-object' }); // an alias bomb or a bad merge
  }
  if (!isObject(body)) throw new InvalidDocumentContent({ problem: 'not-object' });
  const node = document.get('schemaVersion', true);
  let schemaVersion: string | undefined;
  if (isScalar(node) && node.value !== null && typeof node.value !== 'object') {
    schemaVersion = typeof node.value === 'string' ? node.value : (node.srcToken && 'source' in node.srcToken ? node.srcToken.source : String(node.value));
  }
  return { body, schemaVersion };
}

/** The content as a map, or InvalidDocumentContent with the line and column where it stops being JSON/YAML. */
export function readContent(content: string, format: 'JSON' | 'YAML'): ReadContent {
  return format === 'JSON' ? readJson(content) : readYaml(content);
}

export function toYaml(body: unknown): string {
  return new Document(body).toString({
    directives: true,
    indentSeq: false,
    defaultStringType: 'QUOTE_DOUBLE',
    defaultKeyType: 'PLAIN',
    lineWidth: 0,
  });
}

/** GetDocument's DocumentFormat conversion. The same format returns the content byte for byte. */
export function convertContent(content: string, from: DocumentFormat, to: DocumentFormat): string {
  if (from === to) return content;
  if (from === 'TEXT' || to === 'TEXT') {
    // [I] TEXT content has no structure to convert; AWS's words for this are not known.
    throw new ValidationException(`Document format ${from} cannot be converted to ${to}.`);
  }
  const { body } = readContent(content, from);
  return to === 'YAML' ? toYaml(body) : JSON.stringify(body);
}
