// The service's logs: structured JSON lines with pino (one object per line: time, level, msg and fields),
// or, when stdout is a terminal, pino-pretty's human-readable lines. One line per request at info
// (request id, operation, status, error code, duration) and one per recorded state change at debug.

import pino, { type Logger } from 'pino';
import { createRequire } from 'node:module';
import type { RecordedEvent } from '../domain/events.ts';
import type { RequestRecord } from '../wire/http-server.ts';

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * `terminal`: pino-pretty's readable lines instead of JSON. `destination`: where they go (stdout unless a
 * test gives a stream).
 */
export function createLogger(level: LogLevel, terminal = process.stdout.isTTY === true, destination?: NodeJS.WritableStream): Logger {
  const options = { level, base: { service: 'mw-local' }, timestamp: pino.stdTimeFunctions.isoTime };
  if (!terminal) return pino(options, destination ?? pino.destination({ dest: 1, sync: false }));
  // Loaded only for a terminal: a service run by a supervisor or a test never needs it, and it costs start time.
  const pretty = createRequire(import.meta.url)('pino-pretty') as typeof import('pino-pretty');
  // One line per entry, fields after the message: a polling agent's requests must not scroll the screen
  // by half a page each. The JSON lines carry the same facts.
  return pino(options, pretty({
    colorize: destination === undefined, destination: destination ?? 1, sync: true, singleLine: true,
    ignore: 'pid,hostname,service', translateTime: 'SYS:HH:MM:ss.l',
  }));
}

/** The hooks the service calls, writing to `logger`. */
export function serviceLogging(logger: Logger) {
  return {
    log: (message: string, fields?: Record<string, unknown>, level: 'info' | 'warn' | 'error' = 'info') => logger[level](fields ?? {}, message),
    onAnswered: (r: RequestRecord) => {
      const fields = { requestId: r.requestId, operation: r.operation, status: r.status, code: r.code, durationMs: Math.round(r.seconds * 1e6) / 1000 };
      if (r.status >= 500) logger.error(fields, 'request');
      else logger.info(fields, 'request');
    },
    onTransitions: logger.isLevelEnabled('debug')
      ? (events: RecordedEvent[]) => {
        for (const { event } of events) logger.debug({ detailType: event['detail-type'], detail: event.detail, account: event.account, region: event.region }, 'transition');
      }
      : undefined,
    flush: () => new Promise<void>((resolve) => logger.flush(() => resolve())),
  };
}
