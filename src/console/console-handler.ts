// The web console at /console/: server-rendered pages read through the service's use cases, plus the
// page's own script and style. Controls on the page call the same /_mw/ routes as the CLI.
//
//   /console/                                          windows (search, pages)
//   /console/windows/{id}?tab=...                      one window's tabs
//   /console/windows/{id}/executions/{eid}             an execution, its tasks and timeline
//   /console/windows/{id}/executions/{eid}/tasks/{tid} a task execution's invocations
//   .../tasks/{tid}/invocations/{iid}                  an invocation with its nodes' whole output
//   /console/documents?owner=&type=&q=                 documents (filters, pages)
//   /console/documents/{name}?version=&format=         one document: versions, parameters, content
//   /console/automations?status=&document=             automation executions, newest first
//   /console/automations/{id}                          one execution and its steps
//   POST /console/automations/{id}/signal              Approve, Reject, Resume (SendAutomationSignal) or Stop
//   /console/sessions?state=Active|History             Session Manager sessions, newest first
//   /console/sessions/{id}                             one session and its transcript (--session-transcripts)
//   /console/nodes, /console/outcomes                  inventory and outcome rules
//
// With --credentials the console asks for a control token (wire/control-auth.ts) and keeps it in a
// SameSite=Strict cookie, which the control routes also accept from the page's own requests.

import { readFileSync } from 'node:fs';
import { ServiceError } from '../domain/errors.ts';
import type { Scope } from '../domain/model.ts';
import { CONSOLE_TOKEN_COOKIE, cookieValue } from '../wire/control-auth.ts';
import { decodeSegment } from '../wire/control.ts';
import type { ConsoleServices, PageContext } from './context.ts';
import { html } from './html.ts';
import { type FrameContext, type PageFrame, renderPage } from './layout.ts';
import { documentPage } from './pages/documents-page.ts';
import { documentsListPage } from './pages/documents-list.ts';
import { automationsListPage } from './pages/automation-list.ts';
import { automationPage } from './pages/automation-page.ts';
import { executionPage } from './pages/execution-page.ts';
import { invocationPage } from './pages/invocation-page.ts';
import { nodesPage } from './pages/nodes-page.ts';
import { outcomesPage } from './pages/outcomes-page.ts';
import { sessionPage } from './pages/session-page.ts';
import { sessionsListPage } from './pages/sessions-list.ts';
import { taskExecutionPage } from './pages/task-execution-page.ts';
import { windowPage } from './pages/window-page.ts';
import { windowsListPage } from './pages/windows-list.ts';

export interface ConsoleRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export interface ConsoleResponse {
  status: number;
  contentType: string;
  body: string;
  headers?: Record<string, string>;
}

export interface ConsoleOptions {
  services: ConsoleServices;
  defaultScope: Scope;
  /** With --credentials: the scope of a control token, or a thrown ServiceError when it is not valid. */
  authenticate?: (token: string, region: string | undefined) => Promise<Scope>;
}

