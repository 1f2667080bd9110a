// What this machine offers the suite: which CPUs it may use, whether taskset can pin to them,
// and the facts a report needs to be read later (architecture, CPU model, clock tick).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, machine } from 'node:os';

export interface Pinning {
  /** The CPU every contender runs on, or null when the suite cannot pin. */
  contenderCpu: number | null;
  /** The CPU the load generator (this process) and the upstream run on, or null. */
  loadCpu: number | null;
  /** Why pinning is partial or off, for the report. */
  notes: string[];
}

export interface MachineFacts {
  arch: string;
  cpuModel: string;
  allowedCpus: number[];
  clockTicksPerSecond: number;
  /** The 1-minute load average when the run began: other work on the machine skews the numbers. */
  loadAverageAtStart: number;
}

/** The CPUs this process may run on (its affinity), from /proc; falls back to 0..n-1. */
export function allowedCpus(): number[] {
  try {
    const status = readFileSync('/proc/self/status', 'utf8');
    const line = /^Cpus_allowed_list:\s*(.+)$/m.exec(status);
    if (line?.[1]) return parseCpuList(line[1].trim());
  } catch {
    // not Linux or /proc hidden: use the count node sees
  }
  return Array.from({ length: availableParallelism() }, (_, i) => i);
}

/** Parses a kernel CPU list such as "0-3,6,8-9". */
function parseCpuList(list: string): number[] {
  const ids: number[] = [];
  for (const part of list.split(',')) {
    const [from, to] = part.split('-').map(Number);
    if (from === undefined || Number.isNaN(from)) continue;
    const last = to === undefined || Number.isNaN(to) ? from : to;
    for (let id = from; id <= last; id++) ids.push(id);
  }
  return ids;
}

export function hasCommand(name: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Contenders on the first allowed CPU, load generator and upstream on the second. */
export function planPinning(cpuIds: number[], tasksetPresent: boolean): Pinning {
  if (!tasksetPresent) {
    return {
      contenderCpu: null,
      loadCpu: null,
      notes: ['taskset not found (it is in util-linux): nothing is pinned, so numbers are noisier'],
    };
  }
  const [first, second] = cpuIds;
  if (first === undefined || second === undefined) {
    return {
      contenderCpu: null,
      loadCpu: null,
      notes: ['only one CPU: contender, load generator and upstream share it, so numbers are not comparable to a pinned run'],
    };
  }
  return { contenderCpu: first, loadCpu: second, notes: [] };
}

/** Moves every thread of this process (the load generator) onto `cpu`. */
export function pinSelf(cpu: number): void {
  execFileSync('taskset', ['-a', '-p', '-c', String(cpu), String(process.pid)], { stdio: 'ignore' });
}

/** The command line that runs `file args` on `cpus` (one or several), or unpinned when null. */
export function pinned(cpus: number | number[] | null, file: string, args: string[]): { file: string; args: string[] } {
  // taskset execs the command, so the child's pid is the contender's own pid.
  return cpus === null ? { file, args } : { file: 'taskset', args: ['-c', [cpus].flat().join(','), file, ...args] };
}

/** The soft and hard limits on open files of this process (children inherit them), from /proc. */
function openFileLimits(): { soft: number; hard: number } | null {
  try {
    const line = /^Max open files\s+(\S+)\s+(\S+)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
    if (!line) return null;
    const value = (text: string | undefined): number => (text === 'unlimited' ? Number.POSITIVE_INFINITY : Number(text));
    return { soft: value(line[1]), hard: value(line[2]) };
  } catch {
    return null;
  }
}

/**
 * Makes sure this process and the children it starts may open `needed` files (sockets): raises the
 * soft limit, up to the hard one, with prlimit when it is lower. Returns the soft limit now in force.
 */
export function ensureOpenFiles(needed: number): number {
  const limits = openFileLimits();
  if (limits === null) return Number.POSITIVE_INFINITY; // no /proc: nothing to read, nothing to raise
  if (limits.soft >= needed) return limits.soft;
  const target = Math.min(limits.hard, needed);
  try {
    execFileSync('prlimit', ['--pid', String(process.pid), `--nofile=${target}:${limits.hard === Number.POSITIVE_INFINITY ? 'unlimited' : limits.hard}`], { stdio: 'ignore' });
    return target;
  } catch {
    return limits.soft;
  }
}

export function machineFacts(cpuIds: number[]): MachineFacts {
  return {
    arch: machine(), // uname -m
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    allowedCpus: cpuIds,
    clockTicksPerSecond: clockTicksPerSecond(),
    loadAverageAtStart: loadavg()[0] ?? 0,
  };
}

/** USER_HZ, the unit of utime/stime in /proc/<pid>/stat. */
function clockTicksPerSecond(): number {
  try {
    const ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    if (ticks > 0) return ticks;
  } catch {
    // getconf missing: 100 is USER_HZ on every mainstream Linux build
  }
  return 100;
}
