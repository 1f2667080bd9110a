import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadChain, runFilter } from '../../sdk/testing.js';
import rbac from './filter.js';
import jwtAuthn from '../jwt_authn/filter.js';
import { jwks, makeKey, sign } from '../jwt_authn/fixtures.js';

const allowAdminsOnAdmin = {
  rules: {
    action: 'ALLOW',
    policies: {
      'admin-area': {
        permissions: [{ url_path: { path: { prefix: '/admin' } } }],
        principals: [{ header: { name: 'x-role', exact_match: 'admin' } }],
      },
      'public-reads': {
        permissions: [{ and_rules: { rules: [{ header: { name: ':method', exact_match: 'GET' } }, { not_rule: { url_path: { path: { prefix: '/admin' } } } }] } }],
        principals: [{ any: true }],
      },
    },
  },
};

test('ALLOW: a request no policy matches gets 403 with details and flag RBAC', async () => {
  const chain = await loadChain([{ factory: rbac, config: allowAdminsOnAdmin }]);
  const read = await chain.run({ request: { path: '/items?admin=1' } });
  assert.equal(read.response.status, 200);
  const admin = await chain.run({ request: { path: '/admin/users', method: 'DELETE', headers: { 'x-role': 'admin' } } });
  assert.equal(admin.response.status, 200);
  const denied = await chain.run({ request: { path: '/admin/users', headers: { 'x-role': 'user' } } });
  assert.equal(denied.upstreamCalled, false);
  assert.equal(denied.response.status, 403);
  assert.equal(denied.response.body, 'RBAC: access denied');
  assert.equal(denied.responseCodeDetails, 'rbac_access_denied_matched_policy[none]');
  assert.deepEqual(denied.responseFlags, ['RBAC']);
  const post = await chain.run({ request: { path: '/items', method: 'POST' } });
  assert.equal(post.response.status, 403);
  assert.deepEqual(chain.counters(), { 'rbac.allowed': 2, 'rbac.denied': 2, 'rbac.shadow_allowed': 0, 'rbac.shadow_denied': 0 });
});

test('url_path matches the path without its query string', async () => {
  const cfg = { rules: { action: 'DENY', policies: { p: { permissions: [{ url_path: { path: { exact: '/secret' } } }], principals: [{ any: true }] } } } };
  assert.equal((await runFilter(rbac, cfg, { request: { path: '/secret?x=1' } })).response.status, 403);
  assert.equal((await runFilter(rbac, cfg, { request: { path: '/secret/x' } })).response.status, 200);
});

test('DENY: the first matching policy by name is reported', async () => {
  const cfg = {
    rules: {
      action: 'DENY',
      policies: {
        'z-blocked-net': { permissions: [{ any: true }], principals: [{ remote_ip: { address_prefix: '10.0.0.0', prefix_len: 8 } }] },
        'a-bad-agent': { permissions: [{ any: true }], principals: [{ header: { name: 'user-agent', string_match: { contains: 'sqlmap', ignore_case: true } } }] },
      },
    },
  };
  const chain = await loadChain([{ factory: rbac, config: cfg }]);
  const both = await chain.run({ request: { sourceAddress: '10.1.2.3', headers: { 'user-agent': 'SQLMap/1.0' } } });
  assert.equal(both.responseCodeDetails, 'rbac_access_denied_matched_policy[a-bad-agent]');
  const net = await chain.run({ request: { sourceAddress: '::ffff:10.9.9.9' } });
  assert.equal(net.responseCodeDetails, 'rbac_access_denied_matched_policy[z-blocked-net]');
  assert.equal((await chain.run({ request: { sourceAddress: '192.168.1.1' } })).response.status, 200);
});

