// The YAML GetDocument writes when it converts a JSON document, in AWS's layout.
//
// Evidence: aws-cli's own example (github.com/aws/aws-cli, awscli/examples/ssm/get-document.rst) shows
// AWS-RunPowerShellScript converted to YAML; the unit test reproduces it byte for byte. Its layout is the
// one Ruby's Psych emitter (over libyaml) gives, so these rules are Psych's visit_String [I]:
// - a `---` start line; list items at their key's indent (`properties:` then `- id: ...`);
// - keys follow the same rules as values;
// - a string with an inner line break is a literal block;
// - `y`, `Y`, `n`, `N`, and a string that starts with a non-word character and holds no `"`, are
//   double-quoted ("(Required) ...", "{{ commands }}");
// - a string that would read back as something else (`'1.2'`, `'3600'`, `''`, `'true'`) is single-quoted;
// - anything else is plain (`0.aws:runPowerShellScript`, `textarea`);
// - libyaml folds a scalar at a single space once the line has passed 80 columns, continuing two columns
//   in from its key (`description: "(Required) Specify ... existing` / `      scripts on the instance."`).

import type { Scalar } from 'yaml';
import { yaml } from './yaml-library.ts';

const WIDTH = 80;

/** Whether the text, written plain, reads back as the same string (not a number, a list, a tag, an error). */
function readsBackPlain(text: string): boolean {
  const document = yaml().parseDocument(text, { version: '1.1', logLevel: 'silent' });
  return document.errors.length === 0 && document.warnings.length === 0 && document.toJS() === text;
}

function styleOf(text: string): Scalar.Type {
  const { Scalar } = yaml();
  if (/\n(?!$)/.test(text)) return Scalar.BLOCK_LITERAL;
  if (/^[yYnN]$/.test(text)) return Scalar.QUOTE_DOUBLE;
  if (/^[^\p{L}\p{M}\p{N}\p{Pc}][^"]*$/u.test(text)) return Scalar.QUOTE_DOUBLE;
  // Anything else that would not read back as itself (`'1.2'`, `''`, `'true'`, `'[Console]::Error("a: b")'`).
  if (text === '' || /^0[0-7]*[89]/.test(text) || !readsBackPlain(text)) return Scalar.QUOTE_SINGLE;
  return Scalar.PLAIN;
}

/**
 * Breaks one scalar line as libyaml does: at a single space between two non-spaces, once more than WIDTH
 * characters are on the line, dropping that space; the next line starts at `indent`.
 */
function fold(line: string, start: number, indent: number): string {
  let out = line.slice(0, start);
  let column = start;
  for (let i = start; i < line.length; i++) {
    const c = line[i];
    const breakable = c === ' ' && i > start && i < line.length - 1 && line[i - 1] !== ' ' && line[i + 1] !== ' ';
    if (breakable && column > WIDTH) {
      out += `\n${' '.repeat(indent)}`;
      column = indent;
      continue;
    }
    out += c;
    column++;
  }
  return out;
}

// A line that holds a scalar: its indent, any `- ` markers, then `key: value` or a bare value.
const SCALAR_LINE = /^( *)((?:- )*)(?:([^\s"'#:][^:]*(?::[^\s:][^:]*)*): )?(.*)$/;

function foldLines(text: string): string {
  const lines = text.split('\n');
  let literalIndent = -1; // inside a literal block: lines deeper than its key are its content
  return lines
    .map((line) => {
      const indent = line.length - line.trimStart().length;
      if (literalIndent >= 0 && (line.trim() === '' || indent > literalIndent)) return line;
      literalIndent = -1;
      const m = SCALAR_LINE.exec(line);
      if (!m) return line;
      const [, spaces, dashes, key, value] = m;
      const keyColumn = spaces.length + dashes.length;
      if (/^[|>][-+]?$/.test(value)) {
        literalIndent = keyColumn;
        return line;
      }
      if (line.length <= WIDTH || value === '' || value.startsWith('[') || value.startsWith('{')) return line;
      const start = line.length - value.length;
      // libyaml continues a scalar two columns in from its container: a map's key, or a bare list item's text.
      return fold(line, start, key === undefined ? keyColumn : keyColumn + 2);
    })
    .join('\n');
}

/** A parsed document as AWS writes it in YAML. */
export function toAwsYaml(body: unknown): string {
  const { Document, visit } = yaml();
  const document = new Document(body);
  visit(document, {
    // Keys too: Psych writes them as any string, so a key `n` or `on` (booleans to YAML 1.1) is quoted.
    Scalar(_key, node) {
      if (typeof node.value === 'string') node.type = styleOf(node.value);
    },
  });
  return foldLines(document.toString({ directives: true, indentSeq: false, lineWidth: 0, singleQuote: true }));
}
