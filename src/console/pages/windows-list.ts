// The list of windows: name, enabled, schedule in words and as given, time zone, next run and the last
// run's status (a link straight to that execution), with a name search and server-side pages.

import { nextFireAfter } from '../../domain/window-rules.ts';
import { type PageContext, seg } from '../context.ts';
import { statusBadge, timeCell, yesNo } from '../format.ts';
import { html } from '../html.ts';
import type { PageFrame } from '../layout.ts';
import { scheduleInWords } from '../schedule-words.ts';

const PAGE_SIZE = 25;

export async function windowsListPage(ctx: PageContext): Promise<PageFrame> {
  const q = ctx.query.get('q')?.trim() || undefined;
  const next = ctx.query.get('next') ?? undefined;
  const page = await ctx.services.windows.list(ctx.scope, { maxResults: PAGE_SIZE, nextToken: next, nameContains: q });
  const rows = await Promise.all(page.windows.map(async (w) => ({ w, last: await ctx.services.history.latestExecution(ctx.scope, w.id) })));
  const windowLink = (id: string) => ctx.href(`/console/windows/${seg(id)}`);
  const body = html`
<form role="search" class="search" method="get">
  <input type="hidden" name="account" value="${ctx.scope.account}"><input type="hidden" name="region" value="${ctx.scope.region}">
  <label for="q">Search windows by name</label>
  <input id="q" name="q" type="search" value="${q ?? ''}">
  <button type="submit">Search</button>
  ${q ? html`<a href="${ctx.href('/console/')}">Clear</a>` : ''}
</form>
${rows.length === 0
    ? html`<p class="empty">${q ? `No window's name contains “${q}”.` : 'No maintenance windows in this account and Region yet. Create one with CreateMaintenanceWindow (the aws CLI, an SDK, Terraform).'}</p>`
    : html`<table class="list" id="windows">
<caption class="sr-only">Maintenance windows</caption>
<thead><tr><th scope="col">Name</th><th scope="col">Window ID</th><th scope="col">Enabled</th><th scope="col">Schedule</th><th scope="col">Time zone</th><th scope="col">Next run</th><th scope="col">Last run</th></tr></thead>
<tbody>${rows.map(({ w, last }) => html`<tr data-window-id="${w.id}">
  <td><a href="${windowLink(w.id)}">${w.name}</a></td>
  <td><code>${w.id}</code></td>
  <td>${yesNo(w.enabled)}</td>
  <td>${scheduleInWords(w.schedule)}<br><code class="muted">${w.schedule}</code>${w.offsetDays ? html`<br><span class="muted">offset ${w.offsetDays} day(s)</span>` : ''}</td>
  <td>${w.timeZone ?? 'UTC'}</td>
  <td>${timeCell(nextFireAfter(w, ctx.now))}</td>
  <td>${last
    ? html`<a href="${ctx.href(`/console/windows/${seg(w.id)}/executions/${seg(last.id)}`)}" aria-label="Last run ${last.status}, open the execution">${statusBadge(last.status)}</a> ${timeCell(last.startTime)}`
    : html`<span class="none">never ran</span>`}</td>
</tr>`)}</tbody>
</table>`}
<nav class="pager" aria-label="Pages">
  ${next ? html`<a href="${ctx.href('/console/', { q })}">First page</a>` : ''}
  ${page.nextToken ? html`<a rel="next" href="${ctx.href('/console/', { q, next: page.nextToken })}">Next page</a>` : ''}
</nav>`;
  return { title: 'Maintenance windows', crumbs: [{ label: 'Windows' }], body, live: {} };
}
