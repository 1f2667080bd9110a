// The config of ratelimit (global): the filter fields of Envoy's envoy.filters.http.ratelimit
// (domain, timeout, failure_mode_deny), the limits in envoyproxy/ratelimit's config format
// (descriptors), how a request's descriptors are built in Envoy's route format (rate_limits[].actions),
// and where Redis is.
import type { JsonSchema } from '../../sdk/filter.js';
import { durationSchema } from '../../sdk/duration.js';
import { arrayOf, integer, object, withDefault } from '../../sdk/json-schema.js';
import { HEADER_NAME_PATTERN, headerMatcherSchema } from '../../sdk/match-schema.js';
import type { HeaderMatcher } from '../../sdk/match-config.js';

export type Unit = 'second' | 'minute' | 'hour' | 'day';

/** A node of envoyproxy/ratelimit's descriptor tree. */
export interface DescriptorConfig {
  key: string;
  /** Matches only this value; without it, matches any value, and each value is counted apart. */
  value?: string;
  rate_limit?: { unit: Unit; requests_per_unit: number };
  descriptors?: DescriptorConfig[];
}

/** One entry of a request's descriptor, as Envoy's rate limit actions produce them. */
export interface ActionConfig {
  request_headers?: { header_name: string; descriptor_key: string; skip_if_absent: boolean };
  remote_address?: Record<string, never>;
  generic_key?: { descriptor_value: string; descriptor_key: string };
  header_value_match?: { descriptor_value: string; descriptor_key: string; expect_match: boolean; headers: HeaderMatcher[] };
}

export interface RateLimitConfig {
  domain: string;
  descriptors: DescriptorConfig[];
  rate_limits: { actions: ActionConfig[] }[];
  redis: { address: string; port: number };
  timeout: string;
  failure_mode_deny: boolean;
}

const name: JsonSchema = { type: 'string', minLength: 1 };

const descriptor: JsonSchema = object(
  {
    key: name,
    value: { type: 'string' },
    rate_limit: object(
      { unit: { enum: ['second', 'minute', 'hour', 'day'] }, requests_per_unit: integer(0) },
      ['unit', 'requests_per_unit'],
    ),
    descriptors: arrayOf({ $ref: '#/definitions/descriptor' }),
  },
  ['key'],
);

const action = object({
  request_headers: object(
    {
      header_name: { type: 'string', pattern: HEADER_NAME_PATTERN },
      descriptor_key: name,
      skip_if_absent: withDefault({ type: 'boolean' }, false),
    },
    ['header_name', 'descriptor_key'],
  ),
  remote_address: object({}),
  generic_key: object({ descriptor_value: name, descriptor_key: withDefault(name, 'generic_key') }, ['descriptor_value']),
  header_value_match: object(
    {
      descriptor_value: name,
      descriptor_key: withDefault(name, 'header_match'),
      expect_match: withDefault({ type: 'boolean' }, true),
      headers: arrayOf(headerMatcherSchema, 1),
    },
    ['descriptor_value', 'headers'],
  ),
});

export const rateLimitSchema: JsonSchema = {
  ...object(
    {
      domain: name,
      descriptors: arrayOf(descriptor, 1),
      rate_limits: arrayOf(object({ actions: arrayOf(action, 1) }, ['actions']), 1),
      redis: object({ address: withDefault(name, '127.0.0.1'), port: withDefault(integer(1, 65535), 6379) }),
      timeout: withDefault(durationSchema, '50ms'),
      failure_mode_deny: withDefault({ type: 'boolean' }, false),
    },
    ['domain', 'descriptors', 'rate_limits', 'redis'],
  ),
  definitions: { descriptor },
};
