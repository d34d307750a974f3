// One invocation: the node, owner information, Parameters pretty-printed, status; for RUN_COMMAND the Run
// Command invocation behind it on each node with the whole output (not only AWS's first 24,000 characters),
// the response code and the timings.

import { ServiceError } from '../../domain/errors.ts';
import type { Invocation } from '../../domain/execution.ts';
import { type PageContext, seg } from '../context.ts';
import { duration, statusBadge, timeCell } from '../format.ts';
import { html, type Markup } from '../html.ts';
import type { PageFrame } from '../layout.ts';
import { documentLink, recordedDocument } from './documents-links.ts';
import { remoteCallFacts, remoteCallSection } from './remote-call.ts';

function pretty(parameters: string): string {
  try {
    return JSON.stringify(JSON.parse(parameters), null, 2);
  } catch {
    return parameters;
  }
}

function output(label: string, text: string, id: string): Markup {
  return html`<div class="output"><h4 id="${id}-h">${label} <span class="muted">(${text.length.toLocaleString('en-US')} characters)</span></h4>
${text === '' ? html`<p class="empty">Empty.</p>` : html`<pre id="${id}" tabindex="0" aria-labelledby="${id}-h">${text}</pre>`}</div>`;
}

async function runCommandSection(ctx: PageContext, inv: Invocation): Promise<Markup> {
  const parts: Markup[] = [];
  for (const [i, instanceId] of inv.resourceIds.entries()) {
    try {
      const { invocation: ci, command } = await ctx.services.commands.getInvocation(ctx.scope, inv.executionId, instanceId);
      const full = await ctx.services.control.commandOutput(ctx.scope, inv.executionId, instanceId);
      parts.push(html`<div class="command" id="node-${instanceId}" data-status="${ci.status}">
<h3 id="cmd-${i}">${instanceId}</h3>
<dl class="fields">
<div><dt>Command ID</dt><dd><code>${command.id}</code></dd></div><div><dt>Document</dt><dd>${documentLink(ctx, command.documentName, command.documentVersion)} (${command.pluginName})</dd></div>
<div><dt>Status</dt><dd>${statusBadge(ci.status)} ${ci.statusDetails}</dd></div><div><dt>Response code</dt><dd><code id="response-code-${i}">${ci.responseCode}</code></dd></div>
<div><dt>Requested</dt><dd>${timeCell(ci.requestedAt)}</dd></div><div><dt>Started</dt><dd>${timeCell(ci.startedAt)}</dd></div>
<div><dt>Ended</dt><dd>${timeCell(ci.endedAt)}</dd></div><div><dt>Ran for</dt><dd>${duration(ci.startedAt, ci.endedAt)}</dd></div>
</dl>
${output('Standard output', full.stdout, `stdout-${i}`)}${output('Standard error', full.stderr, `stderr-${i}`)}
</div>`);
    } catch (error) {
      if (!(error instanceof ServiceError)) throw error;
      parts.push(html`<p class="empty">${instanceId}: no Run Command invocation (${error.code}); the command was not sent.</p>`);
    }
  }
  return html`<h2>Run Command</h2>${parts}`;
}

/**
 * Why `{{TARGET_ID}}` or `{{RESOURCE_ID}}` stays as written in a Run Command task's parameters: AWS sends one
 * command to all the nodes of a window target, so there is no single node to put there (AWS documents these
 * two as not supported for RUN_COMMAND tasks), while the other pseudo-parameters are substituted.
 */
function unsubstituted(inv: Invocation): Markup | '' {
  if (inv.taskType !== 'RUN_COMMAND') return '';
  const kept = [...new Set([...(inv.parameters ?? '').matchAll(/\{\{\s*(TARGET_ID|RESOURCE_ID)\s*\}\}/g)].map((m) => m[1]))];
  if (kept.length === 0) return '';
  return html`<p class="note" id="unsubstituted">${kept.map((name) => `{{${name}}}`).join(' and ')} ${kept.length > 1 ? 'are' : 'is'} left as written: a Run Command task sends one command to all the nodes of a window target, so there is no single node to put there (AWS does not support ${kept.length > 1 ? 'these pseudo-parameters' : 'this pseudo-parameter'} for RUN_COMMAND tasks). The other pseudo-parameters are substituted.</p>`;
}

