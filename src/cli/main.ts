// Entry point: `node src/cli/main.ts serve [options]` (what `npm start` runs), and the control commands
// (commands.ts). It turns on Node's compile cache before anything else is loaded: the cache keeps each
// module's type-stripped and compiled code on disk (the OS temp folder, or NODE_COMPILE_CACHE), so a
// restart does not strip and compile ~150 TypeScript files again. Measured on a 2-core machine: start to
// ready about 750 ms without it, about 300 ms with it (docs/performance.md). NODE_DISABLE_COMPILE_CACHE=1
// turns it off.

import { enableCompileCache } from 'node:module';

enableCompileCache();
await import('./commands.ts');