type Page = (ctx: PageContext, params: string[]) => Promise<PageFrame>;
const ID = '([^/]+)';
const PAGES: { pattern: RegExp; section: FrameContext['section']; page: Page }[] = [
  { pattern: /^\/console\/?$/, section: 'windows', page: (ctx) => windowsListPage(ctx) },
  { pattern: new RegExp(`^/console/windows/${ID}$`), section: 'windows', page: (ctx, [w]) => windowPage(ctx, w) },
  { pattern: new RegExp(`^/console/windows/${ID}/executions/${ID}$`), section: 'windows', page: (ctx, [w, e]) => executionPage(ctx, w, e) },
  { pattern: new RegExp(`^/console/windows/${ID}/executions/${ID}/tasks/${ID}$`), section: 'windows', page: (ctx, [w, e, t]) => taskExecutionPage(ctx, w, e, t) },
  {
    pattern: new RegExp(`^/console/windows/${ID}/executions/${ID}/tasks/${ID}/invocations/${ID}$`), section: 'windows',
    page: (ctx, [w, e, t, i]) => invocationPage(ctx, w, e, t, i),
  },
  { pattern: /^\/console\/documents\/?$/, section: 'documents', page: (ctx) => documentsListPage(ctx) },
  { pattern: new RegExp(`^/console/documents/${ID}$`), section: 'documents', page: (ctx, [name]) => documentPage(ctx, name) },
  { pattern: /^\/console\/automations\/?$/, section: 'automations', page: (ctx) => automationsListPage(ctx) },
  { pattern: new RegExp(`^/console/automations/${ID}$`), section: 'automations', page: (ctx, [id]) => automationPage(ctx, id) },
  { pattern: /^\/console\/sessions\/?$/, section: 'sessions', page: (ctx) => sessionsListPage(ctx) },
  { pattern: new RegExp(`^/console/sessions/${ID}$`), section: 'sessions', page: (ctx, [id]) => sessionPage(ctx, id) },
  { pattern: /^\/console\/nodes$/, section: 'nodes', page: (ctx) => nodesPage(ctx) },
  { pattern: /^\/console\/outcomes$/, section: 'outcomes', page: (ctx) => outcomesPage(ctx) },
];

/** The client errors that mean "nothing at this URL". */
const NOT_FOUND_CODES = new Set(['DoesNotExistException', 'InvalidCommandId', 'InvalidDocument', 'InvalidDocumentVersion', 'AutomationExecutionNotFoundException']);

/** The one form post besides the sign-in: a signal to an automation execution (its page's buttons). */
const SIGNAL_ROUTE = new RegExp(`^/console/automations/${ID}/signal$`);
const SIGNALS = new Set(['Approve', 'Reject', 'Resume', 'Stop']);

const ASSETS: Record<string, { file: string; type: string }> = {
  'console.css': { file: 'console.css', type: 'text/css; charset=utf-8' },
  'console.js': { file: 'console.js', type: 'text/javascript; charset=utf-8' },
};
const assetCache = new Map<string, string>();

function asset(name: string): ConsoleResponse | undefined {
  // The name comes from the path: `constructor` must not find Object.prototype's.
  const known = Object.hasOwn(ASSETS, name) ? ASSETS[name] : undefined;
  if (!known) return undefined;
  let text = assetCache.get(name);
  if (text === undefined) {
    text = readFileSync(new URL(`./assets/${known.file}`, import.meta.url), 'utf8');
    assetCache.set(name, text);
  }
  return { status: 200, contentType: known.type, body: text, headers: { 'cache-control': 'no-cache' } };
}

const HTML = 'text/html; charset=utf-8';
// The pages are the service's own: no frames from elsewhere, no scripts or styles but ours.
const PAGE_HEADERS = {
  'content-security-policy': "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-store',
};

function loginPage(message: string | undefined): ConsoleResponse {
  const body = html`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sign in · Maintenance Windows</title><link rel="stylesheet" href="/console/assets/console.css"></head>
<body><main id="main"><h1>Sign in</h1>
<p>This service was started with <code>--credentials</code>. Give the control token of one of its keys: <code>&lt;access key id&gt;.&lt;hex HMAC-SHA256 of "mw-local control token v1" under the secret&gt;</code>, as README.md says.</p>
${message ? html`<p class="error" role="alert">${message}</p>` : ''}
<form method="post" action="/console/login" class="stack"><label>Control token <input name="token" type="password" required autocomplete="current-password"></label><button type="submit">Sign in</button></form>
</main></body></html>`;
  return { status: message ? 403 : 401, contentType: HTML, body: body.text, headers: PAGE_HEADERS };
}

