// From the samples of every round to one row per contender of a scenario: medians, and the CPU
// cost relative to the two Node references (fastify-http-proxy and the node floor) and to the
// scenario's router row (what the other gateway rows' filters or shapes add).
import type { Sample } from './measure.js';

export const FASTIFY = 'fastify-http-proxy';
export const FLOOR = 'node-floor';
export const ROUTER = 'gateway-router';

export interface Row {
  /** The contender, with its gateway shape in parentheses when the scenario compares shapes. */
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
  /** CPU µs/req divided by the router row's (the scenario's baseline, else gateway-router), null when absent. */
  cpuVsRouter: number | null;
  /** Errors, timeouts and non-2xx answers over all rounds (0 for a valid row). */
  failedRequests: number;
}

export interface ContenderRun {
  name: string;
  description: string;
  samples: Sample[];
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  if (sorted.length === 0) return Number.NaN;
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/** `router` names the row the CPU ÷ router column divides by. */
export function summarize(runs: ContenderRun[], router: string = ROUTER): Row[] {
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
  const routerCpu = cpuOf(router);
  return rows.map((row) => ({
    ...row,
    cpuVsFastify: fastify ? row.cpuMicrosPerRequest / fastify : null,
    cpuVsFloor: floor ? row.cpuMicrosPerRequest / floor : null,
    cpuVsRouter: routerCpu ? row.cpuMicrosPerRequest / routerCpu : null,
  }));
}

/** For each other gateway row, one line: its req/s and CPU per request against the `baseline` row's. */
export function overBaselineNotes(rows: Row[], baseline: string): string[] {
  const base = rows.find((row) => row.name === baseline);
  if (base === undefined) return [];
  return rows
    .filter((row) => row.name.startsWith('gateway-') && row.name !== baseline)
    .map((row) => {
      const extra = row.cpuMicrosPerRequest - base.cpuMicrosPerRequest;
      const sign = extra < 0 ? '−' : '+';
      return (
        `${row.name}: ${sign}${Math.abs(extra).toFixed(1)} CPU µs/req over ${baseline} ` +
        `(${(row.cpuMicrosPerRequest / base.cpuMicrosPerRequest).toFixed(2)}×), ` +
        `${(row.requestsPerSecond / base.requestsPerSecond).toFixed(2)}× its req/s`
      );
    });
}
