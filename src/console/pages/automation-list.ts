// The automation executions of this account and Region, newest first (DescribeAutomationExecutions'
// order), filtered by status (its ExecutionStatus filter) and by the runbook's name (DocumentNamePrefix),
// paged on the server like the other lists.

import type { Filter } from '../../service/automations.ts';
import type { PageContext } from '../context.ts';
import { duration, timeCell } from '../format.ts';
import { html } from '../html.ts';
import type { PageFrame } from '../layout.ts';
import { documentLink } from './documents-links.ts';
import { AUTOMATION_STATUSES, automationBadge, automationHref, windowInvocationHref } from './automation-links.ts';

const PAGE_SIZE = 25;

export async function automationsListPage(ctx: PageContext): Promise<PageFrame> {
  const asked = ctx.query.get('status') ?? '';
  const status = (AUTOMATION_STATUSES as string[]).includes(asked) ? asked : undefined;
  const prefix = ctx.query.get('document')?.trim() || undefined;
  const next = ctx.query.get('next') ?? undefined;
  const filters: Filter[] = [];
  if (status) filters.push({ key: 'ExecutionStatus', values: [status] });
  if (prefix) filters.push({ key: 'DocumentNamePrefix', values: [prefix] });
  const page = await ctx.services.automations.list(ctx.scope, { filters, maxResults: PAGE_SIZE, nextToken: next });
  const kept = { status, document: prefix };
  const filtered = status !== undefined || prefix !== undefined;

  const body = html`
<form role="search" class="search" method="get" aria-label="Filter automation executions">
  <input type="hidden" name="account" value="${ctx.scope.account}"><input type="hidden" name="region" value="${ctx.scope.region}">
  <label for="status">Status</label>
  <select id="status" name="status"><option value="">Any status</option>${AUTOMATION_STATUSES.map((s) => html`<option${s === status ? html` selected` : ''}>${s}</option>`)}</select>
  <label for="document">Runbook name starts with</label>
  <input id="document" name="document" type="search" value="${prefix ?? ''}">
  <button type="submit">Filter</button>
  ${filtered ? html`<a href="${ctx.href('/console/automations')}">Clear</a>` : ''}
</form>
${page.executions.length === 0
    ? html`<p class="empty">${filtered ? 'No automation execution matches these filters.' : 'No automation executions. Start one with StartAutomationExecution (aws ssm start-automation-execution), or register a runbook as a window\'s AUTOMATION task.'}</p>`
    : html`<table class="list" id="automations">
<caption class="sr-only">Automation executions, newest first</caption>
<thead><tr><th scope="col">Execution ID</th><th scope="col">Runbook</th><th scope="col">Status</th><th scope="col">Current step</th><th scope="col">Started</th><th scope="col">Ended</th><th scope="col">Duration</th><th scope="col">Started by</th></tr></thead>
<tbody>${page.executions.map((e) => {
      const current = ['Success', 'Failed', 'TimedOut', 'Cancelled'].includes(e.status) ? undefined : e.steps.at(-1);
      return html`<tr data-execution-id="${e.id}" data-status="${e.status}">
  <td><a href="${automationHref(ctx, e.id)}"><code>${e.id}</code></a></td>
  <td>${documentLink(ctx, e.documentName, e.documentVersion)}</td>
  <td>${automationBadge(e.status)}</td>
  <td>${current ? html`${current.stepName} <span class="muted">(${current.action})</span>` : html`<span class="none">—</span>`}</td>
  <td>${timeCell(e.startedAt ?? e.createdAt)}</td>
  <td>${timeCell(e.endedAt)}</td>
  <td>${duration(e.startedAt ?? e.createdAt, e.endedAt)}</td>
  <td>${e.window ? html`<a href="${windowInvocationHref(ctx, e.window)}">Window invocation</a>` : e.parentId ? html`Execution <a href="${automationHref(ctx, e.parentId)}"><code>${e.parentId.slice(0, 8)}</code></a>` : e.executedBy}</td>
</tr>`;
    })}</tbody>
</table>`}
<nav class="pager" aria-label="Pages">
  ${next ? html`<a href="${ctx.href('/console/automations', kept)}">First page</a>` : ''}
  ${page.nextToken ? html`<a rel="next" href="${ctx.href('/console/automations', { ...kept, next: page.nextToken })}">Next page</a>` : ''}
</nav>`;
  return {
    title: 'Automation executions', crumbs: [{ label: 'Automation' }], body,
    live: { detailTypes: ['EC2 Automation Execution Status-change Notification'] },
  };
}
