// The config of local_ratelimit: Envoy's LocalRateLimit field names, with descriptors keyed directly
// by what they read (a request header, the source address, the path or a fixed key).
import type { JsonSchema } from '../../sdk/filter.js';
import { durationSchema } from '../../sdk/duration.js';
import { fractionalPercentSchema } from '../../sdk/fractional-percent.js';
import type { FractionalPercent } from '../../sdk/fractional-percent.js';
import { arrayOf, integer, object, withDefault } from '../../sdk/json-schema.js';
import { HEADER_NAME_PATTERN } from '../../sdk/match-schema.js';

export interface TokenBucketConfig {
  max_tokens: number;
  tokens_per_fill: number; // default 1
  fill_interval: string; // a duration
}

export interface RuntimeFractionalPercent {
  default_value: FractionalPercent;
  runtime_key?: string; // accepted for Envoy configs, ignored: there is no runtime
}

/** Exactly one of request_header, remote_address, path, generic_key says what the descriptor reads. */
export interface DescriptorConfig {
  request_header?: { header_name: string };
  remote_address?: Record<string, never>;
  path?: Record<string, never>;
  generic_key?: { descriptor_value: string };
  /** Only requests whose value equals this; without it, each distinct value gets its own bucket. */
  value?: string;
  token_bucket: TokenBucketConfig;
}

export interface LocalRateLimitConfig {
  stat_prefix: string;
  token_bucket: TokenBucketConfig;
  filter_enabled: RuntimeFractionalPercent;
  filter_enforced: RuntimeFractionalPercent;
  descriptors: DescriptorConfig[];
  max_dynamic_descriptors: number;
  enable_x_ratelimit_headers: 'OFF' | 'DRAFT_VERSION_03';
  status: { code: number };
}

export const tokenBucket = object(
  {
    max_tokens: integer(1),
    tokens_per_fill: withDefault(integer(1), 1),
    fill_interval: durationSchema,
  },
  ['max_tokens', 'fill_interval'],
);

// Unlike Envoy, where a missing filter_enabled/filter_enforced means 0%, both default to 100%:
// a configured limit limits.
const runtimePercent = withDefault(
  object({ default_value: fractionalPercentSchema(100), runtime_key: { type: 'string' } }, ['default_value']),
  { default_value: { numerator: 100, denominator: 'HUNDRED' } },
);

const empty = object({});

const descriptor = object(
  {
    request_header: object({ header_name: { type: 'string', pattern: HEADER_NAME_PATTERN } }, ['header_name']),
    remote_address: empty,
    path: empty,
    generic_key: object({ descriptor_value: { type: 'string', minLength: 1 } }, ['descriptor_value']),
    value: { type: 'string' },
    token_bucket: tokenBucket,
  },
  ['token_bucket'],
);

export const localRateLimitSchema: JsonSchema = object(
  {
    stat_prefix: withDefault({ type: 'string', pattern: '^[A-Za-z0-9_]+$' }, 'http_local_rate_limit'),
    token_bucket: tokenBucket,
    filter_enabled: runtimePercent,
    filter_enforced: runtimePercent,
    descriptors: withDefault(arrayOf(descriptor), []),
    max_dynamic_descriptors: withDefault(integer(1), 10_000),
    enable_x_ratelimit_headers: { enum: ['OFF', 'DRAFT_VERSION_03'], default: 'OFF' },
    status: withDefault(object({ code: integer(400, 599) }, ['code']), { code: 429 }),
  },
  ['token_bucket'],
);
