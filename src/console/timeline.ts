// One execution's invocations as bars on a time axis, drawn as SVG on the server. Each task is a band;
// inside it invocations that overlap in time take separate lanes, so the band's height is the concurrency
// that really happened. The cutoff and the window's end are vertical lines when they fall on the axis.

import { html, type Markup } from './html.ts';
import { utc } from './format.ts';

export interface TimelineBar {
  start: number;
  /** Absent while it runs: drawn up to `now`. */
  end?: number;
  status: string;
  label: string;
  href: string;
}

export interface TimelineGroup {
  label: string;
  bars: TimelineBar[];
  /** How many invocations the group has beyond those drawn. */
  omitted: number;
}

export interface TimelineInput {
  start: number;
  now: number;
  cutoffAt: number;
  endAt: number;
  groups: TimelineGroup[];
  /** 'runs': the axis ends with the last invocation; 'window': it spans the whole window. */
  scale: 'runs' | 'window';
}

const WIDTH = 960;
const LABEL = 200;
const LANE = 14;
const GAP = 3;
const BAND_GAP = 10;
const AXIS = 28;

/** Lane index per bar (bars sorted by start): the first lane free at the bar's start. */
export function packLanes(bars: readonly { start: number; end: number }[]): number[] {
  const laneEnds: number[] = [];
  return bars.map((bar) => {
    let lane = laneEnds.findIndex((end) => end <= bar.start);
    if (lane === -1) lane = laneEnds.push(0) - 1;
    laneEnds[lane] = Math.max(bar.end, bar.start + 1);
    return lane;
  });
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** Steps between ticks, smallest first: each a round amount of time. */
const TICK_STEPS = [1, 2, 5, 10, 15, 30].map((n) => n * SECOND)
  .concat([1, 2, 5, 10, 15, 30].map((n) => n * MINUTE), [1, 2, 3, 6, 12].map((n) => n * HOUR), [1, 2, 7, 14, 30, 91, 182, 365].map((n) => n * DAY));
const MAX_TICKS = 6;

/**
 * The axis's ticks between `start` and `end`: round instants (multiples of a round step in UTC), at most
 * six, each with a label no other tick shares (a run of a few seconds gets seconds, a week gets days).
 */
export function axisTicks(start: number, end: number): { at: number; label: string }[] {
  const step = TICK_STEPS.find((s) => Math.floor(end / s) - Math.ceil(start / s) + 1 <= MAX_TICKS) ?? TICK_STEPS[TICK_STEPS.length - 1];
  const label = (ms: number) => {
    const iso = new Date(ms).toISOString();
    if (step >= DAY) return iso.slice(0, 10);
    if (end - start >= DAY) return `${iso.slice(5, 10)} ${iso.slice(11, 16)}`;
    return step % MINUTE === 0 ? iso.slice(11, 16) : iso.slice(11, 19);
  };
  const ticks: { at: number; label: string }[] = [];
  for (let at = Math.ceil(start / step) * step; at <= end; at += step) ticks.push({ at, label: label(at) });
  return ticks;
}

export function timeline(input: TimelineInput): Markup {
  const ends = input.groups.flatMap((g) => g.bars.map((b) => b.end ?? input.now));
  const lastRun = Math.max(input.start + 1000, ...ends);
  const axisEnd = input.scale === 'window' ? Math.max(input.endAt, lastRun) : lastRun;
  const span = axisEnd - input.start;
  const x = (ms: number) => LABEL + ((Math.min(Math.max(ms, input.start), axisEnd) - input.start) / span) * (WIDTH - LABEL - 10);

  let y = AXIS;
  const bands: Markup[] = [];
  let maxLanes = 0;
  for (const group of input.groups) {
    const sorted = [...group.bars].sort((a, b) => a.start - b.start);
    const lanes = packLanes(sorted.map((b) => ({ start: b.start, end: b.end ?? input.now })));
    const laneCount = Math.max(1, ...lanes.map((l) => l + 1));
    maxLanes = Math.max(maxLanes, laneCount);
    const height = laneCount * (LANE + GAP);
    bands.push(html`<g class="band">
<text x="4" y="${y + 11}" class="band-label">${group.label}</text>
<text x="4" y="${y + 24}" class="band-note">${laneCount} at once at most${group.omitted ? `; ${group.omitted} more not drawn` : ''}</text>
${sorted.map((bar, i) => {
      const x0 = x(bar.start);
      // One pixel short, so bars that follow each other in a lane stay apart.
      const w = Math.max(2, x(bar.end ?? input.now) - x0 - 1);
      const status = bar.status.toLowerCase().replace(/[^a-z]+/g, '-');
      return html`<a href="${bar.href}"><rect class="bar status-${status}" x="${x0.toFixed(1)}" y="${y + lanes[i] * (LANE + GAP)}" width="${w.toFixed(1)}" height="${LANE}"><title>${bar.label}: ${bar.status}, ${utc(bar.start)} to ${bar.end === undefined ? 'now' : utc(bar.end)}</title></rect></a>`;
    })}
</g>`);
    y += Math.max(height, 30) + BAND_GAP;
  }
  const height = y + 4;
  const ticks = axisTicks(input.start, axisEnd);
  // Labels near an edge grow inwards, so none is cut off.
  const anchor = (at: number) => (x(at) < LABEL + 40 ? 'start' : x(at) > WIDTH - 50 ? 'end' : 'middle');
  const marker = (ms: number, label: string, cls: string) => (ms >= input.start && ms <= axisEnd
    ? html`<line class="${cls}" x1="${x(ms)}" x2="${x(ms)}" y1="${AXIS - 6}" y2="${height}"/><text class="${cls}-label" x="${x(ms) - 4}" y="${AXIS - 8}" text-anchor="end">${label}</text>`
    : '');
  const total = input.groups.reduce((n, g) => n + g.bars.length, 0);
  return html`<figure class="timeline">
<svg viewBox="0 0 ${WIDTH} ${height}" width="100%" role="group" aria-labelledby="timeline-caption">
${ticks.map((t) => html`<line class="tick" x1="${x(t.at)}" x2="${x(t.at)}" y1="${AXIS - 4}" y2="${height}"/><text class="tick-label" x="${x(t.at)}" y="12" text-anchor="${anchor(t.at)}">${t.label}</text>`)}
${marker(input.cutoffAt, 'cutoff', 'cutoff')}${marker(input.endAt, 'window end', 'window-end')}
${bands}
</svg>
<figcaption id="timeline-caption">${total} invocation(s) from ${utc(input.start)} to ${utc(Math.min(axisEnd, lastRun))}; at most ${maxLanes} ran at once in one task.
${input.scale === 'runs' && input.cutoffAt > axisEnd ? ` The cutoff (${utc(input.cutoffAt)}) and the window end (${utc(input.endAt)}) come after the last invocation.` : ''}</figcaption>
</figure>`;
}
