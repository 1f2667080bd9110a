// --write-readme: replaces the text between the results markers of perf/README.md with a run's tables.
import { readFileSync, writeFileSync } from 'node:fs';
import { markdownReport, provenance, type RunReport } from './report.js';

const START = '<!-- results:start -->';
const END = '<!-- results:end -->';

export function writeReadmeResults(readmePath: string, report: RunReport): void {
  const readme = readFileSync(readmePath, 'utf8');
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start < 0 || end < start) throw new Error(`${readmePath} lacks the marker pair ${START} ... ${END}`);
  const section = [
    '',
    `Run of ${provenance(report)}.`,
    '',
    ...report.notes.map((note) => `- ${note}`),
    ...(report.notes.length > 0 ? [''] : []),
    markdownReport(report),
  ].join('\n');
  writeFileSync(readmePath, readme.slice(0, start + START.length) + section + readme.slice(end));
}
