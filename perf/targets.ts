// The targets of issue 7, each read from this run's rows: the measured ratio and a verdict.
import type { ScenarioResult } from './report.js';
import { ROUTES_FEW, ROUTES_MANY } from './scenarios.js';
import { FASTIFY, FLOOR, ROUTER, type Row } from './summary.js';

export type Verdict = 'PASS' | 'FAIL' | 'not measured' | 'not measurable here' | 'invalid (failed requests)';

export interface TargetCheck {
  target: string;
  measured: string;
  verdict: Verdict;
}

const CHAIN = 'gateway-chain';
const WASM = 'gateway-wasm';
const WORKERS2 = 'gateway-router-workers2';
const UPSTREAM = 'upstream';

type Rows = (scenario: string, name: string) => Row | undefined;

/** A check of `rows` (all present and valid) with `measure` returning the measured text and whether it passes. */
function check(target: string, rows: (Row | undefined)[], measure: (rows: Row[]) => { measured: string; pass: boolean }): TargetCheck {
  if (rows.some((row) => row === undefined)) return { target, measured: '—', verdict: 'not measured' };
  const present = rows as Row[];
  const { measured, pass } = measure(present);
  if (present.some((row) => row.failedRequests > 0)) return { target, measured, verdict: 'invalid (failed requests)' };
  return { target, measured, verdict: pass ? 'PASS' : 'FAIL' };
}

function cpuRatio(target: string, row: Row | undefined, reference: Row | undefined, limit: number): TargetCheck {
  return check(target, [row, reference], ([a, b]) => {
    const ratio = (a as Row).cpuMicrosPerRequest / (b as Row).cpuMicrosPerRequest;
    return { measured: `${ratio.toFixed(2)}×`, pass: ratio <= limit };
  });
}

/**
 * `gatewayHasOwnCpus`: the workers2 contender ran on CPUs the load generator does not use; without
 * that, or when it came within 10% of the upstream answered directly (the load generator's ceiling),
 * its req/s says what the load generator can do, not what two workers can.
 */
export function checkTargets(scenarios: ScenarioResult[], gatewayHasOwnCpus: boolean): TargetCheck[] {
  const row: Rows = (scenario, name) => scenarios.find((s) => s.name === scenario)?.rows.find((r) => r.name === name);
  const fixedRate = scenarios.find((s) => s.name === 'fixed-rate');
  const hello = (name: string): Row | undefined => row('hello', name);

  const workers = check('gateway --workers 2: req/s ≥ 1.7× one worker (hello)', [hello(WORKERS2), hello(ROUTER)], ([two, one]) => {
    const ratio = (two as Row).requestsPerSecond / (one as Row).requestsPerSecond;
    return { measured: `${ratio.toFixed(2)}×`, pass: ratio >= 1.7 };
  });
  const upstream = hello(UPSTREAM);
  const loadLimited =
    !gatewayHasOwnCpus || (upstream !== undefined && (hello(WORKERS2)?.requestsPerSecond ?? 0) >= 0.9 * upstream.requestsPerSecond);
  if (workers.verdict !== 'not measured' && loadLimited) workers.verdict = 'not measurable here';

  return [
    cpuRatio('gateway-router CPU/req ≤ 0.7× fastify-http-proxy (hello)', hello(ROUTER), hello(FASTIFY), 0.7),
    cpuRatio('gateway-router CPU/req ≤ 1.2× node-floor (hello)', hello(ROUTER), hello(FLOOR), 1.2),
    cpuRatio('gateway-chain CPU/req ≤ 0.9× fastify-http-proxy (hello)', hello(CHAIN), hello(FASTIFY), 0.9),
    check('gateway-wasm adds ≤ 10 CPU µs/req over gateway-router (hello)', [hello(WASM), hello(ROUTER)], ([wasm, router]) => {
      const extra = (wasm as Row).cpuMicrosPerRequest - (router as Row).cpuMicrosPerRequest;
      return { measured: `${extra >= 0 ? '+' : '−'}${Math.abs(extra).toFixed(1)} µs`, pass: extra <= 10 };
    }),
    check('10,000 routes: req/s ≥ 0.9× 10 routes (routes-10k)', [row('routes-10k', ROUTES_MANY.label), row('routes-10k', ROUTES_FEW.label)], ([many, few]) => {
      const ratio = (many as Row).requestsPerSecond / (few as Row).requestsPerSecond;
      return { measured: `${ratio.toFixed(2)}×`, pass: ratio >= 0.9 };
    }),
    check(
      `p99 at 50% of saturation ≤ upstream's + 1 ms (fixed-rate${fixedRate?.fixedRate ? `, ${Math.round(fixedRate.fixedRate.rate)} req/s` : ''})`,
      [row('fixed-rate', ROUTER), row('fixed-rate', UPSTREAM)],
      ([gateway, direct]) => {
        const extra = (gateway as Row).p99Ms - (direct as Row).p99Ms;
        return { measured: `${(gateway as Row).p99Ms.toFixed(2)} vs ${(direct as Row).p99Ms.toFixed(2)} ms (${extra >= 0 ? '+' : '−'}${Math.abs(extra).toFixed(2)})`, pass: extra <= 1 };
      },
    ),
    workers,
  ];
}
