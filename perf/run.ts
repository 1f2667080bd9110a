// Entry of the perf suite (`npm run perf -- [flags]`): starts the upstream and every contender
// as pinned child processes, warms each up, measures them in interleaved rounds, and reports
// medians on the terminal, as JSON, as HTML and, with --write-readme, in perf/README.md.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CONTENDERS, type Command, type Contender, type Paths } from './contenders/index.js';
import { writeHtml } from './html-report.js';
import { measure, warmUp, type Target } from './measure.js';
import { parseOptions, USAGE, type Options } from './options.js';
import { allowedCpus, hasCommand, machineFacts, pinned, pinSelf, planPinning, type Pinning } from './platform.js';
import { freePort, LOOPBACK } from './ports.js';
import { killAllChildren, killChildrenOnExit, startChild, type Child } from './processes.js';
import { Progress } from './progress.js';
import { writeReadmeResults } from './readme-results.js';
import { waitUntilServing } from './readiness.js';
import { allNotes, textTable, writeJson, type RunReport } from './report.js';
import { BODY_BYTES, CONNECTIONS, START_TIMEOUT_MS } from './settings.js';
import { overRouterNotes, summarize, type ContenderRun } from './summary.js';

/** A 1-minute load average above this before the run means the machine was not idle. */
const BUSY_LOAD_AVERAGE = 1;

interface Running extends Target {
  contender: Contender;
  child: Child;
}

function selectContenders(only: string[] | null): Contender[] {
  if (only === null) return [...CONTENDERS];
  const known = CONTENDERS.map((contender) => contender.name);
  const unknown = only.filter((name) => !known.includes(name));
  if (unknown.length > 0) throw new Error(`unknown contender(s): ${unknown.join(', ')}; known: ${known.join(', ')}`);
  return CONTENDERS.filter((contender) => only.includes(contender.name));
}

/** Starts a server as a child and waits until it answers, to a request with the command's headers, with the upstream's body. */
async function startServing(name: string, command: Command, port: number): Promise<{ child: Child; url: string }> {
  const child = startChild(name, command.file, command.args);
  const url = `http://${LOOPBACK}:${port}/`;
  try {
    await waitUntilServing(child, url, command.headers ?? {}, BODY_BYTES, START_TIMEOUT_MS);
  } catch (err) {
    await child.stop();
    throw err;
  }
  return { child, url };
}

async function startContenders(contenders: Contender[], paths: Paths, pinning: Pinning, workDir: string): Promise<{ upstream: Child; running: Running[] }> {
  const upstreamPort = await freePort();
  const upstreamCommand = pinned(pinning.loadCpu, process.execPath, [join(paths.perfDist, 'upstream.js'), String(upstreamPort)]);
  const { child: upstream } = await startServing('shared upstream', upstreamCommand, upstreamPort);

  const running: Running[] = [];
  for (const contender of contenders) {
    const port = await freePort();
    const { file, args, headers = {} } = await contender.command({ ...paths, port, upstreamPort, workDir });
    const { child, url } = await startServing(contender.name, { ...pinned(pinning.contenderCpu, file, args), headers }, port);
    running.push({ contender, child, url, headers, pid: child.pid });
  }
  return { upstream, running };
}

function assertAlive(child: Child): void {
  const status = child.exitStatus();
  if (status !== null) throw new Error(`${child.name} died during the run (${status}):\n${child.outputTail()}`);
}