test('principals: CIDR strings, and_ids, or_ids, not_id', async () => {
  const cfg = {
    rules: {
      action: 'ALLOW',
      policies: {
        office: {
          permissions: [{ any: true }],
          principals: [
            {
              and_ids: {
                ids: [
                  { or_ids: { ids: [{ source_ip: '192.168.0.0/16' }, { direct_remote_ip: '2001:db8::/32' }] } },
                  { not_id: { remote_ip: '192.168.66.0/24' } },
                ],
              },
            },
          ],
        },
      },
    },
  };
  const chain = await loadChain([{ factory: rbac, config: cfg }]);
  const status = async (sourceAddress: string) => (await chain.run({ request: { sourceAddress } })).response.status;
  assert.equal(await status('192.168.1.1'), 200);
  assert.equal(await status('2001:db8::1'), 200);
  assert.equal(await status('192.168.66.6'), 403);
  assert.equal(await status('8.8.8.8'), 403);
});

test('jwt_claim reads what jwt_authn verified; a forged header claims nothing', async () => {
  const key = await makeKey('k1');
  const jwtConfig = {
    providers: { idp: { issuer: 'https://idp', local_jwks: { inline_string: jwks(key) } } },
    rules: [{ match: { prefix: '/' }, requires: { allow_missing: {} } }],
  };
  const rbacConfig = {
    rules: {
      action: 'ALLOW',
      policies: {
        editors: {
          permissions: [{ any: true }],
          principals: [
            { jwt_claim: { provider: 'idp', claim: 'realm.roles', string_match: { exact: 'editor' } } },
            { jwt_claim: { claim: 'sub', string_match: { prefix: 'svc-' } } },
            { jwt_claim: { claim: 'level', string_match: { exact: '7' } } },
          ],
        },
      },
    },
  };
  const chain = await loadChain([
    { factory: jwtAuthn, config: jwtConfig },
    { factory: rbac, config: rbacConfig },
  ]);
  const as = async (claims: Record<string, unknown>, sub = 'u1') => {
    const token = await sign(key, { iss: 'https://idp', sub, claims });
    return (await chain.run({ request: { headers: { authorization: `Bearer ${token}` } } })).response.status;
  };
  assert.equal(await as({ realm: { roles: ['viewer', 'editor'] } }), 200);
  assert.equal(await as({ realm: { roles: ['viewer'] } }), 403);
  assert.equal(await as({ realm: { roles: 'editor' } }), 200);
  assert.equal(await as({}, 'svc-backup'), 200);
  assert.equal(await as({ level: 7 }), 200);
  assert.equal(await as({ realm: { roles: [{ name: 'editor' }] } }), 403);
  assert.equal(await as({ 'realm.roles': 'editor' }), 403, 'a dotted key is not a path');
  const anonymous = await chain.run({ request: { headers: { 'x-jwt-sub': 'svc-x' } } });
  assert.equal(anonymous.response.status, 403);
});

test('shadow_rules are counted and recorded, never enforced', async () => {
  const cfg = {
    shadow_rules: { action: 'DENY', policies: { 'no-delete': { permissions: [{ header: { name: ':method', exact_match: 'DELETE' } }], principals: [{ any: true }] } } },
  };
  const chain = await loadChain([{ factory: rbac, config: cfg }]);
  const del = await chain.run({ request: { method: 'DELETE' } });
  assert.equal(del.response.status, 200);
  assert.equal(del.state.get('rbac.shadow_effective_policy_id'), 'no-delete');
  assert.equal(del.state.get('rbac.shadow_engine_result'), 'denied');
  const get = await chain.run({ request: {} });
  assert.equal(get.state.get('rbac.shadow_engine_result'), 'allowed');
  assert.deepEqual(chain.counters(), { 'rbac.allowed': 0, 'rbac.denied': 0, 'rbac.shadow_allowed': 1, 'rbac.shadow_denied': 1 });
});

test('ALLOW with no policies denies everything; no rules allows everything', async () => {
  assert.equal((await runFilter(rbac, { rules: { action: 'ALLOW', policies: {} } })).response.status, 403);
  assert.equal((await runFilter(rbac, {})).response.status, 200);
});

