// One task execution: its rate control, counts per status, and its invocations in start order, paged on
// the server and filterable by status (the same STATUS filter DescribeMaintenanceWindowExecutionTaskInvocations has).

import { type ExecutionStatus, FILTERABLE_STATUSES, type TaskExecution } from '../../domain/execution.ts';
import { type PageContext, seg } from '../context.ts';
import { duration, statusBadge, timeCell } from '../format.ts';
import { html } from '../html.ts';
import type { PageFrame } from '../layout.ts';
import { documentLink } from './documents-links.ts';
import { countChips, taskLabel } from './execution-page.ts';

const PAGE_SIZE = 50;

function runsDocument(task: TaskExecution): boolean {
  return task.taskType === 'RUN_COMMAND' || task.taskType === 'AUTOMATION';
}

/** The DocumentVersion the task was registered with (its TaskInvocationParameters), if any. */
function documentVersion(task: TaskExecution): string | undefined {
  const p = task.taskType === 'RUN_COMMAND' ? task.invocationParameters?.RunCommand : task.invocationParameters?.Automation;
  return typeof p?.DocumentVersion === 'string' ? p.DocumentVersion : undefined;
}

export async function taskExecutionPage(ctx: PageContext, windowId: string, executionId: string, taskExecutionId: string): Promise<PageFrame> {
  const window = await ctx.services.windows.get(ctx.scope, windowId);
  const task = await ctx.services.history.getTaskExecution(ctx.scope, executionId, taskExecutionId);
  const counts = await ctx.services.history.invocationCounts(ctx.scope, executionId, taskExecutionId);
  const askedStatus = ctx.query.get('status') ?? undefined;
  const status = askedStatus && (FILTERABLE_STATUSES as readonly string[]).includes(askedStatus) ? (askedStatus as ExecutionStatus) : undefined;
  const next = ctx.query.get('next') ?? undefined;
  const page = await ctx.services.history.listInvocations(ctx.scope, executionId, taskExecutionId, {
    maxResults: PAGE_SIZE, nextToken: next, filters: status ? [{ key: 'STATUS', values: [status] }] : undefined,
  });
  const base = `/console/windows/${seg(windowId)}/executions/${seg(executionId)}/tasks/${seg(taskExecutionId)}`;
  const statusLinks = [undefined, ...Object.keys(counts)].map((s) => (s === status
    ? html`<strong aria-current="true">${s ?? 'All'}</strong>`
    : html`<a href="${ctx.href(base, { status: s })}">${s ?? 'All'}</a>`));

  const body = html`<dl class="fields">
<div><dt>Task</dt><dd>${taskLabel(task)}</dd></div><div><dt>Priority</dt><dd>${task.priority}</dd></div>
${runsDocument(task) ? html`<div><dt>Document</dt><dd>${documentLink(ctx, task.taskArn, documentVersion(task))}</dd></div>` : ''}
<div><dt>Status</dt><dd>${statusBadge(task.status)}</dd></div><div><dt>Status details</dt><dd>${task.statusDetails ?? html`<span class="none">—</span>`}</dd></div>
<div><dt>Max concurrency</dt><dd>${task.maxConcurrency}</dd></div><div><dt>Max errors</dt><dd>${task.maxErrors}</dd></div>
<div><dt>Start</dt><dd>${timeCell(task.startTime)}</dd></div><div><dt>End</dt><dd>${timeCell(task.endTime)}</dd></div>
<div><dt>Invocations</dt><dd>${countChips(counts)}</dd></div>
</dl>
<h2>Invocations</h2>
<p class="filter">Show: ${statusLinks.map((l, i) => html`${i ? ' · ' : ''}${l}`)}</p>
${page.invocations.length === 0 ? html`<p class="empty">No invocations${status ? ` with status ${status}` : ''}.</p>` : html`<table class="list" id="invocations"><caption class="sr-only">Invocations in start order</caption>
<thead><tr><th scope="col">Invocation ID</th><th scope="col">Target</th><th scope="col">Owner information</th><th scope="col">Status</th><th scope="col">Start</th><th scope="col">End</th><th scope="col">Duration</th><th scope="col">Status details</th></tr></thead>
<tbody>${page.invocations.map((inv) => html`<tr data-status="${inv.status}">
<td><a href="${ctx.href(`${base}/invocations/${seg(inv.id)}`)}"><code>${inv.id}</code></a></td><td>${inv.resourceIds.join(', ')}</td><td>${inv.ownerInformation}</td>
<td>${statusBadge(inv.status)}</td><td>${timeCell(inv.startTime)}</td><td>${timeCell(inv.endTime)}</td><td>${duration(inv.startTime, inv.endTime)}</td><td>${inv.statusDetails}</td></tr>`)}</tbody></table>`}
<nav class="pager" aria-label="Pages">${next ? html`<a href="${ctx.href(base, { status })}">First page</a>` : ''}${page.nextToken ? html`<a rel="next" href="${ctx.href(base, { status, next: page.nextToken })}">Next page</a>` : ''}</nav>`;
  return {
    title: `Task execution ${taskExecutionId.slice(0, 8)}`,
    crumbs: [
      { label: 'Windows', href: ctx.href('/console/') },
      { label: window.name, href: ctx.href(`/console/windows/${seg(windowId)}`, { tab: 'history' }) },
      { label: `Execution ${executionId.slice(0, 8)}`, href: ctx.href(`/console/windows/${seg(windowId)}/executions/${seg(executionId)}`) },
      { label: `Task ${taskExecutionId.slice(0, 8)}` },
    ],
    body,
    live: { windowIds: [windowId] },
  };
}