/** Warm-up of each, then rounds A B C A B C ..., so drift over time hits every contender alike. */
async function measureAll(running: Running[], upstream: Child, options: Options, clockTicksPerSecond: number): Promise<ContenderRun[]> {
  const { warmupSeconds, rounds, roundSeconds } = options.timing;
  const progress = new Progress(running.length * (warmupSeconds + rounds * roundSeconds));
  const runs = running.map(({ contender }) => ({ name: contender.name, description: contender.description, samples: [] as ContenderRun['samples'] }));
  try {
    for (const target of running) {
      progress.begin(`warm-up ${target.contender.name}`, warmupSeconds);
      await warmUp(target, warmupSeconds);
      progress.end(warmupSeconds);
      assertAlive(target.child);
    }
    for (let round = 1; round <= rounds; round++) {
      for (const [index, target] of running.entries()) {
        progress.begin(`round ${round}/${rounds} ${target.contender.name}`, roundSeconds);
        const sample = await measure(target, roundSeconds, clockTicksPerSecond).catch((err: unknown) => {
          assertAlive(target.child); // a dead contender explains the failure better than /proc does
          throw err;
        });
        progress.end(roundSeconds);
        assertAlive(target.child);
        assertAlive(upstream);
        runs[index]?.samples.push(sample);
      }
    }
  } finally {
    progress.finish();
  }
  return runs;
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  if (options === null) {
    console.log(USAGE);
    return;
  }
  killChildrenOnExit();
  const date = new Date().toISOString();
  const perfDist = dirname(fileURLToPath(import.meta.url));
  const paths: Paths = { perfDist, repoRoot: resolve(perfDist, '..', '..') };

  const cpuIds = allowedCpus();
  const pinning = planPinning(cpuIds, hasCommand('taskset'));
  if (pinning.loadCpu !== null) pinSelf(pinning.loadCpu);
  const machine = machineFacts(cpuIds);
  const busy =
    machine.loadAverageAtStart > BUSY_LOAD_AVERAGE
      ? [`load average was ${machine.loadAverageAtStart.toFixed(2)} at the start: other work competes for the CPUs and skews the numbers`]
      : [];
  const machineNotes = [...pinning.notes, ...busy];
  for (const note of machineNotes) console.warn(`note: ${note}`);

  const skipped: RunReport['skipped'] = [];
  const contenders = selectContenders(options.only).filter((contender) => {
    const reason = contender.unavailable(paths);
    if (reason !== null) {
      skipped.push({ name: contender.name, reason });
      console.warn(`skip ${contender.name}: ${reason}`);
    }
    return reason === null;
  });
  if (contenders.length === 0) throw new Error('no contender can run');

  const workDir = mkdtempSync(join(tmpdir(), 'wasmgate-perf-'));
  process.once('exit', () => rmSync(workDir, { recursive: true, force: true }));

  console.warn(`starting ${contenders.map((contender) => contender.name).join(', ')}`);
  const { upstream, running } = await startContenders(contenders, paths, pinning, workDir);
  const runs = await measureAll(running, upstream, options, machine.clockTicksPerSecond);
  await Promise.all([upstream, ...running.map((target) => target.child)].map((child) => child.stop()));

  const rows = summarize(runs);
  const failures = rows
    .filter((row) => row.failedRequests > 0)
    .map((row) => `${row.name} (!): ${row.failedRequests} requests failed (errors, timeouts or non-2xx): its numbers are not valid`);
  const report: RunReport = {
    date,
    machine,
    pinning: { contenderCpu: pinning.contenderCpu, loadCpu: pinning.loadCpu },
    settings: { connections: CONNECTIONS, bodyBytes: BODY_BYTES, quick: options.quick, timing: options.timing },
    notes: [...overRouterNotes(rows), ...machineNotes, ...failures],
    skipped,
    rows,
    runs,
  };

  console.log(`\n${textTable(rows)}\n`);
  for (const note of allNotes(report)) console.log(`note: ${note}`);
  const resultsDir = join(paths.repoRoot, 'perf', 'results');
  console.log(`\nwrote ${writeJson(resultsDir, report)}, latest.json and ${writeHtml(resultsDir, report)}`);
  if (options.writeReadme) {
    const readme = join(paths.repoRoot, 'perf', 'README.md');
    writeReadmeResults(readme, report);
    console.log(`wrote the results section of ${readme}`);
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(`\nperf: ${err instanceof Error ? err.message : String(err)}`);
    killAllChildren();
    process.exit(1);
  },
);
