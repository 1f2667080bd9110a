// perf/results/latest.html: the targets, then per scenario its table and charts (throughput, CPU
// per request, latency percentiles per contender) as inline SVG: one self-contained file that
// opens anywhere (no scripts, no external assets).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { COLUMNS, provenance, scenarioNotes, tableCells, TARGET_COLUMNS, targetCells, type RunReport, type ScenarioResult } from './report.js';
import type { Row } from './summary.js';

const BAR_HEIGHT = 18;
const BAR_GAP = 4;
const GROUP_GAP = 10;
const LABEL_WIDTH = 300;
const BAR_WIDTH = 380;
const VALUE_WIDTH = 90;
const COLORS: Record<string, string> = {
  'gateway-router': '#d9480f',
  'gateway-chain': '#e8590c',
  'gateway-wasm': '#f08c00',
  'gateway-router-workers2': '#c2255c',
  'node-floor': '#2b8a3e',
  'fastify-http-proxy': '#1864ab',
};
const DEFAULT_COLOR = '#868e96';
/** p50, p99, p99.9: light to dark. */
const PERCENTILES: { label: string; value: (row: Row) => number; color: string }[] = [
  { label: 'p50', value: (row) => row.p50Ms, color: '#a5d8ff' },
  { label: 'p99', value: (row) => row.p99Ms, color: '#4dabf7' },
  { label: 'p99.9', value: (row) => row.p99_9Ms, color: '#1864ab' },
];

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** The color of a row: its contender's (the name before a shape in parentheses). */
function colorOf(name: string): string {
  return COLORS[name.split(' (')[0] ?? name] ?? DEFAULT_COLOR;
}

interface Bar {
  label: string;
  value: number;
  color: string;
}

/** Horizontal bars in groups (one group per contender), scaled to the largest value. */
function barChart(title: string, groups: { label: string; bars: Bar[] }[], format: (value: number) => string): string {
  const max = Math.max(...groups.flatMap((group) => group.bars.map((bar) => bar.value)).filter(Number.isFinite), Number.MIN_VALUE);
  let y = 0;
  const parts: string[] = [];
  for (const group of groups) {
    group.bars.forEach((bar, index) => {
      const width = Number.isFinite(bar.value) ? Math.max(1, (bar.value / max) * BAR_WIDTH) : 0;
      const label = index === 0 ? group.label : '';
      const text = Number.isFinite(bar.value) ? format(bar.value) : '—';
      parts.push(
        `<text x="${LABEL_WIDTH - 8}" y="${y + BAR_HEIGHT * 0.72}" text-anchor="end">${escape(label)}</text>` +
          `<rect x="${LABEL_WIDTH}" y="${y}" width="${width.toFixed(1)}" height="${BAR_HEIGHT}" fill="${bar.color}"><title>${escape(`${group.label} ${bar.label}: ${text}`)}</title></rect>` +
          `<text x="${LABEL_WIDTH + width + 6}" y="${y + BAR_HEIGHT * 0.72}">${escape(group.bars.length > 1 ? `${bar.label} ${text}` : text)}</text>`,
      );
      y += BAR_HEIGHT + BAR_GAP;
    });
    y += GROUP_GAP;
  }
  return (
    `<h3>${escape(title)}</h3>\n` +
    `<svg xmlns="http://www.w3.org/2000/svg" width="${LABEL_WIDTH + BAR_WIDTH + VALUE_WIDTH}" height="${Math.max(0, y - GROUP_GAP)}" ` +
    `font-family="sans-serif" font-size="12" role="img" aria-label="${escape(title)}">${parts.join('')}</svg>`
  );
}

function single(rows: Row[], value: (row: Row) => number): { label: string; bars: Bar[] }[] {
  return rows.map((row) => ({ label: row.name, bars: [{ label: '', value: value(row), color: colorOf(row.name) }] }));
}

function charts(scenario: ScenarioResult): string {
  const ms = (value: number): string => (scenario.latencyResolution === 'us' ? value.toFixed(2) : String(value));
  return [
    barChart('Requests per second (higher is better)', single(scenario.rows, (row) => row.requestsPerSecond), (v) => v.toFixed(0)),
    barChart('CPU µs per request of the contender (lower is better)', single(scenario.rows, (row) => row.cpuMicrosPerRequest), (v) => v.toFixed(1)),
    barChart(
      `Latency percentiles, ms (lower is better${scenario.latencyResolution === 'ms' ? '; autocannon keeps whole milliseconds' : ''})`,
      scenario.rows.map((row) => ({ label: row.name, bars: PERCENTILES.map((p) => ({ label: p.label, value: p.value(row), color: p.color })) })),
      ms,
    ),
  ].join('\n');
}

function htmlTable(columns: string[], cells: string[][]): string {
  const head = columns.map((column) => `<th>${escape(column)}</th>`).join('');
  const body = cells
    .map((line) => `<tr>${line.map((cell, column) => (column === 0 ? `<th>${escape(cell)}</th>` : `<td>${escape(cell)}</td>`)).join('')}</tr>`)
    .join('\n');
  return `<table>\n<thead><tr>${head}</tr></thead>\n<tbody>\n${body}\n</tbody>\n</table>`;
}

function list(items: string[]): string {
  return items.length === 0 ? '' : `<ul>${items.map((item) => `<li>${escape(item)}</li>`).join('')}</ul>`;
}

function section(scenario: ScenarioResult): string {
  return [
    `<h2 id="${escape(scenario.name)}">${escape(scenario.name)}</h2>`,
    `<p>${escape(scenario.description)}</p>`,
    scenario.rows.length > 0 ? htmlTable(COLUMNS, tableCells(scenario.rows, scenario.latencyResolution)) : '',
    scenario.wrk ? `<p>wrk, the second opinion (µs-resolution latency):</p>\n${htmlTable(COLUMNS, tableCells(scenario.wrk.rows, 'us'))}` : '',
    list(scenarioNotes(scenario)),
    scenario.rows.length > 0 ? charts(scenario) : '',
  ].join('\n');
}

export function renderHtml(report: RunReport): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>wasmgate perf ${escape(report.date)}</title>
<style>
body { font-family: sans-serif; margin: 2em; color: #212529; max-width: 64em; }
table { border-collapse: collapse; }
th, td { padding: 0.3em 0.8em; border-bottom: 1px solid #dee2e6; }
td { text-align: right; font-variant-numeric: tabular-nums; }
thead th { text-align: right; }
thead th:first-child, tbody th { text-align: left; font-weight: normal; }
h2 { margin-top: 2.2em; border-top: 2px solid #dee2e6; padding-top: 0.6em; }
h3 { font-size: 1em; margin-top: 1.4em; }
</style>
</head>
<body>
<h1>Request path cost</h1>
<p>${escape(provenance(report))}</p>
${list(report.notes)}
<h2>Targets of issue 7</h2>
${htmlTable(TARGET_COLUMNS, targetCells(report.targets))}
<p>Scenarios: ${report.scenarios.map((scenario) => `<a href="#${escape(scenario.name)}">${escape(scenario.name)}</a>`).join(', ')}</p>
${report.scenarios.map(section).join('\n')}
</body>
</html>
`;
}

export function writeHtml(resultsDir: string, report: RunReport): string {
  const file = join(resultsDir, 'latest.html');
  writeFileSync(file, renderHtml(report));
  return file;
}
