// The top self-time functions of a V8 CPU profile (.cpuprofile, as written by `node --cpu-prof`).
// Used by `npm run bench -- --profile`; also runs alone: `node bench/profile-summary.ts FILE [N]`.

import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { REPO_ROOT } from './servers.ts';

interface ProfileNode {
  id: number;
  children?: number[];
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface SelfTime {
  name: string;
  location: string;
  selfMs: number;
  percent: number;
}

function locationOf(frame: ProfileNode['callFrame']): string {
  if (!frame.url) return '';
  const path = frame.url.startsWith('file://') ? relative(REPO_ROOT, new URL(frame.url).pathname) : frame.url;
  return `${path}:${frame.lineNumber + 1}`;
}

/**
 * The project's own functions (src/) by total time: every sample counts once for each distinct function
 * on its stack, so a function's figure includes everything it called.
 */
export function topTotalTime(file: string, count = 10, under = 'src/'): SelfTime[] {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const total = new Map<string, { name: string; location: string; us: number }>();
  let allUs = 0;
  profile.samples.forEach((id, i) => {
    const delta = profile.timeDeltas[i] ?? 0;
    allUs += delta;
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = byId.get(at)?.callFrame;
      if (!frame) break;
      const location = locationOf(frame);
      if (!location.startsWith(under)) continue;
      const name = frame.functionName || '(anonymous)';
      const key = `${name}@${location}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const entry = total.get(key) ?? { name, location, us: 0 };
      entry.us += delta;
      total.set(key, entry);
    }
  });
  return [...total.values()]
    .sort((a, b) => b.us - a.us)
    .slice(0, count)
    .map((e) => ({ name: e.name, location: e.location, selfMs: e.us / 1000, percent: allUs ? (100 * e.us) / allUs : 0 }));
}

export function topSelfTime(file: string, count = 10): { totalMs: number; top: SelfTime[] } {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = new Map<string, { name: string; location: string; us: number }>();
  let totalUs = 0;
  profile.samples.forEach((id, i) => {
    const delta = profile.timeDeltas[i] ?? 0;
    const frame = byId.get(id)?.callFrame;
    if (!frame) return;
    const name = frame.functionName || '(anonymous)';
    const location = locationOf(frame);
    const key = `${name}@${location}`;
    const entry = self.get(key) ?? { name, location, us: 0 };
    entry.us += delta;
    self.set(key, entry);
    totalUs += delta;
  });
  const top = [...self.values()]
    .sort((a, b) => b.us - a.us)
    .slice(0, count)
    .map((e) => ({ name: e.name, location: e.location, selfMs: e.us / 1000, percent: totalUs ? (100 * e.us) / totalUs : 0 }));
  return { totalMs: totalUs / 1000, top };
}

/** The profiles a folder holds (one per process that ran with --cpu-prof-dir=folder). */
export function profilesIn(dir: string): string[] {
  try {
    return readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')).map((f) => join(dir, f));
  } catch {
    return [];
  }
}

export function formatTop(file: string, count = 10): string {
  const { totalMs, top } = topSelfTime(file, count);
  const lines = [`${relative(REPO_ROOT, file) || file} (${(totalMs / 1000).toFixed(1)} s sampled)`, '   self ms      %  function (location)'];
  const row = (e: SelfTime) => `${e.selfMs.toFixed(0).padStart(10)} ${e.percent.toFixed(1).padStart(6)}  ${e.name}${e.location ? ` (${e.location})` : ''}`;
  lines.push(...top.map(row));
  lines.push('  total ms      %  src/ function, including what it calls');
  lines.push(...topTotalTime(file, count).map(row));
  return lines.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [file, count] = process.argv.slice(2);
  if (!file) {
    process.stderr.write('usage: node bench/profile-summary.ts FILE.cpuprofile [N]\n');
    process.exit(2);
  }
  process.stdout.write(`${formatTop(file, Number(count ?? 10))}\n`);
}
