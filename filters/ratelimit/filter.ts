// ratelimit: a global rate limit shared by every worker and gateway instance through Redis, with
// envoyproxy/ratelimit's semantics: fixed windows per unit, one counter per descriptor value and
// window (`<domain>_<key>_<value>[_<key>_<value>...]_<window start>`), INCR + EXPIRE of all the
// request's counters in one Lua call (one round trip). Over a limit: 429, flag RL. Redis unreachable
// or slower than `timeout`: the request goes on (counted failure_mode_allowed), or gets 500 with flag
// RLSE when failure_mode_deny.
import { createHash } from 'node:crypto';
import { defineHttpFilter } from '../../sdk/filter.js';
import type { HttpFilter, StreamContext } from '../../sdk/filter.js';
import type { HeaderMap } from '../../sdk/headers.js';
import { FilterStatus } from '../../sdk/status.js';
import { parseDuration } from '../../sdk/duration.js';
import { compileRateLimit } from './actions.js';
import { LimitTree } from './limits.js';
import { leaseRedisStore } from './redis-client.js';
import { rateLimitSchema } from './schema.js';
import type { RateLimitConfig } from './schema.js';

const OVER_LIMIT_HEADERS = { 'x-envoy-ratelimited': 'true' };
const OVER_LIMIT = { responseFlag: 'RL', details: 'request_rate_limited' };
const ERROR = { responseFlag: 'RLSE', details: 'rate_limiter_error' };
/** Longer descriptor values are keyed by digest: a client cannot make Redis store huge keys. */
const MAX_VALUE_LENGTH = 64;

const keyPart = (v: string): string => (v.length > MAX_VALUE_LENGTH ? createHash('sha256').update(v).digest('base64') : v);

export const rateLimitFilter = defineHttpFilter<RateLimitConfig>({
  name: 'ratelimit',
  configSchema: rateLimitSchema,
  async create(config, { stats, log, matchers, onDispose }) {
    const tree = new LimitTree(config.descriptors);
    const builders = config.rate_limits.map((r, i) => compileRateLimit(r.actions, `rate_limits[${i}]`, matchers));
    const timeoutMs = parseDuration(config.timeout);
    if (timeoutMs < 1) throw new Error('timeout: must be at least 1ms');
    const { store, release } = await leaseRedisStore(config.redis.address, config.redis.port, timeoutMs, log);
    onDispose(release);
    const domain = config.domain;
    const failureModeDeny = config.failure_mode_deny;
    const ok = stats.counter('ok');
    const overLimit = stats.counter('over_limit');
    const error = stats.counter('error');
    const failureModeAllowed = stats.counter('failure_mode_allowed');

    const filter: HttpFilter = {
      onRequestHeaders(_headers: HeaderMap, ctx: StreamContext) {
        let keys: string[] | undefined;
        let ttls: number[] | undefined;
        let limits: number[] | undefined;
        const nowSeconds = Math.floor(Date.now() / 1000);
        for (let i = 0; i < builders.length; i++) {
          const entries = builders[i]!(ctx);
          if (entries === undefined) continue;
          const limit = tree.find(entries);
          if (limit === undefined) continue;
          let key = domain;
          for (let e = 0; e < entries.length; e++) key += '_' + keyPart(entries[e]!);
          key += '_' + String(nowSeconds - (nowSeconds % limit.unitSeconds));
          (keys ??= []).push(key);
          (ttls ??= []).push(limit.unitSeconds);
          (limits ??= []).push(limit.requestsPerUnit);
        }
        if (keys === undefined) return FilterStatus.Continue; // no limit applies: no round trip
        return store.incrementAll(keys, ttls!).then(
          (counts) => {
            for (let i = 0; i < counts.length; i++) {
              if (counts[i]! > limits![i]!) {
                overLimit.inc();
                ctx.sendLocalReply(429, undefined, OVER_LIMIT_HEADERS, OVER_LIMIT);
                return FilterStatus.Stop;
              }
            }
            ok.inc();
            return FilterStatus.Continue;
          },
          () => {
            error.inc();
            if (failureModeDeny) {
              ctx.sendLocalReply(500, undefined, undefined, ERROR);
              return FilterStatus.Stop;
            }
            failureModeAllowed.inc();
            return FilterStatus.Continue;
          },
        );
      },
    };
    return () => filter;
  },
});

export default rateLimitFilter;
