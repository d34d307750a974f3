// One document at one version (`?version=` a number, $DEFAULT or $LATEST; the default one when none is
// given): what DescribeDocument says, its versions (ListDocumentVersions, with each one's hash), its
// parameters, and its content as GetDocument gives it, as stored or converted (`?format=JSON|YAML`:
// plain links, no script).

import { ServiceError } from '../../domain/errors.ts';
import type { DocumentVersionView, DocumentView } from '../../service/documents.ts';
import type { PageContext } from '../context.ts';
import { timeCell, utc } from '../format.ts';
import { html, type Markup } from '../html.ts';
import type { PageFrame } from '../layout.ts';
import { documentHref, ownerLabel } from './documents-links.ts';

const VERSIONS_PAGE = 50;
const FORMATS = ['JSON', 'YAML'];

function field(label: string, value: Markup | string | undefined, wide = false): Markup {
  return html`<div${wide ? html` class="wide"` : ''}><dt>${label}</dt><dd>${value === undefined || value === '' ? html`<span class="none">—</span>` : value}</dd></div>`;
}

/** Every version, for the selector (AWS keeps at most 1,000 per document). */
async function allVersions(ctx: PageContext, name: string): Promise<DocumentVersionView[]> {
  const versions: DocumentVersionView[] = [];
  let nextToken: string | undefined;
  do {
    const page = await ctx.services.documents.listVersions(ctx.scope, name, { maxResults: 50, nextToken });
    versions.push(...page.versions);
    nextToken = page.nextToken;
  } while (nextToken);
  return versions;
}

function description(ctx: PageContext, d: DocumentView): Markup {
  return html`<dl class="fields" id="document-fields">
${field('Name', html`<code>${d.name}</code>`)}${field('Display name', d.displayName)}${field('Owner', ownerLabel(ctx, d))}
${field('Description', d.description, true)}
${field('Document type', d.documentType)}${field('Schema version', d.schemaVersion)}${field('Format', d.documentFormat)}
${field('Platform types', d.platformTypes.join(', '))}${field('Target type', d.targetType)}${field('Status', d.status)}
${field('Version shown', html`<span id="version-shown">${d.version}${d.versionName ? html` <span class="muted">(${d.versionName})</span>` : ''}</span>`)}
${field('Default version', d.defaultVersion)}${field('Latest version', d.latestVersion)}
${field('Created', utc(d.createdAt))}${field('Hash (Sha256)', html`<code>${d.hash}</code>`)}
${field('Requires', d.requires?.length ? d.requires.map((r) => `${r.name}${r.version ? `:${r.version}` : ''}`).join(', ') : undefined)}
${field('Tags', d.tags.length ? d.tags.map((t) => `${t.key}=${t.value}`).join(', ') : undefined)}
</dl>`;
}

function versionSelector(ctx: PageContext, d: DocumentView, versions: DocumentVersionView[], asked: string | undefined, format: string | undefined): Markup {
  const choices: [string, string][] = [
    ['$DEFAULT', `$DEFAULT (now ${d.defaultVersion})`], ['$LATEST', `$LATEST (now ${d.latestVersion})`],
    ...[...versions].reverse().map((v): [string, string] => [v.version, `${v.version}${v.versionName ? ` — ${v.versionName}` : ''}${v.isDefault ? ' (default)' : ''}`]),
  ];
  const selected = asked ?? '$DEFAULT';
  return html`<form class="search" method="get" id="version-form" aria-label="Choose a version">
  <input type="hidden" name="account" value="${ctx.scope.account}"><input type="hidden" name="region" value="${ctx.scope.region}">
  ${format ? html`<input type="hidden" name="format" value="${format}">` : ''}
  <label for="version">Version</label>
  <select id="version" name="version">${choices.map(([value, label]) => html`<option value="${value}"${value === selected ? html` selected` : ''}>${label}</option>`)}</select>
  <button type="submit">Show</button>
</form>`;
}

