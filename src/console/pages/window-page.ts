// One window, with the AWS console's tabs (Description, Targets, Tasks, Tags) plus Schedule (the next
// runs, offsets and time zone made visible) and History (its executions, newest first, paged).

import type { Window } from '../../domain/model.ts';
import { nextFireAfter } from '../../domain/window-rules.ts';
import { WINDOW_RESOURCE } from '../../service/tags.ts';
import { type PageContext, seg } from '../context.ts';
import { duration, inZone, statusBadge, timeCell, utc, yesNo } from '../format.ts';
import { html, type Markup } from '../html.ts';
import type { PageFrame } from '../layout.ts';
import { scheduleInWords } from '../schedule-words.ts';

export const WINDOW_TABS = ['description', 'targets', 'tasks', 'tags', 'schedule', 'history'] as const;
type Tab = (typeof WINDOW_TABS)[number];
const HISTORY_PAGE = 25;

function targetsText(targets: { key: string; values: string[] }[]): Markup {
  return html`${targets.map((t) => html`<code>${t.key}=${t.values.join(',')}</code> `)}`;
}

function field(label: string, value: Markup | string | number | undefined): Markup {
  return html`<div><dt>${label}</dt><dd>${value === undefined || value === '' ? html`<span class="none">—</span>` : value}</dd></div>`;
}

function description(w: Window, ctx: PageContext): Markup {
  return html`<dl class="fields">
${field('Window ID', html`<code>${w.id}</code>`)}${field('Name', w.name)}${field('Description', w.description)}
${field('Schedule', html`${scheduleInWords(w.schedule)} <code>${w.schedule}</code>`)}${field('Time zone', w.timeZone ?? 'UTC')}
${field('Schedule offset', w.offsetDays === undefined ? undefined : `${w.offsetDays} day(s) after each cron occurrence`)}
${field('Duration', `${w.durationHours} hour(s)`)}${field('Cutoff', `${w.cutoffHours} hour(s) before the end`)}
${field('Allow unregistered targets', yesNo(w.allowUnassociatedTargets))}${field('Enabled', yesNo(w.enabled))}
${field('Start date', w.startDate)}${field('End date', w.endDate)}
${field('Next run', timeCell(nextFireAfter(w, ctx.now)))}${field('Created', utc(w.createdAt))}${field('Modified', utc(w.modifiedAt))}
</dl>`;
}

async function targetsTab(w: Window, ctx: PageContext): Promise<Markup> {
  const { targets } = await ctx.services.targets.list(ctx.scope, w.id, { maxResults: 100 });
  if (targets.length === 0) return html`<p class="empty">No targets registered.</p>`;
  return html`<table class="list"><caption class="sr-only">Targets</caption>
<thead><tr><th scope="col">Target ID</th><th scope="col">Name</th><th scope="col">Resource type</th><th scope="col">Targets</th><th scope="col">Owner information</th><th scope="col">Description</th></tr></thead>
<tbody>${targets.map((t) => html`<tr><td><code>${t.id}</code></td><td>${t.name}</td><td>${t.resourceType}</td><td>${targetsText(t.targets)}</td><td>${t.ownerInformation}</td><td>${t.description}</td></tr>`)}</tbody></table>`;
}

async function tasksTab(w: Window, ctx: PageContext): Promise<Markup> {
  const { tasks } = await ctx.services.tasks.list(ctx.scope, w.id, { maxResults: 100 });
  if (tasks.length === 0) return html`<p class="empty">No tasks registered.</p>`;
  const sorted = [...tasks].sort((a, b) => a.priority - b.priority);
  return html`<table class="list"><caption class="sr-only">Tasks</caption>
<thead><tr><th scope="col">Priority</th><th scope="col">Name</th><th scope="col">Task ID</th><th scope="col">Type</th><th scope="col">Task ARN</th><th scope="col">Targets</th><th scope="col">Max concurrency</th><th scope="col">Max errors</th><th scope="col">Cutoff behavior</th></tr></thead>
<tbody>${sorted.map((t) => html`<tr><td>${t.priority}</td><td>${t.name}</td><td><code>${t.id}</code></td><td>${t.taskType}</td><td><code>${t.taskArn}</code></td><td>${targetsText(t.targets)}</td><td>${t.maxConcurrency}</td><td>${t.maxErrors}</td><td>${t.cutoffBehavior ?? 'CONTINUE_TASK'}</td></tr>`)}</tbody></table>`;
}

async function tagsTab(w: Window, ctx: PageContext): Promise<Markup> {
  const tags = await ctx.services.tags.list(ctx.scope, WINDOW_RESOURCE, w.id);
  if (tags.length === 0) return html`<p class="empty">No tags.</p>`;
  return html`<table class="list"><caption class="sr-only">Tags</caption><thead><tr><th scope="col">Key</th><th scope="col">Value</th></tr></thead>
<tbody>${tags.map((t) => html`<tr><td>${t.key}</td><td>${t.value}</td></tr>`)}</tbody></table>`;
}

