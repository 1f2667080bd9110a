// CPU time a contender spent, read from the kernel's own accounting: utime + stime of
// /proc/<pid>/stat, summed over the process and every descendant (gateway or nginx workers).
import { readdirSync, readFileSync } from 'node:fs';

interface ProcStat {
  ppid: number;
  ticks: number;
}

/** ppid and utime+stime (in clock ticks) of one process, or null when it has gone. */
function readStat(pid: number): ProcStat | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // Field 2 (comm) may hold spaces and parentheses: the fields proper start after its last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state); ppid is field 4, utime 14, stime 15.
  return { ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) };
}

/** utime+stime in clock ticks of `rootPid` and all its descendants alive now. */
export function processTreeCpuTicks(rootPid: number): number {
  const ticks = new Map<number, number>();
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    const stat = readStat(pid);
    if (!stat) continue;
    ticks.set(pid, stat.ticks);
    const siblings = children.get(stat.ppid);
    if (siblings) siblings.push(pid);
    else children.set(stat.ppid, [pid]);
  }
  if (!ticks.has(rootPid)) throw new Error(`process ${rootPid} is gone: cannot read its CPU time`);

  let total = 0;
  const pending = [rootPid];
  for (let pid = pending.pop(); pid !== undefined; pid = pending.pop()) {
    total += ticks.get(pid) ?? 0;
    pending.push(...(children.get(pid) ?? []));
  }
  return total;
}
