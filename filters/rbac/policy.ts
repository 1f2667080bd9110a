// The request-level part of RBAC: reading a stream, and the fields only HTTP has (header, url_path,
// jwt_claim). The shared policy language is compiled by sdk/rbac/compiler.ts.
import type { DownstreamTlsInfo } from '../../sdk/connection-info.js';
import type { StreamContext } from '../../sdk/filter.js';
import { at, noKnownField, RbacCompiler } from '../../sdk/rbac/compiler.js';
import type { Match } from '../../sdk/rbac/compiler.js';
import type { JwtClaim, PathMatcher, Permission, Principal } from './schema.js';

/** The state-bag key where jwt_authn keeps verified payloads, by provider name. */
const JWT_PAYLOADS_STATE_KEY = 'jwt_authn.payloads';

function pathOf(ctx: StreamContext): string {
  const q = ctx.path.indexOf('?');
  return q < 0 ? ctx.path : ctx.path.slice(0, q);
}

export class PolicyCompiler extends RbacCompiler<StreamContext, Permission, Principal> {
  protected destinationPort(ctx: StreamContext): number {
    return ctx.destinationPort;
  }

  /** The client after the connection manager's trusted x-forwarded-for hops (Envoy's remote_ip). */
  protected remoteAddress(ctx: StreamContext): string {
    return ctx.sourceAddress;
  }

  protected directRemoteAddress(ctx: StreamContext): string {
    return ctx.directRemoteAddress;
  }

  protected tls(ctx: StreamContext): DownstreamTlsInfo | null | undefined {
    return ctx.connection?.tls;
  }

  protected ownPermission(p: Permission, where: string): Match<StreamContext> {
    if (p.header !== undefined) return at(`${where}.header`, () => this.matchers.header(p.header!));
    if (p.url_path !== undefined) return this.urlPath(p.url_path, `${where}.url_path`);
    return noKnownField(where);
  }

  protected ownPrincipal(p: Principal, where: string): Match<StreamContext> {
    if (p.header !== undefined) return at(`${where}.header`, () => this.matchers.header(p.header!));
    if (p.url_path !== undefined) return this.urlPath(p.url_path, `${where}.url_path`);
    if (p.jwt_claim !== undefined) return this.jwtClaim(p.jwt_claim, `${where}.jwt_claim`);
    return noKnownField(where);
  }

  private urlPath(m: PathMatcher, where: string): Match<StreamContext> {
    const match = at(`${where}.path`, () => this.matchers.string(m.path));
    return (ctx) => match(pathOf(ctx));
  }

  private jwtClaim(c: JwtClaim, where: string): Match<StreamContext> {
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
