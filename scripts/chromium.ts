// Debian's Chromium for the console's browser tests: found on the PATH, or installed with apt-get when
// this runs as root (the tests drive it with playwright-core, whose own browser download cannot work here).

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

export function findChromium(): string | undefined {
  if (process.env.MW_CHROMIUM && existsSync(process.env.MW_CHROMIUM)) return process.env.MW_CHROMIUM;
  return CANDIDATES.find((path) => existsSync(path));
}

/** The browser's path, installing Debian's package first when it is missing and we may; else why not. */
export function ensureChromium(log: (line: string) => void): { path: string } | { missing: string } {
  const found = findChromium();
  if (found) return { path: found };
  if (process.getuid?.() !== 0) return { missing: 'chromium is not installed and this is not root (apt-get install chromium)' };
  log('installing chromium (apt-get)');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [['update', '-qq'], ['install', '-y', '-qq', 'chromium']]) {
    const run = spawnSync('apt-get', args, { stdio: ['ignore', 'ignore', 'inherit'], env });
    if (run.status !== 0) return { missing: `apt-get ${args.join(' ')} failed (${run.status ?? run.error?.message})` };
  }
  const installed = findChromium();
  return installed ? { path: installed } : { missing: 'apt-get installed chromium but no binary was found' };
}
