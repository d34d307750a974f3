// How runner.ts sends and judges the agent cases (signed here, as agent-requests.ts says), the event-route
// cases and the operation-name cases, and the sink the fuzzed event targets deliver to.

import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { operations } from '../../src/wire/generated/shapes.ts';
import { type Fleet, type FleetNode, queueCommand, remember } from './agent-fleet.ts';
import { type AgentCase, serviceOf } from './agent-requests.ts';
import type { EventCase, EventTargetPool, TargetNameCase } from './event-requests.ts';
import { type Answer, openStream, send } from './http-client.ts';
import { checkAgent, checkEvents, checkUnknownOperation } from './oracle.ts';
import { outputProblems } from './output-check.ts';
import { authorization } from './api-requests.ts';
import type { Scope } from './pools.ts';
import { callApi } from './state.ts';

const TIMEOUT_MS = 10_000;
/** How long an opened event stream is read before the fuzzer closes it. */
const STREAM_READ_MS = 25;

export interface CaseContext {
  port: number;
  count: (answer: Answer, what: string) => void;
  onAnswer: (answer: Answer) => void;
}

type Check = (kind: string, detail: string) => void;

/** An HTTP server on 127.0.0.1 that answers every delivery 200 (a webhook, or PutEvents with no failed entry). */
export async function startSink(): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
      res.end('{"FailedEntryCount":0,"Entries":[]}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

const accessKeyIdOf = (headers: Record<string, string>) => /Credential=([^/]+)\//.exec(headers.authorization ?? '')?.[1] ?? '';

/** The headers and body the case sends, signed as its `signing` says. */
async function signed(c: AgentCase, fleet: Fleet): Promise<{ headers: Record<string, string>; body: string }> {
  const plain = { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': c.target };
  const { actor, other, target, body } = c;
  const issued = (service = serviceOf(target)) => actor.agent.signedHeaders(service, target, body);
  switch (c.signing) {
    case 'none':
    case 'unsigned':
      return { headers: plain, body };
    case 'rsa':
      return { headers: await actor.transport.rsaHeaders(target, body, actor.nodeId, actor.key), body };
    case 'rsa-stranger':
      return { headers: await actor.transport.rsaHeaders(target, body, actor.nodeId, fleet.strangerKey), body };
    case 'rsa-other-node':
      return { headers: await actor.transport.rsaHeaders(target, body, other.nodeId, actor.key), body };
    case 'issued':
      return { headers: await issued(), body };
    case 'wrong-service':
      return { headers: await issued(serviceOf(target) === 'ssm' ? 'ec2messages' : 'ssm'), body };
    case 'tampered': {
      const headers = await issued();
      headers.authorization = headers.authorization.replace(/Signature=([0-9a-f]*)([0-9a-f])$/, (_, head: string, last: string) => `Signature=${head}${last === '0' ? '1' : '0'}`);
      return { headers, body };
    }
    case 'body-swapped': {
      // One character of the first string value changed: the same length, still JSON, not what was signed.
      const swapped = body.replace(/:"([^"\\])/, (_, ch: string) => `:"${ch === 'a' ? 'b' : 'a'}`);
      return { headers: await issued(), body: swapped === body ? `${body.slice(0, -1)} ` : swapped };
    }
    case 'borrowed-key-id': {
      const headers = await issued();
      const theirs = accessKeyIdOf(await other.agent.signedHeaders('ssm', target, body));
      headers.authorization = headers.authorization.replace(`Credential=${accessKeyIdOf(headers)}/`, `Credential=${theirs}/`);
      return { headers, body };
    }
    case 'no-session-token': {
      const headers = await issued();
      delete headers['x-amz-security-token'];
      return { headers, body };
    }
  }
}

const parseMessageId = (id: string) => /^aws\.ssm\.(.+)\.([^.]+)$/.exec(id);

