// Command-line flags of `npm run perf -- [flags]`.
import { parseArgs } from 'node:util';
import { SCENARIOS } from './scenarios.js';
import { FULL, QUICK, type Timing } from './settings.js';

export interface Options {
  timing: Timing;
  quick: boolean;
  /** Contender names to run, or null for all. */
  only: string[] | null;
  /** Scenario names to run, or null for the default set (all, or the quick ones with --quick). */
  scenarios: string[] | null;
  /** Also run wrk where a scenario asks for it (off with --quick unless --wrk). */
  wrk: boolean;
  writeReadme: boolean;
}

const quickScenarios = SCENARIOS.filter((scenario) => scenario.quick).map((scenario) => scenario.name);

export const USAGE = `usage: npm run perf -- [--quick] [--scenario a,b] [--only name1,name2] [--rounds N] [--seconds S] [--warmup S] [--wrk|--no-wrk] [--write-readme]
  --quick         ${QUICK.warmupSeconds}s warm-up, ${QUICK.rounds} rounds of ${QUICK.roundSeconds}s, scenarios ${quickScenarios.join(', ')}, no wrk (under two minutes)
                  (default: ${FULL.warmupSeconds}s warm-up, ${FULL.rounds} rounds of ${FULL.roundSeconds}s, every scenario, wrk when installed)
  --scenario      run only these scenarios (comma-separated): ${SCENARIOS.map((scenario) => scenario.name).join(', ')}
  --only          run only these contenders (comma-separated), in every scenario that has them
  --rounds N      measured rounds per contender, interleaved across contenders
  --seconds S     length of one measured round
  --warmup S      warm-up per contender before the first round
  --wrk, --no-wrk the wrk second opinion on the hello scenario on or off
  --write-readme  put this run's tables into perf/README.md between the results markers`;

function positive(flag: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const number = Number(value);
  if (!(number > 0)) throw new Error(`--${flag} must be a positive number, got "${value}"\n${USAGE}`);
  return number;
}

function list(value: string | undefined): string[] | null {
  return value === undefined ? null : value.split(',').map((name) => name.trim()).filter(Boolean);
}

/** The options, or null when --help was asked. */
export function parseOptions(argv: string[]): Options | null {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      only: { type: 'string' },
      scenario: { type: 'string' },
      rounds: { type: 'string' },
      seconds: { type: 'string' },
      warmup: { type: 'string' },
      wrk: { type: 'boolean' },
      'no-wrk': { type: 'boolean', default: false },
      'write-readme': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return null;
  const base = values.quick ? QUICK : FULL;
  const scenarios = list(values.scenario);
  const unknown = (scenarios ?? []).filter((name) => !SCENARIOS.some((scenario) => scenario.name === name));
  if (unknown.length > 0) throw new Error(`unknown scenario(s): ${unknown.join(', ')}; known: ${SCENARIOS.map((s) => s.name).join(', ')}`);
  return {
    timing: {
      warmupSeconds: positive('warmup', values.warmup, base.warmupSeconds),
      rounds: Math.round(positive('rounds', values.rounds, base.rounds)),
      roundSeconds: positive('seconds', values.seconds, base.roundSeconds),
    },
    quick: values.quick,
    only: list(values.only),
    scenarios: scenarios ?? (values.quick ? quickScenarios : null),
    wrk: values['no-wrk'] ? false : (values.wrk ?? !values.quick),
    writeReadme: values['write-readme'],
  };
}
