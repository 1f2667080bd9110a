// Durations in the config are strings such as "250ms", "5s", "1.5s", "1m", "2h" (Envoy's JSON form is
// "5s"; we also accept ms, m and h because people write them). Builders turn them into milliseconds here.

/** What the schema accepts as a duration; errors.ts recognises it to print a friendly message. */
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
