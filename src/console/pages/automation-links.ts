// What the automation pages share: a status badge in the colours the window pages use for the same
// meaning, links to an execution, and values shown as AWS's API shows them.

import type { AutomationStatus, WindowLink } from '../../domain/automation/execution.ts';
import { type PageContext, seg } from '../context.ts';
import { html, type Markup } from '../html.ts';

/** Automation's statuses in the window statuses' colours; Waiting in the warning colour (someone must act). */
const COLOUR: Record<AutomationStatus, string> = {
  Pending: 'pending', InProgress: 'in-progress', Waiting: 'timed-out', Success: 'success', TimedOut: 'timed-out',
  Cancelling: 'cancelling', Cancelled: 'cancelled', Failed: 'failed',
};

export const AUTOMATION_STATUSES = Object.keys(COLOUR) as AutomationStatus[];

export function automationBadge(status: string): Markup {
  const colour = Object.hasOwn(COLOUR, status) ? COLOUR[status as AutomationStatus] : 'cancelled';
  return html`<span class="status status-${colour}">${status}</span>`;
}

export function automationHref(ctx: PageContext, id: string): string {
  return ctx.href(`/console/automations/${seg(id)}`);
}

/** A value as text: strings as they are, anything else as indented JSON. */
export function shown(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value, null, 2) ?? '';
}

/** A name-to-value table (parameters, inputs, outputs), or a word saying there is none. */
export function valuesTable(caption: string, values: Record<string, unknown> | undefined, id: string): Markup {
  const entries = Object.entries(values ?? {});
  if (entries.length === 0) return html`<p class="empty" id="${id}">No ${caption.toLowerCase()}.</p>`;
  // Named by the heading above it (id `${id}-h`), which every page that shows one writes.
  return html`<table class="list values" id="${id}" aria-labelledby="${id}-h">
<thead><tr><th scope="col">Name</th><th scope="col">Value</th></tr></thead>
<tbody>${entries.map(([name, value]) => html`<tr><th scope="row"><code>${name}</code></th><td>${valueCell(value)}</td></tr>`)}</tbody></table>`;
}

function valueCell(value: unknown): Markup {
  // A list of one string (the API's shape for parameters and outputs) is shown as that string.
  const one = Array.isArray(value) && value.length === 1 && typeof value[0] === 'string' ? value[0] : value;
  const text = shown(one);
  if (text === '') return html`<span class="empty">(empty)</span>`;
  return text.includes('\n') || text.length > 120 ? html`<pre class="parameters" tabindex="0">${text}</pre>` : html`<code>${text}</code>`;
}

/** The window invocation whose AUTOMATION task started an execution. */
export function windowInvocationHref(ctx: PageContext, w: WindowLink): string {
  return ctx.href(`/console/windows/${seg(w.windowId)}/executions/${seg(w.windowExecutionId)}/tasks/${seg(w.taskExecutionId)}/invocations/${seg(w.invocationId)}`);
}
