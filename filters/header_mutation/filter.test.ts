import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runFilter } from '../../sdk/testing.js';
import headerMutation from './filter.js';

const add = (key: string, value: string, append_action?: string, keep_empty_value?: boolean) => ({
  header: { key, value },
  ...(append_action ? { append_action } : {}),
  ...(keep_empty_value ? { keep_empty_value } : {}),
});

test('append actions on the request, removals first', async () => {
  const r = await runFilter(
    headerMutation,
    {
      request_headers_to_remove: ['x-secret'],
      request_headers_to_add: [
        add('x-a', 'two'),
        add('x-b', 'new', 'ADD_IF_ABSENT'),
        add('x-c', 'new', 'ADD_IF_ABSENT'),
        add('x-d', 'new', 'OVERWRITE_IF_EXISTS_OR_ADD'),
        add('x-e', 'new', 'OVERWRITE_IF_EXISTS'),
        add('x-f', 'new', 'OVERWRITE_IF_EXISTS'),
        add('x-secret', 'replaced', 'ADD_IF_ABSENT'),
      ],
    },
    { request: { headers: { 'x-a': 'one', 'x-b': 'old', 'x-d': 'old', 'x-e': 'old', 'x-secret': 's3cret' } } },
  );
  const h = r.upstreamRequest!.headers;
  assert.deepEqual(h['x-a'], ['one', 'two']);
  assert.equal(h['x-b'], 'old');
  assert.equal(h['x-c'], 'new');
  assert.equal(h['x-d'], 'new');
  assert.equal(h['x-e'], 'new');
  assert.equal(h['x-f'], undefined);
  assert.equal(h['x-secret'], 'replaced');
});

test('request operators', async () => {
  const r = await runFilter(
    headerMutation,
    {
      request_headers_to_add: [
        add('x-user-copy', 'user=%REQ(X-User)%'),
        add('x-alt', '%REQ(x-missing?x-user)%'),
        add('x-short', '%REQ(x-user):3%'),
        add('x-peer', '%DOWNSTREAM_REMOTE_ADDRESS%'),
        add('x-peer-ip', '%DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT%'),
        add('x-peer-port', '%DOWNSTREAM_REMOTE_PORT%'),
        add('x-path', '%REQ(:method)% %REQ(:path)%'),
        add('x-route', '%ROUTE_NAME%'),
        add('x-pct', '100%% of %REQ(x-user)%'),
        add('x-start', '%START_TIME%'),
      ],
    },
    { request: { method: 'POST', path: '/p?q=1', headers: { 'x-user': 'alice' }, sourceAddress: '10.1.2.3', sourcePort: 4242, routeName: 'r1' } },
  );
  const h = r.upstreamRequest!.headers;
  assert.equal(h['x-user-copy'], 'user=alice');
  assert.equal(h['x-alt'], 'alice');
  assert.equal(h['x-short'], 'ali');
  assert.equal(h['x-peer'], '10.1.2.3:4242');
  assert.equal(h['x-peer-ip'], '10.1.2.3');
  assert.equal(h['x-peer-port'], '4242');
  assert.equal(h['x-path'], 'POST /p?q=1');
  assert.equal(h['x-route'], 'r1');
  assert.equal(h['x-pct'], '100% of alice');
  assert.ok(Math.abs(Date.parse(h['x-start'] as string) - Date.now()) < 60_000, String(h['x-start']));
});

test('IPv6 peers are bracketed; an empty value is left out unless keep_empty_value', async () => {
  const r = await runFilter(
    headerMutation,
    { request_headers_to_add: [add('x-peer', '%DOWNSTREAM_REMOTE_ADDRESS%'), add('x-none', '%REQ(x-missing)%'), add('x-kept', '%REQ(x-missing)%', undefined, true)] },
    { request: { sourceAddress: '::1', sourcePort: 80 } },
  );
  const h = r.upstreamRequest!.headers;
  assert.equal(h['x-peer'], '[::1]:80');
  assert.equal('x-none' in h, false);
  assert.equal(h['x-kept'], '');
});

test('response mutations read the response', async () => {
  const r = await runFilter(
    headerMutation,
    {
      response_headers_to_remove: ['server'],
      response_headers_to_add: [add('x-echo', '%RESP(x-version)%/%RESPONSE_CODE%/%REQ(x-user)%'), add('x-upstream', '%UPSTREAM_CLUSTER%', undefined, true)],
    },
    { request: { headers: { 'x-user': 'bob' } }, upstream: { status: 201, headers: { server: 'leaky/1.0', 'x-version': 'v2' } } },
  );
  assert.equal(r.response.headers['server'], undefined);
  assert.equal(r.response.headers['x-echo'], 'v2/201/bob');
  assert.equal(r.response.headers['x-upstream'], '', 'the kit has no router, so no cluster');
});

test('client values are copied as they are, never interpreted', async () => {
  const r = await runFilter(headerMutation, { request_headers_to_add: [add('x-copy', '%REQ(x-user)%')] }, {
    request: { headers: { 'x-user': '%DOWNSTREAM_REMOTE_ADDRESS% %%' } },
  });
  assert.equal(r.upstreamRequest!.headers['x-copy'], '%DOWNSTREAM_REMOTE_ADDRESS% %%');
});

test('unknown, malformed and misplaced operators are config errors with the path', async () => {
  const bad = async (config: unknown, re: RegExp) => assert.rejects(runFilter(headerMutation, config), re);
  await bad({ request_headers_to_add: [add('x', 'ok'), add('x', '%NOPE%')] }, /request_headers_to_add\[1\]\.header\.value: unknown operator %NOPE%/);
  await bad({ request_headers_to_add: [add('x', '50%')] }, /malformed operator at offset 2: write %% for a literal "%"/);
  await bad({ request_headers_to_add: [add('x', '%RESP(x)%')] }, /%RESP% is only known on the response side/);
  await bad({ request_headers_to_add: [add('x', '%UPSTREAM_CLUSTER%')] }, /only known on the response side/);
  await bad({ request_headers_to_add: [add('x', '%START_TIME(%s)%')] }, /malformed operator|takes no arguments/);
  await bad({ request_headers_to_add: [add('x', '%ROUTE_NAME(x)%')] }, /%ROUTE_NAME% takes no arguments/);
  await bad({ request_headers_to_add: [add('x', '%REQ()%')] }, /needs a header name/);
  await bad({ response_headers_to_add: [add('x', 'a\r\nb')] }, /response_headers_to_add\[0\]\.header\.value: must not contain CR, LF or NUL/);
  await bad({ request_headers_to_add: [add('bad name', 'x')] }, /header\.key: must match pattern/);
  await bad({ request_headers_to_add: [add('x', 'y', 'APPEND')] }, /append_action: must be equal to one of the allowed values/);
});
