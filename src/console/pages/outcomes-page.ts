// Outcome rules as an editable list: what a simulated invocation ends with when it matches (status,
// duration, details, output, exit code, how many times). Saved through PUT /_mw/outcomes, as the CLI does.

import type { OutcomeRule } from '../../domain/inventory.ts';
import type { PageContext } from '../context.ts';
import { html, type Markup } from '../html.ts';
import type { PageFrame } from '../layout.ts';

const MATCH_KEYS = ['windowId', 'windowTaskId', 'taskArn', 'taskType', 'resourceId', 'documentName'] as const;
const STATUSES = ['SUCCESS', 'FAILED', 'TIMED_OUT'] as const;

/** One rule's fieldset; the page script clones an empty one (rendered in a <template>) to add a rule. */
export function ruleFieldset(rule: OutcomeRule | undefined): Markup {
  const text = (name: string, label: string, value: string | number | undefined, type = 'text') =>
    html`<label>${label} <input name="${name}" type="${type}" value="${value ?? ''}"${type === 'number' ? html` min="0"` : ''}></label>`;
  return html`<fieldset class="rule"><legend>Rule</legend>
<div class="grid">${MATCH_KEYS.map((k) => text(`match.${k}`, `Match ${k}`, rule?.match[k]))}
<label>Status <select name="status" aria-label="Status">${STATUSES.map((s) => html`<option${rule?.status === s ? html` selected` : ''}>${s}</option>`)}</select></label>
${text('durationSeconds', 'Duration (seconds)', rule?.durationSeconds, 'number')}${text('statusDetails', 'Status details', rule?.statusDetails)}
${text('responseCode', 'Exit code', rule?.responseCode, 'number')}${text('times', 'Times (empty: always)', rule?.times, 'number')}</div>
<label>Standard output <textarea name="stdout" rows="2">${rule?.stdout ?? ''}</textarea></label>
<label>Standard error <textarea name="stderr" rows="2">${rule?.stderr ?? ''}</textarea></label>
<button type="button" data-remove-rule>Remove this rule</button>
</fieldset>`;
}

export async function outcomesPage(ctx: PageContext): Promise<PageFrame> {
  const rules = await ctx.services.control.getOutcomeRules(ctx.scope);
  const body = html`<p>Simulated invocations take the first rule that matches them (every match field given must equal the invocation's); without one they succeed. Real machines' commands are not affected.</p>
<form id="rules-form">
<div id="rules">${rules.map(ruleFieldset)}</div>
${rules.length === 0 ? html`<p class="empty" id="no-rules">No rules: every simulated invocation succeeds.</p>` : ''}
<template id="rule-template">${ruleFieldset(undefined)}</template>
<div class="actions"><button type="button" id="add-rule">Add a rule</button> <button type="submit">Save rules</button></div>
</form>`;
  return { title: 'Outcome rules', crumbs: [{ label: 'Outcome rules' }], body };
}
