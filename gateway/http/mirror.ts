// request_mirror_policies: a copy of a sampled fraction of requests goes to a shadow cluster, fire
// and forget. The primary never waits for it and never sees its result; what happens is counted.
import type { Dispatcher } from 'undici';
import type { IncomingHttpHeaders } from 'node:http';
import type { RawHeaders } from '../../sdk/headers.js';
import type { RequestMirrorPolicy } from '../config/types.js';
import type { Cluster } from '../cluster/cluster.js';
import type { Host } from '../cluster/host.js';
import type { Counter } from '../../sdk/filter.js';

const DENOMINATORS = { HUNDRED: 100, TEN_THOUSAND: 10_000, MILLION: 1_000_000 } as const;

export interface MirrorCounters {
  readonly sent: Counter;
  readonly failed: Counter;
  readonly skippedBody: Counter;
}

export class MirrorPolicy {
  /** Probability in [0, 1] that a request is mirrored. */
  private readonly fraction: number;
  private readonly appendShadow: boolean;

  constructor(
    config: RequestMirrorPolicy,
    private readonly cluster: Cluster,
    private readonly timeoutMs: number,
    private readonly counters: MirrorCounters,
  ) {
    const f = config.runtime_fraction?.default_value;
    this.fraction = f === undefined ? 1 : Math.min(1, f.numerator / DENOMINATORS[f.denominator]);
    this.appendShadow = !config.disable_shadow_host_suffix_append;
  }

  /**
   * Sends the copy when sampled. `body` null means the request has none; `false` means it has one that is
   * streamed to the primary and cannot be copied (over per_request_buffer_limit_bytes): not mirrored, as in Envoy.
   */
  maybeSend(method: string, path: string, headers: RawHeaders, body: Buffer | null | false): void {
    if (this.fraction < 1 && Math.random() >= this.fraction) return;
    if (body === false) {
      this.counters.skippedBody.inc();
      return;
    }
    const host = this.cluster.chooseHost(undefined, null);
    if (host === null) {
      this.counters.failed.inc();
      return;
    }
    const copy: RawHeaders = { ...headers };
    const authority = copy['host'];
    if (this.appendShadow && typeof authority === 'string') copy['host'] = shadowAuthority(authority);
    this.counters.sent.inc();
    this.cluster.requestStarted(host);
    host.pool.dispatch(
      {
        path,
        method: method as 'GET',
        headers: copy as IncomingHttpHeaders,
        body,
        headersTimeout: this.timeoutMs,
        bodyTimeout: this.timeoutMs,
      },
      new ShadowHandler(this.cluster, host, this.counters.failed),
    );
  }
}

/** Envoy appends "-shadow" to the host part, before any port: "api:8080" → "api-shadow:8080". */
export function shadowAuthority(authority: string): string {
  const colon = authority.lastIndexOf(':');
  if (colon > 0 && !authority.endsWith(']') && /^\d+$/.test(authority.slice(colon + 1))) {
    return `${authority.slice(0, colon)}-shadow${authority.slice(colon)}`;
  }
  return `${authority}-shadow`;
}

/** Reads and drops the shadow response; counts a failure; gives the host back exactly once. */
class ShadowHandler implements Dispatcher.DispatchHandler {
  private done = false;
  constructor(
    private readonly cluster: Cluster,
    private readonly host: Host,
    private readonly failed: Counter,
  ) {}
  onRequestStart(): void {}
  onResponseEnd(): void {
    this.release();
  }
  onResponseError(): void {
    this.failed.inc();
    this.release();
  }
  private release(): void {
    if (this.done) return;
    this.done = true;
    this.cluster.requestFinished(this.host);
  }
}
