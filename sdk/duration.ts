// Durations in the config, the core's and the filters', are strings such as "250ms", "5s", "1.5s",
// "1m", "2h" (Envoy's JSON form is "5s"; we also accept ms, m and h because people write them).
// Builders and filter factories turn them into milliseconds here.
import type { JsonSchema } from './filter.js';

/** What a schema accepts as a duration; the gateway's config errors recognise it to print a friendly message. */
export const DURATION_PATTERN = '^\\d+(\\.\\d+)?(ms|s|m|h)$';

const DURATION_RE = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Milliseconds in a duration string; throws on anything the schema would reject. */
export function parseDuration(s: string): number {
  const m = typeof s === 'string' ? DURATION_RE.exec(s) : null;
  if (m === null) throw new Error(`invalid duration ${JSON.stringify(s)}: expected a number and a unit (ms, s, m, h), like "250ms" or "5s"`);
  // Rounded to the nanosecond so that "1.005s" is 1005, not 1004.9999999999999.
  return Math.round(Number(m[1]) * UNIT_MS[m[2]!]! * 1e6) / 1e6;
}

/** The JSON Schema of a duration string. */
export const durationSchema: JsonSchema = { type: 'string', pattern: DURATION_PATTERN };
