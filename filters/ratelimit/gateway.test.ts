// The global rate limit behind real listeners: two gateways, one of them in its own process, share
// one Redis and together admit exactly the limit; Redis stopped in the middle of a load.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { gatewayConfig, nodeRequest, startGateway, startUpstream } from '../../gateway/harness.js';
import type { TestResponse, Upstream } from '../../gateway/harness.js';
import { startRedis } from './redis-server.js';

function config(upstream: Upstream, redisPort: number, extra: Record<string, unknown> = {}): unknown {
  return gatewayConfig({
    routes: [{ match: { prefix: '/' }, route: { cluster: 'backend' } }],
    clusters: [{ name: 'backend', ports: [upstream.port] }],
    filters: [
      {
        name: 'ratelimit',
        config: {
          domain: 'edge',
          redis: { address: '127.0.0.1', port: redisPort },
          // generous, so that a busy machine does not turn exact counts into fail-open answers; the Redis-down test sets its own
          timeout: '5s',
          rate_limits: [{ actions: [{ generic_key: { descriptor_value: 'all' } }] }],
          descriptors: [{ key: 'generic_key', value: 'all', rate_limit: { unit: 'day', requests_per_unit: 30 } }],
          ...extra,
        },
      },
    ],
  });
}

/** A gateway in a child process; resolves with its origin and a stop function. */
async function gatewayProcess(cfg: unknown): Promise<{ origin: string; stop(): Promise<void> }> {
  const script = fileURLToPath(new URL('./gateway-process.js', import.meta.url));
  const child = spawn(process.execPath, [script, JSON.stringify(cfg)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = once(child, 'exit');
  const lines = createInterface({ input: child.stdout! });
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  const [line] = (await Promise.race([once(lines, 'line'), exited.then(() => [null])])) as [string | null];
  clearTimeout(timer);
  if (line === null) throw new Error('the gateway process exited before listening');
  const { port } = JSON.parse(line) as { port: number };
  return {
    origin: `http://127.0.0.1:${port}`,
    stop: async () => {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
    },
  };
}

test('two gateways, one in another process, sharing one Redis admit exactly the limit together', async () => {
  const redis = await startRedis();
  const upstream = await startUpstream('backend');
  try {
    const cfg = config(upstream, redis.port);
    const a = await startGateway(cfg);
    const b = await gatewayProcess(cfg).catch(async (err: unknown) => {
      await a.close();
      throw err;
    });
    try {
      const burst: Promise<TestResponse>[] = [];
      for (let i = 0; i < 60; i++) {
        burst.push(nodeRequest(a.origin, '/api', {}));
        burst.push(nodeRequest(b.origin, '/api', {}));
      }
      const results = await Promise.all(burst);
      const ok = results.filter((r) => r.status === 200).length;
      const limited = results.filter((r) => r.status === 429);
      assert.equal(ok, 30);
      assert.equal(limited.length, 90);
      assert.equal(limited[0]!.headers['x-envoy-ratelimited'], 'true');
      assert.equal(upstream.seen.length, 30);
    } finally {
      await b.stop();
      await a.close();
    }
  } finally {
    await upstream.close();
    await redis.stop();
  }
});

for (const deny of [false, true]) {
  test(`Redis stopped in the middle of a load: every request ${deny ? 'denied (500 RLSE)' : 'allowed'} within the timeout`, async () => {
    const redis = await startRedis();
    const upstream = await startUpstream('backend');
    try {
      const gw = await startGateway(config(upstream, redis.port, { timeout: '100ms', failure_mode_deny: deny, descriptors: [{ key: 'generic_key', value: 'all', rate_limit: { unit: 'day', requests_per_unit: 1_000_000 } }] }));
      try {
        const before = await Promise.all(Array.from({ length: 20 }, () => gw.get('/api')));
        assert.ok(before.every((r) => r.status === 200));
        // Stop Redis while a load is running.
        const load = Array.from({ length: 40 }, (_, i) =>
          new Promise((r) => setTimeout(r, i * 5)).then(async () => {
            const started = performance.now();
            const r = await gw.get('/api');
            return { status: r.status, ms: performance.now() - started };
          }),
        );
        await new Promise((r) => setTimeout(r, 50));
        await redis.stop();
        const during = await Promise.all(load);
        const after = await Promise.all(
          Array.from({ length: 20 }, async () => {
            const started = performance.now();
            const r = await gw.get('/api');
            return { status: r.status, ms: performance.now() - started };
          }),
        );
        const expected = deny ? 500 : 200;
        assert.ok(during.every((r) => r.status === 200 || r.status === expected), JSON.stringify(during.map((r) => r.status)));
        assert.ok(after.every((r) => r.status === expected), JSON.stringify(after.map((r) => r.status)));
        // Redis down answers at once (connection refused) or after the 100 ms timeout; generous margin for a busy machine.
        const slowest = Math.max(...after.map((r) => r.ms));
        assert.ok(slowest < 2000, `slowest ${slowest} ms`);
        const stats = gw.gateway.stats.values();
        assert.ok(stats['http.test.ratelimit.error']! >= 20);
        if (!deny) assert.equal(stats['http.test.ratelimit.failure_mode_allowed'], stats['http.test.ratelimit.error']);
      } finally {
        await gw.close();
      }
    } finally {
      await upstream.close();
      await redis.stop();
    }
  });
}
