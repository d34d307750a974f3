// Section `documents` (issue 25: "new work of this round's other issues gets its own bench figures"):
// CreateDocument and GetDocument under load, over HTTP with the api section's load tool (autocannon, 32
// connections, a warm-up then the measured run, latency from every answer):
//  - CreateDocument: a small Command document (JSON), every request a distinct Name (autocannon rebuilds
//    the body per request: setupRequest), so each one really creates a document;
//  - GetDocument of a Command document whose content is ~64 KB (a long runShellScript), the size AWS allows.
// Figures only: the issue sets no target for them.

import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { awsCall, type AwsCall, AwsClient } from './aws-requests.ts';
import { CLOCK_START } from './fleet.ts';
import { load, type LoadOptions, type LoadResult, measuredLoad } from './measure.ts';
import type { RunContext } from './run-context.ts';
import { type ServerProcess, startService } from './servers.ts';

const REGION = 'us-east-1';
/** GetDocument's document: its Content is just under this many bytes. */
export const LARGE_DOCUMENT_BYTES = 64 * 1024;

export interface DocumentCase extends Partial<LoadResult> {
  operation: 'CreateDocument' | 'GetDocument';
  /** What the case sends. */
  what: string;
  /** Bytes of one answer's body (the probe's). */
  responseBytes?: number;
  /** The service's peak resident memory (VmHWM) at the end of the case. */
  peakMemoryBytes?: number;
  /** Documents the service holds after the case (CreateDocument: the ones it created, counted through ListDocuments). */
  documentsAfter?: number;
  /** Set when the case could not run or its answers were not all 200. */
  flagged?: string;
}

export interface DocumentsResults {
  connections: number;
  seconds: number;
  warmupSeconds: number;
  /** Bytes of the large document's Content. */
  largeContentBytes: number;
  cases: DocumentCase[];
  serviceFailed: boolean;
}

function flag(result: LoadResult): string | undefined {
  if (result.non2xx === 0 && result.errors === 0 && result.timeouts === 0) return undefined;
  return `${result.non2xx} non-2xx ${JSON.stringify(result.statusCodes)}, ${result.errors} errors, ${result.timeouts} timeouts`;
}

/** A small Command document, as a user writes one (JSON). */
function smallDocument(): string {
  return JSON.stringify({
    schemaVersion: '2.2',
    description: 'Restart the app',
    parameters: { Service: { type: 'String', default: 'app', description: 'The unit to restart' } },
    mainSteps: [{ action: 'aws:runShellScript', name: 'restart', inputs: { runCommand: ['systemctl restart {{ Service }}', 'systemctl is-active {{ Service }}'] } }],
  });
}

/** A Command document whose Content is just under `bytes` (a long runShellScript: one line per command). */
export function largeDocument(bytes: number): string {
  const lines: string[] = [];
  const build = () => JSON.stringify({
    schemaVersion: '2.2',
    description: 'Provision a host: a long script',
    parameters: { Environment: { type: 'String', default: 'prod', allowedValues: ['prod', 'staging'] } },
    mainSteps: [{ action: 'aws:runShellScript', name: 'provision', inputs: { timeoutSeconds: '3600', runCommand: lines } }],
  });
  for (let i = 0; ; i++) {
    const line = `echo "step ${String(i).padStart(5, '0')}: configuring {{ Environment }}" && test -d /etc/app/conf.d/${i % 97} || mkdir -p /etc/app/conf.d/${i % 97}`;
    lines.push(line);
    if (Buffer.byteLength(build()) > bytes) {
      lines.pop();
      return build();
    }
  }
}

/**
 * The load run of `load` (measure.ts) for a request whose body changes per request: CreateDocument with a
 * distinct Name each time. The same tool and options (autocannon, connections, warm-up, latency of every
 * answer); the service does not verify signatures without --credentials, so the one signed header set
 * serves every body.
 */
async function loadDistinct(endpoint: string, call: AwsCall, body: (n: number) => string, options: LoadOptions): Promise<LoadResult> {
  let counter = 0;
  const run = (seconds: number, latencies?: number[]) => new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon({
      url: `${endpoint}/`,
      connections: options.connections,
      duration: seconds,
      timeout: 10,
      requests: [{
        method: 'POST',
        path: '/',
        headers: call.headers,
        setupRequest: (request: autocannon.Request) => ({ ...request, method: 'POST', path: '/', headers: call.headers, body: body(counter++) }),
      }],
    } as autocannon.Options, (error: unknown, result: autocannon.Result) => (error ? reject(error) : resolve(result)));
    if (latencies) instance.on('response', (...args: unknown[]) => latencies.push(args[args.length - 1] as number));
  });
  return measuredLoad(run, options);
}

