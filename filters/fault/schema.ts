// The config of fault: Envoy's HTTPFault field names (envoy.extensions.filters.http.fault.v3).
import type { JsonSchema } from '../../sdk/filter.js';
import { durationSchema } from '../../sdk/duration.js';
import { fractionalPercentSchema } from '../../sdk/fractional-percent.js';
import type { FractionalPercent } from '../../sdk/fractional-percent.js';
import { arrayOf, integer, object } from '../../sdk/json-schema.js';
import { headerMatcherSchema } from '../../sdk/match-schema.js';
import type { HeaderMatcher } from '../../sdk/match-config.js';

/** Exactly one of fixed_delay and header_delay. */
export interface DelayConfig {
  fixed_delay?: string;
  /** Present (as `{}`): the delay comes from the x-envoy-fault-delay-request header. */
  header_delay?: Record<string, never>;
  percentage: FractionalPercent; // default 100%
}

/** Exactly one of http_status and header_abort. */
export interface AbortConfig {
  http_status?: number;
  /** Present (as `{}`): the status comes from the x-envoy-fault-abort-request header. */
  header_abort?: Record<string, never>;
  percentage: FractionalPercent; // default 100%
}

export interface FaultConfig {
  delay?: DelayConfig;
  abort?: AbortConfig;
  /** Faults apply only to requests matching all of these. */
  headers?: HeaderMatcher[];
  /** At most this many requests faulted at once; more are let through untouched. Default: no limit. */
  max_active_faults?: number;
}

const percentage = { ...fractionalPercentSchema(100), default: { numerator: 100, denominator: 'HUNDRED' } };

export const faultSchema: JsonSchema = object({
  delay: object({ fixed_delay: durationSchema, header_delay: object({}), percentage }),
  abort: object({ http_status: integer(200, 599), header_abort: object({}), percentage }),
  headers: arrayOf(headerMatcherSchema),
  max_active_faults: integer(0),
});
