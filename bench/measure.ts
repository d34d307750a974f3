// The two ways a figure is taken: a load run (autocannon, N connections, fixed duration, after a warm-up)
// for throughput, and sequential samples (one request at a time) for the latency of a single call or page.

import { request as httpRequest } from 'node:http';
import autocannon from 'autocannon';
import type { Answer, AwsCall, AwsClient } from './aws-requests.ts';

export interface LoadResult {
  /** 'autocannon', or 'node:http loop' for a server that closes the connection after every answer. */
  generator: 'autocannon' | 'node:http loop';
  requestsPerSecond: number;
  /** Milliseconds, from the latency of every answered request (not autocannon's 1 ms-resolution histogram). */
  p50: number;
  p99: number;
  requests: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  seconds: number;
  /** Status codes seen other than 200, with counts. */
  statusCodes: Record<string, number>;
  /** CPU seconds the server used during the measured run (not the warm-up), when known. */
  serverCpuSeconds?: number;
}

export interface LoadOptions {
  connections: number;
  seconds: number;
  warmupSeconds: number;
  /** The server process's CPU seconds so far (read before and after the measured run). */
  serverCpu?: () => number | undefined;
}

export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index];
}

function runOnce(endpoint: string, call: AwsCall, connections: number, seconds: number, latencies?: number[]): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: `${endpoint}/`,
        method: 'POST',
        headers: call.headers,
        body: call.body,
        connections,
        duration: seconds,
        timeout: 10,
      },
      (error: unknown, result: autocannon.Result) => (error ? reject(error) : resolve(result)),
    );
    if (latencies) {
      // autocannon emits ('response', client, statusCode, bytes, responseTimeMs) with sub-millisecond time.
      instance.on('response', (...args: unknown[]) => {
        latencies.push(args[args.length - 1] as number);
      });
    }
  });
}

/** A warm-up run, then the measured run: requests/s over the run and latency percentiles of all answers. */
export function load(endpoint: string, call: AwsCall, options: LoadOptions): Promise<LoadResult> {
  return measuredLoad((seconds, latencies) => runOnce(endpoint, call, options.connections, seconds, latencies), options);
}

/**
 * `run` (one autocannon run of `seconds`, pushing each answer's latency into `latencies` when given) as a
 * warm-up, then measured: the figures of `load`, for any request the caller's run sends.
 */
export async function measuredLoad(run: (seconds: number, latencies?: number[]) => Promise<autocannon.Result>, options: LoadOptions): Promise<LoadResult> {
  if (options.warmupSeconds > 0) await run(options.warmupSeconds);
  const latencies: number[] = [];
  const cpuBefore = options.serverCpu?.();
  const result = await run(options.seconds, latencies);
  const cpuAfter = options.serverCpu?.();
  const sorted = Float64Array.from(latencies).sort();
  const statusCodes: Record<string, number> = {};
  for (const [code, { count }] of Object.entries(result.statusCodeStats ?? {})) {
    if (code !== '200') statusCodes[code] = count ?? 0;
  }
  const answered = result['2xx'] + result.non2xx;
  return {
    generator: 'autocannon',
    requestsPerSecond: answered / result.duration,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    requests: answered,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    seconds: result.duration,
    statusCodes,
    serverCpuSeconds: cpuBefore !== undefined && cpuAfter !== undefined ? cpuAfter - cpuBefore : undefined,
  };
}

/**
 * The load run for a server that answers `Connection: close` (moto's werkzeug server): autocannon stalls
 * on such connections, so `connections` loops each send one request per new connection, back to back.
 * Far slower per request than autocannon, but moto's rate is two orders of magnitude below its limit.
 */
