// The control routes of events: the live stream (server-sent events) and the delivery targets.
//
//   GET    /_mw/events?detail-type=...&window-id=...   text/event-stream; `id:` is the event's place in the
//                                                       service's order, so Last-Event-ID resumes after it
//   GET    /_mw/event-targets                          the targets and their progress
//   POST   /_mw/event-targets  {"kind":"webhook","url":...} or {"kind":"eventbridge","url":...,"eventBusName"?}
//   DELETE /_mw/event-targets/{id}
//
// Targets and streams belong to the caller's account and Region: a target added with account A's key
// receives A's events of that Region only, and only A (in that Region) lists or deletes it; a stream shows
// only its account's events of its Region. The operator's targets (--event-webhook, --eventbridge-endpoint)
// receive every account's events; with --credentials no account sees or deletes them, without
// --credentials (nobody is authenticated: every caller is the operator) they are listed and deletable too.

import type { ServerResponse } from 'node:http';
import { DETAIL_TYPES, type EventTarget, type EventTargetState, eventTargetId, type SequencedEvent } from '../domain/events.ts';
import { ValidationException } from '../domain/errors.ts';
import type { Scope } from '../domain/model.ts';
import type { EventBus, Subscription } from '../runtime/event-bus.ts';
import type { ControlRequest, ControlResponse } from './http-server.ts';

/** A comment line this often keeps proxies and clients from closing an idle stream. */
const KEEPALIVE_MS = 15_000;

/**
 * Limits of the live stream, per replica (the service's tests run it in-process and may lower them).
 * A stream is written only while its client takes what was written: once Node's buffer for the response
 * is full (res.write answers false, at its 16 KiB high-water mark) nothing more is written or read from
 * the store for it until 'drain', so one stream holds at most that buffer plus one event.
 */
export const STREAM_LIMITS = {
  /** Open streams one account may hold on one replica (all Regions); one more is refused: 429 LimitExceededException. Default 20. */
  maxStreamsPerAccount: 20,
  /**
   * A client whose buffer stays full this long (it reads nothing) is dropped: its connection is closed, and
   * it resumes with Last-Event-ID (EventSource does so by itself) from the last event it received. Default 30 s.
   */
  stallMs: 30_000,
};

function targetFrom(body: unknown, scope: Scope | undefined): EventTarget {
  const input = (body ?? {}) as Record<string, unknown>;
  const kind = input.kind;
  if (kind !== 'webhook' && kind !== 'eventbridge') throw new ValidationException("kind must be 'webhook' or 'eventbridge'.");
  const url = input.url;
  if (typeof url !== 'string' || !/^https?:\/\/[^/]/.test(url)) throw new ValidationException('url must be an http:// or https:// URL.');
  const eventBusName = input.eventBusName === undefined ? undefined : String(input.eventBusName);
  return { id: eventTargetId(kind, url, eventBusName, scope), kind, url, ...(eventBusName ? { eventBusName } : {}), ...(scope ? { scope } : {}) };
}

/** The operator's target named by a start-up flag: it receives every account's events. */
export function eventTargetFromFlag(kind: EventTarget['kind'], url: string, eventBusName?: string): EventTarget {
  return targetFrom({ kind, url, eventBusName }, undefined);
}

/** A target as the route shows it: its owner as `account` and `region`, absent for the operator's. */
function shown(state: EventTargetState): Record<string, unknown> {
  const { scope, ...target } = state.target;
  return { ...state, target: { ...target, ...(scope ? { account: scope.account, region: scope.region } : {}) } };
}

/** The caller was authenticated (--credentials): then the operator's targets are not an account's to see. */
function authenticated(request: ControlRequest): boolean {
  return (request as ControlRequest & { authenticated?: Scope }).authenticated !== undefined;
}

