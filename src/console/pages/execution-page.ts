// One window execution: its summary, its task executions by priority group (rate control and counts per
// status), and the timeline of its invocations.

import type { ExecutionStatus, TaskExecution } from '../../domain/execution.ts';
import { type PageContext, seg } from '../context.ts';
import { duration, statusBadge, timeCell } from '../format.ts';
import { html, type Markup } from '../html.ts';
import type { PageFrame } from '../layout.ts';
import { timeline, type TimelineGroup } from '../timeline.ts';

/** The most invocations drawn per task on the timeline (the task's page lists them all, paged). */
const DRAWN_PER_TASK = 500;

export function countChips(counts: Partial<Record<ExecutionStatus, number>>): Markup {
  const entries = Object.entries(counts).filter(([, n]) => n! > 0);
  if (entries.length === 0) return html`<span class="none">no invocations</span>`;
  return html`<ul class="counts">${entries.map(([status, n]) => html`<li>${statusBadge(status)} ${n}</li>`)}</ul>`;
}

export function taskLabel(t: Pick<TaskExecution, 'taskArn' | 'taskType'>): string {
  return `${t.taskType} ${t.taskArn}`;
}

export async function executionPage(ctx: PageContext, windowId: string, executionId: string): Promise<PageFrame> {
  const window = await ctx.services.windows.get(ctx.scope, windowId);
  const { execution } = await ctx.services.history.getExecution(ctx.scope, executionId);
  if (execution.windowId !== windowId) return notHere(ctx, windowId, executionId);
  const { taskExecutions } = await ctx.services.history.listTaskExecutions(ctx.scope, executionId, { maxResults: 1000 });
  const tasks = [...taskExecutions].sort((a, b) => a.priority - b.priority);
  const counts = await Promise.all(tasks.map((t) => ctx.services.history.invocationCounts(ctx.scope, executionId, t.id)));
  const base = `/console/windows/${seg(windowId)}/executions/${seg(executionId)}`;

  const groups: TimelineGroup[] = [];
  for (const [i, t] of tasks.entries()) {
    const { invocations } = await ctx.services.history.listInvocations(ctx.scope, executionId, t.id, { maxResults: DRAWN_PER_TASK });
    const total = Object.values(counts[i]).reduce((a, b) => a + (b ?? 0), 0);
    groups.push({
      label: `P${t.priority} ${t.taskArn}`.slice(0, 30),
      omitted: Math.max(0, total - invocations.length),
      bars: invocations.map((inv) => ({
        start: inv.startTime, end: inv.endTime, status: inv.status, label: inv.resourceIds.join(', ') || inv.id,
        href: ctx.href(`${base}/tasks/${seg(t.id)}/invocations/${seg(inv.id)}`),
      })),
    });
  }
  const scale = ctx.query.get('scale') === 'window' ? 'window' : 'runs';

  let priorityGroup: number | undefined;
  const rows: Markup[] = [];
  for (const [i, t] of tasks.entries()) {
    if (t.priority !== priorityGroup) {
      priorityGroup = t.priority;
      rows.push(html`<tr class="group"><th scope="rowgroup" colspan="8">Priority ${t.priority}</th></tr>`);
    }
    rows.push(html`<tr data-status="${t.status}">
<td><a href="${ctx.href(`${base}/tasks/${seg(t.id)}`)}"><code>${t.id}</code></a></td><td>${taskLabel(t)}</td><td>${statusBadge(t.status)}</td>
<td>${timeCell(t.startTime)}</td><td>${timeCell(t.endTime)}</td><td>${t.maxConcurrency} / ${t.maxErrors}</td><td>${countChips(counts[i])}</td><td>${t.statusDetails}</td></tr>`);
  }

  const body = html`<dl class="fields">
<div><dt>Status</dt><dd>${statusBadge(execution.status)}</dd></div>
<div><dt>Status details</dt><dd>${execution.statusDetails ?? html`<span class="none">—</span>`}</dd></div>
<div><dt>Start</dt><dd>${timeCell(execution.startTime)}</dd></div><div><dt>End</dt><dd>${timeCell(execution.endTime)}</dd></div>
<div><dt>Duration</dt><dd>${duration(execution.startTime, execution.endTime ?? ctx.now)}${execution.endTime === undefined ? ' so far' : ''}</dd></div>
<div><dt>Cutoff</dt><dd>${timeCell(execution.cutoffAt)}</dd></div><div><dt>Window end</dt><dd>${timeCell(execution.endAt)}</dd></div>
</dl>
<h2>Task executions</h2>
${tasks.length === 0 ? html`<p class="empty">No task executions.</p>` : html`<table class="list" id="task-executions"><caption class="sr-only">Task executions by priority</caption>
<thead><tr><th scope="col">Task execution ID</th><th scope="col">Task</th><th scope="col">Status</th><th scope="col">Start</th><th scope="col">End</th><th scope="col">Max concurrency / errors</th><th scope="col">Invocations</th><th scope="col">Status details</th></tr></thead>
<tbody>${rows}</tbody></table>`}
<h2>Timeline</h2>
<p class="scale">Axis: ${scale === 'runs' ? html`<strong>fit to the invocations</strong> · <a href="${ctx.href(base, { scale: 'window' })}">whole window</a>` : html`<a href="${ctx.href(base)}">fit to the invocations</a> · <strong>whole window</strong>`}</p>
${groups.length === 0 ? html`<p class="empty">Nothing to draw.</p>` : timeline({ start: execution.startTime, now: ctx.now, cutoffAt: execution.cutoffAt, endAt: execution.endAt, groups, scale })}`;
  return {
    title: `Execution ${executionId}`,
    crumbs: [
      { label: 'Windows', href: ctx.href('/console/') },
      { label: window.name, href: ctx.href(`/console/windows/${seg(windowId)}`, { tab: 'history' }) },
      { label: `Execution ${executionId.slice(0, 8)}` },
    ],
    body,
    live: { windowIds: [windowId] },
  };
}

function notHere(ctx: PageContext, windowId: string, executionId: string): PageFrame {
  return {
    title: 'Not found', status: 404, crumbs: [{ label: 'Windows', href: ctx.href('/console/') }, { label: 'Not found' }],
    body: html`<p>Execution <code>${executionId}</code> is not an execution of window <code>${windowId}</code>.</p>`,
  };
}
