// Command-line flags of `npm run perf -- [flags]`.
import { parseArgs } from 'node:util';
import { FULL, QUICK, type Timing } from './settings.js';

export interface Options {
  timing: Timing;
  quick: boolean;
  /** Contender names to run, or null for all. */
  only: string[] | null;
  writeReadme: boolean;
}

export const USAGE = `usage: npm run perf -- [--quick] [--only name1,name2] [--rounds N] [--seconds S] [--warmup S] [--write-readme]
  --quick         short warm-up, ${QUICK.rounds} rounds of ${QUICK.roundSeconds}s (under two minutes)
                  (default: ${FULL.warmupSeconds}s warm-up, ${FULL.rounds} rounds of ${FULL.roundSeconds}s)
  --only          run only these contenders (comma-separated)
  --rounds N      measured rounds per contender, interleaved across contenders
  --seconds S     length of one measured round
  --warmup S      warm-up per contender before the first round
  --write-readme  put this run's table into perf/README.md between the results markers`;

function positive(flag: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const number = Number(value);
  if (!(number > 0)) throw new Error(`--${flag} must be a positive number, got "${value}"\n${USAGE}`);
  return number;
}

/** The options, or null when --help was asked. */
export function parseOptions(argv: string[]): Options | null {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      only: { type: 'string' },
      rounds: { type: 'string' },
      seconds: { type: 'string' },
      warmup: { type: 'string' },
      'write-readme': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return null;
  const base = values.quick ? QUICK : FULL;
  return {
    timing: {
      warmupSeconds: positive('warmup', values.warmup, base.warmupSeconds),
      rounds: Math.round(positive('rounds', values.rounds, base.rounds)),
      roundSeconds: positive('seconds', values.seconds, base.roundSeconds),
    },
    quick: values.quick,
    only: values.only === undefined ? null : values.only.split(',').map((name) => name.trim()).filter(Boolean),
    writeReadme: values['write-readme'],
  };
}
