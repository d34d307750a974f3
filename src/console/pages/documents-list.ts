// The documents of this account and Region beside Amazon's: owner, type, format, default and latest
// version, platform types; filtered by owner, type and a keyword (ListDocuments' own Owner, DocumentType
// and SearchKeyword filters) and paged on the server like the other lists.

import type { DocumentKeyValues } from '../../service/documents.ts';
import type { PageContext } from '../context.ts';
import { html } from '../html.ts';
import type { PageFrame } from '../layout.ts';
import { documentHref, ownerLabel } from './documents-links.ts';

const PAGE_SIZE = 25;
/** The Owner filter's values, as ListDocuments takes them, with the words the AWS console uses. */
const OWNERS: [string, string][] = [['All', 'All documents'], ['Self', 'Owned by me'], ['Amazon', 'Owned by Amazon'], ['Private', 'Shared with me']];
const TYPES = ['Command', 'Automation', 'Session', 'Package', 'Policy'];

export async function documentsListPage(ctx: PageContext): Promise<PageFrame> {
  const owner = OWNERS.some(([value]) => value === ctx.query.get('owner')) ? ctx.query.get('owner')! : 'All';
  const askedType = ctx.query.get('type') || undefined;
  const type = askedType && /^[A-Za-z]{1,64}$/.test(askedType) ? askedType : undefined;
  const q = ctx.query.get('q')?.trim() || undefined;
  const next = ctx.query.get('next') ?? undefined;
  const filters: DocumentKeyValues[] = [];
  if (owner !== 'All') filters.push({ key: 'Owner', values: [owner] });
  if (type) filters.push({ key: 'DocumentType', values: [type] });
  if (q) filters.push({ key: 'SearchKeyword', values: [q] });
  const page = await ctx.services.documents.list(ctx.scope, { filters, maxResults: PAGE_SIZE, nextToken: next });
  const kept = { owner: owner === 'All' ? undefined : owner, type, q };
  const filtered = owner !== 'All' || type !== undefined || q !== undefined;
  const types = type && !TYPES.includes(type) ? [...TYPES, type] : TYPES;

  const body = html`
<form role="search" class="search" method="get" aria-label="Filter documents">
  <input type="hidden" name="account" value="${ctx.scope.account}"><input type="hidden" name="region" value="${ctx.scope.region}">
  <label for="owner">Owner</label>
  <select id="owner" name="owner">${OWNERS.map(([value, label]) => html`<option value="${value}"${value === owner ? html` selected` : ''}>${label}</option>`)}</select>
  <label for="type">Type</label>
  <select id="type" name="type"><option value="">Any type</option>${types.map((t) => html`<option${t === type ? html` selected` : ''}>${t}</option>`)}</select>
  <label for="q">Name or description contains</label>
  <input id="q" name="q" type="search" value="${q ?? ''}">
  <button type="submit">Filter</button>
  ${filtered ? html`<a href="${ctx.href('/console/documents')}">Clear</a>` : ''}
</form>
${page.documents.length === 0
    ? html`<p class="empty">${filtered ? 'No document matches these filters.' : 'No documents.'}${owner === 'Self' && !type && !q ? ' Create one with CreateDocument (aws ssm create-document, an SDK, Terraform\'s aws_ssm_document).' : ''}</p>`
    : html`<table class="list" id="documents">
<caption class="sr-only">Documents</caption>
<thead><tr><th scope="col">Name</th><th scope="col">Owner</th><th scope="col">Type</th><th scope="col">Format</th><th scope="col">Schema</th><th scope="col">Default version</th><th scope="col">Latest version</th><th scope="col">Platform types</th></tr></thead>
<tbody>${page.documents.map((d) => html`<tr data-document-name="${d.name}">
  <td><a href="${documentHref(ctx, d.name)}">${d.name}</a>${d.displayName ? html`<br><span class="muted">${d.displayName}</span>` : ''}</td>
  <td>${ownerLabel(ctx, d)}</td>
  <td>${d.documentType}</td>
  <td>${d.documentFormat}</td>
  <td>${d.schemaVersion}</td>
  <td>${d.defaultVersion}</td>
  <td>${d.latestVersion}</td>
  <td>${d.platformTypes.length ? d.platformTypes.join(', ') : html`<span class="none">—</span>`}</td>
</tr>`)}</tbody>
</table>`}
<nav class="pager" aria-label="Pages">
  ${next ? html`<a href="${ctx.href('/console/documents', kept)}">First page</a>` : ''}
  ${page.nextToken ? html`<a rel="next" href="${ctx.href('/console/documents', { ...kept, next: page.nextToken })}">Next page</a>` : ''}
</nav>`;
  return { title: 'Documents', crumbs: [{ label: 'Documents' }], body };
}
