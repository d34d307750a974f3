// The control routes of events: the live stream (server-sent events) and the delivery targets.
//
//   GET    /_mw/events?detail-type=...&window-id=...   text/event-stream; `id:` is the event's place in the
//                                                       service's order, so Last-Event-ID resumes after it
//   GET    /_mw/event-targets                          the targets and their progress
//   POST   /_mw/event-targets  {"kind":"webhook","url":...} or {"kind":"eventbridge","url":...,"eventBusName"?}
//   DELETE /_mw/event-targets/{id}

import type { ServerResponse } from 'node:http';
import { DETAIL_TYPES, type EventTarget, eventTargetId, type SequencedEvent } from '../domain/events.ts';
import { ValidationException } from '../domain/errors.ts';
import type { Scope } from '../domain/model.ts';
import type { EventBus } from '../runtime/event-bus.ts';
import type { ControlRequest, ControlResponse } from './http-server.ts';

/** A comment line this often keeps proxies and clients from closing an idle stream. */
const KEEPALIVE_MS = 15_000;

function targetFrom(body: unknown): EventTarget {
  const input = (body ?? {}) as Record<string, unknown>;
  const kind = input.kind;
  if (kind !== 'webhook' && kind !== 'eventbridge') throw new ValidationException("kind must be 'webhook' or 'eventbridge'.");
  const url = input.url;
  if (typeof url !== 'string' || !/^https?:\/\/[^/]/.test(url)) throw new ValidationException('url must be an http:// or https:// URL.');
  const eventBusName = input.eventBusName === undefined ? undefined : String(input.eventBusName);
  return { id: eventTargetId(kind, url, eventBusName), kind, url, ...(eventBusName ? { eventBusName } : {}) };
}

export function eventTargetFromFlag(kind: EventTarget['kind'], url: string, eventBusName?: string): EventTarget {
  return targetFrom({ kind, url, eventBusName });
}

function streamEvents(bus: EventBus, scope: Scope, request: ControlRequest): ControlResponse {
  const detailTypes = request.query.getAll('detail-type');
  const unknown = detailTypes.filter((t) => !DETAIL_TYPES.includes(t as never));
  if (unknown.length > 0) throw new ValidationException(`Unknown detail-type: ${unknown.join(', ')}.`);
  const windowIds = request.query.getAll('window-id');
  const resumeText = request.headers['last-event-id'] ?? request.query.get('after') ?? undefined;
  const resumeAfter = resumeText === undefined ? undefined : Number(resumeText);
  if (resumeAfter !== undefined && !Number.isSafeInteger(resumeAfter)) throw new ValidationException('Last-Event-ID must be an event id of this stream.');
  return {
    status: 200,
    body: undefined,
    stream: (res: ServerResponse) => {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' });
      res.write(': mw-local events\n\n');
      const send = (e: SequencedEvent) => {
        if (e.event.account !== scope.account || e.event.region !== scope.region) return;
        res.write(`id: ${e.seq}\nevent: ${e.event['detail-type']}\ndata: ${JSON.stringify(e.event)}\n\n`);
      };
      const keepalive = setInterval(() => res.write(': keepalive\n\n'), KEEPALIVE_MS);
      let unsubscribe: (() => void) | undefined;
      let closed = false;
      res.once('close', () => {
        closed = true;
        clearInterval(keepalive);
        unsubscribe?.();
      });
      bus.subscribe({ detailTypes, windowIds }, send, resumeAfter, () => res.end()).then((stop) => {
        if (closed) stop();
        else unsubscribe = stop;
      }, () => res.destroy());
    },
  };
}

export interface EventRoute {
  method: string;
  pattern: RegExp;
  run: (request: ControlRequest, params: string[], scope: () => Scope) => Promise<ControlResponse>;
}

export function eventRoutes(bus: EventBus): EventRoute[] {
  return [
    { method: 'GET', pattern: /^\/_mw\/events$/, run: async (r, _p, scope) => streamEvents(bus, scope(), r) },
    { method: 'GET', pattern: /^\/_mw\/event-targets$/, run: async () => ({ status: 200, body: { targets: await bus.targets() } }) },
    {
      method: 'POST', pattern: /^\/_mw\/event-targets$/,
      run: async (r) => {
        let body: unknown;
        try {
          body = r.body.trim() === '' ? undefined : JSON.parse(r.body);
        } catch {
          throw new ValidationException('The request body is not valid JSON.');
        }
        return { status: 200, body: await bus.addTarget(targetFrom(body)) };
      },
    },
    {
      method: 'DELETE', pattern: /^\/_mw\/event-targets\/([^/]+)$/,
      run: async (_r, [id]) => ((await bus.removeTarget(id))
        ? { status: 200, body: { deleted: id } }
        : { status: 404, body: { __type: 'NotFound', message: `Event target ${id} does not exist.` } }),
    },
  ];
}
