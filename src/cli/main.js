// Entry point: `node src/cli/main.ts serve [options]` (what `npm start` runs), and the control commands
// (commands.ts). It turns on Node's compile cache before anything else is loaded: the cache keeps each
// module's type-stripped and compiled code on disk (the OS temp folder, or NODE_COMPILE_CACHE), so a
// restart does not strip and compile ~250 TypeScript files again. NODE_DISABLE_COMPILE_CACHE=1 turns it off.
//
// Why this file is JavaScript, and src/cli/main.ts a symbolic link to it: Node runs the main module from
// its real path, so the link's target decides how it is read. A .ts entry would go through Node's
// TypeScript stripper (amaro, a WebAssembly build of swc), and the compile cache cannot serve the entry
// itself (it is turned on here): loading the stripper cost about 120 ms of CPU on every start, before a
// line of ours ran; every module after this one is served stripped from the cache. Keep this file free
// of type syntax; `tsc` still checks it through the link. Figures: docs/performance.md.

import { enableCompileCache } from 'node:module';

enableCompileCache();
await import('./commands.ts');
