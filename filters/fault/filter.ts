// fault: injects delays and aborts (Envoy's envoy.filters.http.fault). A delay holds the request for
// a while and then lets it go on (flag DI); an abort answers it locally (flag FI), after the delay when
// both apply. The x-envoy-fault-* request headers are honoured only when the config says header_delay
// or header_abort, as in Envoy.
import { defineHttpFilter } from '../../sdk/filter.js';
import type { Counter, Gauge, HttpFilter, StreamContext } from '../../sdk/filter.js';
import type { HeaderMap } from '../../sdk/headers.js';
import { FilterStatus } from '../../sdk/status.js';
import { denominatorOf, fractionSampler } from '../../sdk/fractional-percent.js';
import type { FractionalPercent } from '../../sdk/fractional-percent.js';
import { parseDuration } from '../../sdk/duration.js';
import { faultSchema } from './schema.js';
import type { AbortConfig, DelayConfig, FaultConfig } from './schema.js';

const DELAY_HEADER = 'x-envoy-fault-delay-request';
const DELAY_PERCENT_HEADER = 'x-envoy-fault-delay-request-percentage';
const ABORT_HEADER = 'x-envoy-fault-abort-request';
const ABORT_PERCENT_HEADER = 'x-envoy-fault-abort-request-percentage';
const ABORT_BODY = 'fault filter abort';
const ABORT_DETAILS = { responseFlag: 'FI', details: 'fault_filter_abort' };
/** setTimeout's longest delay; a header asking for more is ignored. */
const MAX_DELAY_MS = 2_147_483_647;
const DIGITS = /^\d{1,10}$/;

function headerInt(headers: HeaderMap, name: string): number | undefined {
  const v = headers.get(name);
  return v !== undefined && DIGITS.test(v) ? Number(v) : undefined;
}

/**
 * Whether a request falls in the share: the config's, or the header's numerator when header faults are
 * on and it asks for less (Envoy caps the header at the configured numerator, same denominator).
 */
function shareSampler(percent: FractionalPercent, headerName: string | null): (headers: HeaderMap) => boolean {
  const configured = fractionSampler(percent);
  if (headerName === null) return configured;
  const d = denominatorOf(percent);
  return (headers: HeaderMap): boolean => {
    const asked = headerInt(headers, headerName);
    if (asked === undefined || asked >= percent.numerator) return configured();
    return Math.random() * d < asked;
  };
}

/** The delay of a request in ms, or 0 for none. */
function compileDelay(delay: DelayConfig | undefined): (headers: HeaderMap) => number {
  if (delay === undefined) return () => 0;
  const { fixed_delay, header_delay } = delay;
  if ((fixed_delay === undefined) === (header_delay === undefined)) throw new Error('delay: must have exactly one of fixed_delay, header_delay');
  const sampled = shareSampler(delay.percentage, header_delay !== undefined ? DELAY_PERCENT_HEADER : null);
  if (fixed_delay !== undefined) {
    const ms = parseDuration(fixed_delay);
    if (ms > MAX_DELAY_MS) throw new Error(`delay.fixed_delay: must be at most ${MAX_DELAY_MS}ms`);
    return (headers) => (sampled(headers) ? ms : 0);
  }
  return (headers) => {
    const ms = headerInt(headers, DELAY_HEADER);
    return ms === undefined || ms > MAX_DELAY_MS || !sampled(headers) ? 0 : ms;
  };
}

/** The abort status of a request, or 0 for none. */
function compileAbort(abort: AbortConfig | undefined): (headers: HeaderMap) => number {
  if (abort === undefined) return () => 0;
  const { http_status, header_abort } = abort;
  if ((http_status === undefined) === (header_abort === undefined)) throw new Error('abort: must have exactly one of http_status, header_abort');
  const sampled = shareSampler(abort.percentage, header_abort !== undefined ? ABORT_PERCENT_HEADER : null);
  if (http_status !== undefined) return (headers) => (sampled(headers) ? http_status : 0);
  return (headers) => {
    const status = headerInt(headers, ABORT_HEADER);
    return status === undefined || status < 200 || status > 599 || !sampled(headers) ? 0 : status;
  };
}

interface Shared {
  readonly applies: (ctx: StreamContext) => boolean;
  readonly delayOf: (headers: HeaderMap) => number;
  readonly abortOf: (headers: HeaderMap) => number;
  readonly maxActive: number;
  active: number;
  readonly delays: Counter;
  readonly aborts: Counter;
  readonly activeFaults: Gauge;
  readonly overflow: Counter;
}

/** One request's fault: its pending delay timer, and whether it holds an active-fault slot. */
class FaultStream implements HttpFilter {
  private timer: NodeJS.Timeout | undefined = undefined;
  private holdsSlot = false;

  constructor(private readonly s: Shared) {}

  onRequestHeaders(headers: HeaderMap, ctx: StreamContext): FilterStatus {
    const s = this.s;
    if (!s.applies(ctx)) return FilterStatus.Continue;
    const delayMs = s.delayOf(headers);
    const status = s.abortOf(headers);
    if (delayMs === 0 && status === 0) return FilterStatus.Continue;
    if (s.active >= s.maxActive) {
      s.overflow.inc();
      return FilterStatus.Continue;
    }
    s.active++;
    s.activeFaults.add(1);
    this.holdsSlot = true;
    if (delayMs === 0) return this.abort(ctx, status);
    s.delays.inc();
    ctx.addResponseFlag('DI');
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (status === 0) ctx.continue();
      else this.abort(ctx, status);
    }, delayMs);
    return FilterStatus.Stop;
  }

  // Runs when the response is done or the client went away: a pending delay must not outlive its request.
  onLog(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.holdsSlot) {
      this.holdsSlot = false;
      this.s.active--;
      this.s.activeFaults.add(-1);
    }
  }

  private abort(ctx: StreamContext, status: number): FilterStatus {
    this.s.aborts.inc();
    ctx.sendLocalReply(status, ABORT_BODY, undefined, ABORT_DETAILS);
    return FilterStatus.Stop;
  }
}

export const faultFilter = defineHttpFilter<FaultConfig>({
  name: 'fault',
  configSchema: faultSchema,
  create(config, { stats, matchers }) {
    const headerMatchers = (config.headers ?? []).map((m) => matchers.header(m));
    const shared: Shared = {
      applies: (ctx) => {
        for (let i = 0; i < headerMatchers.length; i++) if (!headerMatchers[i]!(ctx)) return false;
        return true;
      },
      delayOf: compileDelay(config.delay),
      abortOf: compileAbort(config.abort),
      maxActive: config.max_active_faults ?? Infinity,
      active: 0,
      delays: stats.counter('delays_injected'),
      aborts: stats.counter('aborts_injected'),
      activeFaults: stats.gauge('active_faults'),
      overflow: stats.counter('faults_overflow'),
    };
    return () => new FaultStream(shared);
  },
});

export default faultFilter;
