// For tests: reads Prometheus text 0.0.4 line by line, strictly (the parse-prometheus-text-format package is
// lenient, and folds the series of a labelled histogram into one), and returns every sample with its labels.
export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const LABEL = `([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\\\\n]|\\\\[\\\\"n])*)"`;
const SAMPLE = new RegExp(`^(${NAME})(?:\\{((?:${LABEL})(?:,${LABEL})*)?\\})? (\\S+)$`);
const LABEL_G = new RegExp(LABEL, 'g');
const TYPE = new RegExp(`^# TYPE (${NAME}) (counter|gauge|histogram|summary|untyped)$`);
const NUMBER = /^(?:[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?|[+-]Inf|NaN)$/;

export function prometheusSamples(text: string): Sample[] {
  assertEndsWithNewline(text);
  const out: Sample[] = [];
  for (const line of text.slice(0, -1).split('\n')) {
    if (line.startsWith('#')) {
      if (line.startsWith('# TYPE ') && !TYPE.test(line)) throw new Error(`bad TYPE line: ${line}`);
      continue;
    }
    const m = SAMPLE.exec(line);
    if (m === null || !NUMBER.test(m[m.length - 1]!)) throw new Error(`bad sample line: ${JSON.stringify(line)}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(LABEL_G)) labels[l[1]!] = l[2]!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    out.push({ name: m[1]!, labels, value: Number(m[m.length - 1]!.replace('Inf', 'Infinity')) });
  }
  return out;
}

function assertEndsWithNewline(text: string): void {
  if (text !== '' && !text.endsWith('\n')) throw new Error('the exposition must end with a line feed');
}
