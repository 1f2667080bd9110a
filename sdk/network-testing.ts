// The network filter test kit: runs network filter factories on a fake connection, without sockets, through
// the same NetworkFilterConnection state machine the gateway uses. Config goes through the same steps as at
// gateway load (ajv validation with defaults, deep freeze, create()).
import type { DownstreamConnectionInfo } from './connection-info.js';
import type { FilterLogger } from './logger.js';
import { NetworkFilterConnection } from './network-connection.js';
import type { NetworkChainEntry } from './network-connection.js';
import type { NetworkFilterFactory } from './network-filter.js';
import { filterMatchers } from './matching/filter-matchers.js';
import { Disposers } from './disposers.js';
import { CapturingLogger, MemoryStats, prepareConfig } from './testing.js';
import type { LogRecord, MemoryCounter } from './testing.js';
import type { FilterStats } from './filter.js';

export interface NetworkFilterSpec {
  factory: NetworkFilterFactory;
  config?: unknown;
  /** Instance name (logs, the errors counter, ctx of create()). Default: the factory's name. */
  name?: string;
  /** When the filter throws, pass it by instead of closing the connection. Default false. */
  failOpen?: boolean;
}

export interface NetworkChainOptions {
  configDir?: string; // default process.cwd()
}

const DEFAULT_INFO: DownstreamConnectionInfo = {
  id: 1,
  sourceAddress: '127.0.0.1',
  sourcePort: 40000,
  destinationAddress: '127.0.0.1',
  destinationPort: 10000,
  transportProtocol: 'raw_buffer',
  serverName: '',
  alpn: '',
  tls: null,
};

/** One fake connection through the chain. Data that passed every filter is collected on each side. */
export interface FakeConnection {
  /** Every onNewConnection passed: the terminal would have the connection now. */
  readonly established: boolean;
  /** Closed by a filter (or by close()). */
  readonly closed: boolean;
  /** The connection's state bag, as the filters see it. */
  readonly state: Map<string, unknown>;
  /** What reached the terminal (client → upstream) and whether its end did. */
  readonly toTerminal: Buffer;
  readonly terminalEnded: boolean;
  /** What reached the client (upstream → client) and whether its end did. */
  readonly toClient: Buffer;
  readonly clientEnded: boolean;
  /** The client sends data (onDownstreamData, in chain order). */
  send(data: string | Buffer, endOfStream?: boolean): void;
  /** The upstream answers (onUpstreamData, in reverse order). */
  reply(data: string | Buffer, endOfStream?: boolean): void;
  /** A peer closes the connection: onClose runs (on a later microtask, as after a socket's 'close'). */
  close(): void;
}

export interface TestNetworkChain {
  /** Opens a connection (onNewConnection runs now); `info` overrides the default 127.0.0.1:40000 → :10000. */
  connect(info?: Partial<DownstreamConnectionInfo>): FakeConnection;
  /** Counter and gauge values so far, by the names the filters gave (and `<filter>.errors`). */
  counters(): Record<string, number>;
  readonly logs: readonly LogRecord[];
  /** Releases the chain as the gateway releases a config: runs the filters' dispose hooks (once). */
  close(): Promise<void>;
}

class FakeNetworkConnection extends NetworkFilterConnection implements FakeConnection {
  established = false;
  toTerminal = Buffer.alloc(0);
  terminalEnded = false;
  toClient = Buffer.alloc(0);
  clientEnded = false;
  /** What the client sent while onNewConnection held the connection: delivered once it passes, as a socket buffers it. */
  private early: [Buffer, boolean][] | null = [];

  constructor(
    entries: readonly NetworkChainEntry[],
    info: DownstreamConnectionInfo,
    protected readonly hostLog: FilterLogger,
    protected readonly hostStats: FilterStats,
  ) {
    super(entries, info);
  }

  send(data: string | Buffer, endOfStream = false): void {
    const buf = typeof data === 'string' ? Buffer.from(data) : data;
    if (this.early !== null) this.early.push([buf, endOfStream]);
    else this.downstreamData(buf, endOfStream);
  }

  reply(data: string | Buffer, endOfStream = false): void {
    this.upstreamData(typeof data === 'string' ? Buffer.from(data) : data, endOfStream);
  }

  protected establish(): void {
    this.established = true;
    const early = this.early!;
    this.early = null;
    for (const [data, eos] of early) this.downstreamData(data, eos);
  }

  protected deliverToTerminal(data: Buffer, eos: boolean): void {
    this.toTerminal = Buffer.concat([this.toTerminal, data]);
    this.terminalEnded ||= eos;
  }

  protected deliverToClient(data: Buffer, eos: boolean): void {
    this.toClient = Buffer.concat([this.toClient, data]);
    this.clientEnded ||= eos;
  }

  /** As a socket's 'close' event would, onClose runs on a later microtask, never inside the callback that closed. */
  protected closeSocket(): void {
    queueMicrotask(() => this.connectionClosed());
  }

  protected holdChanged(): void {}
}

class LoadedNetworkChain implements TestNetworkChain {
  private nextId = 1;

  constructor(
    private readonly entries: readonly NetworkChainEntry[],
    private readonly counterMap: Map<string, MemoryCounter>,
    readonly logs: LogRecord[],
    private readonly disposers: Disposers,
  ) {}

  close(): Promise<void> {
    return this.disposers.dispose();
  }

  connect(info: Partial<DownstreamConnectionInfo> = {}): FakeConnection {
    const conn = new FakeNetworkConnection(this.entries, { ...DEFAULT_INFO, id: this.nextId++, ...info }, new CapturingLogger(this.logs, undefined), new MemoryStats('', this.counterMap));
    conn.start();
    return conn;
  }

  counters(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [name, c] of this.counterMap) out[name] = c.value;
    return out;
  }
}

/** Validates, freezes and creates each network filter, as the gateway does at config load. */
export async function loadNetworkChain(filters: readonly NetworkFilterSpec[], options: NetworkChainOptions = {}): Promise<TestNetworkChain> {
  const counters = new Map<string, MemoryCounter>();
  const logs: LogRecord[] = [];
  const entries: NetworkChainEntry[] = [];
  const stats = new MemoryStats('', counters);
  const disposers = new Disposers();
  for (const spec of filters) {
    const name = spec.name ?? spec.factory.name;
    const config = prepareConfig(spec.factory, name, spec.config);
    const log = new CapturingLogger(logs, name);
    const create = await spec.factory.create(config, { filterName: name, configDir: options.configDir ?? process.cwd(), log, stats, matchers: filterMatchers, onDispose: (fn) => disposers.add(fn, log) });
    entries.push({ name, failOpen: spec.failOpen === true, create, stats, log, errors: stats.counter(`${name}.errors`) });
  }
  return new LoadedNetworkChain(entries, counters, logs, disposers);
}
