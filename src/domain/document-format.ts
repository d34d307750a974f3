// Reading document content in JSON or YAML, and GetDocument's conversion between the two.
//
// YAML goes through the `yaml` package in YAML 1.1 mode: [I] YAML 1.1 is what AWS's tools read (its
// converted YAML quotes '1.2' and '3600', as a YAML 1.1 writer does), where `yes`/`no`/`on`/`off` are
// booleans. Converted YAML is AWS's layout (document-yaml.ts); converted JSON is [I] compact.

import { ValidationException } from './errors.ts';
import { InvalidDocumentContent } from './document-content-errors.ts';
import { toAwsYaml } from './document-yaml.ts';
import { yaml } from './yaml-library.ts';

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

/**
 * Index of the first character JSON cannot take: the shortest prefix that fails for a reason other than
 * ending early (V8 names no place for an unexpected token, and a place at the prefix's end means "ends here").
 */
function errorOffset(content: string): number {
  const fails = (k: number): boolean => {
    try {
      JSON.parse(content.slice(0, k));
      return false;
    } catch (error) {
      const message = (error as Error).message;
      if (/Unexpected end of JSON input/.test(message)) return false;
      const at = /at position (\d+)/.exec(message);
      return !(at && Number(at[1]) >= k);
    }
  };
  if (!fails(content.length)) return content.length;
  let lo = 1;
  let hi = content.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (fails(mid)) hi = mid;
    else lo = mid + 1;
  }
  return lo - 1;
}

// AWS's words carry the place its parser stopped: "JSON not well-formed. at Line: 1, Column: 6" for content
// that began `https://` (the evidence in document-content-errors.ts), which is where Jackson, a Java JSON
// parser, stops after reading the unrecognized word `https`. [I] The other places follow the same parser:
// after an unexpected character it has read (column + 1), at a literal cut short (`tru}`), at the end.
function jsonError(content: string): InvalidDocumentContent {
  const i = errorOffset(content);
  let at = position(content, i);
  if (i < content.length) {
    if (/[A-Za-z]/.test(content[i])) {
      let j = i;
      while (j < content.length && /[A-Za-z0-9_$]/.test(content[j])) j++;
      at = position(content, j);
    } else if (!(i > 0 && /[A-Za-z]/.test(content[i - 1]))) {
      at = { line: at.line, column: at.column + 1 };
    }
  }
  return new InvalidDocumentContent({ problem: 'json', ...at });
}

function readJson(content: string): ReadContent {
  let parsed: unknown;
  try {
    parsed = JSON.parse(content);
  } catch {
    throw jsonError(content);
  }
  if (!isObject(parsed)) throw new InvalidDocumentContent({ problem: 'not-object' });
  const v = parsed.schemaVersion;
  // [I] a number (`"schemaVersion": 2.2`) is read as its text; a whole number as "N.0".
  const schemaVersion = typeof v === 'string' ? v : typeof v === 'number' ? (Number.isInteger(v) ? v.toFixed(1) : String(v)) : undefined;
  return { body: parsed, schemaVersion };
}

function readYaml(content: string): ReadContent {
  const { parseDocument, isScalar } = yaml();
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

/** GetDocument's DocumentFormat conversion. The same format returns the content byte for byte. */
export function convertContent(content: string, from: DocumentFormat, to: DocumentFormat): string {
  if (from === to) return content;
  if (from === 'TEXT' || to === 'TEXT') {
    // [I] TEXT content has no structure to convert; AWS's words for this are not known.
    throw new ValidationException(`Document format ${from} cannot be converted to ${to}.`);
  }
  const { body } = readContent(content, from);
  return to === 'YAML' ? toAwsYaml(body) : JSON.stringify(body);
}
