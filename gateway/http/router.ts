// The terminal filter: takes a request that passed the filter chain to where its route says —
// a direct response, a redirect, or a cluster (with mirrors) through an UpstreamRequest.
import type { Readable } from 'node:stream';
import { PassThrough } from 'node:stream';
import type { Route } from '../config/types.js';
import type { ClusterManager } from '../cluster/cluster-manager.js';
import type { Cluster } from '../cluster/cluster.js';
import { applyHeaderMutations } from '../router/route-table.js';
import type { ForwardingRoute, RouteTable } from '../router/route-table.js';
import { NO_CLUSTER } from './upstream-errors.js';
import { UpstreamRequest } from './upstream-request.js';
import { UpgradeStream } from './upgrade.js';
import type { RouteRuntime } from './route-runtime.js';
import type { HttpStream } from './http-stream.js';

export class Router {
  constructor(
    private readonly table: RouteTable,
    private readonly runtimes: ReadonlyMap<Route, RouteRuntime>,
    private readonly clusters: ClusterManager,
  ) {}

  forward(stream: HttpStream): void {
    if (stream.routeCleared) {
      stream.routeCleared = false;
      stream.route = this.table.match(stream);
      stream.routeName = stream.route?.name;
    }
    const route = stream.route;
    if (route === null) {
      stream.sendLocalReply(404, undefined, undefined, { responseFlag: 'NR', details: 'route_not_found' });
      return;
    }
    switch (route.action) {
      case 'direct_response':
        stream.sendLocalReply(route.status, route.body, undefined, { details: 'direct_response' });
        return;
      case 'redirect':
        stream.sendLocalReply(route.redirectStatus, undefined, { location: route.redirectLocation(stream, stream.scheme) }, { details: 'redirect' });
        return;
      default:
        this.toCluster(stream, route);
    }
  }

  private toCluster(stream: HttpStream, route: ForwardingRoute): void {
    const rt = this.runtimes.get(route.route)!;
    const clusterName = route.pickCluster();
    stream.clusterName = clusterName;
    const cluster = this.clusters.get(clusterName);
    if (cluster === undefined) {
      stream.sendLocalReply(NO_CLUSTER.status, NO_CLUSTER.body, undefined, { responseFlag: NO_CLUSTER.flag, details: NO_CLUSTER.details });
      return;
    }
    const headers = stream.requestHeaders.raw;
    if (route.requestHeaderMutation.length > 0) applyHeaderMutations(headers, route.requestHeaderMutation);
    if (route.hostRewrite !== undefined) headers['host'] = route.hostRewrite;
    // Every retry and mirror copy sends these same headers: the trace headers are written once, here.
    if (stream.trace !== null) stream.trace.inject(headers);
    const path = route.rewritePath(stream.path);
    if (stream instanceof UpgradeStream) {
      stream.upgradeTo(cluster, route, path);
      return;
    }

    // The body: already buffered by a filter; none; kept in memory when it may be sent again
    // (retries, mirrors) and is small enough; else streamed once.
    if (stream.requestBody !== null || !stream.hasRequestBody) {
      this.send(stream, route, rt, cluster, path, stream.requestBody);
      return;
    }
    const length = Number(stream.req.headers['content-length']);
    if (rt.keepsBody && length <= rt.bufferLimit) {
      stream.readRequestBody(rt.bufferLimit, (body) => {
        if (stream.aborted || stream.localReplied) return;
        if (body === null) this.sendStreamed(stream, route, rt, cluster, path);
        else this.send(stream, route, rt, cluster, path, body);
      });
      return;
    }
    this.sendStreamed(stream, route, rt, cluster, path);
  }

  private send(
    stream: HttpStream,
    route: ForwardingRoute,
    rt: RouteRuntime,
    cluster: Cluster,
    path: string,
    body: Buffer | null,
  ): void {
    if (body !== null) {
      // A filter may have replaced the body: the length sent is the length we have, never a stale one.
      stream.bytesReceived = body.length;
      const headers = stream.requestHeaders.raw;
      headers['content-length'] = String(body.length);
      delete headers['transfer-encoding'];
    }
    for (const m of rt.mirrors) m.maybeSend(stream.method, path, stream.requestHeaders.raw, body);
    this.start(stream, route, rt, cluster, path, body);
  }

  private sendStreamed(stream: HttpStream, route: ForwardingRoute, rt: RouteRuntime, cluster: Cluster, path: string): void {
    for (const m of rt.mirrors) m.maybeSend(stream.method, path, stream.requestHeaders.raw, false);
    // Through a PassThrough: undici destroys the body stream it was given when an attempt fails, and
    // destroying node's IncomingMessage would cut the client before it gets its 503.
    const body = new PassThrough();
    stream.req.on('data', (chunk: Buffer) => (stream.bytesReceived += chunk.length));
    stream.req.pipe(body);
    this.start(stream, route, rt, cluster, path, body);
  }

  private start(
    stream: HttpStream,
    route: ForwardingRoute,
    rt: RouteRuntime,
    cluster: Cluster,
    path: string,
    body: Buffer | Readable | null,
  ): void {
    const upstream = new UpstreamRequest(stream, route, rt, cluster, path, stream.requestHeaders.raw, body);
    stream.upstream = upstream;
    upstream.start();
  }
}
