// The managed-node inventory: declared (simulated) nodes and real machines registered through an
// activation, with tags, PingStatus and where each came from; a form to declare a simulated node.

import { pingStatusOf } from '../../domain/managed-instances.ts';
import type { PageContext } from '../context.ts';
import { statusBadge, timeCell } from '../format.ts';
import { html } from '../html.ts';
import type { PageFrame } from '../layout.ts';

export async function nodesPage(ctx: PageContext): Promise<PageFrame> {
  const nodes = await ctx.services.control.listNodes(ctx.scope);
  const body = html`${nodes.length === 0 ? html`<p class="empty">No managed nodes. Declare one below, load a --nodes file, or register a real machine with an activation.</p>` : html`<table class="list" id="nodes"><caption class="sr-only">Managed nodes</caption>
<thead><tr><th scope="col">Node ID</th><th scope="col">Computer name</th><th scope="col">Platform</th><th scope="col">IP address</th><th scope="col">Agent</th><th scope="col">Tags</th><th scope="col">Resource groups</th><th scope="col">Ping status</th><th scope="col">Source</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
<tbody>${nodes.map((n) => html`<tr data-node-id="${n.id}">
<td><code>${n.id}</code></td><td>${n.computerName ?? n.id}</td><td>${n.platformType ?? 'Linux'}${n.platformName ? html`<br><span class="muted">${n.platformName} ${n.platformVersion ?? ''}</span>` : ''}</td>
<td>${n.ipAddress}</td><td>${n.agentVersion}</td>
<td>${Object.entries(n.tags).map(([k, v]) => html`<code>${k}=${v}</code> `)}</td><td>${n.resourceGroups.join(', ')}</td>
<td>${statusBadge(pingStatusOf(n, ctx.now, ctx.services.pingTimeoutMs))}${n.lastPingAt ? html`<br><span class="muted">last seen ${timeCell(n.lastPingAt)}</span>` : ''}</td>
<td>${n.registration ? html`Registered agent<br><span class="muted">activation <code>${n.registration.activationId}</code></span>` : 'Simulated (declared)'}</td>
<td>${n.registration ? '' : html`<button type="button" data-delete-node="${n.id}" aria-label="Remove node ${n.id}">Remove</button>`}</td></tr>`)}</tbody></table>`}
<h2>Declare a simulated node</h2>
<form id="node-form" class="stack">
  <label>Node ID <input name="id" required pattern="[A-Za-z0-9][A-Za-z0-9._:\\-]{0,127}" placeholder="i-0123456789abcdef0"></label>
  <label>Tags, one <code>Key=Value</code> per line <textarea name="tags" rows="3" placeholder="Env=prod"></textarea></label>
  <label>Resource groups, comma-separated <input name="groups"></label>
  <button type="submit">Save node</button>
</form>`;
  return { title: 'Managed nodes', crumbs: [{ label: 'Nodes' }], body };
}