async function scheduleTab(w: Window, ctx: PageContext): Promise<Markup> {
  if (!w.enabled) return html`<p class="empty">The window is disabled: it has no upcoming runs.</p>`;
  const { runs } = await ctx.services.schedule.upcoming(ctx.scope, { windowId: w.id, maxResults: 20 });
  const zone = w.timeZone ?? 'UTC';
  // A window on UTC needs no column of its own zone beside the UTC one: it would say the same.
  const inUtc = zone === 'UTC' || zone === 'Etc/UTC';
  return html`<p>${scheduleInWords(w.schedule)} (<code>${w.schedule}</code>), in <strong>${zone}</strong>${w.offsetDays ? html`, each run <strong>${w.offsetDays} day(s)</strong> after its cron occurrence` : ''}; each run lasts ${w.durationHours} h and stops starting tasks ${w.cutoffHours} h before its end.</p>
${runs.length === 0 ? html`<p class="empty">No runs ahead.</p>` : html`<table class="list" id="schedule"><caption class="sr-only">Next runs</caption>
<thead><tr><th scope="col">#</th><th scope="col">Execution time (as AWS gives it)</th>${inUtc ? '' : html`<th scope="col">In ${zone}</th>`}<th scope="col">UTC</th></tr></thead>
<tbody>${runs.map((r, i) => {
    const ms = Date.parse(r.executionTime);
    return html`<tr><td>${i + 1}</td><td><code>${r.executionTime}</code></td>${inUtc ? '' : html`<td>${inZone(ms, w.timeZone)}</td>`}<td>${timeCell(ms)}</td></tr>`;
  })}</tbody></table>`}`;
}

async function historyTab(w: Window, ctx: PageContext): Promise<Markup> {
  const next = ctx.query.get('next') ?? undefined;
  const page = await ctx.services.history.listExecutions(ctx.scope, w.id, { maxResults: HISTORY_PAGE, nextToken: next });
  const tabLink = (extra: Record<string, string | undefined>) => ctx.href(`/console/windows/${seg(w.id)}`, { tab: 'history', ...extra });
  return html`${page.executions.length === 0 ? html`<p class="empty">The window has not run yet.</p>` : html`<table class="list" id="executions"><caption class="sr-only">Executions, newest first</caption>
<thead><tr><th scope="col">Execution ID</th><th scope="col">Status</th><th scope="col">Start</th><th scope="col">End</th><th scope="col">Duration</th><th scope="col">Status details</th></tr></thead>
<tbody>${page.executions.map((e) => html`<tr data-status="${e.status}">
<td><a href="${ctx.href(`/console/windows/${seg(w.id)}/executions/${seg(e.id)}`)}"><code>${e.id}</code></a></td>
<td>${statusBadge(e.status)}</td><td>${timeCell(e.startTime)}</td><td>${timeCell(e.endTime)}</td><td>${duration(e.startTime, e.endTime)}</td><td>${e.statusDetails}</td></tr>`)}</tbody></table>`}
<nav class="pager" aria-label="Pages">${next ? html`<a href="${tabLink({})}">Newest</a>` : ''}${page.nextToken ? html`<a rel="next" href="${tabLink({ next: page.nextToken })}">Older</a>` : ''}</nav>`;
}

const TAB_LABELS: Record<Tab, string> = { description: 'Description', targets: 'Targets', tasks: 'Tasks', tags: 'Tags', schedule: 'Schedule', history: 'History' };
const TAB_BODIES: Record<Tab, (w: Window, ctx: PageContext) => Markup | Promise<Markup>> = {
  description, targets: targetsTab, tasks: tasksTab, tags: tagsTab, schedule: scheduleTab, history: historyTab,
};

export async function windowPage(ctx: PageContext, windowId: string): Promise<PageFrame> {
  const w = await ctx.services.windows.get(ctx.scope, windowId);
  const asked = ctx.query.get('tab') ?? 'description';
  const tab: Tab = (WINDOW_TABS as readonly string[]).includes(asked) ? (asked as Tab) : 'description';
  const body = html`
<div class="actions"><button type="button" data-run-window="${w.id}">Run now</button></div>
<nav class="tabs" aria-label="Window sections"><ul>${WINDOW_TABS.map((t) => html`<li><a href="${ctx.href(`/console/windows/${seg(w.id)}`, { tab: t })}"${t === tab ? html` aria-current="page"` : ''}>${TAB_LABELS[t]}</a></li>`)}</ul></nav>
<section aria-label="${TAB_LABELS[tab]}" class="tab-body">${await TAB_BODIES[tab](w, ctx)}</section>`;
  return {
    title: w.name,
    crumbs: [{ label: 'Windows', href: ctx.href('/console/') }, { label: w.name }],
    body,
    live: { windowIds: [w.id] },
  };
}
