// The chain contract of FilterStream, driven through the test kit's fake stream.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FILTER_FAILED_FLAG } from './filter-stream.js';
import type { HttpFilter, StreamContext } from './filter.js';
import type { HeaderMap } from './headers.js';
import { FilterStatus } from './status.js';
import { runChain } from './testing.js';
import type { FilterSpec } from './testing.js';

type Phases = Omit<HttpFilter, 'onLog'>;
const LABELS = {
  onRequestHeaders: 'req',
  onRequestBody: 'reqBody',
  onResponseHeaders: 'res',
  onResponseBody: 'resBody',
} as const;

interface Recording {
  needsRequestBody?: boolean;
  needsResponseBody?: boolean;
  failOpen?: boolean;
}

/** A filter that appends "<name>.<phase>" to `calls` on every phase, then runs `own`'s phase if any. */
function recording(name: string, calls: string[], own: Phases = {}, opts: Recording = {}): FilterSpec {
  const filter: HttpFilter = {
    onLog: () => void calls.push(`${name}.log`),
  };
  for (const phase of Object.keys(LABELS) as (keyof typeof LABELS)[]) {
    const fn = own[phase] as ((arg: never, ctx: StreamContext) => ReturnType<NonNullable<Phases[typeof phase]>>) | undefined;
    (filter as Record<string, unknown>)[phase] = (arg: never, ctx: StreamContext) => {
      calls.push(`${name}.${LABELS[phase]}`);
      return fn?.(arg, ctx);
    };
  }
  return {
    name,
    failOpen: opts.failOpen,
    factory: {
      name: 'recording',
      configSchema: { type: 'object' },
      needsRequestBody: opts.needsRequestBody,
      needsResponseBody: opts.needsResponseBody,
      create: () => () => filter,
    },
  };
}

const later = (fn: () => void): void => void setImmediate(fn);

test('request phases run in order, response phases in reverse, then onLog', async () => {
  const calls: string[] = [];
  const r = await runChain([recording('A', calls), recording('B', calls), recording('C', calls)], {
    upstream: () => {
      calls.push('upstream');
      return { status: 201, body: 'made' };
    },
  });
  assert.deepEqual(calls, ['A.req', 'B.req', 'C.req', 'upstream', 'C.res', 'B.res', 'A.res', 'A.log', 'B.log', 'C.log']);
  assert.equal(r.response.status, 201);
  assert.equal(r.response.body, 'made');
  assert.equal(r.localReply, false);
});

test('an empty chain passes the request and the response through', async () => {
  const r = await runChain([], { request: { path: '/x', headers: { 'X-A': '1' } }, upstream: { status: 204 } });
  assert.equal(r.upstreamRequest?.path, '/x');
  assert.deepEqual(r.upstreamRequest?.headers, { 'x-a': '1' });
  assert.equal(r.response.status, 204);
});

test('Stop waits until ctx.continue() is called', async () => {
  const calls: string[] = [];
  const stop = recording('B', calls, {
    onRequestHeaders: (_h, ctx) => {
      later(() => {
        calls.push('continue');
        ctx.continue();
      });
      return FilterStatus.Stop;
    },
  });
  await runChain([recording('A', calls), stop, recording('C', calls)]);
  assert.deepEqual(calls.slice(0, 4), ['A.req', 'B.req', 'continue', 'C.req']);
});

test('a returned Promise resumes the chain when it settles', async () => {
  const calls: string[] = [];
  const wait = recording('B', calls, {
    onRequestHeaders: () =>
      new Promise<void>((resolve) =>
        later(() => {
          calls.push('settled');
          resolve();
        }),
      ),
  });
  await runChain([recording('A', calls), wait, recording('C', calls)]);
  assert.deepEqual(calls.slice(0, 4), ['A.req', 'B.req', 'settled', 'C.req']);
});