function streamEvents(bus: EventBus, openStreams: Map<string, number>, scope: Scope, request: ControlRequest): ControlResponse {
  const detailTypes = request.query.getAll('detail-type');
  const unknown = detailTypes.filter((t) => !DETAIL_TYPES.includes(t as never));
  if (unknown.length > 0) throw new ValidationException(`Unknown detail-type: ${unknown.join(', ')}.`);
  const windowIds = request.query.getAll('window-id');
  const resumeText = request.headers['last-event-id'] ?? request.query.get('after') ?? undefined;
  const resumeAfter = resumeText === undefined ? undefined : Number(resumeText);
  if (resumeAfter !== undefined && !Number.isSafeInteger(resumeAfter)) throw new ValidationException('Last-Event-ID must be an event id of this stream.');
  const open = openStreams.get(scope.account) ?? 0;
  if (open >= STREAM_LIMITS.maxStreamsPerAccount) {
    return {
      status: 429,
      body: { __type: 'LimitExceededException', message: `Account ${scope.account} already has ${open} open event streams, the most allowed; close one first.` },
    };
  }
  openStreams.set(scope.account, open + 1);
  return {
    status: 200,
    body: undefined,
    stream: (res: ServerResponse) => {
      let subscription: Subscription | undefined;
      let stallTimer: NodeJS.Timeout | undefined;
      let blocked = false;
      /** Writes unless the client's buffer is full; false when it is full now (wait for 'drain'). */
      const write = (text: string): boolean => {
        if (res.write(text)) return true;
        if (!blocked) {
          blocked = true;
          stallTimer = setTimeout(() => res.destroy(), STREAM_LIMITS.stallMs);
          res.once('drain', () => {
            blocked = false;
            clearTimeout(stallTimer);
            subscription?.resume();
          });
        }
        return false;
      };
      const keepalive = setInterval(() => { if (!blocked) write(': keepalive\n\n'); }, KEEPALIVE_MS);
      res.once('close', () => {
        openStreams.set(scope.account, (openStreams.get(scope.account) ?? 1) - 1);
        if (openStreams.get(scope.account) === 0) openStreams.delete(scope.account);
        clearInterval(keepalive);
        clearTimeout(stallTimer);
        subscription?.stop();
      });
      if (res.destroyed) return;
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' });
      write(': mw-local events\n\n');
      subscription = bus.subscribe({ scope, detailTypes, windowIds }, {
        write: (e: SequencedEvent) => write(`id: ${e.seq}\nevent: ${e.event['detail-type']}\ndata: ${JSON.stringify(e.event)}\n\n`),
        end: (error) => (error ? res.destroy() : res.end()),
      }, resumeAfter);
    },
  };
}

export interface EventRoute {
  method: string;
  pattern: RegExp;
  run: (request: ControlRequest, params: string[], scope: () => Scope) => Promise<ControlResponse>;
}

export function eventRoutes(bus: EventBus): EventRoute[] {
  /** Open streams per account on this replica. */
  const openStreams = new Map<string, number>();
  return [
    { method: 'GET', pattern: /^\/_mw\/events$/, run: async (r, _p, scope) => streamEvents(bus, openStreams, scope(), r) },
    {
      method: 'GET', pattern: /^\/_mw\/event-targets$/,
      run: async (r, _p, scope) => {
        const own = await bus.targets(scope());
        const operators = authenticated(r) ? [] : await bus.targets(null);
        return { status: 200, body: { targets: [...own, ...operators].map(shown) } };
      },
    },
    {
      method: 'POST', pattern: /^\/_mw\/event-targets$/,
      run: async (r, _p, scope) => {
        let body: unknown;
        try {
          body = r.body.trim() === '' ? undefined : JSON.parse(r.body);
        } catch {
          throw new ValidationException('The request body is not valid JSON.');
        }
        return { status: 200, body: shown(await bus.addTarget(targetFrom(body, scope()))) };
      },
    },
    {
      method: 'DELETE', pattern: /^\/_mw\/event-targets\/([^/]+)$/,
      // Another account's target answers as an unknown id does: its existence is not the caller's to learn.
      run: async (r, [id], scope) => ((await bus.removeTarget(id, scope())) || (!authenticated(r) && await bus.removeTarget(id, null))
        ? { status: 200, body: { deleted: id } }
        : { status: 404, body: { __type: 'NotFound', message: `Event target ${id} does not exist.` } }),
    },
  ];
}
