// The Session Manager sessions of this account and Region, newest first, in DescribeSessions' two States
// (Active and History, one tab each) and its columns, paged on the server like the other lists.

import type { SessionState } from '../../domain/session-filters.ts';
import type { PageContext } from '../context.ts';
import { timeCell } from '../format.ts';
import { html } from '../html.ts';
import type { PageFrame } from '../layout.ts';
import { documentHref } from './documents-links.ts';
import { knownNodes, sessionBadge, sessionHref, targetCell } from './session-links.ts';

const PAGE_SIZE = 25;
const STATES: SessionState[] = ['Active', 'History'];

export async function sessionsListPage(ctx: PageContext): Promise<PageFrame> {
  const state: SessionState = ctx.query.get('state') === 'History' ? 'History' : 'Active';
  const next = ctx.query.get('next') ?? undefined;
  const page = await ctx.services.sessions.list(ctx.scope, { state, maxResults: PAGE_SIZE, nextToken: next });
  const known = await knownNodes(ctx);
  const none = html`<span class="none">—</span>`;

  const body = html`
<nav class="tabs" aria-label="Session states"><ul>${STATES.map((s) => html`<li><a href="${ctx.href('/console/sessions', { state: s })}"${s === state ? html` aria-current="page"` : ''}>${s === 'Active' ? 'Active' : 'History'}</a></li>`)}</ul></nav>
<section aria-label="${state} sessions" class="tab-body">
${page.sessions.length === 0
    ? html`<p class="empty">${state === 'Active' ? 'No active sessions. Start one with StartSession (aws ssm start-session --target mi-...) on a node whose agent is connected.' : 'No ended sessions.'}</p>`
    : html`<table class="list" id="sessions">
<caption class="sr-only">${state} sessions, newest first</caption>
<thead><tr><th scope="col">Session ID</th><th scope="col">Target</th><th scope="col">Status</th><th scope="col">Started</th><th scope="col">Ended</th><th scope="col">Document</th><th scope="col">Reason</th></tr></thead>
<tbody>${page.sessions.map((s) => html`<tr data-session-id="${s.id}" data-status="${s.status}">
  <td><a href="${sessionHref(ctx, s.id)}"><code>${s.id}</code></a></td>
  <td>${targetCell(ctx, s.target, known)}</td>
  <td>${sessionBadge(s.status)}</td>
  <td>${timeCell(s.startedAt)}</td>
  <td>${timeCell(s.endedAt)}</td>
  <td><a class="document-link" href="${documentHref(ctx, s.documentName)}">${s.documentName}</a></td>
  <td class="reason">${s.reason ?? none}</td>
</tr>`)}</tbody>
</table>`}
<nav class="pager" aria-label="Pages">
  ${next ? html`<a href="${ctx.href('/console/sessions', { state })}">First page</a>` : ''}
  ${page.nextToken ? html`<a rel="next" href="${ctx.href('/console/sessions', { state, next: page.nextToken })}">Next page</a>` : ''}
</nav>
</section>`;
  return { title: 'Sessions', crumbs: [{ label: 'Sessions' }], body };
}
