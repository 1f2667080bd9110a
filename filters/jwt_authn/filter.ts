// jwt_authn: Envoy's JWT authentication filter. Tokens are verified with jose against each
// provider's key set (inline, or fetched through a cluster and cached); the first rule whose route
// match fits the request says which providers are required. Verified tokens are cached per provider
// (jwt_cache_config), so that a token seen again costs no signature check. A missing or bad token
// gets 401 with a `www-authenticate: Bearer` challenge, a token for other audiences 403; a verified
// one leaves its payload in the state bag (`jwt_authn.payloads`, by provider) for rbac and the
// filters after.
import { defineHttpFilter, FilterStatus } from '../../sdk/index.js';
import type { FilterFactoryContext, HttpFilter, StreamContext } from '../../sdk/index.js';
import type { HeaderMap } from '../../sdk/headers.js';
import { VerifiedTokenCache } from './cache.js';
import type { CacheCounters } from './cache.js';
import { localKeySet, RemoteKeySet } from './jwks.js';
import type { KeySet } from './jwks.js';
import { JwtStatus, Provider } from './provider.js';
import { compileRequirement, evaluate, RequestVerification } from './requirement.js';
import type { Requirement } from './requirement.js';
import { jwtAuthnSchema } from './schema.js';
import type { JwtAuthnConfig, JwtProvider } from './schema.js';

interface CompiledRule {
  readonly matches: (ctx: StreamContext) => boolean;
  readonly requirement: Requirement | undefined;
}

function buildKeySet(where: string, config: JwtProvider, ctx: FilterFactoryContext): KeySet {
  if ((config.local_jwks === undefined) === (config.remote_jwks === undefined)) {
    throw new Error(`${where}: give exactly one of local_jwks and remote_jwks`);
  }
  if (config.remote_jwks !== undefined) {
    const counters = { success: ctx.stats.counter('jwks_fetch_success'), failed: ctx.stats.counter('jwks_fetch_failed') };
    return new RemoteKeySet(config.remote_jwks, ctx.httpCall, counters, ctx.log);
  }
  try {
    return localKeySet(config.local_jwks!.inline_string);
  } catch (err) {
    throw new Error(`${where}.local_jwks.inline_string: ${(err as Error).message}`);
  }
}

function buildProvider(name: string, config: JwtProvider, ctx: FilterFactoryContext, cacheCounters: CacheCounters): Provider {
  const keys = buildKeySet(`providers.${name}`, config, ctx);
  const { jwt_cache_size: size, jwt_max_token_size: maxTokenLength } = config.jwt_cache_config;
  const cache = size === 0 ? undefined : new VerifiedTokenCache(keys, size, maxTokenLength, cacheCounters);
  return new Provider(name, config, keys, cache, ctx.log);
}

/** Envoy's response code details: `jwt_authn_access_denied{Jwt_is_missing}`. */
function details(status: JwtStatus): string {
  return `jwt_authn_access_denied{${status.replace(/ /g, '_')}}`;
}

function challenge(ctx: StreamContext, status: JwtStatus): Record<string, string> {
  const q = ctx.path.indexOf('?');
  const uri = `${ctx.scheme}://${ctx.authority}${q < 0 ? ctx.path : ctx.path.slice(0, q)}`.replace(/["\\]/g, '\\$&');
  const error = status === JwtStatus.Missing ? '' : ', error="invalid_token"';
  return { 'www-authenticate': `Bearer realm="${uri}"${error}` };
}

function isCorsPreflight(ctx: StreamContext, headers: HeaderMap): boolean {
  return ctx.method === 'OPTIONS' && headers.has('origin') && headers.has('access-control-request-method');
}

export default defineHttpFilter<JwtAuthnConfig>({
  name: 'jwt_authn',
  configSchema: jwtAuthnSchema,
  create(config, ctx) {
    const cacheCounters = { hit: ctx.stats.counter('jwt_cache_hit'), miss: ctx.stats.counter('jwt_cache_miss') };
    const providers = new Map<string, Provider>();
    for (const name of Object.keys(config.providers)) providers.set(name, buildProvider(name, config.providers[name]!, ctx, cacheCounters));
    const rules: CompiledRule[] = config.rules.map((rule, i) => ({
      matches: ctx.matchers.route(rule.match),
      requirement: rule.requires === undefined ? undefined : compileRequirement(rule.requires, providers, `rules[${i}].requires`),
    }));
    const outputHeaders = [...new Set([...providers.values()].flatMap((p) => p.outputHeaders))];
    const allowed = ctx.stats.counter('allowed');
    const denied = ctx.stats.counter('denied');
    const preflightBypassed = ctx.stats.counter('cors_preflight_bypassed');

    async function verify(requirement: Requirement, headers: HeaderMap, stream: StreamContext): Promise<void> {
      const v = new RequestVerification(headers, stream.path);
      const status = await evaluate(requirement, v);
      if (status !== JwtStatus.Ok) {
        denied.inc();
        const code = status === JwtStatus.AudienceNotAllowed ? 403 : 401;
        stream.sendLocalReply(code, status, challenge(stream, status), { details: details(status) });
        return;
      }
      allowed.inc();
      for (const [check, outcome] of v.outcomes) check.provider.apply(await outcome, headers, stream.state);
    }

    const filter: HttpFilter = {
      onRequestHeaders(headers, stream) {
        // Only this filter may set the headers it writes: a client's own copies are dropped.
        for (const name of outputHeaders) headers.remove(name);
        if (config.bypass_cors_preflight && isCorsPreflight(stream, headers)) {
          preflightBypassed.inc();
          return FilterStatus.Continue;
        }
        for (const rule of rules) {
          if (!rule.matches(stream)) continue;
          return rule.requirement === undefined ? FilterStatus.Continue : verify(rule.requirement, headers, stream);
        }
        return FilterStatus.Continue;
      },
    };
    return () => filter;
  },
});
