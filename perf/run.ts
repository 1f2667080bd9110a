// Entry of the perf suite (`npm run perf -- [flags]`): starts a shared upstream, then for each
// scenario its contenders as pinned child processes, warms each up, measures them in interleaved
// rounds, stops them; reports medians and the targets on the terminal, as JSON, as HTML
// and, with --write-readme, in perf/README.md.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CONTENDERS, type Command, type Contender, type Paths } from './contenders/index.js';
import { writeHtml } from './html-report.js';
import { measure, warmUp, withCpuTime, type Load, type Sample, type Target } from './measure.js';
import { openLoop } from './open-loop.js';
import { parseOptions, USAGE, type Options } from './options.js';
import { allowedCpus, ensureOpenFiles, hasCommand, machineFacts, pinned, pinSelf, planPinning, type Pinning } from './platform.js';
import { freePort, LOOPBACK } from './ports.js';
import { killAllChildren, killChildrenOnExit, startChild, type Child } from './processes.js';
import { Progress } from './progress.js';
import { writeReadmeResults } from './readme-results.js';
import { waitUntilServing } from './readiness.js';
import { textReport, writeJson, type RunReport, type ScenarioResult } from './report.js';
import { DEFAULT_SHAPE, SCENARIOS, type Entry, type Scenario } from './scenarios.js';
import { BODY_BYTES, START_TIMEOUT_MS } from './settings.js';
import { median, overBaselineNotes, ROUTER, summarize, type ContenderRun } from './summary.js';
import { checkTargets } from './targets.js';
import { runWrk, wrkUnavailable, writeWrkScript } from './wrk.js';

/** A 1-minute load average above this before the run means the machine was not idle. */
const BUSY_LOAD_AVERAGE = 1;
/** Open files a load of `connections` may cost one process: each connection's socket and a proxy's upstream one, with slack. */
function filesNeeded(connections: number): number {
  return connections * 3 + 1024;
}

interface Running extends Target {
  entry: Entry;
  child: Child;
}

/** What every scenario shares: where things are, the pinning, the shared upstream, the work directory. */
interface Context {
  paths: Paths;
  pinning: Pinning;
  /** The CPUs a contender that spans CPUs runs on (all but the load CPU when there are three or more). */
  spanCpus: number[] | null;
  upstreamPorts: number[];
  upstream: Child;
  workDir: string;
  wrkScript: string | null;
  /** The open-files limit of this process and its children. */
  openFiles: number;
  clockTicksPerSecond: number;
  options: Options;
}

function contenderNamed(name: string): Contender {
  const contender = CONTENDERS.find((candidate) => candidate.name === name);
  if (contender === undefined) throw new Error(`scenario names an unknown contender ${name}`);
  return contender;
}

/** The scenarios to run, each with the entries --only keeps. */
function selectScenarios(options: Options): Scenario[] {
  if (options.only !== null) {
    const known = CONTENDERS.map((contender) => contender.name);
    const unknown = options.only.filter((name) => !known.includes(name));
    if (unknown.length > 0) throw new Error(`unknown contender(s): ${unknown.join(', ')}; known: ${known.join(', ')}`);
  }
  return SCENARIOS.filter((scenario) => options.scenarios === null || options.scenarios.includes(scenario.name))
    .map((scenario) => ({ ...scenario, entries: scenario.entries.filter((entry) => options.only === null || options.only.includes(entry.contender)) }))
    .filter((scenario) => scenario.entries.length > 0);
}

/** Starts a server as a child and waits until `path` answers, to a request with the command's headers, with `bytes` bytes. */
async function startServing(name: string, command: Command, port: number, probe: { path: string; bytes: number }): Promise<{ child: Child; url: string }> {
  const child = startChild(name, command.file, command.args);
  const url = `http://${LOOPBACK}:${port}/`;
  try {
    await waitUntilServing(child, new URL(probe.path, url).href, command.headers ?? {}, probe.bytes, START_TIMEOUT_MS);
  } catch (err) {
    await child.stop();
    throw err;
  }
  return { child, url };
}