export async function loadClosing(endpoint: string, call: AwsCall, options: LoadOptions): Promise<LoadResult> {
  const url = new URL(endpoint);
  const one = () => new Promise<{ status: number; ms: number }>((resolve) => {
    const started = process.hrtime.bigint();
    const req = httpRequest({
      host: url.hostname, port: url.port, method: 'POST', path: '/', agent: false,
      headers: { ...call.headers, 'content-length': Buffer.byteLength(call.body) },
    }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: Number(process.hrtime.bigint() - started) / 1e6 }));
      res.on('error', () => resolve({ status: 0, ms: 0 }));
    });
    req.setTimeout(10_000, () => req.destroy());
    req.on('error', () => resolve({ status: 0, ms: 0 }));
    req.end(call.body);
  });
  const phase = async (seconds: number, record: boolean) => {
    const latencies: number[] = [];
    const statuses: Record<string, number> = {};
    const started = performance.now();
    const deadline = started + seconds * 1000;
    await Promise.all(Array.from({ length: options.connections }, async () => {
      while (performance.now() < deadline) {
        const answer = await one();
        if (!record) continue;
        statuses[answer.status] = (statuses[answer.status] ?? 0) + 1;
        if (answer.status !== 0) latencies.push(answer.ms);
      }
    }));
    return { latencies, statuses, seconds: (performance.now() - started) / 1000 };
  };
  if (options.warmupSeconds > 0) await phase(options.warmupSeconds, false);
  const cpuBefore = options.serverCpu?.();
  const { latencies, statuses, seconds } = await phase(options.seconds, true);
  const cpuAfter = options.serverCpu?.();
  const sorted = Float64Array.from(latencies).sort();
  const ok = statuses['200'] ?? 0;
  const errors = statuses['0'] ?? 0;
  const answered = latencies.length;
  const statusCodes = Object.fromEntries(Object.entries(statuses).filter(([code]) => code !== '200' && code !== '0'));
  return {
    generator: 'node:http loop',
    requestsPerSecond: answered / seconds,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    requests: answered,
    non2xx: answered - ok,
    errors,
    timeouts: 0,
    seconds,
    statusCodes,
    serverCpuSeconds: cpuBefore !== undefined && cpuAfter !== undefined ? cpuAfter - cpuBefore : undefined,
  };
}

export interface LatencyResult {
  samples: number;
  p50: number;
  p99: number;
  mean: number;
  /** Answers other than 200 among warm-up and samples. */
  failures: number;
  firstFailure?: string;
}

/** `warmup` unmeasured requests, then `samples` requests one after another, each timed on its own. */
export async function sequential(client: AwsClient, call: AwsCall, samples: number, warmup: number): Promise<LatencyResult> {
  const { answerBytes: _answerBytes, ...latency } = await timedInTurn(() => client.send(call), samples, warmup);
  return latency;
}

/** What is wrong with an answer, or undefined when nothing is. */
export type AnswerCheck = (answer: Answer) => string | undefined;

const statusOk: AnswerCheck = (answer) => (answer.status === 200 ? undefined : `${answer.status} ${answer.body.slice(0, 300)}`);

/**
 * `sequential` for any request: `warmup` unmeasured sends, then `samples` sends one after another, each
 * timed on its own and each judged by `check` (by default: a 200). Also the largest answer's size in bytes.
 */
export async function timedInTurn(send: () => Promise<Answer>, samples: number, warmup: number, check: AnswerCheck = statusOk): Promise<LatencyResult & { answerBytes: number }> {
  let failures = 0;
  let firstFailure: string | undefined;
  let answerBytes = 0;
  const judge = (answer: Answer) => {
    answerBytes = Math.max(answerBytes, Buffer.byteLength(answer.body));
    const problem = check(answer);
    if (problem !== undefined) {
      failures++;
      firstFailure ??= problem;
    }
  };
  for (let i = 0; i < warmup; i++) judge(await send());
  const times: number[] = [];
  for (let i = 0; i < samples; i++) {
    const answer = await send();
    judge(answer);
    times.push(answer.ms);
  }
  const sorted = Float64Array.from(times).sort();
  return {
    samples,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    mean: times.reduce((a, b) => a + b, 0) / Math.max(1, times.length),
    failures,
    firstFailure,
    answerBytes,
  };
}
