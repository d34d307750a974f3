// The yaml package, loaded when a document is first read or written as YAML rather than at start: it is
// about seventy modules, a few tens of milliseconds of a start that reads no document. Synchronous (the
// package is CommonJS under Node, the same module an `import` would give), so its callers stay synchronous.

import { createRequire } from 'node:module';
import type * as Yaml from 'yaml';

let loaded: typeof Yaml | undefined;

export function yaml(): typeof Yaml {
  return loaded ??= createRequire(import.meta.url)('yaml') as typeof Yaml;
}
