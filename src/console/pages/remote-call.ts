// What a LAMBDA or STEP_FUNCTIONS invocation's page shows of its remote call (issue 23, item 3): the
// function or state machine it names, the execution ARN or Lambda request id the call gave, and what the
// endpoint answered, read from what the invocation records (its Parameters, ExecutionId and StatusDetails:
// see runtime/task-runners/remote-task-runner.ts for their words). Pure, apart from the HTML.

import { html, type Markup } from '../html.ts';

export interface RemoteCallFacts {
  /** 'Function' or 'State machine', and its name or ARN. */
  target: { label: string; value: string };
  qualifier?: string;
  /** A state machine execution's ARN (the invocation's ExecutionId once it is one). */
  executionArn?: string;
  requestId?: string;
  /** The endpoint's answer as recorded (StatusDetails). */
  answer?: string;
}

function parsed(parameters: string | undefined): Record<string, unknown> {
  try {
    const value = JSON.parse(parameters ?? '{}') as unknown;
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** The facts of a LAMBDA or STEP_FUNCTIONS invocation's call, or undefined for other task types. */
export function remoteCallFacts(inv: { taskType: string; parameters?: string; executionId?: string; statusDetails?: string }): RemoteCallFacts | undefined {
  const sent = parsed(inv.parameters);
  const text = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
  if (inv.taskType === 'LAMBDA') {
    const requestId = /RequestId ([0-9a-fA-F-]{8,})/.exec(inv.statusDetails ?? '')?.[1];
    return {
      target: { label: 'Function', value: text(sent.functionName) ?? '' },
      ...(text(sent.qualifier) ? { qualifier: text(sent.qualifier) } : {}),
      ...(requestId ? { requestId } : {}),
      ...(inv.statusDetails ? { answer: inv.statusDetails } : {}),
    };
  }
  if (inv.taskType === 'STEP_FUNCTIONS') {
    const arn = inv.executionId?.startsWith('arn:') ? inv.executionId : undefined;
    return {
      target: { label: 'State machine', value: text(sent.stateMachineArn) ?? '' },
      ...(arn ? { executionArn: arn } : {}),
      ...(inv.statusDetails ? { answer: inv.statusDetails } : {}),
    };
  }
  return undefined;
}

export function remoteCallSection(facts: RemoteCallFacts | undefined): Markup | string {
  if (!facts) return '';
  const none = html`<span class="none">—</span>`;
  return html`<h2>Remote call</h2>
<dl class="fields" id="remote-call">
<div><dt>${facts.target.label}</dt><dd><code>${facts.target.value}</code></dd></div>
${facts.qualifier ? html`<div><dt>Qualifier</dt><dd><code>${facts.qualifier}</code></dd></div>` : ''}
${facts.target.label === 'State machine' ? html`<div><dt>Execution ARN</dt><dd>${facts.executionArn ? html`<code>${facts.executionArn}</code>` : none}</dd></div>` : html`<div><dt>Request id</dt><dd>${facts.requestId ? html`<code>${facts.requestId}</code>` : none}</dd></div>`}
<div class="wide"><dt>Answer</dt><dd>${facts.answer ?? none}</dd></div>
</dl>`;
}
