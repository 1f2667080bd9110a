// The cluster section's health_checks, outlier_detection and common_lb_config: defaults and errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigValidationError } from '../config/errors.js';
import { validateConfig } from '../config/validate.js';
import { exampleConfig, fakeResolver } from '../config/testdata/fixtures.js';

const opts = { configDir: '/etc/gateway', resolveFilter: fakeResolver() };

function withCluster(fields: Record<string, unknown>): any {
  const config = exampleConfig();
  Object.assign(config.clusters[0], fields);
  return config;
}

async function errorsOf(raw: unknown): Promise<string[]> {
  try {
    await validateConfig(raw, opts);
  } catch (err) {
    assert.ok(err instanceof ConfigValidationError);
    return err.errors.map((e) => `${e.path}: ${e.message}`);
  }
  assert.fail('the config was accepted');
}

test("Envoy's defaults are filled in", async () => {
  const config = await validateConfig(
    withCluster({
      health_checks: [{ timeout: '1s', interval: '5s', unhealthy_threshold: 3, healthy_threshold: 2, http_health_check: { path: '/healthz' } }],
      outlier_detection: {},
    }),
    opts,
  );
  const c = config.clusters[0]!;
  assert.deepEqual(c.common_lb_config, { healthy_panic_threshold: { value: 50 } });
  const hc = c.health_checks![0]!;
  assert.deepEqual(
    [hc.no_traffic_interval, hc.initial_jitter, hc.initially_healthy, hc.http_health_check!.method, hc.http_health_check!.expected_statuses],
    ['60s', '0s', false, 'GET', [{ start: 200, end: 201 }]],
  );
  const od = c.outlier_detection!;
  assert.deepEqual(
    [od.consecutive_5xx, od.interval, od.base_ejection_time, od.max_ejection_time, od.max_ejection_percent, od.enforcing_consecutive_gateway_failure, od.success_rate_stdev_factor, od.successful_active_health_check_uneject_host],
    [5, '10s', '30s', '300s', 10, 0, 1900, true],
  );
});

test('bad health checks and outlier settings are refused with their paths', async () => {
  const errors = await errorsOf(
    withCluster({
      health_checks: [
        {
          timeout: '0s',
          interval: '5s',
          unhealthy_threshold: 0,
          healthy_threshold: 1,
          http_health_check: { path: 'healthz', expected_statuses: [{ start: 300, end: 200 }] },
          tcp_health_check: { send: { text: 'xyz' } },
        },
      ],
      outlier_detection: { base_ejection_time: '10m', max_ejection_percent: 101 },
      common_lb_config: { healthy_panic_threshold: { value: 120 } },
    }),
  );
  const hc = 'clusters[0].health_checks[0]';
  for (const expected of [
    `${hc}.unhealthy_threshold: must be >= 1`,
    `${hc}.http_health_check.path: must start with "/"`,
    `${hc}.tcp_health_check.send.text: must be hex bytes, like "50494e47"`,
    `${hc}: has both http_health_check and tcp_health_check; give exactly one of http_health_check, tcp_health_check`,
    `${hc}.timeout: must be greater than 0s`,
    `${hc}.http_health_check.expected_statuses[0].end: must be greater than start (300); the range is [start, end)`,
    'clusters[0].outlier_detection.base_ejection_time: must be <= max_ejection_time (300s)',
    'clusters[0].outlier_detection.max_ejection_percent: must be <= 100',
    'clusters[0].common_lb_config.healthy_panic_threshold.value: must be <= 100',
  ])
    assert.ok(errors.includes(expected), `missing "${expected}" in:\n${errors.join('\n')}`);
  const two = await errorsOf(withCluster({ health_checks: [1, 2].map(() => ({ timeout: '1s', interval: '1s', unhealthy_threshold: 1, healthy_threshold: 1, tcp_health_check: {} })) }));
  assert.ok(two.some((e) => e.startsWith('clusters[0].health_checks:')), two.join('\n'));
});
