// wrk as a second opinion on the closed-loop numbers: another load generator (C, its own HTTP
// parser, microsecond latency histogram), run on the load CPU against the same contender.
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Load, Target } from './measure.js';
import { hasCommand, pinned } from './platform.js';

const RESULT_MARK = 'WRK_RESULT ';

/** wrk's `done` hook prints the numbers as one JSON line (latencies in µs). */
const REPORT_SCRIPT = `
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('${RESULT_MARK}{"requests":%d,"durationUs":%d,"errors":%d,"non2xx":%d,"p50":%d,"p99":%d,"p99_9":%d}\\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50), latency:percentile(99), latency:percentile(99.9)))
end
`;

export interface WrkResult {
  requests: number;
  seconds: number;
  requestsPerSecond: number;
  latencyMs: { p50: number; p99: number; p99_9: number };
  errors: number;
  non2xx: number;
}

export function wrkUnavailable(): string | null {
  return hasCommand('wrk') ? null : 'wrk is not installed (apt-get install wrk): no second opinion on the hello scenario';
}

/** Writes the report script once into the work directory; returns its path. */
export function writeWrkScript(workDir: string): string {
  const file = join(workDir, 'wrk-report.lua');
  writeFileSync(file, REPORT_SCRIPT);
  return file;
}

/** One wrk run (one thread, the scenario's connections) on `cpu` (the load CPU), or unpinned when null. */
export function runWrk(target: Target, load: Load, seconds: number, script: string, cpu: number | null): Promise<WrkResult> {
  const headers = Object.entries(target.headers).flatMap(([name, value]) => ['-H', `${name}: ${value}`]);
  const args = ['-t1', `-c${load.connections}`, `-d${Math.max(1, Math.round(seconds))}s`, '-s', script, ...headers, new URL(load.request.path, target.url).href];
  const command = pinned(cpu, 'wrk', args);
  return new Promise((resolve, reject) => {
    execFile(command.file, command.args, { timeout: (seconds + 30) * 1000 }, (err, stdout, stderr) => {
      const line = stdout.split('\n').find((text) => text.startsWith(RESULT_MARK));
      if (err || line === undefined) {
        reject(new Error(`wrk failed: ${err?.message ?? 'no result line'}\n${stdout}${stderr}`));
        return;
      }
      const raw = JSON.parse(line.slice(RESULT_MARK.length)) as { requests: number; durationUs: number; errors: number; non2xx: number; p50: number; p99: number; p99_9: number };
      const secondsRun = raw.durationUs / 1e6;
      resolve({
        requests: raw.requests,
        seconds: secondsRun,
        requestsPerSecond: raw.requests / secondsRun,
        latencyMs: { p50: raw.p50 / 1000, p99: raw.p99 / 1000, p99_9: raw.p99_9 / 1000 },
        errors: raw.errors,
        non2xx: raw.non2xx,
      });
    });
  });
}