async function versionsTable(ctx: PageContext, lookup: string, d: DocumentView, format: string | undefined): Promise<Markup> {
  const next = ctx.query.get('vnext') ?? undefined;
  const page = await ctx.services.documents.listVersions(ctx.scope, lookup, { maxResults: VERSIONS_PAGE, nextToken: next });
  // ListDocumentVersions does not say a version's hash: DescribeDocument at that version does.
  const hashes = await Promise.all(page.versions.map(async (v) => (await ctx.services.documents.describe(ctx.scope, lookup, v.version)).hash));
  const link = (vnext?: string) => documentHref(ctx, lookup, { version: ctx.query.get('version') || undefined, format, vnext });
  return html`<table class="list" id="versions"><caption class="sr-only">Versions</caption>
<thead><tr><th scope="col">Version</th><th scope="col">Version name</th><th scope="col">Created</th><th scope="col">Default</th><th scope="col">Format</th><th scope="col">Hash</th></tr></thead>
<tbody>${page.versions.map((v, i) => html`<tr data-version="${v.version}"${v.version === d.version ? html` class="current"` : ''}>
<td>${v.version === d.version
    ? html`<strong aria-current="true">${v.version}</strong>`
    : html`<a href="${documentHref(ctx, lookup, { version: v.version, format })}" aria-label="Show version ${v.version}">${v.version}</a>`}</td>
<td>${v.versionName ?? html`<span class="none">—</span>`}</td><td>${timeCell(v.createdAt)}</td>
<td>${v.isDefault ? html`<span class="status status-success">Default</span>` : ''}</td><td>${v.documentFormat}</td>
<td><code title="${hashes[i]}">${hashes[i].slice(0, 12)}</code></td></tr>`)}</tbody></table>
<nav class="pager" aria-label="Pages of versions">${next ? html`<a href="${link()}">First versions</a>` : ''}${page.nextToken ? html`<a rel="next" href="${link(page.nextToken)}">More versions</a>` : ''}</nav>`;
}

function parametersTable(d: DocumentView): Markup {
  if (d.parameters.length === 0) return html`<p class="empty">This document takes no parameters.</p>`;
  return html`<table class="list" id="parameters"><caption class="sr-only">Parameters</caption>
<thead><tr><th scope="col">Name</th><th scope="col">Type</th><th scope="col">Default</th><th scope="col">Description</th></tr></thead>
<tbody>${d.parameters.map((p) => html`<tr data-parameter="${p.Name}"><td><code>${p.Name}</code></td><td>${p.Type}</td>
<td>${p.DefaultValue === undefined ? html`<span class="none">—</span>` : html`<code>${p.DefaultValue}</code>`}</td><td>${p.Description ?? ''}</td></tr>`)}</tbody></table>`;
}

function indentJson(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

async function contentSection(ctx: PageContext, lookup: string, d: DocumentView, asked: string | undefined, format: string | undefined): Promise<Markup> {
  const shown = format ?? d.documentFormat;
  const switcher = html`<nav class="format-switch" aria-label="Content format"><span>Show as:</span> ${FORMATS.map((f, i) => html`${i ? ' · ' : ''}${f === shown
    ? html`<strong aria-current="true">${f}</strong>`
    : html`<a href="${documentHref(ctx, lookup, { version: asked, format: f })}">${f}</a>`}`)}${shown !== d.documentFormat ? html` <span class="muted">(converted from the ${d.documentFormat} it was written in)</span>` : html` <span class="muted">(as written)</span>`}</nav>`;
  let content: Markup;
  try {
    const got = await ctx.services.documents.get(ctx.scope, lookup, { version: d.version, format: shown });
    // Content as written is shown byte for byte; YAML converted to JSON comes on one line, indented here.
    const text = got.format === 'JSON' && shown !== d.documentFormat ? indentJson(got.content) : got.content;
    content = html`<pre id="content" tabindex="0" aria-labelledby="content-h" data-format="${got.format}">${text}</pre>`;
  } catch (error) {
    if (!(error instanceof ServiceError) || error.fault !== 'client') throw error;
    content = html`<p class="error" role="alert"><strong>${error.code}</strong>: ${error.message}</p>`;
  }
  return html`<h2 id="content-h">Content</h2>${switcher}${content}`;
}

export async function documentPage(ctx: PageContext, name: string): Promise<PageFrame> {
  const asked = ctx.query.get('version') || undefined;
  const askedFormat = ctx.query.get('format')?.toUpperCase();
  const format = askedFormat && FORMATS.includes(askedFormat) ? askedFormat : undefined;
  const d = await ctx.services.documents.describe(ctx.scope, name, asked);
  const versions = await allVersions(ctx, name);
  const body = html`${versionSelector(ctx, d, versions, asked, format)}
${description(ctx, d)}
<h2>Versions</h2>
${await versionsTable(ctx, name, d, format)}
<h2>Parameters</h2>
${parametersTable(d)}
${await contentSection(ctx, name, d, asked, format)}`;
  return {
    title: d.name,
    crumbs: [{ label: 'Documents', href: ctx.href('/console/documents') }, { label: d.name }],
    body,
  };
}
