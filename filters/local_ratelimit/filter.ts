// local_ratelimit: token buckets in this process (Envoy's envoy.filters.http.local_ratelimit).
// A request takes one token from the filter's bucket and from the bucket of every descriptor that
// applies to it, and only if all of them have one; otherwise it is rate limited (429, flag RL).
// The decision is synchronous, so N concurrent requests against K tokens admit exactly K.
import { defineHttpFilter } from '../../sdk/filter.js';
import type { HttpFilter, StreamContext } from '../../sdk/filter.js';
import type { HeaderMap } from '../../sdk/headers.js';
import { FilterStatus } from '../../sdk/status.js';
import { fractionSampler } from '../../sdk/fractional-percent.js';
import { bucketSpec, compileDescriptor } from './descriptors.js';
import { TokenBucket } from './token-bucket.js';
import { localRateLimitSchema } from './schema.js';
import type { LocalRateLimitConfig } from './schema.js';

const BODY = 'local_rate_limited';
const DETAILS = { responseFlag: 'RL', details: 'local_rate_limited' };

/** The x-ratelimit-* values of one request, kept until its response headers go out. */
class RateLimitHeaders implements HttpFilter {
  limit = '';
  remaining = '';
  reset = '';

  constructor(private readonly decide: (ctx: StreamContext, out: RateLimitHeaders | null) => FilterStatus) {}

  onRequestHeaders(_headers: HeaderMap, ctx: StreamContext): FilterStatus {
    return this.decide(ctx, this);
  }

  onResponseHeaders(headers: HeaderMap): FilterStatus {
    if (this.limit !== '') {
      headers.set('x-ratelimit-limit', this.limit);
      headers.set('x-ratelimit-remaining', this.remaining);
      headers.set('x-ratelimit-reset', this.reset);
    }
    return FilterStatus.Continue;
  }
}

export const localRateLimitFilter = defineHttpFilter<LocalRateLimitConfig>({
  name: 'local_ratelimit',
  configSchema: localRateLimitSchema,
  create(config, { stats }) {
    const now0 = performance.now();
    const mainBucket = new TokenBucket(bucketSpec(config.token_bucket, 'token_bucket'), now0);
    const descriptors = config.descriptors.map((d, i) => compileDescriptor(d, `descriptors[${i}]`, config.max_dynamic_descriptors, now0));
    const isEnabled = fractionSampler(config.filter_enabled.default_value);
    const isEnforced = fractionSampler(config.filter_enforced.default_value);
    const status = config.status.code;
    const p = config.stat_prefix;
    const enabled = stats.counter(`${p}.enabled`);
    const enforced = stats.counter(`${p}.enforced`);
    const ok = stats.counter(`${p}.ok`);
    const rateLimited = stats.counter(`${p}.rate_limited`);
    // The buckets of the request being decided; reused, since a decision never yields.
    const applied: TokenBucket[] = [];

    function decide(ctx: StreamContext, out: RateLimitHeaders | null): FilterStatus {
      if (!isEnabled()) return FilterStatus.Continue;
      enabled.inc();
      const now = performance.now();
      applied.length = 0;
      mainBucket.refill(now);
      applied.push(mainBucket);
      for (let i = 0; i < descriptors.length; i++) {
        const b = descriptors[i]!.bucketFor(ctx, now);
        if (b === undefined) continue;
        b.refill(now);
        applied.push(b);
      }
      // The most restrictive bucket: the one with the fewest tokens (first one found on ties).
      let tightest = mainBucket;
      for (let i = 1; i < applied.length; i++) if (applied[i]!.remaining < tightest.remaining) tightest = applied[i]!;
      const allowed = tightest.remaining >= 1;
      if (allowed) for (let i = 0; i < applied.length; i++) applied[i]!.take();
      applied.length = 0;
      if (out !== null) {
        out.limit = String(tightest.spec.maxTokens);
        out.remaining = String(tightest.remaining);
        out.reset = String(Math.max(0, Math.ceil(tightest.msToNextFill(now) / 1000)));
      }
      if (allowed) {
        ok.inc();
        return FilterStatus.Continue;
      }
      rateLimited.inc();
      if (!isEnforced()) return FilterStatus.Continue; // shadow mode: counted, not enforced
      enforced.inc();
      ctx.sendLocalReply(status, BODY, undefined, DETAILS);
      return FilterStatus.Stop;
    }

    if (config.enable_x_ratelimit_headers === 'DRAFT_VERSION_03') return () => new RateLimitHeaders(decide);
    const filter: HttpFilter = { onRequestHeaders: (_headers, ctx) => decide(ctx, null) };
    return () => filter;
  },
});

export default localRateLimitFilter;
