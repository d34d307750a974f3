// Translates the model's regular expressions (java.util.regex syntax, applied by the AWS service
// framework with Matcher.matches(), i.e. the whole value must match) into JavaScript source for the
// `u` flag. Used by scripts/generate-wire.ts; the result is stored as `jsPattern` in the generated tables.
//
// Why a translation and not the pattern as is:
// - `\-` outside a character class is an identity escape Java accepts but the `u` flag rejects
//   (the UUID patterns `^[0-9a-fA-F]{8}\-[0-9a-fA-F]{4}\-...$`). Same for `\_`, `\:` etc.
// - Java's `\s` is ASCII only ([ \t\n\x0B\f\r]); JavaScript's also matches Unicode spaces (AlarmName
//   `^(?!\s*$).+`).
// - Java's `.` excludes \n, \r, \u0085, \u2028, \u2029; JavaScript's does not exclude \u0085.
// - Java's `$` (no MULTILINE) also matches just before a line terminator that ends the input.
// - Whole-value semantics: the result is wrapped as `^(?:...)$`, so an unanchored pattern such as
//   DocumentVersion `([$]LATEST|[$]DEFAULT|^[1-9][0-9]*$)` or the alternation in TargetKey must match
//   the entire value, as with Matcher.matches().
// Anything this does not know how to translate faithfully throws, so the generator fails loudly.

const JAVA_SPACE = '\\t\\n\\x0B\\f\\r ';
const JAVA_DOT = '[^\\n\\r\\u0085\\u2028\\u2029]';
const JAVA_DOLLAR = '(?=(?:\\r\\n|[\\n\\r\\u0085\\u2028\\u2029])?$)';
/** Characters that may be escaped with a backslash under the `u` flag (outside a class). */
const JS_SYNTAX = new Set('^$\\.*+?()[]{}|/'.split(''));
const KEEP_LETTER_ESCAPES = new Set(['d', 'D', 'w', 'W', 'b', 'B', 't', 'n', 'r', 'f']);

export function translateJavaPattern(pattern: string): string {
  // A leading `(?i)` (AccountId's `(?i)all|[0-9]{12}`) makes the whole pattern case-insensitive: the same
  // as a JavaScript modifier group around it. (Java's is ASCII-only without UNICODE_CASE; the `u` flag folds
  // Unicode case too, which differs only for letters such as the Kelvin sign.)
  if (pattern.startsWith('(?i)')) return `^(?i:${translateJavaPattern(pattern.slice(4)).slice(1, -1)})$`;
  let out = '';
  let i = 0;
  let afterQuantifier = false;
  const fail = (why: string): never => {
    throw new Error(`cannot translate Java pattern ${JSON.stringify(pattern)} at ${i}: ${why}`);
  };

  /** Translates the escape at pattern[i] (a backslash); returns the JS text and advances i. */
  const escape = (inClass: boolean): string => {
    const c = pattern[i + 1];
    if (c === undefined) fail('dangling backslash');
    i += 2;
    if (c === 'p' || c === 'P') {
      let name: string;
      if (pattern[i] === '{') {
        const end = pattern.indexOf('}', i);
        if (end < 0) fail('unclosed \\p{');
        name = pattern.slice(i + 1, end);
        i = end + 1;
      } else {
        name = pattern[i];
        i += 1;
      }
      // Only Unicode general categories mean the same thing in both engines.
      if (!/^[A-Z][a-z]?$/.test(name)) fail(`unsupported property \\p{${name}}`);
      return `\\${c}{${name}}`;
    }
    if (c === 's') return inClass ? JAVA_SPACE : `[${JAVA_SPACE}]`;
    if (c === 'S') return inClass ? fail('\\S inside a class') : `[^${JAVA_SPACE}]`;
    if (KEEP_LETTER_ESCAPES.has(c)) return `\\${c}`;
    if (c === 'x' || c === 'u') return `\\${c}`; // followed by hex digits, same syntax in both
    if (/[0-9]/.test(c)) return inClass ? fail('octal/backreference in class') : `\\${c}`;
    if (/[A-Za-z]/.test(c)) return fail(`unsupported escape \\${c}`);
    if (JS_SYNTAX.has(c)) return `\\${c}`;
    if (inClass && c === '-') return '\\-';
    return c; // identity escape of a non-syntax character: the character itself
  };

  while (i < pattern.length) {
    const c = pattern[i];
    if (c === '+' && afterQuantifier) fail('possessive quantifier');
    afterQuantifier = false;
    if (c === '\\') {
      out += escape(false);
    } else if (c === '[') {
      let cls = '[';
      i += 1;
      if (pattern[i] === '^') {
        cls += '^';
        i += 1;
      }
      let first = true;
      while (true) {
        const d = pattern[i];
        if (d === undefined) fail('unclosed character class');
        if (d === ']' && !first) break;
        if (d === ']' || d === '[') fail('nested or empty character class');
        if (d === '&' && pattern[i + 1] === '&') fail('class intersection');
        if (d === '\\') cls += escape(true);
        else {
          cls += d;
          i += 1;
        }
        first = false;
      }
      out += cls + ']';
      i += 1;
    } else if (c === '.') {
      out += JAVA_DOT;
      i += 1;
    } else if (c === '$') {
      out += JAVA_DOLLAR;
      i += 1;
    } else if (c === '(' && pattern[i + 1] === '?' && !/[:=!<]/.test(pattern[i + 2] ?? '')) {
      fail('inline flags or unsupported group');
    } else {
      if (c === '*' || c === '+' || c === '?' || c === '}') afterQuantifier = true;
      out += c;
      i += 1;
    }
  }
  return `^(?:${out})$`;
}