/** A GET the scenario's routes answer with a known size: the load's own request, or GET / for uploads. */
function probeOf(scenario: Scenario): { path: string; bytes: number } {
  return scenario.request.method === 'GET' ? { path: scenario.request.path, bytes: scenario.request.responseBytes } : { path: '/', bytes: BODY_BYTES };
}

async function startEntries(scenario: Scenario, entries: Entry[], context: Context): Promise<Running[]> {
  const { paths, pinning, upstreamPorts, workDir } = context;
  const running: Running[] = [];
  try {
    for (const entry of entries) {
      const contender = contenderNamed(entry.contender);
      const port = await freePort();
      const launch = { ...paths, port, upstreamPort: upstreamPorts[0] as number, upstreamPorts, shape: entry.shape, workDir };
      const { file, args, headers = {} } = await contender.command(launch);
      const cpus = contender.spansCpus ? context.spanCpus : pinning.contenderCpu;
      const { child, url } = await startServing(entry.label, { ...pinned(cpus, file, args), headers }, port, probeOf(scenario));
      running.push({ entry, child, url, headers, pid: child.pid });
    }
  } catch (err) {
    await Promise.all(running.map((target) => target.child.stop()));
    throw err;
  }
  return running;
}

function assertAlive(child: Child): void {
  const status = child.exitStatus();
  if (status !== null) throw new Error(`${child.name} died during the run (${status}):\n${child.outputTail()}`);
}

/** Planned load seconds of a scenario, for the progress line. */
function plannedSeconds(scenario: Scenario, entries: number, options: Options, wrk: boolean): number {
  const { warmupSeconds, rounds, roundSeconds } = options.timing;
  const saturation = scenario.load.kind === 'fixed-rate' ? roundSeconds : 0;
  return entries * (warmupSeconds + rounds * roundSeconds + (wrk ? roundSeconds : 0)) + saturation;
}

