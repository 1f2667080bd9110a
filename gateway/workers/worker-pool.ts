// The primary's workers (node:cluster): forks N, keeps N (a worker that exits unasked is replaced, after a
// backoff that grows with recent restarts), asks them for stats and clusters over IPC with a bounded wait,
// reloads them all in two steps (every worker prepares; all commit, or the prepared ones abort), and drains them.
import cluster, { type Worker } from 'node:cluster';
import type { Logger } from 'pino';
import { ConfigValidationError, ROOT_PATH, type ConfigError } from '../config/errors.js';
import type { ClusterView } from '../admin/clusters-view.js';
import type { ReloadSummary } from '../reload/reload-plan.js';
import type { StatsSnapshot } from '../stats/snapshot.js';
import type { CounterStat } from '../stats/store.js';
import type { ConfigMessage, FromWorker, ToWorker } from './messages.js';

/** How long a worker may take to answer stats or clusters. */
const QUERY_TIMEOUT_MS = 5000;
/** How long a worker may take to build and start a reloaded config (STRICT_DNS and first health checks included). */
const PREPARE_TIMEOUT_MS = 30_000;
const RESTART_BACKOFF_MIN_MS = 250;
const RESTART_BACKOFF_MAX_MS = 30_000;
/** Restarts within this window make the next one wait longer. */
const RESTART_WINDOW_MS = 60_000;

type Reply = Extract<FromWorker, { type: 'reply' }>;
type Ask = ToWorker extends infer M ? (M extends { id: number } ? Omit<M, 'id'> : never) : never;

interface Member {
  readonly worker: Worker;
  /** It was sent its config. */
  started: boolean;
  live: boolean;
}

export class WorkerPool {
  private readonly members = new Set<Member>();
  private readonly waiting = new Map<number, { member: Member; fail: (message: string) => void; resolve: (r: Reply) => void; timer: NodeJS.Timeout }>();
  private nextId = 1;
  private stopping = false;
  private recentRestarts: number[] = [];
  /** While a reload runs, new workers wait for its outcome before they are sent a config. */
  private reloading: Promise<unknown> | null = null;
  private firstStart: { resolve: () => void; reject: (err: Error) => void } | null = null;

  constructor(
    private readonly size: number,
    /** The config in force: what a new or replacing worker starts with. */
    private config: ConfigMessage,
    private readonly log: Logger,
    private readonly restarts: CounterStat,
  ) {}

  /** Forks every worker and waits until all are live; rejects if one exits before (its config does not build). */
  start(): Promise<void> {
    const started = new Promise<void>((resolve, reject) => (this.firstStart = { resolve, reject }));
    for (let i = 0; i < this.size; i++) this.fork();
    return started;
  }

  /** Every worker is live (and none is being replaced). */
  get allLive(): boolean {
    if (this.members.size < this.size) return false;
    for (const m of this.members) if (!m.live) return false;
    return true;
  }

  /** Every live worker's stats (a worker that does not answer in time is left out, and logged). */
  async stats(): Promise<StatsSnapshot[]> {
    return (await this.askLive({ type: 'stats' }, QUERY_TIMEOUT_MS)).map((r) => r.value as StatsSnapshot);
  }

  async clusters(): Promise<{ views: ClusterView[][]; ids: number[] }> {
    const replies = await this.askLive({ type: 'clusters' }, QUERY_TIMEOUT_MS);
    return { views: replies.map((r) => r.value as ClusterView[]), ids: replies.map((r) => r.id) };
  }

  /**
   * Every started worker builds `next` beside its running config; if all did, all swap to it, else those that
   * built it drop it and every worker keeps its config. Rejects with the workers' errors (the same error from
   * every worker once, else each prefixed with its worker).
   */
  reload(next: ConfigMessage): Promise<ReloadSummary> {
    const run = this.reloadAll(next);
    this.reloading = run.catch(() => undefined);
    return run.finally(() => (this.reloading = null));
  }

  private async reloadAll(next: ConfigMessage): Promise<ReloadSummary> {
    const members = [...this.members].filter((m) => m.started);
    const prepared = await Promise.all(members.map((m) => this.ask(m, { type: 'prepare', ...next }, PREPARE_TIMEOUT_MS)));
    const failed = prepared.filter((r) => !r.ok);
    if (failed.length > 0) {
      // Every worker: one whose prepare timed out here may still finish it, and must drop it then.
      await Promise.all(members.map((m) => this.ask(m, { type: 'abort' }, QUERY_TIMEOUT_MS)));
      throw new ConfigValidationError(workerErrors(members, prepared));
    }
    this.config = next;
    const committed = await Promise.all(members.map((m) => this.ask(m, { type: 'commit' }, QUERY_TIMEOUT_MS)));
    committed.forEach((r, i) => {
      if (!r.ok) this.log.error({ worker: members[i]!.worker.id, errors: r.errors }, 'a worker failed to swap in the reloaded config');
    });
    return (prepared[0] as Reply & { ok: true }).value as ReloadSummary;
  }

