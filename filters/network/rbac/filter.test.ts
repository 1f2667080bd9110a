// network_rbac through the network test kit: the policy language it shares with rbac (sdk/rbac/) read from a
// connection: destination port and IP, SNI, source address, the verified client certificate; shadow rules counted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DownstreamConnectionInfo, DownstreamTlsInfo } from '../../../sdk/connection-info.js';
import { loadNetworkChain } from '../../../sdk/testing.js';
import networkRbac from './filter.js';

const allowOnly = (permission: object, principal: object = { any: true }) => ({
  stat_prefix: 'n',
  rules: { action: 'ALLOW', policies: { p: { permissions: [permission], principals: [principal] } } },
});

async function admitted(config: object, info: Partial<DownstreamConnectionInfo>): Promise<boolean> {
  const chain = await loadNetworkChain([{ factory: networkRbac, config }]);
  try {
    return chain.connect(info).established;
  } finally {
    await chain.close();
  }
}

function mtls(verified: boolean, uriSans: string[], dnsSans: string[] = []): Partial<DownstreamConnectionInfo> {
  const tls = {
    version: 'TLSv1.3',
    peerCertificate: { subject: 'CN=client', uriSans, dnsSans, fingerprint256: '00' },
    peerCertificateVerified: verified,
  } as unknown as DownstreamTlsInfo;
  return { transportProtocol: 'tls', tls };
}

test('permissions: destination port and IP, SNI, and/or/not', async () => {
  assert.equal(await admitted(allowOnly({ destination_port: 10000 }), {}), true);
  assert.equal(await admitted(allowOnly({ destination_port: 10001 }), {}), false);
  assert.equal(await admitted(allowOnly({ destination_ip: '10.0.0.0/8' }), { destinationAddress: '10.1.2.3' }), true);
  assert.equal(await admitted(allowOnly({ destination_ip: { address_prefix: '10.0.0.0', prefix_len: 8 } }), {}), false);
  assert.equal(await admitted(allowOnly({ requested_server_name: { suffix: '.example.com' } }), { serverName: 'a.example.com' }), true);
  assert.equal(await admitted(allowOnly({ not_rule: { requested_server_name: { exact: '' } } }), {}), false, 'no SNI is the empty name');
  assert.equal(await admitted(allowOnly({ and_rules: { rules: [{ destination_port: 10000 }, { any: true }] } }), {}), true);
  assert.equal(await admitted(allowOnly({ or_rules: { rules: [{ destination_port: 1 }, { destination_port: 2 }] } }), {}), false);
});

test('principals: source_ip, direct_remote_ip and remote_ip are the TCP peer', async () => {
  for (const field of ['source_ip', 'direct_remote_ip', 'remote_ip']) {
    assert.equal(await admitted(allowOnly({ any: true }, { [field]: '192.0.2.0/24' }), { sourceAddress: '192.0.2.7' }), true, field);
    assert.equal(await admitted(allowOnly({ any: true }, { [field]: '192.0.2.0/24' }), {}), false, field);
  }
});

test('authenticated: any URI SAN, then any DNS SAN, then the subject of a verified certificate', async () => {
  const name = (principal_name?: object) => allowOnly({ any: true }, { authenticated: principal_name === undefined ? {} : { principal_name } });
  assert.equal(await admitted(name({ exact: 'spiffe://b' }), mtls(true, ['spiffe://a', 'spiffe://b'])), true, 'the second URI SAN');
  assert.equal(await admitted(name({ exact: 'b.example.com' }), mtls(true, ['spiffe://a'], ['a.example.com', 'b.example.com'])), true, 'a DNS SAN');
  assert.equal(await admitted(name({ exact: 'CN=client' }), mtls(true, ['spiffe://a'])), true, 'the subject');
  assert.equal(await admitted(name({ exact: 'spiffe://a' }), mtls(false, ['spiffe://a'])), false, 'not verified');
  assert.equal(await admitted(name(), mtls(true, [])), true, 'no principal_name: any verified certificate');
  assert.equal(await admitted(name(), {}), false, 'plaintext');
});

test('DENY rules and shadow rules are counted under <stat_prefix>.rbac.', async () => {
  const chain = await loadNetworkChain([
    {
      factory: networkRbac,
      config: {
        stat_prefix: 'edge',
        rules: { action: 'DENY', policies: { blocked: { permissions: [{ any: true }], principals: [{ source_ip: '198.51.100.0/24' }] } } },
        shadow_rules: { action: 'ALLOW', policies: { port: { permissions: [{ destination_port: 10000 }], principals: [{ any: true }] } } },
      },
    },
  ]);
  try {
    assert.equal(chain.connect({ sourceAddress: '198.51.100.1' }).closed, true);
    assert.equal(chain.connect({ destinationPort: 9 }).established, true);
    const c = chain.counters();
    assert.deepEqual(
      [c['edge.rbac.allowed'], c['edge.rbac.denied'], c['edge.rbac.shadow_allowed'], c['edge.rbac.shadow_denied']],
      [1, 1, 1, 1],
    );
  } finally {
    await chain.close();
  }
});

test('a bad CIDR or regex fails the config load with the path of the rule', async () => {
  await assert.rejects(loadNetworkChain([{ factory: networkRbac, config: allowOnly({ destination_ip: 'not-an-ip' }) }]), /rules\.policies\.p\.permissions\[0\]\.destination_ip/);
  await assert.rejects(
    loadNetworkChain([{ factory: networkRbac, config: allowOnly({ any: true }, { not_id: { remote_ip: '10.0.0.0/99' } }) }]),
    /rules\.policies\.p\.principals\[0\]\.not_id\.remote_ip/,
  );
});