function headerText(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Whether a form post comes from this service's own page: browsers say where a request comes from in
 * Sec-Fetch-Site and Origin, and another site cannot forge either. Clients that send neither (curl, a
 * script) are no browser a site could drive, so they are let through.
 */
export function fromOwnPage(headers: ConsoleRequest['headers']): boolean {
  const site = headerText(headers['sec-fetch-site']);
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return false;
  const origin = headerText(headers.origin);
  if (origin === undefined) return true;
  try {
    return new URL(origin).host === headerText(headers.host);
  } catch {
    return false; // "null" (a sandboxed frame, a data: page) or garbage
  }
}

/**
 * A signal from an execution's page: sent as SendAutomationSignal (Approve, Reject with the form's comment,
 * Resume) or StopAutomationExecution (Stop) would be, by the signed-in account. Only from this service's own
 * page (fromOwnPage), so another site cannot make a visitor's browser approve a step. Undefined when sent.
 */
async function postSignal(services: ConsoleServices, scope: Scope, id: string, request: ConsoleRequest): Promise<{ status: number; code?: string; message: string } | undefined> {
  if (!fromOwnPage(request.headers)) return { status: 403, message: 'Signals are sent from this service\'s own page.' };
  const form = new URLSearchParams(request.body);
  const signal = form.get('signal') ?? '';
  if (!SIGNALS.has(signal)) return { status: 400, message: 'The signal is one of Approve, Reject, Resume and Stop.' };
  const comment = form.get('comment')?.trim();
  try {
    if (signal === 'Stop') await services.automations.stop(scope, id, 'Cancel');
    else await services.automations.signal(scope, id, signal as 'Approve' | 'Reject' | 'Resume', comment ? { Comment: [comment] } : {}, `arn:aws:iam::${scope.account}:root`);
  } catch (error) {
    if (!(error instanceof ServiceError) || error.fault !== 'client') throw error;
    return { status: NOT_FOUND_CODES.has(error.code) ? 404 : 409, code: error.code, message: error.message };
  }
  return undefined;
}

export function createConsoleHandler(options: ConsoleOptions): (request: ConsoleRequest) => Promise<ConsoleResponse | undefined> {
  const { services } = options;
  return async (request) => {
    if (request.path !== '/console' && !request.path.startsWith('/console/')) return undefined;
    if (request.path === '/console') return { status: 308, contentType: HTML, body: '', headers: { location: '/console/' } };
    const assetName = /^\/console\/assets\/([a-z0-9.-]+)$/.exec(request.path)?.[1];
    if (assetName) return asset(assetName) ?? { status: 404, contentType: 'text/plain', body: 'Not found' };

    if (request.path === '/console/login' && request.method === 'POST') {
      // Another site's form must not sign a visitor in with the attacker's token (login CSRF).
      if (!fromOwnPage(request.headers)) return loginPage('Sign in from this service\'s own page.');
      const token = new URLSearchParams(request.body).get('token') ?? '';
      if (!options.authenticate) return { status: 303, contentType: HTML, body: '', headers: { location: '/console/' } };
      try {
        await options.authenticate(token, undefined);
      } catch (error) {
        if (error instanceof ServiceError) return loginPage('That token is not the token of a configured key.');
        throw error;
      }
      return {
        status: 303, contentType: HTML, body: '',
        headers: { location: '/console/', 'set-cookie': `${CONSOLE_TOKEN_COOKIE}=${encodeURIComponent(token)}; Path=/; HttpOnly; SameSite=Strict` },
      };
    }
    const signalId = SIGNAL_ROUTE.exec(request.path)?.[1];
    if (signalId !== undefined && request.method !== 'POST') return { status: 405, contentType: 'text/plain', body: 'Method not allowed', headers: { allow: 'POST' } };
    if (signalId === undefined && request.method !== 'GET' && request.method !== 'HEAD') return { status: 405, contentType: 'text/plain', body: 'Method not allowed', headers: { allow: 'GET' } };

    const route = PAGES.map((p) => ({ p, match: p.pattern.exec(request.path) })).find((r) => r.match);
    let scope: Scope;
    const askedRegion = request.query.get('region') ?? undefined;
    if (options.authenticate) {
      const token = cookieValue(request.headers.cookie, CONSOLE_TOKEN_COOKIE);
      if (!token) return loginPage(undefined);
      try {
        scope = await options.authenticate(token, askedRegion);
      } catch (error) {
        if (error instanceof ServiceError) return loginPage('The saved token is no longer valid.');
        throw error;
      }
    } else {
      const account = request.query.get('account') ?? options.defaultScope.account;
      scope = { account: /^\d{12}$/.test(account) ? account : options.defaultScope.account, region: askedRegion ?? options.defaultScope.region };
    }
    if (!/^[a-z]{2}(-[a-z]+)+-\d+$/.test(scope.region)) scope = { ...scope, region: options.defaultScope.region };

    const keep: Record<string, string> = {};
    if (scope.account !== options.defaultScope.account) keep.account = scope.account;
    if (scope.region !== options.defaultScope.region) keep.region = scope.region;
    const href = (path: string, extra?: Record<string, string | undefined>) => {
      const params = new URLSearchParams(keep);
      for (const [k, v] of Object.entries(extra ?? {})) if (v !== undefined && v !== '') params.set(k, v);
      const text = params.toString();
      return text ? `${path}?${text}` : path;
    };
    const clock = services.control.clockState();
    const nextRun = clock.mode === 'manual' ? await services.control.nextRun(scope) : undefined;
    const frameContext: FrameContext = { account: scope.account, region: scope.region, clock, nextRun, href, section: route?.p.section ?? 'windows' };
    const ctx: PageContext = { scope, services, query: request.query, now: clock.epochMillis, href };

    // An error page's way back: the list of the section it was asked in.
    const home = frameContext.section === 'documents' ? { label: 'Documents', href: href('/console/documents') }
      : frameContext.section === 'automations' ? { label: 'Automation', href: href('/console/automations') }
      : frameContext.section === 'sessions' ? { label: 'Sessions', href: href('/console/sessions') } : { label: 'Windows', href: href('/console/') };
    let frame: PageFrame;
    if (signalId !== undefined) {
      const id = decodeSegment(signalId);
      const refused = await postSignal(services, scope, id, request);
      if (!refused) return { status: 303, contentType: HTML, body: '', headers: { location: href(`/console/automations/${encodeURIComponent(id)}`) } };
      frameContext.section = 'automations';
      frame = {
        title: 'Signal not sent', status: refused.status,
        crumbs: [{ label: 'Automation', href: href('/console/automations') }, { label: 'Signal not sent' }],
        body: html`<p class="error" role="alert">${refused.code ? html`<strong>${refused.code}</strong>: ` : ''}${refused.message}</p>
<p><a href="${href(`/console/automations/${encodeURIComponent(id)}`)}">Back to the execution</a></p>`,
      };
    } else if (!route) {
      frame = { title: 'Not found', status: 404, crumbs: [{ label: 'Windows', href: href('/console/') }, { label: 'Not found' }], body: html`<p>No console page at <code>${request.path}</code>.</p>` };
    } else {
      try {
        frame = await route.p.page(ctx, route.match!.slice(1).map(decodeSegment));
      } catch (error) {
        if (!(error instanceof ServiceError) || error.fault !== 'client') throw error;
        const status = NOT_FOUND_CODES.has(error.code) ? 404 : 400;
        frame = {
          title: status === 404 ? 'Not found' : 'Cannot show this page', status,
          crumbs: [home, { label: 'Error' }],
          body: html`<p class="error" role="alert"><strong>${error.code}</strong>: ${error.message}</p>`,
        };
      }
    }
    return { status: frame.status ?? 200, contentType: HTML, body: renderPage(frame, frameContext), headers: PAGE_HEADERS };
  };
}
