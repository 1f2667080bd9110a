// What a run produced, as one JSON document, and the tables every output shows: the terminal,
// perf/README.md and the HTML report all render the same rows.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MachineFacts, Pinning } from './platform.js';
import type { RequestShape, Scenario } from './scenarios.js';
import type { Timing } from './settings.js';
import type { ContenderRun, Row } from './summary.js';
import type { TargetCheck } from './targets.js';

/** One scenario's outcome. */
export interface ScenarioResult {
  name: string;
  description: string;
  request: RequestShape;
  connections: number;
  load: Scenario['load'];
  /** 'ms': autocannon's whole milliseconds; 'us': the open-loop load's microsecond resolution. */
  latencyResolution: 'ms' | 'us';
  /** Medians per row, in run order. */
  rows: Row[];
  /** Every round's sample, for whoever wants more than medians. */
  runs: ContenderRun[];
  /** wrk's second opinion (one run per row after the rounds), null when not run. */
  wrk: { rows: Row[]; runs: ContenderRun[] } | null;
  /** The fixed-rate scenario's closed-loop saturation and the rate it then sent at. */
  fixedRate: { saturationRequestsPerSecond: number; rate: number; sendLagP99Ms: number } | null;
  notes: string[];
  skipped: { name: string; reason: string }[];
}

export interface RunReport {
  /** ISO time the run started. */
  date: string;
  machine: MachineFacts;
  pinning: Pick<Pinning, 'contenderCpu' | 'loadCpu'>;
  settings: { quick: boolean; timing: Timing };
  /** Anything that makes the numbers less comparable: pinning off, a busy machine. */
  notes: string[];
  scenarios: ScenarioResult[];
  /** The targets, each with its measured ratio and verdict. */
  targets: TargetCheck[];
  /** Wall-clock seconds of the whole run. */
  elapsedSeconds: number;
}

export const COLUMNS = ['contender', 'req/s', 'p50 ms', 'p99 ms', 'p99.9 ms', 'CPU µs/req', 'CPU ÷ fastify', 'CPU ÷ floor', 'CPU ÷ router'];
export const TARGET_COLUMNS = ['target', 'measured', 'verdict'];

function decimals(value: number | null, digits: number): string {
  if (value === null || !Number.isFinite(value)) return '—';
  return value.toFixed(digits);
}

/** autocannon's histogram has whole milliseconds (a median of two may end in .5): no false precision. */
function milliseconds(value: number, resolution: 'ms' | 'us'): string {
  if (resolution === 'us') return decimals(value, 2);
  return Number.isInteger(value) ? String(value) : decimals(value, 1);
}

/** One row of cells per contender, in COLUMNS order. */
export function tableCells(rows: Row[], resolution: 'ms' | 'us'): string[][] {
  return rows.map((row) => [
    row.failedRequests > 0 ? `${row.name} (!)` : row.name,
    decimals(row.requestsPerSecond, 0),
    milliseconds(row.p50Ms, resolution),
    milliseconds(row.p99Ms, resolution),
    milliseconds(row.p99_9Ms, resolution),
    decimals(row.cpuMicrosPerRequest, 1),
    decimals(row.cpuVsFastify, 2),
    decimals(row.cpuVsFloor, 2),
    decimals(row.cpuVsRouter, 2),
  ]);
}

export function targetCells(targets: TargetCheck[]): string[][] {
  return targets.map((target) => [target.target, target.measured, target.verdict]);
}

function textGrid(columns: string[], cells: string[][]): string {
  const lines = [columns, ...cells];
  const widths = columns.map((_, column) => Math.max(...lines.map((line) => (line[column] ?? '').length)));
  const render = (line: string[]): string =>
    line.map((cell, column) => (column === 0 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0))).join('  ');
  return [render(columns), widths.map((width) => '-'.repeat(width)).join('  '), ...cells.map(render)].join('\n');
}

function markdownGrid(columns: string[], cells: string[][], leftColumns = 1): string {
  const line = (row: string[]): string => `| ${row.join(' | ')} |`;
  return [line(columns), line(columns.map((_, column) => (column < leftColumns ? '---' : '---:'))), ...cells.map(line)].join('\n');
}

/** The heading line of a scenario: its name, what it sends, how. */
export function scenarioTitle(scenario: ScenarioResult): string {
  return `${scenario.name}: ${scenario.description}`;
}

export function textReport(report: RunReport): string {
  const parts: string[] = [];
  for (const scenario of report.scenarios) {
    parts.push(`== ${scenarioTitle(scenario)}`);
    if (scenario.rows.length > 0) parts.push(textGrid(COLUMNS, tableCells(scenario.rows, scenario.latencyResolution)));
    if (scenario.wrk) parts.push('wrk (second opinion, µs-resolution latency):', textGrid(COLUMNS, tableCells(scenario.wrk.rows, 'us')));
    parts.push(...scenarioNotes(scenario).map((note) => `note: ${note}`), '');
  }
  parts.push('== issue 7 targets', textGrid(TARGET_COLUMNS, targetCells(report.targets)));
  return parts.join('\n');
}

export function markdownReport(report: RunReport): string {
  const parts: string[] = [];
  for (const scenario of report.scenarios) {
    parts.push(`**${scenario.name}**: ${scenario.description}.`, '');
    if (scenario.rows.length > 0) parts.push(markdownGrid(COLUMNS, tableCells(scenario.rows, scenario.latencyResolution)), '');
    if (scenario.wrk) parts.push('wrk, the second opinion (µs-resolution latency):', '', markdownGrid(COLUMNS, tableCells(scenario.wrk.rows, 'us')), '');
    const notes = scenarioNotes(scenario);
    if (notes.length > 0) parts.push(...notes.map((note) => `- ${note}`), '');
  }
  parts.push('**Targets of issue 7**', '', markdownGrid(TARGET_COLUMNS, targetCells(report.targets), 2), '');
  return parts.join('\n');
}

/** How the run was made, in one line, for every output. */
export function provenance(report: RunReport): string {
  const { machine, settings, pinning } = report;
  const pinned = pinning.contenderCpu === null ? 'not pinned' : `contender on CPU ${pinning.contenderCpu}, load and upstream on CPU ${pinning.loadCpu}`;
  return (
    `${report.date.slice(0, 10)}, ${machine.arch}, ${machine.cpuModel}, ${machine.allowedCpus.length} CPUs, ${pinned}; ` +
    `${settings.timing.rounds} interleaved round${settings.timing.rounds === 1 ? '' : 's'} of ${settings.timing.roundSeconds}s ` +
    `after ${settings.timing.warmupSeconds}s warm-up, medians${settings.quick ? ' (--quick)' : ''}; ` +
    `${Math.round(report.elapsedSeconds)} s in all`
  );
}

/** A scenario's notes and its skipped rows with their reasons. */
export function scenarioNotes(scenario: ScenarioResult): string[] {
  return [...scenario.notes, ...scenario.skipped.map(({ name, reason }) => `${name} skipped: ${reason}`)];
}

/** Writes perf/results/<timestamp>.json and perf/results/latest.json; returns the first path. */
export function writeJson(resultsDir: string, report: RunReport): string {
  mkdirSync(resultsDir, { recursive: true });
  const json = `${JSON.stringify(report, null, 2)}\n`;
  const file = join(resultsDir, `${report.date.replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, json);
  writeFileSync(join(resultsDir, 'latest.json'), json);
  return file;
}
