// The frame around every console page: the account/Region selector, the service clock with its controls
// (manual clock only), the navigation, and the live-update hook the page script reads from <main>.

import { DETAIL_TYPES, type DetailType } from '../domain/events.ts';
import { html, type Markup } from './html.ts';
import { utc } from './format.ts';

export interface Crumb {
  label: string;
  href?: string;
}

export interface PageFrame {
  title: string;
  crumbs: Crumb[];
  body: Markup;
  /**
   * Which events make this page refresh itself: windows to follow, or every window of the scope; and which
   * detail-types (every one when not said).
   */
  live?: { windowIds?: string[]; detailTypes?: DetailType[] };
  status?: number;
}

export interface FrameContext {
  account: string;
  region: string;
  clock: { mode: 'manual' | 'system'; epochMillis: number };
  /** The earliest next run of an enabled window in this scope (manual clock only). */
  nextRun?: { at: number; windowName: string };
  href: (path: string, extra?: Record<string, string | undefined>) => string;
  section: 'windows' | 'documents' | 'automations' | 'sessions' | 'nodes' | 'outcomes';
}

function clockBar(ctx: FrameContext): Markup {
  const now = html`<time id="clock-now" datetime="${new Date(ctx.clock.epochMillis).toISOString()}">${utc(ctx.clock.epochMillis)}</time>`;
  if (ctx.clock.mode !== 'manual') return html`<p class="clock">Service time ${now} <span class="muted">(system clock)</span></p>`;
  return html`<div class="clock" role="group" aria-label="Manual clock">
    <span>Manual clock ${now}</span>
    <button type="button" data-advance="3600">+1 hour</button>
    <button type="button" data-advance="86400">+1 day</button>
    ${ctx.nextRun
      ? html`<button type="button" data-set-to="${new Date(ctx.nextRun.at).toISOString()}">To next run (${utc(ctx.nextRun.at)}, ${ctx.nextRun.windowName})</button>`
      : html`<button type="button" disabled>No run ahead</button>`}
  </div>`;
}

export function renderPage(frame: PageFrame, ctx: FrameContext): string {
  const nav = (section: FrameContext['section'], label: string, path: string) =>
    html`<a href="${ctx.href(path)}"${section === ctx.section ? html` aria-current="page"` : ''}>${label}</a>`;
  const live = frame.live ? (frame.live.windowIds?.length ? frame.live.windowIds.join(' ') : '*') : undefined;
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${frame.title} · Maintenance Windows</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/console/assets/console.css">
<script type="module" src="/console/assets/console.js"></script>
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="top">
  <p class="brand"><a href="${ctx.href('/console/')}">Maintenance Windows</a></p>
  <nav aria-label="Sections">${nav('windows', 'Windows', '/console/')}${nav('documents', 'Documents', '/console/documents')}${nav('automations', 'Automation', '/console/automations')}${nav('sessions', 'Sessions', '/console/sessions')}${nav('nodes', 'Nodes', '/console/nodes')}${nav('outcomes', 'Outcome rules', '/console/outcomes')}</nav>
  <form class="scope" method="get" aria-label="Account and Region">
    <label>Account <input name="account" value="${ctx.account}" size="13" pattern="\\d{12}" required></label>
    <label>Region <input name="region" value="${ctx.region}" size="12" required></label>
    <button type="submit">Switch</button>
  </form>
  ${clockBar(ctx)}
</header>
<nav class="crumbs" aria-label="Breadcrumb"><ol>${frame.crumbs.map((c, i) => (c.href && i < frame.crumbs.length - 1
    ? html`<li><a href="${c.href}">${c.label}</a></li>`
    : html`<li aria-current="page">${c.label}</li>`))}</ol></nav>
<p id="notice" class="notice" role="status" aria-live="polite"></p>
<main id="main" data-account="${ctx.account}" data-region="${ctx.region}"${live ? html` data-live="${live}" data-detail-types="${JSON.stringify(frame.live?.detailTypes ?? DETAIL_TYPES)}"` : ''}>
<h1>${frame.title}</h1>
${frame.body}
</main>
</body>
</html>
`.text;
}
