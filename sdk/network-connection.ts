// The network filter chain of one connection as a state machine, shared by the gateway and the test kit
// so that a network filter behaves in its unit test exactly as it does behind a listener. A host (the
// gateway's socket interposer, or the kit's fake connection) extends it and supplies the I/O: where data
// that passed every filter goes, how the connection is closed, when the terminal takes over.
import type { DownstreamConnectionInfo } from './connection-info.js';
import type { Counter, FilterStats } from './filter.js';
import type { FilterLogger } from './logger.js';
import type { NetworkConnection, NetworkFilter, NetworkFilterCreator } from './network-filter.js';
import { FilterStatus } from './status.js';

/** A network filter of the chain as resolved at config load. */
export interface NetworkChainEntry {
  readonly name: string;
  /** When the filter throws: skip it for the rest of the connection instead of closing the connection. */
  readonly failOpen: boolean;
  readonly create: NetworkFilterCreator;
  readonly stats: FilterStats;
  readonly log: FilterLogger;
  /** Counts the filter's failures (callbacks that threw or rejected). */
  readonly errors: Counter;
}

/** The state of one direction: where its data is held, if anywhere. */
class Direction {
  /** Index of the filter holding the data; -1 when nothing is held. */
  at = -1;
  data: Buffer | null = null;
  eos = false;

  constructor(
    readonly downstream: boolean,
    /** The index of the first filter this direction visits (0 downstream, the last one upstream) and its step. */
    readonly step: 1 | -1,
  ) {}

  clear(): void {
    this.at = -1;
    this.data = null;
    this.eos = false;
  }
}

/** A filter that failed with fail_open: the rest of the connection passes it by. */
const PASSED: NetworkFilter = Object.freeze({});
const EMPTY = Buffer.alloc(0);

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return v !== null && typeof v === 'object' && typeof (v as PromiseLike<unknown>).then === 'function';
}

export abstract class NetworkFilterConnection implements NetworkConnection {
  closed = false;
  upstreamHost = '';
  protected readonly filters: NetworkFilter[];
  private _state: Map<string, unknown> | null = null;
  /** The filter whose callback runs (for log and stats); -1 outside filters. */
  private index = -1;
  /** Index of the filter whose onNewConnection holds the connection; -1 when none does. */
  private connectAt = -1;
  private connected = false;
  private finished = false;
  private running = false;
  private continueWhileRunning = false;
  /** Bumped when a held onNewConnection moves on, so that an older promise's settlement is ignored. */
  private generation = 0;
  private readonly down = new Direction(true, 1);
  private readonly up = new Direction(false, -1);

  constructor(
    protected readonly entries: readonly NetworkChainEntry[],
    readonly info: DownstreamConnectionInfo,
  ) {
    this.filters = new Array<NetworkFilter>(entries.length);
  }

  // ---- what the host provides ----
  /** Every onNewConnection passed: the terminal takes the connection now. */
  protected abstract establish(): void;
  /** Downstream data (client → terminal) that passed every filter. */
  protected abstract deliverToTerminal(data: Buffer, endOfStream: boolean): void;
  /** Upstream data (terminal → client) that passed every filter. */
  protected abstract deliverToClient(data: Buffer, endOfStream: boolean): void;
  /** Close the downstream socket; the host calls connectionClosed() once it is closed. */
  protected abstract closeSocket(): void;
  /** Bytes held in a direction changed: the host pauses its source past its buffer limit. */
  protected abstract holdChanged(downstream: boolean, bytes: number): void;
  protected abstract readonly hostLog: FilterLogger;
  protected abstract readonly hostStats: FilterStats;

  get state(): Map<string, unknown> {
    return (this._state ??= new Map());
  }

  get log(): FilterLogger {
    return this.entries[this.index]?.log ?? this.hostLog;
  }

  get stats(): FilterStats {
    return this.entries[this.index]?.stats ?? this.hostStats;
  }

  /** True when some filter of this connection has a data callback: the data must pass through the chain. */
  get inspectsData(): boolean {
    for (const f of this.filters) if (f.onDownstreamData !== undefined || f.onUpstreamData !== undefined) return true;
    return false;
  }

  /** Bytes held by a filter on the way to the client. */
  get upstreamHeldBytes(): number {
    return this.up.data?.length ?? 0;
  }

  // ---- driving the chain ----
  /** Instantiates the filters and runs onNewConnection in order. */
  start(): void {
    for (let i = 0; i < this.entries.length; i++) {
      this.index = i;
      try {
        this.filters[i] = this.entries[i]!.create(this);
      } catch (err) {
        this.filters[i] = PASSED;
        if (!this.failed(i, err)) break;
      }
    }
    this.index = -1;
    if (!this.closed) this.runNewConnection(0);
  }

  /** The client sent data (after establish()). */
  downstreamData(data: Buffer, endOfStream: boolean): void {
    this.receive(this.down, data, endOfStream);
  }

  /** The terminal sent data back to the client. */
  upstreamData(data: Buffer, endOfStream: boolean): void {
    this.receive(this.up, data, endOfStream);
  }

