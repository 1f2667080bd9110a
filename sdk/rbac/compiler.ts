// RBAC policies compiled at load into predicates, shared by the HTTP and network RBAC filters. A policy
// matches when one of its permissions and one of its principals match (Envoy's semantics). A filter says how
// to read its context C (a stream, a connection) and compiles its own fields; errors name the rule's path.
import type { DownstreamTlsInfo } from '../connection-info.js';
import type { Matchers } from '../filter.js';
import type { Authenticated, CidrRange, PermissionBase, PrincipalBase, Rbac } from './config.js';

export type Match<C> = (c: C) => boolean;

const always = (): boolean => true;

/** For a filter's own fields when a rule holds none it knows (the schema lets none through). */
export function noKnownField(where: string): never {
  throw new Error(`${where}: no known field`);
}

/** Runs `build`, prefixing its error (a bad regex, a bad CIDR) with where it came from. */
export function at<T>(where: string, build: () => T): T {
  try {
    return build();
  } catch (err) {
    throw new Error(`${where}: ${(err as Error).message}`);
  }
}

function cidrText(r: CidrRange): string {
  if (typeof r === 'string') return r;
  return r.prefix_len === undefined ? r.address_prefix : `${r.address_prefix}/${r.prefix_len}`;
}

export function every<C>(list: readonly Match<C>[]): Match<C> {
  return (c) => {
    for (const m of list) if (!m(c)) return false;
    return true;
  };
}

export function some<C>(list: readonly Match<C>[]): Match<C> {
  return (c) => {
    for (const m of list) if (m(c)) return true;
    return false;
  };
}

export abstract class RbacCompiler<C, P extends PermissionBase<P>, Q extends PrincipalBase<Q>> {
  constructor(protected readonly matchers: Matchers) {}

  /** The port the connection was accepted on. */
  protected abstract destinationPort(c: C): number;
  /** What `remote_ip` matches: the client (for HTTP, after trusted x-forwarded-for hops). */
  protected abstract remoteAddress(c: C): string;
  /** What `source_ip` and `direct_remote_ip` match: the TCP peer. */
  protected abstract directRemoteAddress(c: C): string;
  /** The downstream TLS, if any. */
  protected abstract tls(c: C): DownstreamTlsInfo | null | undefined;
  /** The filter's own permission fields (`p` holds none of the shared ones). */
  protected abstract ownPermission(p: P, where: string): Match<C>;
  /** The filter's own principal fields (`q` holds none of the shared ones). */
  protected abstract ownPrincipal(q: Q, where: string): Match<C>;

  permission(p: P, where: string): Match<C> {
    if (p.any === true) return always;
    if (p.destination_port !== undefined) {
      const port = p.destination_port;
      return (c) => this.destinationPort(c) === port;
    }
    if (p.and_rules !== undefined) return every(p.and_rules.rules.map((r, i) => this.permission(r, `${where}.and_rules.rules[${i}]`)));
    if (p.or_rules !== undefined) return some(p.or_rules.rules.map((r, i) => this.permission(r, `${where}.or_rules.rules[${i}]`)));
    if (p.not_rule !== undefined) {
      const inner = this.permission(p.not_rule, `${where}.not_rule`);
      return (c) => !inner(c);
    }
    return this.ownPermission(p, where);
  }

  principal(q: Q, where: string): Match<C> {
    if (q.any === true) return always;
    if (q.authenticated !== undefined) return this.authenticated(q.authenticated, `${where}.authenticated`);
    if (q.remote_ip !== undefined) {
      const inRange = this.cidr(q.remote_ip, `${where}.remote_ip`);
      return (c) => inRange(this.remoteAddress(c));
    }
    const direct = q.direct_remote_ip ?? q.source_ip;
    if (direct !== undefined) {
      const inRange = this.cidr(direct, `${where}.${q.direct_remote_ip !== undefined ? 'direct_remote_ip' : 'source_ip'}`);
      return (c) => inRange(this.directRemoteAddress(c));
    }
    if (q.and_ids !== undefined) return every(q.and_ids.ids.map((r, i) => this.principal(r, `${where}.and_ids.ids[${i}]`)));
    if (q.or_ids !== undefined) return some(q.or_ids.ids.map((r, i) => this.principal(r, `${where}.or_ids.ids[${i}]`)));
    if (q.not_id !== undefined) {
      const inner = this.principal(q.not_id, `${where}.not_id`);
      return (c) => !inner(c);
    }
    return this.ownPrincipal(q, where);
  }

  /** Compiles one set of rules. Envoy keeps policies in a map ordered by name: the first match in that order is reported. */
  rules(rbac: Rbac<P, Q>, where: string): RbacEngine<C> {
    const policies = Object.keys(rbac.policies)
      .sort()
      .map((name) => {
        const policy = rbac.policies[name]!;
        const base = `${where}.policies.${name}`;
        const permission = some(policy.permissions.map((p, i) => this.permission(p, `${base}.permissions[${i}]`)));
        const principal = some(policy.principals.map((q, i) => this.principal(q, `${base}.principals[${i}]`)));
        return { name, matches: (c: C) => permission(c) && principal(c) };
      });
    return new RbacEngine(rbac.action === 'ALLOW', policies);
  }

  protected cidr(range: CidrRange, where: string): (address: string) => boolean {
    return at(where, () => this.matchers.cidr([cidrText(range)]));
  }

  /** Envoy's order: any URI SAN, then any DNS SAN, then the subject (RFC 2253); no principal_name: any verified certificate. */
  private authenticated(a: Authenticated, where: string): Match<C> {
    const name = a.principal_name;
    const match = name === undefined ? null : at(`${where}.principal_name`, () => this.matchers.string(name));
    return (c) => {
      const tls = this.tls(c);
      const peer = tls?.peerCertificate;
      if (peer === undefined || peer === null || tls!.peerCertificateVerified !== true) return false;
      if (match === null) return true;
      for (const uri of peer.uriSans) if (match(uri)) return true;
      for (const dns of peer.dnsSans) if (match(dns)) return true;
      return match(peer.subject);
    };
  }
}

interface CompiledPolicy<C> {
  readonly name: string;
  readonly matches: Match<C>;
}

/** One compiled set of rules (`rules` or `shadow_rules`): which policy matches, and what that means. */
export class RbacEngine<C> {
  constructor(
    readonly allowAction: boolean,
    private readonly policies: readonly CompiledPolicy<C>[],
  ) {}

  /** The name of the first policy (by name) that matches, or undefined. */
  matchedPolicy(c: C): string | undefined {
    for (const p of this.policies) if (p.matches(c)) return p.name;
    return undefined;
  }
}
