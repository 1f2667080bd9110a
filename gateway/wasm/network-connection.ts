// The `wasm` network filter of one connection: a context on the plugin's VM, created when the connection
// reaches the filter, driven through the ABI's network callbacks (proxy_on_new_connection, on_downstream_data,
// on_upstream_data, the two close callbacks), and deleted when the connection closes. A callback returning
// anything but Continue (0) holds the connection or its data until the module continues it
// (proxy_continue_stream DOWNSTREAM/UPSTREAM); held data grows and the callback sees all of it again, as the
// ABI's cumulative sizes say. The module reads and rewrites the data of the callback in progress through
// buffers DOWNSTREAM_DATA (2) and UPSTREAM_DATA (3), and closes the connection with proxy_close_stream.
import type { FilterResult } from '../../sdk/status.js';
import { FilterStatus } from '../../sdk/status.js';
import type { DownstreamConnectionInfo } from '../../sdk/connection-info.js';
import type { NetworkConnection, NetworkDataResult, NetworkFilter } from '../../sdk/network-filter.js';
import { LiveContextBase } from './live-context.js';
import type { WasmPlugin } from './plugin.js';

/** The ABI's PeerType: who closed a connection. */
const PEER_LOCAL = 1;
const PEER_REMOTE = 2;

export class WasmConnection extends LiveContextBase implements NetworkFilter {
  readonly http = null;
  readonly net = this;
  readonly stream = null;
  /** The data of the callback in progress: what proxy_get_buffer_bytes reads and set_buffer_bytes changes. */
  downstream: Buffer | null = null;
  upstream: Buffer | null = null;
  private closedByModule = false;
  private upstreamClosed = false;

  constructor(
    plugin: WasmPlugin,
    readonly conn: NetworkConnection,
  ) {
    super(plugin);
  }

  get connection(): DownstreamConnectionInfo {
    return this.conn.info;
  }

  get upstreamHost(): string {
    return this.conn.upstreamHost;
  }

  onNewConnection(): FilterResult {
    try {
      if (!this.open()) return this.fail();
      return this.after(this.callback('proxy_on_new_connection', this.id));
    } catch (err) {
      return this.failed(err);
    }
  }

  onDownstreamData(data: Buffer, endOfStream: boolean): NetworkDataResult {
    if (this.dead) return FilterStatus.Continue;
    this.downstream = data;
    try {
      const r = this.callback('proxy_on_downstream_data', this.id, data.length, endOfStream ? 1 : 0);
      return this.afterData(r, data, this.downstream);
    } catch (err) {
      return this.failed(err);
    } finally {
      this.downstream = null;
    }
  }

  onUpstreamData(data: Buffer, endOfStream: boolean): NetworkDataResult {
    if (this.dead) return FilterStatus.Continue;
    this.upstream = data;
    try {
      const r = this.callback('proxy_on_upstream_data', this.id, data.length, endOfStream ? 1 : 0);
      const out = this.afterData(r, data, this.upstream);
      if (endOfStream && !this.upstreamClosed) {
        this.upstreamClosed = true;
        this.callback('proxy_on_upstream_connection_close', this.id, PEER_REMOTE);
      }
      return out;
    } catch (err) {
      return this.failed(err);
    } finally {
      this.upstream = null;
    }
  }

  onClose(): void {
    this.finish();
  }

  /** The close callbacks, before proxy_on_done. */
  protected override beforeDone(): void {
    const vm = this.plugin.vm;
    vm.call(this, 'proxy_on_downstream_connection_close', this.id, this.closedByModule ? PEER_LOCAL : PEER_REMOTE);
    if (!this.upstreamClosed) vm.call(this, 'proxy_on_upstream_connection_close', this.id, PEER_LOCAL);
  }

  /** proxy_close_stream(DOWNSTREAM | UPSTREAM): the connection closes (both sides go together here). */
  closeConnection(): void {
    this.closedByModule = true;
    this.paused = false;
    this.conn.close();
  }

  /** The VM failed while this connection was live: closed, or (fail_open) passed on from now. */
  vmFailed(): void {
    if (this.dead) return;
    const paused = this.paused;
    this.paused = false;
    if (this.fail() === FilterStatus.Continue && paused) this.conn.continueReading();
  }

  protected endedByModule(): boolean {
    return this.closedByModule;
  }

  /** proxy_continue_stream(DOWNSTREAM | UPSTREAM). */
  protected continueHeld(): void {
    this.conn.continueReading();
  }

  protected refuse(): void {
    this.conn.close();
  }

  /** Continue passes the data as the module left it (a new Buffer when it rewrote it); else the data is held. */
  private afterData(result: number, original: Buffer, current: Buffer | null): NetworkDataResult {
    if (this.after(result) === FilterStatus.Stop) return FilterStatus.Stop;
    return current === null || current === original ? FilterStatus.Continue : current;
  }
}
