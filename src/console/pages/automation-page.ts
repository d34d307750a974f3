// One automation execution: its runbook at the version that runs, status, times, parameters, outputs and
// failure; then its steps in the order they ran, each with status, times, inputs, outputs, failure and the
// step taken after it (a branch's choice, nextStep, onFailure); for rate control, a child per target.
// A step waiting for approval has Approve and Reject; a paused step Resume; a running execution Stop.
// Those are forms posted to /console/automations/{id}/signal (console-handler.ts), which calls the same
// use case as SendAutomationSignal and StopAutomationExecution.

import { type AutomationExecution, isAutomationFinal, type StepExecution } from '../../domain/automation/execution.ts';
import { type PageContext, seg } from '../context.ts';
import { duration, timeCell } from '../format.ts';
import { html, type Markup } from '../html.ts';
import type { PageFrame } from '../layout.ts';
import { automationBadge, automationHref, valuesTable, windowInvocationHref } from './automation-links.ts';
import { documentLink } from './documents-links.ts';

const none = html`<span class="none">—</span>`;

/** The step the runbook went to after this one, and why. */
function takenAfter(step: StepExecution, next: StepExecution | undefined): Markup {
  if (step.chosen) return html`Branch chose <strong>${step.chosen}</strong>`;
  if (!next) {
    if (step.status === 'Success') return step.isEnd ? html`End (isEnd)` : html`End (last step)`;
    if (step.status === 'Failed' || step.status === 'TimedOut') return html`Stopped here <span class="muted">(onFailure ${step.onFailure})</span>`;
    return step.status === 'Cancelled' ? html`Stopped here <span class="muted">(cancelled)</span>` : none;
  }
  if (step.status === 'Success') return html`${next.stepName}${step.nextStep ? ' (nextStep)' : ''}`;
  return html`${next.stepName} <span class="muted">(onFailure ${step.onFailure}, onCancel ${step.onCancel})</span>`;
}

/** The work a step started (a command, a child execution), linked where the console has a page for it. */
function workOf(ctx: PageContext, step: StepExecution): Markup | '' {
  const ref = step.wait?.kind === 'work' ? step.wait.ref : undefined;
  const child = ref?.startsWith('automation:') ? ref.slice('automation:'.length) : typeof step.outputs?.ExecutionId === 'string' && step.action === 'aws:executeAutomation' ? step.outputs.ExecutionId : undefined;
  if (child) return html`<div><dt>Child execution</dt><dd><a href="${automationHref(ctx, child)}"><code>${child}</code></a></dd></div>`;
  const command = ref?.startsWith('command:') ? ref.slice('command:'.length) : typeof step.outputs?.CommandId === 'string' ? step.outputs.CommandId : undefined;
  return command ? html`<div><dt>Command ID</dt><dd><code>${command}</code></dd></div>` : '';
}

function signalForm(ctx: PageContext, execution: AutomationExecution, step: StepExecution): Markup | '' {
  const action = ctx.href(`/console/automations/${seg(execution.id)}/signal`);
  if (step.wait?.kind === 'approval') {
    const wait = step.wait;
    const approvals = wait.decisions.filter((d) => d.decision === 'Approve').length;
    return html`<div class="approval" id="approval">
<p>Waiting for approval: ${approvals} of ${wait.needed} needed. Approvers: ${wait.approvers.length ? wait.approvers.join(', ') : 'any'}.</p>
${wait.decisions.length ? html`<ul>${wait.decisions.map((d) => html`<li>${d.decision} by ${d.approver}${d.comment ? html` — “${d.comment}”` : ''}</li>`)}</ul>` : ''}
<form method="post" action="${action}" class="stack" id="approval-form">
<label>Comment (optional) <textarea name="comment" rows="2" maxlength="4096"></textarea></label>
<div class="actions"><button type="submit" name="signal" value="Approve">Approve</button><button type="submit" name="signal" value="Reject">Reject</button></div>
</form></div>`;
  }
  if (step.wait?.kind === 'resume') {
    return html`<div id="resume"><p>Paused (aws:pause) until resumed.</p><form method="post" action="${action}" class="actions" id="resume-form"><button type="submit" name="signal" value="Resume">Resume</button></form></div>`;
  }
  return '';
}

function stepSection(ctx: PageContext, execution: AutomationExecution, step: StepExecution, index: number): Markup {
  const next = execution.steps[index + 1];
  const waiting = !isAutomationFinal(execution.status) && index === execution.steps.length - 1;
  const id = `step-${index + 1}`;
  return html`<section class="command step" id="${id}" data-step-name="${step.stepName}" data-status="${step.status}" aria-labelledby="${id}-h">
<h3 id="${id}-h">${index + 1}. ${step.stepName} <span class="muted">${step.action}</span> ${automationBadge(step.status)}</h3>
<dl class="fields">
<div><dt>Step execution ID</dt><dd><code>${step.stepExecutionId}</code></dd></div>
<div><dt>Started</dt><dd>${timeCell(step.startedAt)}</dd></div><div><dt>Ended</dt><dd>${timeCell(step.endedAt)}</dd></div>
<div><dt>Ran for</dt><dd>${duration(step.startedAt, step.endedAt) || none}</dd></div>
<div><dt>Attempt</dt><dd>${step.attempt} of ${step.maxAttempts}</dd></div>
<div><dt>Then</dt><dd class="taken">${takenAfter(step, next)}</dd></div>
<div><dt>Options</dt><dd>onFailure ${step.onFailure} · onCancel ${step.onCancel}${step.timeoutSeconds === undefined ? '' : ` · timeoutSeconds ${step.timeoutSeconds}`}${step.isCritical ? ' · critical' : ''}${step.isEnd ? ' · isEnd' : ''}</dd></div>
${workOf(ctx, step)}
${step.failureMessage ? html`<div class="wide"><dt>Failure</dt><dd class="error failure">${step.failureMessage}${step.failureDetails ? html` <span class="muted">(${step.failureDetails.failureStage}, ${step.failureDetails.failureType})</span>` : ''}</dd></div>` : ''}
${step.response ? html`<div class="wide"><dt>Response</dt><dd>${step.response}${step.responseCode ? ` (${step.responseCode})` : ''}</dd></div>` : ''}
</dl>
${waiting ? signalForm(ctx, execution, step) : ''}
<h4 id="${id}-inputs-h">Inputs</h4>
${valuesTable('Inputs', step.inputs, `${id}-inputs`)}
<h4 id="${id}-outputs-h">Outputs</h4>
${valuesTable('Outputs', step.outputs, `${id}-outputs`)}
</section>`;
}