test('a Promise resolving Stop waits for ctx.continue()', async () => {
  const calls: string[] = [];
  const stop = recording('B', calls, {
    onRequestHeaders: async (_h, ctx) => {
      await Promise.resolve();
      later(() => {
        calls.push('continue');
        ctx.continue();
      });
      calls.push('resolved');
      return FilterStatus.Stop;
    },
  });
  await runChain([stop, recording('C', calls)]);
  assert.deepEqual(calls.slice(0, 4), ['B.req', 'resolved', 'continue', 'C.req']);
});

test('ctx.continue() called inside the phase before it returns Stop does not hang', async () => {
  const calls: string[] = [];
  const eager = recording('A', calls, {
    onRequestHeaders: (_h, ctx) => {
      ctx.continue();
      return FilterStatus.Stop;
    },
  });
  const r = await runChain([eager, recording('B', calls)], { timeoutMs: 500 });
  assert.deepEqual(calls.slice(0, 2), ['A.req', 'B.req']);
  assert.equal(r.upstreamCalled, true);
});

test('a local reply from filter 2 of 3: filter 3 never runs, the reply goes back through 2 and 1', async () => {
  const calls: string[] = [];
  const deny = recording('B', calls, {
    onRequestHeaders: (_h, ctx) => ctx.sendLocalReply(403, 'denied', { 'x-why': 'test' }, { responseFlag: 'UAEX', details: 'test_denied' }),
  });
  const r = await runChain([recording('A', calls), deny, recording('C', calls)]);
  assert.deepEqual(calls, ['A.req', 'B.req', 'B.res', 'A.res', 'A.log', 'B.log']);
  assert.equal(r.upstreamCalled, false);
  assert.equal(r.localReply, true);
  assert.equal(r.response.status, 403);
  assert.equal(r.response.body, 'denied');
  assert.equal(r.response.headers['x-why'], 'test');
  assert.deepEqual(r.responseFlags, ['UAEX']);
  assert.equal(r.responseCodeDetails, 'test_denied');
});

test('a local reply from a response phase replaces the response for the filters below it', async () => {
  const calls: string[] = [];
  let seenByA = 0;
  const replace = recording('B', calls, {
    onResponseHeaders: (_h, ctx) => ctx.sendLocalReply(503, 'replaced'),
  });
  const observe = recording('A', calls, {
    onResponseHeaders: (_h, ctx) => void (seenByA = ctx.responseStatus),
  });
  const r = await runChain([observe, replace, recording('C', calls)], { upstream: { status: 200, body: 'original' } });
  assert.deepEqual(calls.slice(0, 6), ['A.req', 'B.req', 'C.req', 'C.res', 'B.res', 'A.res']);
  assert.equal(seenByA, 503);
  assert.equal(r.upstreamCalled, true);
  assert.equal(r.localReply, true);
  assert.equal(r.response.body, 'replaced');
});

for (const kind of ['throws', 'rejects'] as const) {
  const fail =
    kind === 'throws' ?
      () => {
        throw new Error('boom');
      }
    : async () => {
        await Promise.resolve();
        throw new Error('boom');
      };

  // The failed filter is still among those that ran: the 500 passes through its own response phases.
  test(`a filter that ${kind}: 500, flag FF, an error counter and a log line; later filters do not run`, async () => {
    const calls: string[] = [];
    const r = await runChain([recording('A', calls), recording('B', calls, { onRequestHeaders: fail }), recording('C', calls)]);
    assert.equal(r.response.status, 500);
    assert.deepEqual(r.responseFlags, [FILTER_FAILED_FLAG]);
    assert.equal(r.counters['B.errors'], 1);
    assert.equal(r.upstreamCalled, false);
    assert.deepEqual(calls, ['A.req', 'B.req', 'B.res', 'A.res', 'A.log', 'B.log']);
    assert.ok(r.logs.some((l) => l.level === 'error' && l.filter === 'B'));
  });

  test(`a fail_open filter that ${kind}: the request passes, the error is counted`, async () => {
    const calls: string[] = [];
    const r = await runChain(
      [recording('A', calls), recording('B', calls, { onRequestHeaders: fail }, { failOpen: true }), recording('C', calls)],
      { upstream: { status: 200, body: 'ok' } },
    );
    assert.equal(r.response.status, 200);
    assert.equal(r.response.body, 'ok');
    assert.deepEqual(r.responseFlags, []);
    assert.equal(r.counters['B.errors'], 1);
    assert.deepEqual(calls.slice(0, 3), ['A.req', 'B.req', 'C.req']);
  });
}

