// cors: Envoy's CORS filter. A preflight (OPTIONS with origin and access-control-request-method)
// from an allowed origin is answered here, 204, without reaching the upstream; an actual request from
// an allowed origin gets the CORS response headers. A request from another origin gets no CORS header,
// and its preflight goes on to the upstream like any request.
import { defineHttpFilter } from '../../sdk/filter.js';
import type { HttpFilter, StreamContext } from '../../sdk/filter.js';
import type { HeaderMap } from '../../sdk/headers.js';
import { FilterStatus } from '../../sdk/status.js';
import { corsSchema } from './schema.js';
import type { CorsConfig } from './schema.js';

const DETAILS = { details: 'cors_preflight' };

export const corsFilter = defineHttpFilter<CorsConfig>({
  name: 'cors',
  configSchema: corsSchema,
  create(config, { stats, matchers }) {
    const origins = config.allow_origin_string_match.map((m) => matchers.string(m));
    const preflights = stats.counter('preflight_allowed');
    const allowed = stats.counter('origin_allowed');
    const denied = stats.counter('origin_invalid');

    /** The request's origin when it is allowed. */
    function allowedOrigin(ctx: StreamContext): string | undefined {
      const origin = ctx.requestHeaders.get('origin');
      if (origin === undefined || origin === '') return undefined;
      for (let i = 0; i < origins.length; i++) if (origins[i]!(origin)) return origin;
      return undefined;
    }

    // The preflight's fixed headers, decided now; the origin (and private network) are added per request.
    const preflightHeaders: Record<string, string> = {};
    if (config.allow_methods !== undefined) preflightHeaders['access-control-allow-methods'] = config.allow_methods;
    if (config.allow_headers !== undefined) preflightHeaders['access-control-allow-headers'] = config.allow_headers;
    if (config.max_age !== undefined) preflightHeaders['access-control-max-age'] = config.max_age;
    if (config.allow_credentials) preflightHeaders['access-control-allow-credentials'] = 'true';

    const isPreflight = (ctx: StreamContext): boolean => ctx.method === 'OPTIONS' && ctx.requestHeaders.has('access-control-request-method');

    const filter: HttpFilter = {
      onRequestHeaders(headers: HeaderMap, ctx: StreamContext): FilterStatus {
        if (!isPreflight(ctx)) return FilterStatus.Continue;
        const origin = allowedOrigin(ctx);
        if (origin === undefined) {
          if (headers.has('origin')) denied.inc();
          return FilterStatus.Continue;
        }
        preflights.inc();
        const reply: Record<string, string> = { ...preflightHeaders, 'access-control-allow-origin': origin, vary: 'origin' };
        if (config.allow_private_network_access && headers.get('access-control-request-private-network') === 'true') {
          reply['access-control-allow-private-network'] = 'true';
        }
        ctx.sendLocalReply(204, undefined, reply, DETAILS);
        return FilterStatus.Stop;
      },

      onResponseHeaders(headers: HeaderMap, ctx: StreamContext): FilterStatus {
        // A preflight was answered here when its origin is allowed, and passed on untouched when not.
        if (isPreflight(ctx)) return FilterStatus.Continue;
        const origin = allowedOrigin(ctx);
        if (origin === undefined) {
          if (ctx.requestHeaders.has('origin')) denied.inc();
          return FilterStatus.Continue;
        }
        allowed.inc();
        headers.set('access-control-allow-origin', origin);
        if (config.allow_credentials) headers.set('access-control-allow-credentials', 'true');
        if (config.expose_headers !== undefined) headers.set('access-control-expose-headers', config.expose_headers);
        headers.add('vary', 'origin');
        return FilterStatus.Continue;
      },
    };
    return () => filter;
  },
});

export default corsFilter;
