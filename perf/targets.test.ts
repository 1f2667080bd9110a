import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ScenarioResult } from './report.js';
import { ROUTES_FEW, ROUTES_MANY } from './scenarios.js';
import type { Row } from './summary.js';
import { checkTargets } from './targets.js';

function row(name: string, values: Partial<Row>): Row {
  return {
    name,
    requestsPerSecond: 10_000,
    p50Ms: 0,
    p99Ms: 1,
    p99_9Ms: 2,
    cpuMicrosPerRequest: 50,
    cpuVsFastify: null,
    cpuVsFloor: null,
    cpuVsRouter: null,
    failedRequests: 0,
    ...values,
  };
}

function scenario(name: string, rows: Row[]): ScenarioResult {
  return {
    name,
    description: '',
    request: { method: 'GET', path: '/', bodyBytes: 0, responseBytes: 128 },
    connections: 50,
    load: { kind: 'closed' },
    latencyResolution: 'ms',
    rows,
    runs: [],
    wrk: null,
    fixedRate: null,
    notes: [],
    skipped: [],
  };
}

test('targets: ratios within the limits pass, beyond them fail', () => {
  const hello = scenario('hello', [
    row('upstream', { requestsPerSecond: 90_000, cpuMicrosPerRequest: 10 }),
    row('fastify-http-proxy', { cpuMicrosPerRequest: 100 }),
    row('node-floor', { cpuMicrosPerRequest: 40 }),
    row('gateway-router', { cpuMicrosPerRequest: 45 }), // 0.45× fastify, 1.125× floor
    row('gateway-chain', { cpuMicrosPerRequest: 95 }), // 0.95× fastify: fails
    row('gateway-wasm', { cpuMicrosPerRequest: 54 }), // +9 µs
  ]);
  const routes = scenario('routes-10k', [row(ROUTES_FEW.label, { requestsPerSecond: 1000 }), row(ROUTES_MANY.label, { requestsPerSecond: 850 })]);
  const fixed = scenario('fixed-rate', [row('upstream', { p99Ms: 1.2 }), row('gateway-router', { p99Ms: 2.1 })]);
  const checks = checkTargets([hello, routes, fixed], false);
  assert.deepEqual(
    checks.map((check) => check.verdict),
    ['PASS', 'PASS', 'FAIL', 'PASS', 'FAIL', 'PASS', 'not measured'],
  );
  assert.equal(checks[0]?.measured, '0.45×');
  assert.equal(checks[3]?.measured, '+9.0 µs');
  assert.equal(checks[4]?.measured, '0.85×');
});

test('targets: a missing row is not measured, a row with failures is invalid', () => {
  const hello = scenario('hello', [row('fastify-http-proxy', { cpuMicrosPerRequest: 100 }), row('gateway-router', { cpuMicrosPerRequest: 45, failedRequests: 3 })]);
  const checks = checkTargets([hello], false);
  assert.equal(checks[0]?.verdict, 'invalid (failed requests)');
  assert.equal(checks[1]?.verdict, 'not measured');
});

test('targets: workers are not measurable when they share the load generator\'s CPUs or reach its ceiling', () => {
  const rows = [row('upstream', { requestsPerSecond: 40_000 }), row('gateway-router', { requestsPerSecond: 20_000 })];
  const shared = checkTargets([scenario('hello', [...rows, row('gateway-router-workers2', { requestsPerSecond: 36_000 })])], false);
  assert.equal(shared.at(-1)?.verdict, 'not measurable here');
  const ceiling = checkTargets([scenario('hello', [...rows, row('gateway-router-workers2', { requestsPerSecond: 37_000 })])], true);
  assert.equal(ceiling.at(-1)?.verdict, 'not measurable here');
  const own = checkTargets([scenario('hello', [...rows, row('gateway-router-workers2', { requestsPerSecond: 35_000 })])], true);
  assert.equal(own.at(-1)?.verdict, 'PASS');
  assert.equal(own.at(-1)?.measured, '1.75×');
});