test('a filter whose create() per stream throws: 500 and FF', async () => {
  const broken: FilterSpec = {
    factory: {
      name: 'broken',
      configSchema: { type: 'object' },
      create: () => () => {
        throw new Error('cannot build');
      },
    },
  };
  const r = await runChain([broken], { upstream: { status: 200 } });
  assert.equal(r.response.status, 500);
  assert.deepEqual(r.responseFlags, [FILTER_FAILED_FLAG]);
  assert.equal(r.counters['broken.errors'], 1);
  assert.equal(r.upstreamCalled, false);
});

test('a buffered request body is seen whole and can be replaced before the upstream', async () => {
  let seen = '';
  const rewrite = recording('A', [], {
    onRequestBody: (body, ctx) => {
      seen = body.toString();
      ctx.setRequestBody(seen.replace('secret', '******'));
    },
  }, { needsRequestBody: true });
  const r = await runChain([rewrite], { request: { method: 'POST', body: 'the secret word' } });
  assert.equal(seen, 'the secret word');
  assert.equal(r.upstreamRequest?.body, 'the ****** word');
});

test('a request body over the limit gets 413 and never reaches onRequestBody or the upstream', async () => {
  const calls: string[] = [];
  const r = await runChain([recording('A', calls, {}, { needsRequestBody: true })], {
    request: { method: 'POST', body: '12345' },
    maxRequestBytes: 4,
  });
  assert.equal(r.response.status, 413);
  assert.equal(r.upstreamCalled, false);
  assert.deepEqual(calls, ['A.req', 'A.res', 'A.log']);
});

test('a request body at the limit passes', async () => {
  const r = await runChain([recording('A', [], {}, { needsRequestBody: true })], {
    request: { method: 'POST', body: '1234' },
    maxRequestBytes: 4,
  });
  assert.equal(r.upstreamRequest?.body, '1234');
});

test('setResponseBody rewrites a buffered response body; content-length follows', async () => {
  const upper = recording('A', [], {
    onResponseBody: (body, ctx) => ctx.setResponseBody(body.toString().toUpperCase()),
  }, { needsResponseBody: true });
  const r = await runChain([upper], { upstream: { headers: { 'content-length': '5' }, body: 'hello' } });
  assert.equal(r.response.body, 'HELLO');
  const grow = recording('A', [], { onResponseBody: (_b, ctx) => ctx.setResponseBody('longer body') }, { needsResponseBody: true });
  const r2 = await runChain([grow], { upstream: { headers: { 'content-length': '5' }, body: 'hello' } });
  assert.equal(r2.response.headers['content-length'], '11');
});

test('a response body over the limit becomes a 500', async () => {
  const calls: string[] = [];
  const r = await runChain([recording('A', calls, {}, { needsResponseBody: true })], {
    upstream: { body: 'too long' },
    maxResponseBytes: 3,
  });
  assert.equal(r.response.status, 500);
  assert.equal(r.responseCodeDetails, 'response_payload_too_large');
  assert.ok(!calls.includes('A.resBody'));
});

test('onLog runs only for the filters that ran', async () => {
  const calls: string[] = [];
  const deny = recording('A', calls, { onRequestHeaders: (_h, ctx) => ctx.sendLocalReply(401) });
  await runChain([deny, recording('B', calls)]);
  assert.ok(calls.includes('A.log'));
  assert.ok(!calls.includes('B.log'));
});

test('request header changes reach the upstream; response header changes reach the client', async () => {
  const mutate = recording('A', [], {
    onRequestHeaders: (h: HeaderMap) => {
      h.set('x-added', 'yes');
      h.remove('x-drop');
    },
    onResponseHeaders: (h: HeaderMap) => h.add('x-served-by', 'A'),
  });
  const r = await runChain([mutate], { request: { headers: { 'x-drop': '1' } }, upstream: { headers: { 'x-served-by': 'up' } } });
  assert.deepEqual(r.upstreamRequest?.headers, { 'x-added': 'yes' });
  assert.deepEqual(r.response.headers['x-served-by'], ['up', 'A']);
});

