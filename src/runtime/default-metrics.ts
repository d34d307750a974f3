// prom-client's default metrics (process CPU, memory, file descriptors, event loop lag, handles, heap, GC,
// Node's version), registered as collectDefaultMetrics registers them, in the same order and with the same
// names, help texts and values, but for the process CPU counters: prom-client's module for those loads
// @opentelemetry/api (about fifty modules, ~40 ms of a 2-core machine's start) for exemplars this service
// never turns on, so the three counters are kept here, as prom-client keeps them without exemplars.

import { createRequire } from 'node:module';
import type * as PromClient from 'prom-client';

const promClient = createRequire(import.meta.url);

/** The other default metrics, in collectDefaultMetrics' order (prom-client/lib/defaultMetrics.js). */
const AFTER_CPU = [
  'processStartTime', 'osMemoryHeap', 'processOpenFileDescriptors', 'processMaxFileDescriptors', 'eventLoopLag',
  ...(typeof process.getActiveResourcesInfo === 'function' ? ['processResources'] : []),
  'processHandles', 'processRequests', 'heapSizeAndUsed', 'heapSpacesSizeAndUsed', 'version', 'gc',
];

type DefaultMetric = (registry: PromClient.Registry, config: { prefix: string; eventLoopMonitoringPrecision: number }) => void;

export function registerDefaultMetrics(registry: PromClient.Registry, prefix: string): void {
  const Counter = promClient('prom-client/lib/counter') as typeof PromClient.Counter;
  const registers = [registry];
  // CPU used since the last scrape, added to each counter at scrape time (prom-client's processCpuTotal).
  let last = process.cpuUsage();
  const user = new Counter({
    name: `${prefix}process_cpu_user_seconds_total`, help: 'Total user CPU time spent in seconds.', registers,
    collect() {
      const now = process.cpuUsage();
      const userMicros = now.user - last.user;
      const systemMicros = now.system - last.system;
      last = now;
      user.inc({}, userMicros / 1e6);
      system.inc({}, systemMicros / 1e6);
      total.inc({}, (userMicros + systemMicros) / 1e6);
    },
  });
  const system = new Counter({ name: `${prefix}process_cpu_system_seconds_total`, help: 'Total system CPU time spent in seconds.', registers });
  const total = new Counter({ name: `${prefix}process_cpu_seconds_total`, help: 'Total user and system CPU time spent in seconds.', registers });
  // collectDefaultMetrics' own defaults.
  const config = { prefix, eventLoopMonitoringPrecision: 10 };
  for (const name of AFTER_CPU) (promClient(`prom-client/lib/metrics/${name}`) as DefaultMetric)(registry, config);
}