/** Whether an AUTOMATION invocation's ExecutionId is an automation execution (not when an outcome rule decided it). */
async function isAutomation(ctx: PageContext, executionId: string | undefined): Promise<boolean> {
  if (!executionId) return false;
  try {
    await ctx.services.automations.get(ctx.scope, executionId);
    return true;
  } catch (error) {
    if (error instanceof ServiceError && error.fault === 'client') return false;
    throw error;
  }
}

export async function invocationPage(ctx: PageContext, windowId: string, executionId: string, taskExecutionId: string, invocationId: string): Promise<PageFrame> {
  const window = await ctx.services.windows.get(ctx.scope, windowId);
  const inv = await ctx.services.history.getInvocation(ctx.scope, executionId, taskExecutionId, invocationId);
  const execBase = `/console/windows/${seg(windowId)}/executions/${seg(executionId)}`;
  const automation = inv.taskType === 'AUTOMATION' && await isAutomation(ctx, inv.executionId);
  const document = inv.taskType === 'RUN_COMMAND' || inv.taskType === 'AUTOMATION' ? recordedDocument(inv.parameters) : undefined;
  const body = html`<dl class="fields">
<div><dt>Invocation ID</dt><dd><code>${inv.id}</code></dd></div><div><dt>Execution ID</dt><dd>${automation ? html`<a id="automation-execution" href="${ctx.href(`/console/automations/${seg(inv.executionId)}`)}"><code>${inv.executionId}</code></a> <span class="muted">(automation execution)</span>` : html`<code>${inv.executionId}</code>`}</dd></div>
<div><dt>Target</dt><dd>${inv.resourceIds.join(', ')}</dd></div><div><dt>Window target ID</dt><dd>${inv.windowTargetId ?? html`<span class="none">—</span>`}</dd></div>
<div><dt>Owner information</dt><dd>${inv.ownerInformation ?? html`<span class="none">—</span>`}</dd></div><div><dt>Task type</dt><dd>${inv.taskType}</dd></div>
${document ? html`<div><dt>Document</dt><dd id="invocation-document">${documentLink(ctx, document.name, document.version)}</dd></div>` : ''}
<div><dt>Status</dt><dd>${statusBadge(inv.status)}</dd></div><div><dt>Status details</dt><dd>${inv.statusDetails ?? html`<span class="none">—</span>`}</dd></div>
<div><dt>Start</dt><dd>${timeCell(inv.startTime)}</dd></div><div><dt>End</dt><dd>${timeCell(inv.endTime)}</dd></div>
</dl>
<h2>Parameters</h2>
<pre class="parameters" tabindex="0">${pretty(inv.parameters)}</pre>
${unsubstituted(inv)}
${remoteCallSection(remoteCallFacts(inv))}
${inv.taskType === 'RUN_COMMAND' ? await runCommandSection(ctx, inv) : ''}`;
  return {
    title: `Invocation on ${inv.resourceIds.join(', ') || inv.id}`,
    crumbs: [
      { label: 'Windows', href: ctx.href('/console/') },
      { label: window.name, href: ctx.href(`/console/windows/${seg(windowId)}`, { tab: 'history' }) },
      { label: `Execution ${executionId.slice(0, 8)}`, href: ctx.href(execBase) },
      { label: `Task ${taskExecutionId.slice(0, 8)}`, href: ctx.href(`${execBase}/tasks/${seg(taskExecutionId)}`) },
      { label: `Invocation ${invocationId.slice(0, 8)}` },
    ],
    body,
    live: { windowIds: [windowId] },
  };
}