// ---- regressions: defects found in FilterStream, kept as tests ----

test(
  'a Promise phase that also calls ctx.continue() before settling advances the chain once',
  async () => {
    const calls: string[] = [];
    const mixed = recording('A', calls, {
      onRequestHeaders: async (_h, ctx) => {
        await Promise.resolve();
        ctx.continue();
      },
    });
    await runChain([mixed, recording('B', calls)]);
    assert.deepEqual(calls, ['A.req', 'B.req', 'B.res', 'A.res', 'A.log', 'B.log']);
  },
);

test(
  'a filter that throws in onResponseBody is not run again on its own 500',
  async () => {
    let runs = 0;
    const failing = recording('A', [], {
      onResponseBody: () => {
        // Throws on its first three runs only, so that the defect shows as a count rather than a hang.
        if (++runs <= 3) throw new Error('boom');
      },
    }, { needsResponseBody: true });
    const r = await runChain([failing]);
    assert.equal(r.response.status, 500);
    assert.equal(runs, 1);
    assert.equal(r.counters['A.errors'], 1);
  },
);

test(
  'a local reply from onResponseBody: the replying filter and those above it do not run onResponseBody again',
  async () => {
    const calls: string[] = [];
    let replies = 0;
    const replace = recording('B', calls, {
      onResponseBody: (_b, ctx) => {
        if (ctx.responseStatus >= 500 && ++replies <= 3) ctx.sendLocalReply(503, 'unavailable');
      },
    }, { needsResponseBody: true });
    const r = await runChain([recording('A', calls), replace, recording('C', calls)], { upstream: { status: 500 } });
    assert.equal(r.response.status, 503);
    assert.equal(replies, 1);
    assert.deepEqual(calls.filter((c) => c.endsWith('.resBody')), ['C.resBody', 'B.resBody', 'A.resBody']);
  },
);

test(
  'after a local reply, the filters that run onResponseBody are those that ran onResponseHeaders for it',
  async () => {
    const calls: string[] = [];
    const deny = recording('B', calls, { onRequestBody: (_b, ctx) => ctx.sendLocalReply(403, 'no') }, {
      needsRequestBody: true,
      needsResponseBody: true,
    });
    await runChain([recording('A', calls), deny, recording('C', calls)], { request: { method: 'POST', body: 'x' } });
    const heads = calls.filter((c) => c.endsWith('.res')).map((c) => c.split('.')[0]);
    const bodies = calls.filter((c) => c.endsWith('.resBody')).map((c) => c.split('.')[0]);
    assert.deepEqual(bodies, heads);
  },
);

test(
  'a fail_open filter that cannot be built is skipped; the filters before it still run',
  async () => {
    const calls: string[] = [];
    const broken: FilterSpec = {
      failOpen: true,
      factory: {
        name: 'broken',
        configSchema: { type: 'object' },
        create: () => () => {
          throw new Error('cannot build');
        },
      },
    };
    const r = await runChain([recording('A', calls), broken, recording('C', calls)]);
    assert.equal(r.response.status, 200);
    assert.deepEqual(calls.slice(0, 2), ['A.req', 'C.req']);
  },
);

test(
  'a second create() failure after a fail_open one answers 500 instead of throwing out of start()',
  async () => {
    const throwing = (failOpen: boolean, name: string): FilterSpec => ({
      name,
      failOpen,
      factory: {
        name: 'broken',
        configSchema: { type: 'object' },
        create: () => () => {
          throw new Error(`${name} cannot build`);
        },
      },
    });
    const r = await runChain([throwing(true, 'first'), throwing(false, 'second')]);
    assert.equal(r.response.status, 500);
    assert.deepEqual(r.responseFlags, [FILTER_FAILED_FLAG]);
  },
);