test('bad rules are refused at load with their path', async () => {
  const policy = (principal: object, permission: object = { any: true }) => ({
    rules: { action: 'ALLOW', policies: { p: { permissions: [permission], principals: [principal] } } },
  });
  await assert.rejects(runFilter(rbac, policy({ remote_ip: '10.0.0.0/33' })), /rules\.policies\.p\.principals\[0\]\.remote_ip: /);
  await assert.rejects(
    runFilter(rbac, policy({ any: true }, { or_rules: { rules: [{ any: true }, { url_path: { path: { safe_regex: { regex: '(' } } } }] } })),
    /rules\.policies\.p\.permissions\[0\]\.or_rules\.rules\[1\]\.url_path\.path: /,
  );
  await assert.rejects(runFilter(rbac, policy({ any: true, remote_ip: '10.0.0.1' })), /must NOT have more than 1 properties/);
  await assert.rejects(runFilter(rbac, policy({ any: false })), /must be equal to constant/);
  await assert.rejects(runFilter(rbac, { rules: { action: 'LOG', policies: {} } }), /rules\.action: must be equal to one of the allowed values/);
});

test('destination_port matches the local port the request arrived on', async () => {
  const config = { rules: { action: 'ALLOW', policies: { admin: { permissions: [{ destination_port: 9443 }], principals: [{ any: true }] } } } };
  assert.equal((await runFilter(rbac, config, { request: { destinationPort: 9443 } })).response.status, 200);
  assert.equal((await runFilter(rbac, config, { request: { destinationPort: 8080 } })).response.status, 403);
});

test('authenticated: principal_name matches a URI SAN, a DNS SAN, then the subject, of a verified client certificate', async () => {
  const policy = (principal_name?: object) => ({
    rules: { action: 'ALLOW', policies: { mtls: { permissions: [{ any: true }], principals: [{ authenticated: principal_name === undefined ? {} : { principal_name } }] } } },
  });
  const connection = (verified: boolean, peer: { subject: string; uriSans: string[]; dnsSans: string[] } | null) => ({
    id: 1,
    sourceAddress: '10.0.0.1',
    sourcePort: 40000,
    destinationAddress: '10.0.0.2',
    destinationPort: 443,
    transportProtocol: 'tls' as const,
    serverName: 'api.example.com',
    alpn: 'h2',
    tls: {
      version: 'TLSv1.3',
      cipher: 'TLS_AES_128_GCM_SHA256',
      peerCertificate: peer === null ? null : { ...peer, fingerprint256: 'ab', serialNumber: '01', validFrom: '', validTo: '', pem: '' },
      peerCertificateVerified: verified,
      localUriSans: [],
    },
  });
  const client = { subject: 'CN=client,O=Example', uriSans: ['spiffe://example.com/sa/client'], dnsSans: ['client.example.com'] };
  const status = async (config: object, conn: object | null) => (await runFilter(rbac, config, { request: { connection: conn as never } })).response.status;
  assert.equal(await status(policy({ exact: 'spiffe://example.com/sa/client' }), connection(true, client)), 200);
  assert.equal(await status(policy({ exact: 'client.example.com' }), connection(true, client)), 200);
  assert.equal(await status(policy({ prefix: 'CN=client,' }), connection(true, client)), 200);
  assert.equal(await status(policy({ exact: 'spiffe://example.com/sa/other' }), connection(true, client)), 403);
  assert.equal(await status(policy({ exact: 'spiffe://example.com/sa/client' }), connection(false, client)), 403, 'not verified');
  assert.equal(await status(policy(), connection(true, client)), 200, 'no principal_name: any verified certificate');
  assert.equal(await status(policy(), connection(true, null)), 403, 'TLS without a client certificate');
  assert.equal(await status(policy(), null), 403, 'plaintext');
});
