// One measured window against one contender: autocannon's closed-loop load for a fixed time, with
// the contender's CPU time read from the kernel just before and just after.
import autocannon, { type Result } from 'autocannon';
import { processTreeCpuTicks } from './cpu-time.js';
import type { RequestShape } from './scenarios.js';

export interface Sample {
  requests: number;
  seconds: number;
  requestsPerSecond: number;
  /** autocannon: whole milliseconds; the open-loop load and wrk: microsecond resolution. */
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

/** The load of a scenario: what each request is, over how many connections. */
export interface Load {
  request: RequestShape;
  connections: number;
  /** Request body, allocated once per scenario. */
  body: Buffer | undefined;
}

function run({ url, headers }: Target, { request, connections, body }: Load, seconds: number): Promise<Result> {
  return new Promise((resolve, reject) => {
    // keep-alive and one request in flight per connection are autocannon's defaults.
    autocannon(
      { url: new URL(request.path, url).href, method: request.method, headers, body, connections, duration: seconds, pipelining: 1 },
      (err, result) => (err ? reject(err) : resolve(result)),
    );
  });
}

/** Load without measuring, so JIT, pools and caches are warm before the first window. */
export async function warmUp(target: Target, load: Load, seconds: number): Promise<void> {
  await run(target, load, seconds);
}

/** Runs `work` and returns its result with the CPU µs the target's process tree spent per request meanwhile. */
export async function withCpuTime<T extends { requests: number }>(
  pid: number,
  clockTicksPerSecond: number,
  work: () => Promise<T>,
): Promise<T & { cpuMicrosPerRequest: number }> {
  const ticksBefore = processTreeCpuTicks(pid);
  const result = await work();
  const ticksAfter = processTreeCpuTicks(pid);
  const cpuMicros = ((ticksAfter - ticksBefore) * 1e6) / clockTicksPerSecond;
  return { ...result, cpuMicrosPerRequest: result.requests > 0 ? cpuMicros / result.requests : Number.NaN };
}

export function measure(target: Target, load: Load, seconds: number, clockTicksPerSecond: number): Promise<Sample> {
  return withCpuTime(target.pid, clockTicksPerSecond, async () => {
    const result = await run(target, load, seconds);
    const requests = result.requests.total;
    return {
      requests,
      seconds: result.duration,
      requestsPerSecond: requests / result.duration,
      latencyMs: { p50: result.latency.p50, p99: result.latency.p99, p99_9: result.latency.p99_9 },
      // A window without a single answer failed, even when autocannon counted no error in it.
      errors: result.errors + result.timeouts + (requests === 0 ? 1 : 0),
      non2xx: result.non2xx,
    };
  });
}
