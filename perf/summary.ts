// From the samples of every round to one row per contender: medians, and the CPU cost
// relative to the two Node references (fastify-http-proxy and the node floor) and to the
// router-only gateway (what the other gateway contenders' filters add).
import type { Sample } from './measure.js';

export const FASTIFY = 'fastify-http-proxy';
export const FLOOR = 'node-floor';
export const ROUTER = 'gateway-router';

export interface Row {
  name: string;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  p99_9Ms: number;
  cpuMicrosPerRequest: number;
  /** CPU µs/req divided by fastify-http-proxy's, null when that one did not run. */
  cpuVsFastify: number | null;
  /** CPU µs/req divided by node-floor's, null when that one did not run. */
  cpuVsFloor: number | null;
  /** CPU µs/req divided by gateway-router's, null when that one did not run. */
  cpuVsRouter: number | null;
  /** Errors, timeouts and non-2xx answers over all rounds (0 for a valid row). */
  failedRequests: number;
}

export interface ContenderRun {
  name: string;
  description: string;
  samples: Sample[];
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  if (sorted.length === 0) return Number.NaN;
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

export function summarize(runs: ContenderRun[]): Row[] {
  const rows = runs.map(({ name, samples }) => ({
    name,
    requestsPerSecond: median(samples.map((s) => s.requestsPerSecond)),
    p50Ms: median(samples.map((s) => s.latencyMs.p50)),
    p99Ms: median(samples.map((s) => s.latencyMs.p99)),
    p99_9Ms: median(samples.map((s) => s.latencyMs.p99_9)),
    cpuMicrosPerRequest: median(samples.map((s) => s.cpuMicrosPerRequest)),
    failedRequests: samples.reduce((sum, s) => sum + s.errors + s.non2xx, 0),
  }));
  const cpuOf = (name: string): number | undefined => rows.find((row) => row.name === name)?.cpuMicrosPerRequest;
  const fastify = cpuOf(FASTIFY);
  const floor = cpuOf(FLOOR);
  const router = cpuOf(ROUTER);
  return rows.map((row) => ({
    ...row,
    cpuVsFastify: fastify ? row.cpuMicrosPerRequest / fastify : null,
    cpuVsFloor: floor ? row.cpuMicrosPerRequest / floor : null,
    cpuVsRouter: router ? row.cpuMicrosPerRequest / router : null,
  }));
}

/** For each other gateway contender, one line: the CPU its filters add over gateway-router's, per request. */
export function overRouterNotes(rows: Row[]): string[] {
  const router = rows.find((row) => row.name === ROUTER);
  if (router === undefined) return [];
  return rows
    .filter((row) => row.name.startsWith('gateway-') && row.name !== ROUTER && row.cpuVsRouter !== null)
    .map((row) => {
      const extra = row.cpuMicrosPerRequest - router.cpuMicrosPerRequest;
      const sign = extra < 0 ? '−' : '+';
      return `${row.name}: ${sign}${Math.abs(extra).toFixed(1)} CPU µs/req over ${ROUTER} (${row.cpuVsRouter?.toFixed(2)}×)`;
    });
}
