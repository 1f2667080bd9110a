// %START_TIME(<format>)%: a strftime subset, compiled once into parts, always in UTC as in Envoy.
// Without a format the time is ISO 8601 with milliseconds ("2026-11-26T12:57:31.123Z").

type Part = string | ((d: Date) => string);

const pad2 = (n: number): string => (n < 10 ? `0${n}` : String(n));

const SPECIFIERS: Readonly<Record<string, (d: Date) => string>> = {
  Y: (d) => String(d.getUTCFullYear()),
  m: (d) => pad2(d.getUTCMonth() + 1),
  d: (d) => pad2(d.getUTCDate()),
  H: (d) => pad2(d.getUTCHours()),
  M: (d) => pad2(d.getUTCMinutes()),
  S: (d) => pad2(d.getUTCSeconds()),
  s: (d) => String(Math.floor(d.getTime() / 1000)),
  z: () => '+0000',
  Z: () => 'UTC',
};

/** `%f` is milliseconds padded to N digits (`%3f` by default; our clock has millisecond precision). */
function fraction(digits: number): (d: Date) => string {
  return (d) => String(d.getUTCMilliseconds()).padStart(3, '0').padEnd(digits, '0').slice(0, digits);
}

/** Formats an epoch-milliseconds time. Throws an Error naming the bad specifier. */
export function compileStartTime(format: string | undefined): (ms: number) => string {
  if (format === undefined || format === '') return (ms) => new Date(ms).toISOString();
  const parts: Part[] = [];
  let literal = '';
  for (let i = 0; i < format.length; i++) {
    const c = format[i]!;
    if (c !== '%') {
      literal += c;
      continue;
    }
    let spec = format[++i];
    if (spec === '%') {
      literal += '%';
      continue;
    }
    let digits = 3;
    if (spec !== undefined && spec >= '1' && spec <= '9') {
      digits = Number(spec);
      spec = format[++i];
      if (spec !== 'f') throw new Error(`unknown START_TIME specifier "%${digits}${spec ?? ''}" (a digit goes only before f)`);
    }
    const fn = spec === 'f' ? fraction(digits) : spec === undefined ? undefined : SPECIFIERS[spec];
    if (fn === undefined) throw new Error(`unknown START_TIME specifier "%${spec ?? ''}" (known: %Y %m %d %H %M %S %f %Nf %s %z %Z %%)`);
    if (literal !== '') parts.push(literal);
    literal = '';
    parts.push(fn);
  }
  if (literal !== '') parts.push(literal);
  return (ms) => {
    const d = new Date(ms);
    let out = '';
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i]!;
      out += typeof p === 'string' ? p : p(d);
    }
    return out;
  };
}