async function runScenario(scenario: Scenario, context: Context, progress: Progress): Promise<ScenarioResult> {
  const { options, clockTicksPerSecond } = context;
  const { warmupSeconds, rounds, roundSeconds } = options.timing;
  const skipped: ScenarioResult['skipped'] = [];
  const tooFewFiles =
    filesNeeded(scenario.connections) > context.openFiles ? `${scenario.connections} connections need about ${filesNeeded(scenario.connections)} open files, the limit is ${context.openFiles} (ulimit -n)` : null;
  const entries = scenario.entries.filter((entry) => {
    const reason = tooFewFiles ?? contenderNamed(entry.contender).unavailable(context.paths);
    if (reason !== null) skipped.push({ name: entry.label, reason });
    return reason === null;
  });
  const notes: string[] = [];
  const wrk = scenario.wrk && context.wrkScript !== null && options.wrk;
  if (scenario.wrk && !wrk) notes.push(context.wrkScript === null ? (wrkUnavailable() as string) : 'wrk not run (--quick or --no-wrk)');
  const result: ScenarioResult = {
    name: scenario.name,
    description: scenario.description,
    request: scenario.request,
    connections: scenario.connections,
    load: scenario.load,
    latencyResolution: scenario.load.kind === 'fixed-rate' ? 'us' : 'ms',
    rows: [],
    runs: [],
    wrk: null,
    fixedRate: null,
    notes,
    skipped,
  };
  if (entries.length === 0) return result;

  const load: Load = {
    request: scenario.request,
    connections: scenario.connections,
    body: scenario.request.bodyBytes > 0 ? Buffer.alloc(scenario.request.bodyBytes, 'u') : undefined,
  };
  const running = await startEntries(scenario, entries, context);
  try {
    const step = async <T>(label: string, seconds: number, target: Running, work: () => Promise<T>): Promise<T> => {
      progress.begin(`${scenario.name}: ${label} ${target.entry.label}`, seconds);
      try {
        return await work();
      } catch (err) {
        assertAlive(target.child); // a dead contender explains the failure better than /proc does
        throw err;
      } finally {
        progress.end(seconds);
        assertAlive(target.child);
        assertAlive(context.upstream);
      }
    };
    for (const target of running) await step('warm-up', warmupSeconds, target, () => warmUp(target, load, warmupSeconds));

    let measureOne = (target: Running): Promise<Sample> => measure(target, load, roundSeconds, clockTicksPerSecond);
    const lags: number[] = [];
    if (scenario.load.kind === 'fixed-rate') {
      const { rateOf, share } = scenario.load;
      const saturated = running.find((target) => target.entry.label === rateOf);
      if (saturated === undefined) {
        notes.push(`not run: the rate comes from ${rateOf}'s saturation, and ${rateOf} is not running`);
        return result;
      }
      const saturation = await step('saturation (closed loop)', roundSeconds, saturated, () => measure(saturated, load, roundSeconds, clockTicksPerSecond));
      const rate = Math.max(1, Math.round(saturation.requestsPerSecond * share));
      result.fixedRate = { saturationRequestsPerSecond: saturation.requestsPerSecond, rate, sendLagP99Ms: Number.NaN };
      notes.push(`${rateOf} saturates at ${Math.round(saturation.requestsPerSecond)} req/s (closed loop, ${scenario.connections} connections); every row runs at ${rate} req/s`);
      measureOne = (target) =>
        withCpuTime(target.pid, clockTicksPerSecond, async () => {
          const { sendLagP99Ms, ...sample } = await openLoop(target, load, rate, roundSeconds);
          lags.push(sendLagP99Ms);
          return sample;
        });
    }

    const runs: ContenderRun[] = running.map(({ entry }) => ({ name: entry.label, description: contenderNamed(entry.contender).description, samples: [] }));
    for (let round = 1; round <= rounds; round++) {
      for (const [index, target] of running.entries()) {
        const sample = await step(`round ${round}/${rounds}`, roundSeconds, target, () => measureOne(target));
        runs[index]?.samples.push(sample);
      }
    }
    const baseline = scenario.baseline ?? ROUTER;
    result.runs = runs;
    result.rows = summarize(runs, baseline);
    if (scenario.baseline !== null) notes.push(...overBaselineNotes(result.rows, scenario.baseline));
    if (result.fixedRate !== null) {
      result.fixedRate.sendLagP99Ms = median(lags);
      notes.push(`the load generator sent ${result.fixedRate.sendLagP99Ms.toFixed(2)} ms late at p99 (median over rounds): latencies include that much of its own delay`);
    }

    if (wrk && context.wrkScript !== null) {
      const script = context.wrkScript;
      const wrkRuns: ContenderRun[] = running.map(({ entry }) => ({ name: entry.label, description: 'wrk', samples: [] }));
      for (const [index, target] of running.entries()) {
        const sample = await step('wrk', roundSeconds, target, () =>
          withCpuTime(target.pid, clockTicksPerSecond, () => runWrk(target, load, roundSeconds, script, context.pinning.loadCpu)),
        );
        wrkRuns[index]?.samples.push(sample);
      }
      result.wrk = { rows: summarize(wrkRuns, baseline), runs: wrkRuns };
    }
  } finally {
    await Promise.all(running.map((target) => target.child.stop()));
  }
  for (const row of result.rows.filter((r) => r.failedRequests > 0)) {
    notes.push(`${row.name} (!): ${row.failedRequests} requests failed (errors, timeouts or non-2xx): its numbers are not valid`);
  }
  return result;
}