  /** Tells every worker to drain and exit; resolves when all have exited (those left after `deadlineMs` are killed). */
  async stop(deadlineMs: number): Promise<void> {
    this.stopping = true;
    const exits = [...this.members].map((m) => new Promise<void>((resolve) => (m.worker.isDead() ? resolve() : m.worker.once('exit', () => resolve()))));
    for (const m of this.members) if (m.worker.isConnected()) m.worker.send({ type: 'drain' } satisfies ToWorker);
    const timer = setTimeout(() => {
      for (const m of this.members) if (!m.worker.isDead()) m.worker.process.kill('SIGKILL');
    }, deadlineMs);
    await Promise.all(exits);
    clearTimeout(timer);
  }

  private fork(): void {
    const worker = cluster.fork();
    const member: Member = { worker, started: false, live: false };
    this.members.add(member);
    worker.on('message', (m: FromWorker) => this.onMessage(member, m));
    worker.on('exit', (code, signal) => this.onExit(member, code, signal));
  }

  private onMessage(member: Member, m: FromWorker): void {
    if (m.type === 'hello') {
      // A worker forked while a reload runs gets the config that reload leaves in force.
      void Promise.resolve(this.reloading).then(() => {
        if (!member.worker.isConnected()) return;
        member.started = true;
        member.worker.send({ type: 'start', ...this.config } satisfies ToWorker);
      });
    } else if (m.type === 'live') {
      member.live = true;
      this.log.info({ worker: member.worker.id, pid: member.worker.process.pid }, 'worker live');
      if (this.firstStart !== null && this.allLive) {
        this.firstStart.resolve();
        this.firstStart = null;
      }
    } else {
      const w = this.waiting.get(m.id);
      if (w === undefined) return;
      this.waiting.delete(m.id);
      clearTimeout(w.timer);
      w.resolve(m);
    }
  }

  private onExit(member: Member, code: number | null, signal: string | null): void {
    this.members.delete(member);
    for (const w of this.waiting.values()) if (w.member === member) w.fail('the worker exited');
    if (this.stopping) return;
    if (this.firstStart !== null) {
      this.firstStart.reject(new Error(`worker ${member.worker.id} exited (code ${code}, signal ${signal}) before it was live: see its log`));
      this.firstStart = null;
      this.stopping = true;
      return;
    }
    const now = Date.now();
    this.recentRestarts = this.recentRestarts.filter((t) => now - t < RESTART_WINDOW_MS);
    const delay = Math.min(RESTART_BACKOFF_MAX_MS, RESTART_BACKOFF_MIN_MS * 2 ** this.recentRestarts.length);
    this.recentRestarts.push(now);
    this.restarts.inc();
    this.log.error({ worker: member.worker.id, pid: member.worker.process.pid, code, signal, restart_in_ms: delay }, 'worker exited unexpectedly: replacing it');
    setTimeout(() => {
      if (!this.stopping) this.fork();
    }, delay).unref();
  }

  private askLive(m: Ask, timeoutMs: number): Promise<(Reply & { ok: true } & { id: number })[]> {
    const live = [...this.members].filter((x) => x.live);
    return Promise.all(live.map((x) => this.ask(x, m, timeoutMs))).then((replies) =>
      replies.flatMap((r, i) => {
        if (r.ok) return [{ ...r, id: live[i]!.worker.id }];
        this.log.warn({ worker: live[i]!.worker.id, errors: r.errors }, `worker did not answer ${m.type}`);
        return [];
      }),
    );
  }

  /** Sends `m` with a fresh id; a worker that does not answer in time (or has gone) yields a failed reply. */
  private ask(member: Member, m: Ask, timeoutMs: number): Promise<Reply> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      const fail = (message: string): void => {
        clearTimeout(timer);
        this.waiting.delete(id);
        resolve({ type: 'reply', id, ok: false, errors: [{ path: ROOT_PATH, message }] });
      };
      const timer = setTimeout(() => fail(`no answer within ${timeoutMs} ms`), timeoutMs);
      if (!member.worker.isConnected()) return fail('the worker has exited');
      this.waiting.set(id, { member, fail, resolve, timer });
      member.worker.send({ ...m, id } as ToWorker);
    });
  }
}

/** The workers' refusals: once when all said the same, else each prefixed with its worker. */
function workerErrors(members: readonly Member[], replies: readonly Reply[]): ConfigError[] {
  const failed = replies.map((r, i) => ({ r, id: members[i]!.worker.id })).filter(({ r }) => !r.ok);
  const lists = failed.map(({ r }) => JSON.stringify((r as Reply & { ok: false }).errors));
  if (failed.length === replies.length && lists.every((l) => l === lists[0])) return (failed[0]!.r as Reply & { ok: false }).errors;
  return failed.flatMap(({ r, id }) => (r as Reply & { ok: false }).errors.map((e) => ({ path: e.path, message: `worker ${id}: ${e.message}` })));
}