function targetsSection(ctx: PageContext, execution: AutomationExecution): Markup | '' {
  const rate = execution.rate;
  if (!rate) return '';
  return html`<h2>Targets</h2>
<p>Rate control on <code>${rate.targetParameterName ?? 'TargetMaps'}</code>: max concurrency ${rate.maxConcurrency}, max errors ${rate.maxErrors}; one child execution per target.</p>
<table class="list" id="targets"><caption class="sr-only">Child executions by target</caption>
<thead><tr><th scope="col">Target</th><th scope="col">Status</th><th scope="col">Child execution</th></tr></thead>
<tbody>${rate.runs.map((run) => html`<tr><td><code>${run.target}</code></td><td>${automationBadge(run.status)}</td><td>${run.childId ? html`<a href="${automationHref(ctx, run.childId)}"><code>${run.childId}</code></a>` : none}</td></tr>`)}</tbody></table>`;
}

/** The steps at a glance, each linked to its section below. */
function summary(ctx: PageContext, e: AutomationExecution): Markup {
  return html`<table class="list" id="step-summary"><caption class="sr-only">Steps at a glance, in the order they ran</caption>
<thead><tr><th scope="col">#</th><th scope="col">Step</th><th scope="col">Action</th><th scope="col">Status</th><th scope="col">Started</th><th scope="col">Ran for</th><th scope="col">Then</th></tr></thead>
<tbody>${e.steps.map((s, i) => html`<tr data-step-name="${s.stepName}"><td>${i + 1}</td><td><a href="#step-${i + 1}">${s.stepName}</a></td><td>${s.action}</td><td>${automationBadge(s.status)}</td>
<td>${timeCell(s.startedAt)}</td><td>${duration(s.startedAt, s.endedAt) || none}</td><td>${takenAfter(s, e.steps[i + 1])}</td></tr>`)}</tbody></table>`;
}

export async function automationPage(ctx: PageContext, id: string): Promise<PageFrame> {
  const e = await ctx.services.automations.get(ctx.scope, id);
  const started = e.startedAt ?? e.createdAt;
  const running = !isAutomationFinal(e.status);
  const body = html`<dl class="fields">
<div><dt>Execution ID</dt><dd><code>${e.id}</code></dd></div>
<div><dt>Runbook</dt><dd id="execution-document">${documentLink(ctx, e.documentName, e.documentVersion)}</dd></div>
<div><dt>Status</dt><dd id="execution-status">${automationBadge(e.status)}</dd></div>
<div><dt>Mode</dt><dd>${e.mode}</dd></div>
<div><dt>Started</dt><dd>${timeCell(started)}</dd></div><div><dt>Ended</dt><dd>${timeCell(e.endedAt)}</dd></div>
<div><dt>Ran for</dt><dd>${duration(started, e.endedAt) || none}</dd></div>
<div><dt>Executed by</dt><dd>${e.executedBy}</dd></div>
${e.parentId ? html`<div><dt>Parent execution</dt><dd><a href="${automationHref(ctx, e.parentId)}"><code>${e.parentId}</code></a></dd></div>` : ''}
${e.window ? html`<div><dt>Started by</dt><dd><a id="window-invocation" href="${windowInvocationHref(ctx, e.window)}">Maintenance window invocation <code>${e.window.invocationId.slice(0, 8)}</code></a></dd></div>` : ''}
${e.failureMessage ? html`<div class="wide"><dt>Failure</dt><dd class="error" id="execution-failure">${e.failureMessage}</dd></div>` : ''}
</dl>
${running ? html`<form method="post" action="${ctx.href(`/console/automations/${seg(e.id)}/signal`)}" class="actions" id="stop-form"><button type="submit" name="signal" value="Stop">Stop execution</button></form>` : ''}
<h2 id="parameters-h">Parameters</h2>
${valuesTable('Parameters', e.parameters, 'parameters')}
<h2 id="outputs-h">Outputs</h2>
${valuesTable('Outputs', e.outputs, 'outputs')}
${targetsSection(ctx, e)}
<h2 id="steps-h">Steps</h2>
${e.steps.length === 0 ? '' : summary(ctx, e)}
${e.steps.length === 0 ? html`<p class="empty">${e.rate ? 'Each target runs the runbook as its own execution (above).' : 'No step has started.'}</p>` : html`<div class="steps" id="steps">${e.steps.map((s, i) => stepSection(ctx, e, s, i))}</div>`}`;
  return {
    title: `Automation ${e.documentName} ${e.id.slice(0, 8)}`,
    crumbs: [{ label: 'Automation', href: ctx.href('/console/automations') }, { label: `Execution ${e.id.slice(0, 8)}` }],
    body,
    live: { detailTypes: ['EC2 Automation Execution Status-change Notification', 'EC2 Automation Step Status-change Notification'] },
  };
}
