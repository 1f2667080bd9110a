// One measured window against one contender: autocannon's load for a fixed time, with the
// contender's CPU time read from the kernel just before and just after.
import autocannon, { type Result } from 'autocannon';
import { processTreeCpuTicks } from './cpu-time.js';
import { CONNECTIONS } from './settings.js';

export interface Sample {
  requests: number;
  seconds: number;
  requestsPerSecond: number;
  latencyMs: { p50: number; p99: number; p99_9: number };
  /** The contender's process-tree CPU time in the window divided by the requests completed in it. */
  cpuMicrosPerRequest: number;
  /** Socket errors plus timeouts, and answers other than 2xx: a valid sample has neither. */
  errors: number;
  non2xx: number;
}

export interface Target {
  url: string;
  /** Sent with every request. */
  headers: Record<string, string>;
  pid: number;
}

function load({ url, headers }: Target, seconds: number): Promise<Result> {
  return new Promise((resolve, reject) => {
    // keep-alive and one request in flight per connection are autocannon's defaults.
    autocannon({ url, headers, connections: CONNECTIONS, duration: seconds, pipelining: 1 }, (err, result) =>
      err ? reject(err) : resolve(result),
    );
  });
}

/** Load without measuring, so JIT, pools and caches are warm before the first window. */
export async function warmUp(target: Target, seconds: number): Promise<void> {
  await load(target, seconds);
}

export async function measure(target: Target, seconds: number, clockTicksPerSecond: number): Promise<Sample> {
  const ticksBefore = processTreeCpuTicks(target.pid);
  const result = await load(target, seconds);
  const ticksAfter = processTreeCpuTicks(target.pid);

  const requests = result.requests.total;
  const cpuMicros = ((ticksAfter - ticksBefore) * 1e6) / clockTicksPerSecond;
  return {
    requests,
    seconds: result.duration,
    requestsPerSecond: requests / result.duration,
    latencyMs: { p50: result.latency.p50, p99: result.latency.p99, p99_9: result.latency.p99_9 },
    cpuMicrosPerRequest: requests > 0 ? cpuMicros / requests : Number.NaN,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
  };
}
