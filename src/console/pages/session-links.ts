// What the session pages share: a status badge in the colours the other pages use for the same meaning,
// the link to a session, and a session's target linked to the nodes page when the node is in its inventory.

import type { SessionStatus } from '../../domain/sessions.ts';
import { type PageContext, seg } from '../context.ts';
import { html, type Markup } from '../html.ts';

/** Connecting waits, Connected runs, Disconnected needs someone (ResumeSession), Terminated ended well. */
const COLOUR: Record<SessionStatus, string> = {
  Connecting: 'pending', Connected: 'in-progress', Disconnected: 'timed-out', Terminating: 'cancelling', Terminated: 'success', Failed: 'failed',
};

export function sessionBadge(status: string): Markup {
  const colour = Object.hasOwn(COLOUR, status) ? COLOUR[status as SessionStatus] : 'cancelled';
  return html`<span class="status status-${colour}">${status}</span>`;
}

export function sessionHref(ctx: PageContext, id: string): string {
  return ctx.href(`/console/sessions/${seg(id)}`);
}

/** The node a session runs on; a link to the inventory when the node is in it (`known`). */
export function targetCell(ctx: PageContext, target: string, known: ReadonlySet<string>): Markup {
  return known.has(target) ? html`<a href="${ctx.href('/console/nodes')}"><code>${target}</code></a>` : html`<code>${target}</code>`;
}

/** The ids of the scope's managed nodes (declared and registered). */
export async function knownNodes(ctx: PageContext): Promise<Set<string>> {
  return new Set((await ctx.services.control.listNodes(ctx.scope)).map((n) => n.id));
}