async function main(): Promise<void> {
  const startedAt = Date.now();
  const options = parseOptions(process.argv.slice(2));
  if (options === null) {
    console.log(USAGE);
    return;
  }
  killChildrenOnExit();
  const date = new Date().toISOString();
  const perfDist = dirname(fileURLToPath(import.meta.url));
  const distRoot = resolve(perfDist, '..');
  // The compiled tree is <repo>/dist normally; PERF_REPO_ROOT says where the repo is when it was built elsewhere.
  const paths: Paths = { perfDist, distRoot, repoRoot: process.env.PERF_REPO_ROOT ?? resolve(distRoot, '..') };

  const cpuIds = allowedCpus();
  const pinning = planPinning(cpuIds, hasCommand('taskset'));
  if (pinning.loadCpu !== null) pinSelf(pinning.loadCpu);
  const machine = machineFacts(cpuIds);
  const busy =
    machine.loadAverageAtStart > BUSY_LOAD_AVERAGE
      ? [`load average was ${machine.loadAverageAtStart.toFixed(2)} at the start: other work competes for the CPUs and skews the numbers`]
      : [];
  const scenarios = selectScenarios(options);
  if (scenarios.length === 0) throw new Error('no scenario has a contender to run');
  const maxConnections = Math.max(...scenarios.map((scenario) => scenario.connections));
  const openFiles = ensureOpenFiles(filesNeeded(maxConnections));
  const spanCpus = pinning.contenderCpu === null ? null : cpuIds.length >= 3 ? cpuIds.filter((cpu) => cpu !== pinning.loadCpu) : cpuIds;
  const gatewayHasOwnCpus = spanCpus !== null && pinning.loadCpu !== null && !spanCpus.includes(pinning.loadCpu);
  const machineNotes = [
    ...pinning.notes,
    ...busy,
    ...(openFiles < filesNeeded(maxConnections)
      ? [`open files limited to ${openFiles} (ulimit -n; prlimit could not raise it): a scenario that needs more is skipped`]
      : []),
    ...(spanCpus !== null && !gatewayHasOwnCpus && scenarios.some((scenario) => scenario.entries.some((entry) => {
      const contender = contenderNamed(entry.contender);
      return contender.spansCpus === true && contender.unavailable(paths) === null;
    }))
      ? [`gateway-router-workers2 runs on CPUs ${spanCpus.join(',')} (not pinned to one), shared with the load generator and upstream: its req/s is the load generator's limit, its CPU µs/req still holds`]
      : []),
  ];
  for (const note of machineNotes) console.warn(`note: ${note}`);

  const workDir = mkdtempSync(join(tmpdir(), 'wasmgate-perf-'));
  process.once('exit', () => rmSync(workDir, { recursive: true, force: true }));

  // One upstream process for every scenario, on as many ports as the largest cluster has endpoints.
  const endpoints = Math.max(...scenarios.flatMap((scenario) => scenario.entries.map((entry) => entry.shape.endpoints)), DEFAULT_SHAPE.endpoints);
  const upstreamPorts: number[] = [];
  while (upstreamPorts.length < endpoints) {
    const port = await freePort();
    if (!upstreamPorts.includes(port)) upstreamPorts.push(port);
  }
  const upstreamCommand = pinned(pinning.loadCpu, process.execPath, [join(perfDist, 'upstream.js'), ...upstreamPorts.map(String)]);
  const { child: upstream } = await startServing('shared upstream', upstreamCommand, upstreamPorts[0] as number, { path: '/', bytes: BODY_BYTES });

  const context: Context = {
    paths,
    pinning,
    spanCpus,
    upstreamPorts,
    upstream,
    workDir,
    wrkScript: wrkUnavailable() === null ? writeWrkScript(workDir) : null,
    openFiles,
    clockTicksPerSecond: machine.clockTicksPerSecond,
    options,
  };
  const progress = new Progress(
    scenarios.reduce((sum, scenario) => {
      const runnable = scenario.entries.filter((entry) => contenderNamed(entry.contender).unavailable(paths) === null).length;
      return sum + plannedSeconds(scenario, runnable, options, scenario.wrk && options.wrk && context.wrkScript !== null);
    }, 0),
  );
  const results: ScenarioResult[] = [];
  try {
    for (const scenario of scenarios) {
      console.warn(`\nscenario ${scenario.name}: ${scenario.entries.map((entry) => entry.label).join(', ')}`);
      results.push(await runScenario(scenario, context, progress));
    }
  } finally {
    progress.finish();
  }
  await upstream.stop();

  const report: RunReport = {
    date,
    machine,
    pinning: { contenderCpu: pinning.contenderCpu, loadCpu: pinning.loadCpu },
    settings: { quick: options.quick, timing: options.timing },
    notes: machineNotes,
    scenarios: results,
    targets: checkTargets(results, gatewayHasOwnCpus),
    elapsedSeconds: (Date.now() - startedAt) / 1000,
  };

  console.log(`\n${textReport(report)}\n`);
  for (const note of report.notes) console.log(`note: ${note}`);
  const resultsDir = join(paths.repoRoot, 'perf', 'results');
  console.log(`\nwrote ${writeJson(resultsDir, report)}, latest.json and ${writeHtml(resultsDir, report)} (${Math.round(report.elapsedSeconds)} s)`);
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
