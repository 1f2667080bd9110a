// ctx.matchers in a filter: routes' own matching, through the test kit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defineHttpFilter } from '../filter.js';
import { runFilter } from '../testing.js';

/** Denies requests that match a RouteMatch from the filter's config, or come from a denied CIDR. */
const gate = defineHttpFilter<{ deny_cidrs: string[] }>({
  name: 'gate',
  configSchema: { type: 'object', properties: { deny_cidrs: { type: 'array', items: { type: 'string' } } }, required: ['deny_cidrs'] },
  create(config, { matchers }) {
    const admin = matchers.route({ prefix: '/admin', case_sensitive: true, headers: [{ name: ':method', exact_match: 'DELETE', invert_match: false }] });
    const denied = matchers.cidr(config.deny_cidrs);
    const beta = matchers.string({ prefix: 'beta-', ignore_case: true });
    return () => ({
      onRequestHeaders(h, ctx) {
        if (admin(ctx) || denied(ctx.sourceAddress)) ctx.sendLocalReply(403, 'no');
        else if (beta(h.get('x-channel') ?? '')) h.set('x-beta', '1');
      },
    });
  },
});

test('route, cidr and string matchers compiled for a filter', async () => {
  const config = { deny_cidrs: ['10.0.0.0/8'] };
  const del = await runFilter(gate, config, { request: { method: 'DELETE', path: '/admin/users' } });
  assert.equal(del.response.status, 403);
  const get = await runFilter(gate, config, { request: { method: 'GET', path: '/admin/users' } });
  assert.equal(get.response.status, 200);
  const from10 = await runFilter(gate, config, { request: { path: '/', sourceAddress: '::ffff:10.1.2.3' } });
  assert.equal(from10.response.status, 403);
  const beta = await runFilter(gate, config, { request: { path: '/', headers: { 'x-channel': 'BETA-2' } } });
  assert.equal(beta.upstreamRequest?.headers['x-beta'], '1');
});
