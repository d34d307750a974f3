// What a person sees when a command fails: one line on stderr, never a stack trace, and an exit status
// (2: the command line cannot work; 1: it could not be carried out). Errors arrive carrying facts (the
// start-up step and its input, the endpoint and its answer, an errno code); the wording lives here only.

import { StartupError, type StartupStep } from '../app.ts';
import { EndpointError } from './endpoint-error.ts';
import { UsageError } from './options.ts';

// Not `import ... from 'node:http'`: that loads undici at start (see wire/http-server.ts).
const { STATUS_CODES } = process.getBuiltinModule('node:http');

export interface FailureLine {
  line: string;
  exitCode: number;
}

/** What an errno code means, for the codes a person can do something about. */
const ERRNO_REASONS: Record<string, string> = {
  ENOENT: 'no such file or folder',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EISDIR: 'it is a folder',
  ENOTDIR: 'part of the path is a file, not a folder',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on the device',
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ETIMEDOUT: 'timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ENOTFOUND: 'unknown host name',
  EAI_AGAIN: 'host name lookup failed for now',
};

/** The errno-style code of an error, also when it is wrapped (fetch's `cause`) or aggregated (several addresses tried). */
function codeOf(error: unknown): string | undefined {
  const e = error as { code?: unknown; cause?: unknown; errors?: unknown[] } | undefined;
  if (typeof e?.code === 'string') return e.code;
  if (e?.cause !== undefined && e.cause !== error) return codeOf(e.cause);
  if (Array.isArray(e?.errors) && e.errors.length > 0) return codeOf(e.errors[0]);
  return undefined;
}

/** The first line of an error's message, without the code it may start with ("ENOENT: no such file..."). */
function messageOf(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0].trim() || (error as Error)?.name || 'unknown error';
}

/** "permission denied (EACCES)", or the error's own message when its code is not one of ours. */
function reason(error: unknown): string {
  const code = codeOf(error);
  if (code && ERRNO_REASONS[code]) return `${ERRNO_REASONS[code]} (${code})`;
  if (error instanceof SyntaxError) return `not valid JSON (${messageOf(error)})`;
  return code && !messageOf(error).includes(code) ? `${messageOf(error)} (${code})` : messageOf(error);
}

/** host:port/database of a PostgreSQL URL, so a password in it is never printed. */
function postgresPlace(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname || 'localhost'}:${parsed.port || '5432'}${parsed.pathname === '/' ? '' : parsed.pathname}`;
  } catch {
    return 'the --store URL';
  }
}

function startupLine(failed: StartupStep, cause: unknown): string {
  const code = codeOf(cause);
  switch (failed.step) {
    case 'listen': {
      const where = `port ${failed.port} on ${failed.host}`;
      if (code === 'EADDRINUSE') return `${where} is already in use (EADDRINUSE); pick another with --port`;
      if (code === 'EACCES') return `not allowed to listen on ${where} (EACCES); pick a port above 1023 with --port`;
      if (code === 'EADDRNOTAVAIL') return `cannot listen on ${failed.host}: not an address of this machine (EADDRNOTAVAIL); pick another with --host`;
      if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `cannot listen on ${failed.host}: ${reason(cause)}; pick another with --host`;
      return `cannot listen on ${where}: ${reason(cause)}`;
    }
    case 'sqlite':
      return `cannot use the SQLite database in --data-dir ${failed.dataDir}: ${reason(cause)}`;
    case 'postgres':
      if (cause instanceof TypeError && /invalid url/i.test(messageOf(cause))) return '--store is not a valid PostgreSQL URL';
      return `cannot use PostgreSQL at ${postgresPlace(failed.store)}: ${reason(cause)}; check --store`;
    case 'nodes':
      if (code && ERRNO_REASONS[code]) return `cannot read the --nodes file ${failed.file}: ${reason(cause)}`;
      return `the --nodes file ${failed.file} is not usable: ${reason(cause)}`;
    case 'credentials':
      if (code && ERRNO_REASONS[code]) return `cannot read the --credentials file ${failed.file}: ${reason(cause)}`;
      return `the --credentials file is not usable: ${messageOf(cause)}`;
    case 'tls':
      if (code && ERRNO_REASONS[code]) return `cannot read the TLS certificate or key (--tls-cert ${failed.cert}, --tls-key ${failed.key}): ${reason(cause)}`;
      return `${messageOf(cause)}`;
    case 'exposure':
      return `refusing to listen on ${failed.host} without --credentials: anyone who reaches it could run commands on every node; give --credentials FILE, or --insecure-open to accept that`;
  }
}

function endpointLine(error: EndpointError): string {
  const { request, problem } = error;
  const what = `${request.method} ${request.url}`;
  switch (problem.kind) {
    case 'unreachable':
      return `cannot reach ${request.endpoint}: ${reason(problem.cause)}; is the service running? check --endpoint`;
    case 'timeout':
      return `${what}: no answer within ${problem.seconds} s`;
    case 'not-json':
      return `${what} answered ${problem.status} with a body that is not JSON (${problem.contentType || 'no content type'}); is --endpoint an mw-local service?`;
    case 'error-answer':
      // Not one of the service's own {"__type", "message"} errors: something else answers at --endpoint.
      if (problem.type === undefined) return `${what} failed: ${problem.status} ${STATUS_CODES[problem.status] ?? ''}; is --endpoint an mw-local service?`;
      return `${what} failed: ${problem.status} ${problem.type}${problem.message ? `: ${problem.message}` : ''}`;
  }
}

/** Turns whatever a command threw into the one line to print and the exit status. */
export function failureLine(error: unknown): FailureLine {
  if (error instanceof UsageError) return { line: error.message, exitCode: 2 };
  if (error instanceof StartupError) return { line: startupLine(error.failed, error.cause), exitCode: 1 };
  if (error instanceof EndpointError) return { line: endpointLine(error), exitCode: 1 };
  // Not foreseen (a bug, most likely): still one line, with the error's class so it can be searched for.
  const name = error instanceof Error && error.name !== 'Error' ? `${error.name}: ` : '';
  return { line: `failed: ${name}${reason(error)}`, exitCode: 1 };
}
