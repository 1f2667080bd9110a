// local_ratelimit (network): Envoy's envoy.filters.network.local_ratelimit. A token bucket on new
// connections, shared by every connection of this filter instance: a connection that finds the bucket empty
// is closed before the terminal sees it. Stats: local_ratelimit.<stat_prefix>.rate_limited (Envoy's name).
import { defineNetworkFilter, FilterStatus } from '../../../sdk/index.js';
import type { NetworkFilter } from '../../../sdk/index.js';
import type { JsonSchema } from '../../../sdk/filter.js';
import { parseDuration } from '../../../sdk/duration.js';
import { object } from '../../../sdk/json-schema.js';
import { tokenBucket } from '../../local_ratelimit/schema.js';
import type { TokenBucketConfig } from '../../local_ratelimit/schema.js';
import { TokenBucket } from '../../local_ratelimit/token-bucket.js';

interface NetworkLocalRateLimitConfig {
  stat_prefix: string;
  token_bucket: TokenBucketConfig;
}

const schema: JsonSchema = object({ stat_prefix: { type: 'string', minLength: 1 }, token_bucket: tokenBucket }, ['stat_prefix', 'token_bucket']);

export default defineNetworkFilter<NetworkLocalRateLimitConfig>({
  name: 'local_ratelimit',
  configSchema: schema,
  create(config, ctx) {
    const tb = config.token_bucket;
    const bucket = new TokenBucket({ maxTokens: tb.max_tokens, tokensPerFill: tb.tokens_per_fill, fillIntervalMs: parseDuration(tb.fill_interval) }, performance.now());
    const rateLimited = ctx.stats.counter(`local_ratelimit.${config.stat_prefix}.rate_limited`);
    const filter: NetworkFilter = {
      onNewConnection(conn) {
        bucket.refill(performance.now());
        if (bucket.remaining >= 1) {
          bucket.take();
          return FilterStatus.Continue;
        }
        rateLimited.inc();
        conn.close();
        return FilterStatus.Stop;
      },
    };
    return () => filter;
  },
});
