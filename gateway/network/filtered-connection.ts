// One downstream connection through its network filters, on real sockets. onNewConnection runs before the
// terminal sees the connection. When no filter of the connection has a data callback, the socket itself goes
// to the terminal (no copy, no extra stream). Otherwise the terminal gets a TerminalSide: a Duplex whose
// reads are the client's data after onDownstreamData, and whose writes go to the client through
// onUpstreamData, with backpressure both ways.
import { Duplex } from 'node:stream';
import type { Socket } from 'node:net';
import type { DownstreamConnectionInfo } from '../../sdk/connection-info.js';
import type { FilterStats } from '../../sdk/filter.js';
import type { FilterLogger } from '../../sdk/logger.js';
import { NetworkFilterConnection } from '../../sdk/network-connection.js';
import type { NetworkChainEntry } from '../../sdk/network-connection.js';
import type { ConnectionTerminal } from './connection.js';

/** Held data past this (in one direction) pauses its source, as Envoy's per_connection_buffer_limit_bytes default. */
export const HOLD_LIMIT_BYTES = 1024 * 1024;
const EMPTY = Buffer.alloc(0);

export class FilteredConnection extends NetworkFilterConnection {
  private side: TerminalSide | null = null;
  private pausedByTerminal = false;
  private pausedByHold = false;
  /** The terminal's write that waits for held upstream data to be released. */
  private heldWrite: (() => void) | null = null;

  constructor(
    entries: readonly NetworkChainEntry[],
    info: DownstreamConnectionInfo,
    readonly socket: Duplex,
    private readonly terminal: ConnectionTerminal,
    protected readonly hostLog: FilterLogger,
    protected readonly hostStats: FilterStats,
  ) {
    super(entries, info);
  }

  /** Runs onNewConnection; the socket is not read until the terminal (or the interposer) takes it. */
  begin(): void {
    const socket = this.socket;
    socket.once('close', () => {
      this.side?.destroy();
      this.connectionClosed();
    });
    // A reset peer: 'close' follows, and the filters' onClose runs then.
    socket.on('error', () => {});
    this.start();
  }

  protected establish(): void {
    if (!this.inspectsData) {
      this.terminal.accept(this.socket, this.info);
      return;
    }
    const socket = this.socket;
    const side = (this.side = new TerminalSide(this, socket, this.info));
    socket.on('data', (chunk: Buffer) => this.downstreamData(chunk, false));
    socket.on('end', () => this.downstreamData(EMPTY, true));
    socket.on('drain', () => side.clientDrained());
    this.terminal.accept(side, this.info);
  }

  protected deliverToTerminal(data: Buffer, eos: boolean): void {
    const side = this.side!;
    if (data.length > 0 && !side.push(data)) {
      this.pausedByTerminal = true;
      this.updateReading();
    }
    if (eos) side.push(null);
  }

  protected deliverToClient(data: Buffer, eos: boolean): void {
    if (this.socket.destroyed) return;
    if (data.length > 0) this.socket.write(data);
    if (eos) this.socket.end();
  }

  protected closeSocket(): void {
    const socket = this.socket as Partial<Socket> & Duplex;
    // Flush what was written, then close; a socket without destroySoon (a plain Duplex) ends.
    if (typeof socket.destroySoon === 'function') socket.destroySoon();
    else socket.end(() => socket.destroy());
    this.side?.destroy();
  }

  protected holdChanged(downstream: boolean, bytes: number): void {
    if (downstream) {
      this.pausedByHold = bytes > HOLD_LIMIT_BYTES;
      this.updateReading();
    } else if (bytes <= HOLD_LIMIT_BYTES && this.heldWrite !== null) {
      const done = this.heldWrite;
      this.heldWrite = null;
      done();
    }
  }

  /** The terminal read what was pushed: the client may send more. */
  terminalWantsMore(): void {
    this.pausedByTerminal = false;
    this.updateReading();
  }

  /** The terminal writes to the client: through the filters, then the socket's own backpressure. */
  terminalWrite(chunk: Buffer, done: () => void): void {
    this.upstreamData(chunk, false);
    if (this.upstreamHeldBytes > HOLD_LIMIT_BYTES) this.heldWrite = done;
    else if (this.socket.writableNeedDrain) this.side!.waitForDrain(done);
    else done();
  }

  terminalEnd(): void {
    this.upstreamData(EMPTY, true);
  }

  private updateReading(): void {
    if (this.pausedByTerminal || this.pausedByHold) this.socket.pause();
    else this.socket.resume();
  }
}

/**
 * What the terminal holds when data passes through filters. It looks enough like a net.Socket for node's
 * HTTP server (addresses, setTimeout, setNoDelay, setKeepAlive).
 */
export class TerminalSide extends Duplex {
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly localAddress: string;
  readonly localPort: number;
  readonly remoteFamily: string;
  private drainWaiter: (() => void) | null = null;

  constructor(
    private readonly conn: FilteredConnection,
    private readonly socket: Duplex,
    info: DownstreamConnectionInfo,
  ) {
    super({ allowHalfOpen: true });
    this.remoteAddress = info.sourceAddress;
    this.remotePort = info.sourcePort;
    this.localAddress = info.destinationAddress;
    this.localPort = info.destinationPort;
    this.remoteFamily = info.sourceAddress.includes(':') ? 'IPv6' : 'IPv4';
    socket.on('timeout', () => this.emit('timeout'));
  }

  override _read(): void {
    this.conn.terminalWantsMore();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.conn.terminalWrite(chunk, callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.conn.terminalEnd();
    callback();
  }

  override _destroy(err: Error | null, callback: (error?: Error | null) => void): void {
    const waiter = this.drainWaiter;
    this.drainWaiter = null;
    if (!this.socket.destroyed) this.socket.destroy();
    waiter?.();
    callback(err);
  }

  /** The terminal (tcp_proxy) connected to this upstream host: the filters see it as conn.upstreamHost. */
  set upstreamHost(hostname: string) {
    this.conn.upstreamHost = hostname;
  }

  waitForDrain(done: () => void): void {
    this.drainWaiter = done;
  }

  clientDrained(): void {
    const waiter = this.drainWaiter;
    this.drainWaiter = null;
    waiter?.();
  }

  setTimeout(ms: number, callback?: () => void): this {
    (this.socket as Partial<Socket>).setTimeout?.(ms);
    if (callback !== undefined) this.once('timeout', callback);
    return this;
  }

  setNoDelay(noDelay?: boolean): this {
    (this.socket as Partial<Socket>).setNoDelay?.(noDelay);
    return this;
  }

  setKeepAlive(enable?: boolean, initialDelay?: number): this {
    (this.socket as Partial<Socket>).setKeepAlive?.(enable, initialDelay);
    return this;
  }
}
