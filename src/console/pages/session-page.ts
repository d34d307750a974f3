// One Session Manager session: DescribeSessions' fields (target, status, times, document, owner, reason,
// details) and, with --session-transcripts, its output as the user saw it, played as a terminal would
// (terminal-text.ts) and escaped; or a line saying transcripts are off, or that nothing was recorded.

import type { StoredTranscript } from '../../service/ports.ts';
import type { Session } from '../../domain/sessions.ts';
import type { PageContext } from '../context.ts';
import { duration, timeCell } from '../format.ts';
import { html, type Markup } from '../html.ts';
import type { PageFrame } from '../layout.ts';
import { documentHref } from './documents-links.ts';
import { knownNodes, sessionBadge, targetCell } from './session-links.ts';
import { terminalText } from './terminal-text.ts';

const none = html`<span class="none">—</span>`;

function bytes(n: number): string {
  return n < 1024 ? `${n} bytes` : n < 1_048_576 ? `${(n / 1024).toFixed(1)} KiB` : `${(n / 1_048_576).toFixed(2)} MiB`;
}

function transcriptSection(session: Session, stored: StoredTranscript | undefined, recording: boolean): Markup {
  const off = html`<p class="empty" id="transcript-off">Transcripts are off: this service keeps sessions' output only when started with <code>--session-transcripts</code>.</p>`;
  if (!stored) {
    if (!recording) return off;
    const active = session.endedAt === undefined;
    return html`<p class="empty" id="transcript-none">Nothing was recorded for this session${active ? ' yet' : ''}.</p>`;
  }
  return html`${recording ? '' : off}
<p class="muted" id="transcript-size">${bytes(stored.size)} recorded; escape sequences are not shown.</p>
<pre id="transcript" tabindex="0" aria-labelledby="transcript-h">${terminalText(stored.bytes)}</pre>`;
}

export async function sessionPage(ctx: PageContext, sessionId: string): Promise<PageFrame> {
  const { transcripts } = ctx.services;
  const session = await transcripts.session(ctx.scope, sessionId);
  const [stored, known] = await Promise.all([transcripts.transcript(ctx.scope, sessionId), knownNodes(ctx)]);
  const body = html`<dl class="fields" id="session-fields">
<div><dt>Session ID</dt><dd><code>${session.id}</code></dd></div>
<div><dt>Target</dt><dd>${targetCell(ctx, session.target, known)}</dd></div>
<div><dt>Status</dt><dd>${sessionBadge(session.status)}</dd></div>
<div><dt>Started</dt><dd>${timeCell(session.startedAt)}</dd></div>
<div><dt>Ended</dt><dd>${timeCell(session.endedAt)}</dd></div>
<div><dt>Ran for</dt><dd>${session.endedAt === undefined ? none : duration(session.startedAt, session.endedAt)}</dd></div>
<div><dt>Document</dt><dd><a class="document-link" href="${documentHref(ctx, session.documentName)}">${session.documentName}</a> <span class="muted">(${session.sessionType})</span></dd></div>
<div><dt>Owner</dt><dd>${session.owner}</dd></div>
${session.maxSessionDuration ? html`<div><dt>Max session duration</dt><dd>${session.maxSessionDuration} minutes</dd></div>` : ''}
<div class="wide"><dt>Reason</dt><dd id="session-reason">${session.reason ?? none}</dd></div>
<div class="wide"><dt>Details</dt><dd id="session-details">${session.details ?? none}</dd></div>
</dl>
<h2 id="transcript-h">Transcript</h2>
${transcriptSection(session, stored, transcripts.recording)}`;
  const state = session.endedAt === undefined ? 'Active' : 'History';
  return {
    title: `Session ${session.id}`,
    crumbs: [{ label: 'Sessions', href: ctx.href('/console/sessions', { state }) }, { label: session.id }],
    body,
  };
}