  continueReading(): void {
    if (this.running) {
      this.continueWhileRunning = true;
      return;
    }
    if (this.closed) return;
    if (this.connectAt >= 0) {
      const from = this.connectAt + 1;
      this.connectAt = -1;
      this.generation++;
      this.runNewConnection(from);
      return;
    }
    for (const dir of [this.down, this.up]) {
      if (dir.at < 0) continue;
      const { at, data, eos } = dir;
      dir.clear();
      this.holdChanged(dir.downstream, 0);
      this.run(dir, at + dir.step, data ?? EMPTY, eos);
      if (this.closed) return;
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.closeSocket();
  }

  /** The host reports the socket closed: every filter's onClose runs once. */
  connectionClosed(): void {
    if (this.finished) return;
    this.finished = true;
    this.closed = true;
    for (let i = 0; i < this.filters.length; i++) {
      const f = this.filters[i];
      if (f?.onClose === undefined) continue;
      this.index = i;
      try {
        f.onClose(this);
      } catch (err) {
        this.entries[i]!.log.error({ err }, 'network filter onClose failed');
      }
    }
    this.index = -1;
  }

  // ---- internals ----
  private runNewConnection(from: number): void {
    for (let i = from; i < this.filters.length; i++) {
      const f = this.filters[i]!;
      if (f.onNewConnection === undefined) continue;
      const r = this.invoke(i, () => f.onNewConnection!(this));
      if (r === FAILED_CLOSED || this.closed) return;
      if (r === FAILED_PASSED) continue;
      if (isThenable(r)) {
        this.connectAt = i;
        const generation = ++this.generation;
        r.then(
          (v) => {
            if (generation !== this.generation || this.closed) return;
            if (v !== FilterStatus.Stop) this.continueReading();
          },
          (err: unknown) => {
            if (generation !== this.generation || this.closed) return;
            if (this.failed(i, err)) this.continueReading();
          },
        );
        return;
      }
      if (r === FilterStatus.Stop) {
        this.connectAt = i;
        return;
      }
    }
    this.connected = true;
    this.establish();
  }

  private receive(dir: Direction, data: Buffer, eos: boolean): void {
    if (this.closed || !this.connected) return;
    if (dir.at < 0) {
      this.run(dir, dir.step === 1 ? 0 : this.filters.length - 1, data, eos);
      return;
    }
    // Held: the holding filter sees everything held so far, as Envoy calls onData with its whole buffer.
    const at = dir.at;
    const all = data.length === 0 ? dir.data! : Buffer.concat([dir.data!, data]);
    const allEos = dir.eos || eos;
    dir.clear();
    this.run(dir, at, all, allEos);
  }

  private run(dir: Direction, from: number, data: Buffer, eos: boolean): void {
    const n = this.filters.length;
    for (let i = from; i >= 0 && i < n; i += dir.step) {
      const f = this.filters[i]!;
      const fn = dir.downstream ? f.onDownstreamData : f.onUpstreamData;
      if (fn === undefined) continue;
      const chunk = data;
      const r = this.invoke(i, () => fn.call(f, chunk, eos, this));
      if (r === FAILED_CLOSED || this.closed) return;
      if (r === FAILED_PASSED) continue;
      if (r === FilterStatus.Stop) {
        dir.at = i;
        dir.data = data;
        dir.eos = eos;
        this.holdChanged(dir.downstream, data.length);
        return;
      }
      if (Buffer.isBuffer(r)) data = r;
    }
    if (dir.downstream) this.deliverToTerminal(data, eos);
    else this.deliverToClient(data, eos);
  }

  /**
   * Runs one callback of filter i. A Stop becomes Continue when the filter called continueReading() during the
   * callback; a throw is the filter's failure (FAILED_PASSED with fail_open, else FAILED_CLOSED).
   */
  private invoke(i: number, call: () => unknown): unknown {
    this.index = i;
    this.running = true;
    this.continueWhileRunning = false;
    let r: unknown;
    try {
      r = call();
    } catch (err) {
      this.running = false;
      this.index = -1;
      return this.failed(i, err) ? FAILED_PASSED : FAILED_CLOSED;
    }
    this.running = false;
    this.index = -1;
    if (this.continueWhileRunning && (r === FilterStatus.Stop || isThenable(r))) return FilterStatus.Continue;
    return r;
  }

  /** Filter i threw: count and log it; with fail_open the filter is passed by (true), else the connection closes (false). */
  private failed(i: number, err: unknown): boolean {
    const entry = this.entries[i]!;
    entry.errors.inc();
    entry.log.error({ err, connection: this.info.id }, entry.failOpen ? 'network filter failed; passed (fail_open)' : 'network filter failed; connection closed');
    if (entry.failOpen) {
      this.filters[i] = PASSED;
      return true;
    }
    this.close();
    return false;
  }
}

const FAILED_CLOSED = Symbol('failed, connection closed');
const FAILED_PASSED = Symbol('failed, filter passed by');