export async function runAgentCase(ctx: CaseContext, fleet: Fleet, c: AgentCase, check: Check): Promise<void> {
  if (c.queueFirst) {
    try {
      await queueCommand(ctx.port, c.actor);
      ctx.count({ status: 200, headers: {}, body: '', ms: 0 }, 'agent setup');
    } catch (error) {
      check('could not queue a command for an agent', String((error as Error).message));
    }
  }
  const { headers, body } = await signed(c, fleet);
  const answer = await send(ctx.port, { method: 'POST', path: '/', headers, body }, TIMEOUT_MS);
  ctx.count(answer, 'agent');
  ctx.onAnswer(answer);
  const reply = checkAgent(c.expect, answer, check);
  if (!reply) return;
  if (c.target.endsWith('.GetMessages') && Array.isArray(reply.Messages)) {
    for (const m of reply.Messages as Record<string, unknown>[]) {
      if (m.Destination !== c.actor.nodeId || parseMessageId(String(m.MessageId))?.[2] !== c.actor.nodeId) check('a poll was handed another node\'s message', `${c.actor.nodeId} got ${JSON.stringify(m).slice(0, 200)}`);
      else if (createHash('sha256').update(String(m.Payload)).digest('hex') !== m.PayloadDigest) check('PayloadDigest does not match the Payload', String(m.MessageId));
      else remember(c.actor.delivered, String(m.MessageId));
    }
  }
  if (c.readBack) await readBack(ctx, c.actor, c.readBack, check);
}

/** The invocation a reply was about, through the API: it must fit GetCommandInvocation's output shape. */
async function readBack(ctx: CaseContext, node: FleetNode, messageId: string, check: Check): Promise<void> {
  const commandId = parseMessageId(messageId)?.[1];
  if (!commandId) return;
  const answer = await callApi(ctx.port, node.scope, 'GetCommandInvocation', { CommandId: commandId, InstanceId: node.nodeId });
  ctx.count(answer, 'follow-up');
  if (answer.status >= 500 || answer.status === 0) check('reading back an invocation failed', `HTTP ${answer.status}: ${answer.body.slice(0, 200)}`);
  if (answer.status !== 200) return;
  for (const p of outputProblems(operations.GetCommandInvocation.output, answer.json)) check('an agent reply stored what GetCommandInvocation cannot answer', `${p} (command ${commandId})`);
}

const sameScope = (a: Scope, b: Scope) => a.account === b.account && a.region === b.region;

export async function runEventCase(ctx: CaseContext, targets: EventTargetPool, c: EventCase, check: Check): Promise<void> {
  const out = { method: c.method, path: c.path, headers: c.headers, body: c.body || undefined };
  const answer = c.stream
    ? await openStream(ctx.port, { ...out, headers: { ...c.headers, accept: 'text/event-stream' } }, STREAM_READ_MS, TIMEOUT_MS)
    : await send(ctx.port, out, TIMEOUT_MS);
  ctx.count(answer, 'events');
  ctx.onAnswer(answer);
  const body = checkEvents(c.expect, answer, check, c.stream);
  if (body === undefined || !c.scope) return;
  const scope = c.scope;
  if (c.stream) {
    // Every complete event in what was read belongs to the stream's account and Region.
    for (const block of String(body).split('\n\n').slice(0, -1)) {
      const data = /^data: (.*)$/m.exec(block)?.[1];
      if (!data) continue;
      let event: { account?: string; region?: string };
      try {
        event = JSON.parse(data) as typeof event;
      } catch {
        check('an event stream carried an event that is not JSON', data.slice(0, 200));
        continue;
      }
      if (event.account !== scope.account || event.region !== scope.region) check('an event stream carried another scope\'s event', `${scope.account}/${scope.region} got ${event.account}/${event.region}`);
    }
    return;
  }
  const listed = (body as { targets?: unknown })?.targets;
  if (c.method === 'GET' && Array.isArray(listed)) {
    // Targets the fuzzer added carry their scope in their URL's path (event-requests.ts sinkUrl).
    for (const t of listed as { target?: { url?: string; id?: string } }[]) {
      const url = t?.target?.url ?? '';
      if (!url.startsWith(targets.sink)) continue;
      const [account, region] = url.slice(targets.sink.length + 1).split('/');
      if (account !== scope.account || region !== scope.region) check('an event target of another scope is listed', `${scope.account}/${scope.region} lists ${t.target?.id} (${url.slice(0, 120)})`);
    }
  }
  const id = (body as { target?: { id?: unknown } })?.target?.id;
  if (c.method === 'POST' && typeof id === 'string' && !targets.added.some((t) => t.id === id && sameScope(t.scope, scope))) {
    targets.added.push({ scope, id });
    if (targets.added.length > 40) targets.added.shift();
  }
}

export async function runTargetNameCase(ctx: CaseContext, c: TargetNameCase, check: Check): Promise<void> {
  const headers = { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': c.target, authorization: authorization({ account: '222222222222', region: 'us-east-1' }) };
  const answer = await send(ctx.port, { method: 'POST', path: '/', headers, body: c.body }, TIMEOUT_MS);
  ctx.count(answer, 'operation name');
  ctx.onAnswer(answer);
  checkUnknownOperation(answer, check);
}
