// tcp_inspect: a sample Proxy-Wasm network filter (and the one the gateway's tests load). It counts the
// bytes of each direction, rewrites a prefix of what the client sends, and closes a connection whose data
// holds a marker. Configuration (JSON, every field optional):
//   { "rewrite_from": "ping", "rewrite_to": "PONG", "close_marker": "QUIT", "hold_until": "\n" }
// rewrite_to must be as long as rewrite_from or not; the bytes are replaced in place. With hold_until, the
// client's data is held (StopIteration) until it contains that text, then passed on whole.
// Metrics: tcp_inspect.downstream_bytes, tcp_inspect.upstream_bytes, tcp_inspect.connections, tcp_inspect.closed_by_marker.
import {
  Counter, FilterStatus, NetworkContext, PeerType, RootContext, logError, logInfo, parseConfigObject, registerRootContext,
} from "../../sdk";

export * from "../../sdk/exports";

class InspectRoot extends RootContext {
  rewriteFrom: string = "";
  rewriteTo: string = "";
  closeMarker: string = "";
  holdUntil: string = "";
  downstreamBytes: Counter | null = null;
  upstreamBytes: Counter | null = null;
  connections: Counter | null = null;
  closedByMarker: Counter | null = null;

  onConfigure(pluginConfigurationSize: u32): bool {
    const config = parseConfigObject(this.getPluginConfiguration(), ["rewrite_from", "rewrite_to", "close_marker", "hold_until"]);
    if (config.object === null) {
      logError("tcp_inspect: " + config.error);
      return false;
    }
    const o = config.object!;
    const from = o.getString("rewrite_from");
    const to = o.getString("rewrite_to");
    const marker = o.getString("close_marker");
    const hold = o.getString("hold_until");
    this.rewriteFrom = from !== null ? from : "";
    this.rewriteTo = to !== null ? to : "";
    this.closeMarker = marker !== null ? marker : "";
    this.holdUntil = hold !== null ? hold : "";
    this.downstreamBytes = new Counter("tcp_inspect.downstream_bytes");
    this.upstreamBytes = new Counter("tcp_inspect.upstream_bytes");
    this.connections = new Counter("tcp_inspect.connections");
    this.closedByMarker = new Counter("tcp_inspect.closed_by_marker");
    return true;
  }

  createNetworkContext(contextId: u32): NetworkContext | null {
    return new InspectConnection(contextId, this);
  }
}

class InspectConnection extends NetworkContext {
  /** Bytes already counted of the data held so far (the host passes all of it again while we hold). */
  counted: u32 = 0;

  constructor(id: u32, public readonly inspect: InspectRoot) {
    super(id, inspect);
  }

  onNewConnection(): FilterStatus {
    this.inspect.connections!.increment(1);
    return FilterStatus.Continue;
  }

  onDownstreamData(dataSize: u32, endOfStream: bool): FilterStatus {
    const cfg = this.inspect;
    cfg.downstreamBytes!.increment(<i64>(dataSize - this.counted));
    const text = String.UTF8.decode(this.getDownstreamData(dataSize));
    if (cfg.closeMarker.length > 0 && text.includes(cfg.closeMarker)) {
      cfg.closedByMarker!.increment(1);
      this.closeDownstream();
      return FilterStatus.StopIteration;
    }
    if (cfg.holdUntil.length > 0 && !endOfStream && !text.includes(cfg.holdUntil)) {
      this.counted = dataSize;
      return FilterStatus.StopIteration;
    }
    this.counted = 0;
    if (cfg.rewriteFrom.length > 0 && text.startsWith(cfg.rewriteFrom)) {
      const from = String.UTF8.encode(cfg.rewriteFrom);
      this.setDownstreamData(0, <u32>from.byteLength, String.UTF8.encode(cfg.rewriteTo));
    }
    return FilterStatus.Continue;
  }

  onUpstreamData(dataSize: u32, endOfStream: bool): FilterStatus {
    this.inspect.upstreamBytes!.increment(<i64>dataSize);
    return FilterStatus.Continue;
  }

  onDownstreamConnectionClose(peer: PeerType): void {
    logInfo("tcp_inspect: connection " + this.id.toString() + " closed by " + (peer == PeerType.Local ? "the filter" : "the peer"));
  }
}

registerRootContext((id: u32): RootContext => new InspectRoot(id));
