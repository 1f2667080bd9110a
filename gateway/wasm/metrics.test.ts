// proxy_define_metric and friends land in the gateway's stats store: counters, gauges and histograms.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WasmMetrics } from './metrics.js';
import { MetricType, Status } from './abi.js';
import { StatsStore } from '../stats/store.js';

test('counters, gauges and histograms defined by a module are stats of the store, in the plugin scope', () => {
  const store = new StatsStore();
  const scope = store.scope('wasm', 'plugin', 'auth');
  const metrics = new WasmMetrics();
  const counter = metrics.define(MetricType.Counter, 'checks', scope)!;
  const gauge = metrics.define(MetricType.Gauge, 'inflight', scope)!;
  const histogram = metrics.define(MetricType.Histogram, 'check_ms', scope)!;
  assert.equal(metrics.define(MetricType.Counter, 'checks', scope), counter, 'the same name and type give the same id');
  assert.equal(metrics.define(7, 'x', scope), undefined);

  assert.equal(metrics.increment(counter, 2n), Status.Ok);
  assert.equal(metrics.record(counter, 3n), Status.Ok, 'record adds to a counter, as in Envoy');
  assert.equal(metrics.increment(counter, -1n), Status.BadArgument);
  assert.equal(metrics.increment(gauge, 5n), Status.Ok);
  assert.equal(metrics.increment(gauge, -2n), Status.Ok);
  assert.equal(metrics.record(histogram, 7n), Status.Ok);
  assert.equal(metrics.increment(histogram, 1n), Status.BadArgument);
  assert.equal(metrics.increment(99, 1n), Status.NotFound);

  assert.deepEqual([metrics.get(counter), metrics.get(gauge), metrics.get(histogram)], [5n, 3n, undefined]);
  assert.equal(metrics.record(gauge, 9n), Status.Ok, 'record sets a gauge');
  assert.deepEqual(store.values(), { 'wasm.auth.checks': 5, 'wasm.auth.inflight': 9 });
  const h = store.snapshot().histograms[0]!;
  assert.deepEqual([h.name, h.tagExtractedName, h.tags, h.count, h.sum], ['wasm.auth.check_ms', 'wasm.check_ms', { plugin: 'auth' }, 1, 7]);
});
