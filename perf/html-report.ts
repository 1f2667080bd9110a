// perf/results/latest.html: the table and bar charts as inline SVG, one self-contained file
// that opens anywhere (no scripts, no external assets).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { allNotes, COLUMNS, provenance, tableCells, type RunReport } from './report.js';
import type { Row } from './summary.js';

const BAR_HEIGHT = 22;
const BAR_GAP = 6;
const LABEL_WIDTH = 170;
const BAR_WIDTH = 420;
const VALUE_WIDTH = 90;
const COLORS: Record<string, string> = {
  'gateway-router': '#d9480f',
  'gateway-chain': '#e8590c',
  'gateway-wasm': '#f08c00',
  'node-floor': '#2b8a3e',
  'fastify-http-proxy': '#1864ab',
};
const DEFAULT_COLOR = '#868e96';

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

interface Chart {
  title: string;
  value: (row: Row) => number;
  format: (value: number) => string;
}

const CHARTS: Chart[] = [
  { title: 'Requests per second (higher is better)', value: (row) => row.requestsPerSecond, format: (v) => v.toFixed(0) },
  { title: 'CPU µs per request of the contender (lower is better)', value: (row) => row.cpuMicrosPerRequest, format: (v) => v.toFixed(1) },
  { title: 'Latency p99, ms (lower is better)', value: (row) => row.p99Ms, format: (v) => String(v) },
];

function barChart(chart: Chart, rows: Row[]): string {
  const values = rows.map(chart.value);
  const max = Math.max(...values.filter(Number.isFinite), Number.MIN_VALUE);
  const height = rows.length * (BAR_HEIGHT + BAR_GAP);
  const bars = rows.map((row, index) => {
    const value = values[index] ?? Number.NaN;
    const y = index * (BAR_HEIGHT + BAR_GAP);
    const width = Number.isFinite(value) ? Math.max(1, (value / max) * BAR_WIDTH) : 0;
    const text = Number.isFinite(value) ? chart.format(value) : '—';
    return (
      `<text x="${LABEL_WIDTH - 8}" y="${y + BAR_HEIGHT * 0.7}" text-anchor="end">${escape(row.name)}</text>` +
      `<rect x="${LABEL_WIDTH}" y="${y}" width="${width.toFixed(1)}" height="${BAR_HEIGHT}" fill="${COLORS[row.name] ?? DEFAULT_COLOR}"/>` +
      `<text x="${LABEL_WIDTH + width + 6}" y="${y + BAR_HEIGHT * 0.7}">${escape(text)}</text>`
    );
  });
  return (
    `<h2>${escape(chart.title)}</h2>\n` +
    `<svg xmlns="http://www.w3.org/2000/svg" width="${LABEL_WIDTH + BAR_WIDTH + VALUE_WIDTH}" height="${height}" ` +
    `font-family="sans-serif" font-size="13" role="img" aria-label="${escape(chart.title)}">${bars.join('')}</svg>`
  );
}

function htmlTable(rows: Row[]): string {
  const head = COLUMNS.map((column) => `<th>${escape(column)}</th>`).join('');
  const body = tableCells(rows)
    .map((cells) => `<tr>${cells.map((cell, column) => (column === 0 ? `<th>${escape(cell)}</th>` : `<td>${escape(cell)}</td>`)).join('')}</tr>`)
    .join('\n');
  return `<table>\n<thead><tr>${head}</tr></thead>\n<tbody>\n${body}\n</tbody>\n</table>`;
}

function list(items: string[]): string {
  return items.length === 0 ? '' : `<ul>${items.map((item) => `<li>${escape(item)}</li>`).join('')}</ul>`;
}

export function renderHtml(report: RunReport): string {
  const notes = allNotes(report);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>wasmgate perf ${escape(report.date)}</title>
<style>
body { font-family: sans-serif; margin: 2em; color: #212529; max-width: 60em; }
table { border-collapse: collapse; }
th, td { padding: 0.3em 0.8em; border-bottom: 1px solid #dee2e6; }
td { text-align: right; font-variant-numeric: tabular-nums; }
thead th { text-align: right; }
thead th:first-child, tbody th { text-align: left; font-weight: normal; }
h2 { font-size: 1.05em; margin-top: 1.8em; }
</style>
</head>
<body>
<h1>Request path cost</h1>
<p>${escape(provenance(report))}</p>
${htmlTable(report.rows)}
${list(notes)}
${CHARTS.map((chart) => barChart(chart, report.rows)).join('\n')}
</body>
</html>
`;
}

export function writeHtml(resultsDir: string, report: RunReport): string {
  const file = join(resultsDir, 'latest.html');
  writeFileSync(file, renderHtml(report));
  return file;
}