/** Documents the caller owns (ListDocuments, Owner Self), page by page; bounded to `limit` pages. */
async function countOwnDocuments(client: AwsClient, limit = 100_000): Promise<number> {
  let count = 0;
  let token: string | undefined;
  let pages = 0;
  do {
    const page = await client.call<{ DocumentIdentifiers: unknown[]; NextToken?: string }>('ListDocuments', {
      Filters: [{ Key: 'Owner', Values: ['Self'] }], MaxResults: 50, ...(token ? { NextToken: token } : {}),
    }, REGION);
    count += page.DocumentIdentifiers.length;
    token = page.NextToken;
  } while (token && ++pages < limit);
  return count;
}

function checkAlive(service: ServerProcess, what: string): void {
  if (service.crashed()) throw new Error(`the service crashed during ${what}:\n${service.output().slice(-2000)}`);
}

export async function runDocumentsBench(ctx: RunContext): Promise<DocumentsResults> {
  const options: LoadOptions = ctx.quick
    ? { connections: 32, seconds: 2, warmupSeconds: 0.5 }
    : { connections: 32, seconds: 10, warmupSeconds: 3 };
  const large = largeDocument(LARGE_DOCUMENT_BYTES);
  const results: DocumentsResults = {
    connections: options.connections, seconds: options.seconds, warmupSeconds: options.warmupSeconds,
    largeContentBytes: Buffer.byteLength(large), cases: [], serviceFailed: false,
  };
  const dir = mkdtempSync(join(ctx.tmp, 'documents-'));

  // A fresh service per case, as the api section does: one case's documents do not weigh on the other.
  for (const operation of ['CreateDocument', 'GetDocument'] as const) {
    const service = await startService({
      dataDir: mkdtempSync(join(dir, 'data-')),
      // CreateDocument at thousands a second passes AWS's 500 documents per account at once: no quota here.
      args: ['--clock', 'manual', '--clock-start', CLOCK_START, '--max-documents', '100000000'],
      cpuProfileDir: ctx.profileDir(`documents-${operation}`),
    });
    const client = new AwsClient(service.endpoint);
    try {
      const serverCpu = () => service.cpuSeconds();
      let result: DocumentCase;
      if (operation === 'CreateDocument') {
        ctx.log(`Documents: CreateDocument, a small Command document (JSON), distinct names, ${options.connections} connections`);
        const content = smallDocument();
        const input = (n: number) => ({ Name: `bench-doc-${String(n).padStart(8, '0')}`, Content: content, DocumentType: 'Command', DocumentFormat: 'JSON' });
        // One request first: the case must answer 200 before it is worth loading.
        const probe = await client.send(awsCall(service.endpoint, operation, input(0) , REGION));
        if (probe.status !== 200) {
          results.cases.push({ operation, what: 'small Command document', flagged: `answers ${probe.status}: ${probe.body.slice(0, 300)}` });
          results.serviceFailed = true;
          continue;
        }
        const call = awsCall(service.endpoint, operation, input(0), REGION);
        const measured = await loadDistinct(service.endpoint, call, (n) => JSON.stringify(input(n + 1)), { ...options, serverCpu });
        checkAlive(service, operation);
        result = {
          operation, what: `small Command document (${Buffer.byteLength(content)} bytes of JSON), a new name each request`,
          responseBytes: Buffer.byteLength(probe.body), ...measured, flagged: flag(measured),
        };
        result.documentsAfter = await countOwnDocuments(client);
        // Each answered 200 created one: the probe, the warm-up's and the measured run's.
        if (!result.flagged && result.documentsAfter < measured.requests) {
          result.flagged = `${result.documentsAfter} documents listed after ${measured.requests} answered creations`;
        }
      } else {
        ctx.log(`Documents: GetDocument of a ${(results.largeContentBytes / 1024).toFixed(1)} KB Command document, ${options.connections} connections`);
        await client.call('CreateDocument', { Name: 'bench-large', Content: large, DocumentType: 'Command', DocumentFormat: 'JSON' }, REGION);
        const call = awsCall(service.endpoint, operation, { Name: 'bench-large' }, REGION);
        const probe = await client.send(call);
        if (probe.status !== 200) {
          results.cases.push({ operation, what: 'large document', flagged: `answers ${probe.status}: ${probe.body.slice(0, 300)}` });
          results.serviceFailed = true;
          continue;
        }
        const got = JSON.parse(probe.body) as { Content?: string };
        if (got.Content !== large) throw new Error(`GetDocument answered Content of ${got.Content?.length ?? 0} characters, not the ${large.length} created`);
        const measured = await load(service.endpoint, call, { ...options, serverCpu });
        checkAlive(service, operation);
        result = {
          operation, what: `Command document of ${results.largeContentBytes.toLocaleString('en-US')} bytes (a long runShellScript)`,
          responseBytes: Buffer.byteLength(probe.body), ...measured, flagged: flag(measured),
        };
      }
      result.peakMemoryBytes = service.peakMemoryBytes();
      if (result.flagged) results.serviceFailed = true;
      results.cases.push(result);
    } finally {
      client.close();
      await service.stop();
    }
  }
  return results;
}
