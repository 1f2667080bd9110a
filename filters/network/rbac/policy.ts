// Network RBAC policies compiled at load into predicates over the connection. A policy matches when one of
// its permissions and one of its principals match (Envoy's semantics). Errors name the rule's path.
import type { DownstreamConnectionInfo } from '../../../sdk/connection-info.js';
import type { Matchers } from '../../../sdk/filter.js';
import type { CidrRange, NetworkRbacConfig, Permission, Principal } from './schema.js';

type Match = (c: DownstreamConnectionInfo) => boolean;
type Rules = NonNullable<NetworkRbacConfig['rules']>;

const always: Match = () => true;

function cidrText(r: CidrRange): string {
  if (typeof r === 'string') return r;
  return r.prefix_len === undefined ? r.address_prefix : `${r.address_prefix}/${r.prefix_len}`;
}

/** Runs `build`, prefixing its error (a bad regex, a bad CIDR) with where it came from. */
function at<T>(where: string, build: () => T): T {
  try {
    return build();
  } catch (err) {
    throw new Error(`${where}: ${(err as Error).message}`);
  }
}

function every(list: Match[]): Match {
  return (c) => list.every((m) => m(c));
}

function some(list: Match[]): Match {
  return (c) => list.some((m) => m(c));
}

/** The identity Envoy's `authenticated.principal_name` matches: the first URI SAN, else the first DNS SAN, else the subject. */
function principalName(c: DownstreamConnectionInfo): string | null {
  const cert = c.tls?.peerCertificate;
  if (cert === null || cert === undefined || c.tls?.peerCertificateVerified !== true) return null;
  return cert.uriSans[0] ?? cert.dnsSans[0] ?? cert.subject;
}

export class NetworkPolicyCompiler {
  constructor(private readonly matchers: Matchers) {}

  permission(p: Permission, where: string): Match {
    if (p.any === true) return always;
    if (p.destination_port !== undefined) {
      const port = p.destination_port;
      return (c) => c.destinationPort === port;
    }
    if (p.destination_ip !== undefined) {
      const inRange = at(`${where}.destination_ip`, () => this.matchers.cidr([cidrText(p.destination_ip!)]));
      return (c) => inRange(c.destinationAddress);
    }
    if (p.requested_server_name !== undefined) {
      const matches = at(`${where}.requested_server_name`, () => this.matchers.string(p.requested_server_name!));
      return (c) => matches(c.serverName);
    }
    if (p.and_rules !== undefined) return every(p.and_rules.rules.map((r, i) => this.permission(r, `${where}.and_rules.rules[${i}]`)));
    if (p.or_rules !== undefined) return some(p.or_rules.rules.map((r, i) => this.permission(r, `${where}.or_rules.rules[${i}]`)));
    const inner = this.permission(p.not_rule!, `${where}.not_rule`);
    return (c) => !inner(c);
  }

  principal(p: Principal, where: string): Match {
    if (p.any === true) return always;
    const range = p.source_ip ?? p.direct_remote_ip ?? p.remote_ip;
    if (range !== undefined) {
      const inRange = at(`${where}.source_ip`, () => this.matchers.cidr([cidrText(range)]));
      return (c) => inRange(c.sourceAddress);
    }
    if (p.authenticated !== undefined) {
      const m = p.authenticated.principal_name;
      const matches = m === undefined ? null : at(`${where}.authenticated.principal_name`, () => this.matchers.string(m));
      return (c) => {
        const name = principalName(c);
        return name !== null && (matches === null || matches(name));
      };
    }
    if (p.and_ids !== undefined) return every(p.and_ids.ids.map((x, i) => this.principal(x, `${where}.and_ids.ids[${i}]`)));
    if (p.or_ids !== undefined) return some(p.or_ids.ids.map((x, i) => this.principal(x, `${where}.or_ids.ids[${i}]`)));
    const inner = this.principal(p.not_id!, `${where}.not_id`);
    return (c) => !inner(c);
  }

  /** The rules as "the policy that matched, if any" (policies in name order, as Envoy keeps them). */
  rules(rules: Rules, where: string): { allowAction: boolean; matchedPolicy: (c: DownstreamConnectionInfo) => string | undefined } {
    const policies = Object.keys(rules.policies)
      .sort()
      .map((name) => {
        const p = rules.policies[name]!;
        const pw = `${where}.policies.${name}`;
        const permission = some(p.permissions.map((x, i) => this.permission(x, `${pw}.permissions[${i}]`)));
        const principal = some(p.principals.map((x, i) => this.principal(x, `${pw}.principals[${i}]`)));
        return { name, matches: (c: DownstreamConnectionInfo) => permission(c) && principal(c) };
      });
    return {
      allowAction: rules.action === 'ALLOW',
      matchedPolicy: (c) => policies.find((p) => p.matches(c))?.name,
    };
  }
}
