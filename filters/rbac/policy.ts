// RBAC policies compiled at load into predicates over the stream. A policy matches when one of its
// permissions and one of its principals match (Envoy's semantics). Errors name the rule's path.
import type { Matchers, StreamContext } from '../../sdk/filter.js';
import type { Authenticated, CidrRange, JwtClaim, PathMatcher, Permission, Principal, Rbac } from './schema.js';

type Match = (ctx: StreamContext) => boolean;

/** The state-bag key where jwt_authn keeps verified payloads, by provider name. */
const JWT_PAYLOADS_STATE_KEY = 'jwt_authn.payloads';

const always: Match = () => true;

function pathOf(ctx: StreamContext): string {
  const q = ctx.path.indexOf('?');
  return q < 0 ? ctx.path : ctx.path.slice(0, q);
}

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

export class PolicyCompiler {
  constructor(private readonly matchers: Matchers) {}

  permission(p: Permission, where: string): Match {
    if (p.any === true) return always;
    if (p.header !== undefined) return at(`${where}.header`, () => this.matchers.header(p.header!));
    if (p.url_path !== undefined) return this.urlPath(p.url_path, `${where}.url_path`);
    if (p.destination_port !== undefined) {
      const port = p.destination_port;
      return (ctx) => ctx.destinationPort === port;
    }
    if (p.and_rules !== undefined) return every(p.and_rules.rules.map((r, i) => this.permission(r, `${where}.and_rules.rules[${i}]`)));
    if (p.or_rules !== undefined) return some(p.or_rules.rules.map((r, i) => this.permission(r, `${where}.or_rules.rules[${i}]`)));
    const inner = this.permission(p.not_rule!, `${where}.not_rule`);
    return (ctx) => !inner(ctx);
  }

  principal(p: Principal, where: string): Match {
    if (p.any === true) return always;
    if (p.authenticated !== undefined) return this.authenticated(p.authenticated, `${where}.authenticated`);
    // remote_ip: the client after the connection manager's trusted x-forwarded-for hops;
    // direct_remote_ip and source_ip: the TCP peer itself (Envoy's semantics).
    if (p.remote_ip !== undefined) {
      const inRange = at(`${where}.remote_ip`, () => this.matchers.cidr([cidrText(p.remote_ip!)]));
      return (ctx) => inRange(ctx.sourceAddress);
    }
    const direct = p.direct_remote_ip ?? p.source_ip;
    if (direct !== undefined) {
      const field = p.direct_remote_ip !== undefined ? 'direct_remote_ip' : 'source_ip';
      const inRange = at(`${where}.${field}`, () => this.matchers.cidr([cidrText(direct)]));
      return (ctx) => inRange(ctx.directRemoteAddress);
    }
    if (p.header !== undefined) return at(`${where}.header`, () => this.matchers.header(p.header!));
    if (p.url_path !== undefined) return this.urlPath(p.url_path, `${where}.url_path`);
    if (p.jwt_claim !== undefined) return this.jwtClaim(p.jwt_claim, `${where}.jwt_claim`);
    if (p.and_ids !== undefined) return every(p.and_ids.ids.map((r, i) => this.principal(r, `${where}.and_ids.ids[${i}]`)));
    if (p.or_ids !== undefined) return some(p.or_ids.ids.map((r, i) => this.principal(r, `${where}.or_ids.ids[${i}]`)));
    const inner = this.principal(p.not_id!, `${where}.not_id`);
    return (ctx) => !inner(ctx);
  }

  private urlPath(m: PathMatcher, where: string): Match {
    const match = at(`${where}.path`, () => this.matchers.string(m.path));
    return (ctx) => match(pathOf(ctx));
  }

  /** Envoy's order: any URI SAN, then any DNS SAN, then the subject (RFC 2253); no principal_name: any verified certificate. */
  private authenticated(a: Authenticated, where: string): Match {
    const name = a.principal_name;
    const match = name === undefined ? null : at(`${where}.principal_name`, () => this.matchers.string(name));
    return (ctx) => {
      const tls = ctx.connection?.tls;
      const peer = tls?.peerCertificate;
      if (peer === undefined || peer === null || !tls!.peerCertificateVerified) return false;
      if (match === null) return true;
      for (const uri of peer.uriSans) if (match(uri)) return true;
      for (const dns of peer.dnsSans) if (match(dns)) return true;
      return match(peer.subject);
    };
  }

  private jwtClaim(c: JwtClaim, where: string): Match {
    const match = at(`${where}.string_match`, () => this.matchers.string(c.string_match));
    const path = c.claim.split('.');
    const provider = c.provider;
    const claimMatches = (payload: unknown): boolean => {
      const v = claimAt(payload, path);
      if (Array.isArray(v)) return v.some((x) => scalarMatches(x, match));
      return scalarMatches(v, match);
    };
    return (ctx) => {
      const payloads = ctx.state.get(JWT_PAYLOADS_STATE_KEY) as ReadonlyMap<string, unknown> | undefined;
      if (payloads === undefined) return false;
      if (provider !== undefined) return claimMatches(payloads.get(provider));
      for (const payload of payloads.values()) if (claimMatches(payload)) return true;
      return false;
    };
  }
}

function claimAt(payload: unknown, path: readonly string[]): unknown {
  let v = payload;
  for (const key of path) {
    if (v === null || typeof v !== 'object' || Array.isArray(v) || !Object.hasOwn(v, key)) return undefined;
    v = (v as Record<string, unknown>)[key];
  }
  return v;
}

function scalarMatches(v: unknown, match: (s: string) => boolean): boolean {
  if (typeof v === 'string') return match(v);
  if (typeof v === 'number' || typeof v === 'boolean') return match(String(v));
  return false;
}

function every(list: Match[]): Match {
  return (ctx) => {
    for (const m of list) if (!m(ctx)) return false;
    return true;
  };
}

function some(list: Match[]): Match {
  return (ctx) => {
    for (const m of list) if (m(ctx)) return true;
    return false;
  };
}

interface CompiledPolicy {
  readonly name: string;
  readonly matches: Match;
}

/** One set of rules (`rules` or `shadow_rules`): which policy matches, and what that means. */
export class Engine {
  readonly allowAction: boolean;
  private readonly policies: readonly CompiledPolicy[];

  constructor(rbac: Rbac, compiler: PolicyCompiler, where: string) {
    this.allowAction = rbac.action === 'ALLOW';
    // Envoy keeps policies in a map ordered by name: the first match in that order is reported.
    this.policies = Object.keys(rbac.policies)
      .sort()
      .map((name) => {
        const policy = rbac.policies[name]!;
        const base = `${where}.policies.${name}`;
        const permission = some(policy.permissions.map((p, i) => compiler.permission(p, `${base}.permissions[${i}]`)));
        const principal = some(policy.principals.map((p, i) => compiler.principal(p, `${base}.principals[${i}]`)));
        return { name, matches: (ctx: StreamContext) => permission(ctx) && principal(ctx) };
      });
  }

  /** The name of the first policy (by name) that matches, or undefined. */
  matchedPolicy(ctx: StreamContext): string | undefined {
    for (const p of this.policies) if (p.matches(ctx)) return p.name;
    return undefined;
  }
}
