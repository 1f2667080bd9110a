// Envoy's FractionalPercent (`{ numerator, denominator: HUNDRED | TEN_THOUSAND | MILLION }`), used by
// filters that act on a share of requests (fault injection, shadow-mode rate limits).
import type { JsonSchema } from './filter.js';
import { object, withDefault, integer } from './json-schema.js';

export interface FractionalPercent {
  numerator: number;
  denominator: 'HUNDRED' | 'TEN_THOUSAND' | 'MILLION';
}

const DENOMINATORS = { HUNDRED: 100, TEN_THOUSAND: 10_000, MILLION: 1_000_000 } as const;

export function fractionalPercentSchema(defaultNumerator: number): JsonSchema {
  return object({
    numerator: withDefault(integer(0), defaultNumerator),
    denominator: { enum: Object.keys(DENOMINATORS), default: 'HUNDRED' },
  });
}

export function denominatorOf(p: FractionalPercent): number {
  return DENOMINATORS[p.denominator];
}

/**
 * A sampler deciding per call whether this request falls in the share. Always-true and always-false
 * shares cost no random number.
 */
export function fractionSampler(p: FractionalPercent): () => boolean {
  const d = denominatorOf(p);
  if (p.numerator >= d) return () => true;
  if (p.numerator <= 0) return () => false;
  const n = p.numerator;
  return () => Math.random() * d < n;
}
