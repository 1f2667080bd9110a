// What a run produced, as one JSON document, and the table every output shows:
// the terminal, perf/README.md and the HTML report all render the same rows.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MachineFacts, Pinning } from './platform.js';
import type { Timing } from './settings.js';
import type { ContenderRun, Row } from './summary.js';

export interface RunReport {
  /** ISO time the run started. */
  date: string;
  machine: MachineFacts;
  pinning: Pick<Pinning, 'contenderCpu' | 'loadCpu'>;
  settings: { connections: number; bodyBytes: number; quick: boolean; timing: Timing };
  /** Anything that makes the numbers less comparable: pinning off, skipped contenders, failed requests. */
  notes: string[];
  skipped: { name: string; reason: string }[];
  /** Medians per contender, in run order. */
  rows: Row[];
  /** Every round's sample, for whoever wants more than medians. */
  runs: ContenderRun[];
}

export const COLUMNS = ['contender', 'req/s', 'p50 ms', 'p99 ms', 'p99.9 ms', 'CPU µs/req', 'CPU ÷ fastify', 'CPU ÷ floor', 'CPU ÷ router'];

function decimals(value: number | null, digits: number): string {
  if (value === null || !Number.isFinite(value)) return '—';
  return value.toFixed(digits);
}

/** The latency histogram has whole milliseconds (a median of two may end in .5): no false precision. */
function milliseconds(value: number): string {
  return Number.isInteger(value) ? String(value) : decimals(value, 1);
}

/** One row of cells per contender, in COLUMNS order. */
export function tableCells(rows: Row[]): string[][] {
  return rows.map((row) => [
    row.failedRequests > 0 ? `${row.name} (!)` : row.name,
    decimals(row.requestsPerSecond, 0),
    milliseconds(row.p50Ms),
    milliseconds(row.p99Ms),
    milliseconds(row.p99_9Ms),
    decimals(row.cpuMicrosPerRequest, 1),
    decimals(row.cpuVsFastify, 2),
    decimals(row.cpuVsFloor, 2),
    decimals(row.cpuVsRouter, 2),
  ]);
}

export function textTable(rows: Row[]): string {
  const lines = [COLUMNS, ...tableCells(rows)];
  const widths = COLUMNS.map((_, column) => Math.max(...lines.map((cells) => (cells[column] ?? '').length)));
  const render = (cells: string[]): string =>
    cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0))).join('  ');
  return [render(COLUMNS), widths.map((width) => '-'.repeat(width)).join('  '), ...tableCells(rows).map(render)].join('\n');
}

export function markdownTable(rows: Row[]): string {
  const line = (cells: string[]): string => `| ${cells.join(' | ')} |`;
  return [line(COLUMNS), line(COLUMNS.map((_, column) => (column === 0 ? '---' : '---:'))), ...tableCells(rows).map(line)].join('\n');
}

/** How the run was made, in one line, for every output. */
export function provenance(report: RunReport): string {
  const { machine, settings, pinning } = report;
  const pinned = pinning.contenderCpu === null ? 'not pinned' : `contender on CPU ${pinning.contenderCpu}, load and upstream on CPU ${pinning.loadCpu}`;
  return (
    `${report.date.slice(0, 10)}, ${machine.arch}, ${machine.cpuModel}, ${pinned}; ` +
    `${settings.connections} connections, ${settings.bodyBytes}-byte bodies, ` +
    `${settings.timing.rounds} interleaved round${settings.timing.rounds === 1 ? '' : 's'} of ${settings.timing.roundSeconds}s ` +
    `after ${settings.timing.warmupSeconds}s warm-up, medians`
  );
}

/** The notes and the skipped contenders with their reasons, as lines. */
export function allNotes(report: RunReport): string[] {
  return [...report.notes, ...report.skipped.map(({ name, reason }) => `${name} skipped: ${reason}`)];
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
