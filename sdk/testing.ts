// The filter test kit: runs filter factories on a fake request, without sockets, through the same
// FilterStream state machine the gateway uses, so a filter behaves in its unit test as it does
// behind a listener. Config goes through the same steps as at gateway load: ajv validation
// (allErrors, useDefaults), deep freeze, create().
import type { ErrorObject } from 'ajv';
import { filterConfigValidator, needsBody } from './filter-config.js';
import { FilterStream } from './filter-stream.js';
import { Disposers } from './disposers.js';
import type { ChainEntry, ResolvedChain } from './filter-stream.js';
import { HttpCallError } from './filter.js';
import type { Counter, FilterStats, Gauge, Histogram, HttpCall, HttpFilter, HttpFilterFactory, StreamContext } from './filter.js';
import type { DownstreamConnectionInfo } from './connection-info.js';
import { filterMatchers } from './matching/filter-matchers.js';
import { deepFreeze } from './freeze.js';
import { HeaderMap } from './headers.js';
import type { RawHeaders } from './headers.js';
import type { FilterLogger } from './logger.js';
import type { FilterResult } from './status.js';

// ---- what a test describes ----

export interface FakeRequest {
  method?: string; // default GET
  path?: string; // default "/"
  /** Header names are lower-cased, as node delivers them. */
  headers?: Record<string, string | string[]>;
  body?: string | Buffer;
  sourceAddress?: string; // default 127.0.0.1
  sourcePort?: number; // default 40000
  directRemoteAddress?: string; // default: sourceAddress
  destinationPort?: number; // default 8080
  /** ctx.connection: a TLS connection's description (SNI, client certificate); default null (plaintext). */
  connection?: DownstreamConnectionInfo | null;
  scheme?: 'http' | 'https'; // default http
  requestId?: string; // default "test-request"
  /** ctx.routeName; the kit matches no routes. */
  routeName?: string;
}

export interface FakeUpstreamResponse {
  status?: number; // default 200
  headers?: Record<string, string | string[]>;
  body?: string | Buffer;
}

/** The request as the upstream received it, after the request filters. */
export interface UpstreamRequest {
  method: string;
  path: string;
  headers: RawHeaders;
  body: string;
}

export type FakeUpstream =
  | FakeUpstreamResponse
  | ((req: UpstreamRequest) => FakeUpstreamResponse | Promise<FakeUpstreamResponse>);

export interface Exchange {
  request?: FakeRequest;
  /** Default: 200, no headers, empty body. A function that throws or rejects makes the run reject. */
  upstream?: FakeUpstream;
  /** The run rejects when the response is not committed within this time. Default 2000 ms. */
  timeoutMs?: number;
}

export interface FilterSpec {
  factory: HttpFilterFactory;
  config?: unknown;
  /** Instance name (counters, logs, ctx of create()). Default: the factory's name. */
  name?: string;
  /** When the filter throws, pass the request on instead of answering 500. Default false. */
  failOpen?: boolean;
}

export interface ChainOptions {
  maxRequestBytes?: number; // default 1 MiB; past it a buffered request gets 413
  maxResponseBytes?: number; // default 1 MiB; past it a buffered response becomes 500
  configDir?: string; // FilterFactoryContext.configDir, default process.cwd()
  /** FilterFactoryContext.httpCall: answer the filter's calls to clusters; by default every call fails (unknown_cluster). */
  httpCall?: HttpCall;
}

const noClusters: HttpCall = (cluster) =>
  Promise.reject(new HttpCallError('unknown_cluster', `unknown cluster "${cluster}" (give the test kit an httpCall option)`));

export interface LogRecord {
  level: 'debug' | 'info' | 'warn' | 'error';
  /** The filter whose logger wrote it (ctx.log inside a phase is the filter's); undefined for the kit's own. */
  filter: string | undefined;
  msg: string | undefined;
  fields: object | undefined;
}

export interface FakeResponse {
  status: number;
  headers: RawHeaders;
  body: string;
  bodyBuffer: Buffer;
}

export interface RunResult {
  upstreamCalled: boolean;
  upstreamRequest: UpstreamRequest | undefined;
  response: FakeResponse;
  /** True when a filter (or the chain itself: 413, filter failure) answered instead of the upstream. */
  localReply: boolean;
  responseFlags: string[];
  responseCodeDetails: string;
  state: Map<string, unknown>;
  /**
   * Counters of the loaded chain so far, `<filter name>.<counter>` (from the factory context, or from
   * ctx.stats inside a phase: both are the filter's scope).
   */
  counters: Record<string, number>;
  /** Log records of the loaded chain so far, load time included. */
  logs: LogRecord[];
}

// ---- stats and logs that record ----

/** A counter or a gauge; a histogram shows as the number of values it recorded. */
export class MemoryCounter implements Counter, Gauge, Histogram {
  private count = 0;
  get value(): number {
    return this.count;
  }
  inc(by = 1): void {
    this.count += by;
  }
  add(by: number): void {
    this.count += by;
  }
  set(value: number): void {
    this.count = value;
  }
  record(): void {
    this.count++;
  }
}

export class MemoryStats implements FilterStats {
  constructor(
    private readonly prefix: string,
    private readonly counters: Map<string, MemoryCounter>,
  ) {}

  counter(name: string): MemoryCounter {
    const key = this.prefix + name;
    let c = this.counters.get(key);
    if (c === undefined) this.counters.set(key, (c = new MemoryCounter()));
    return c;
  }

  gauge(name: string): Gauge {
    return this.counter(name);
  }

  histogram(name: string): Histogram {
    return this.counter(name);
  }
}

export class CapturingLogger implements FilterLogger {
  constructor(
    private readonly records: LogRecord[],
    private readonly filter: string | undefined,
  ) {}

  debug(obj: object | string, msg?: string): void {
    this.write('debug', obj, msg);
  }
  info(obj: object | string, msg?: string): void {
    this.write('info', obj, msg);
  }
  warn(obj: object | string, msg?: string): void {
    this.write('warn', obj, msg);
  }
  error(obj: object | string, msg?: string): void {
    this.write('error', obj, msg);
  }

  private write(level: LogRecord['level'], obj: object | string, msg: string | undefined): void {
    if (typeof obj === 'string') this.records.push({ level, filter: this.filter, msg: obj, fields: undefined });
    else this.records.push({ level, filter: this.filter, msg, fields: obj });
  }
}

// ---- config: validated and frozen as at gateway load ----

/** Validates a copy of `config` (defaults filled in) and deep-freezes it; throws with every error's path. */
export function prepareConfig(factory: Pick<HttpFilterFactory, 'configSchema'>, name: string, config: unknown): unknown {
  const copy = config === undefined ? {} : structuredClone(config);
  const validate = filterConfigValidator(factory); // the gateway's own validator
  if (!validate(copy)) {
    const lines = validate.errors!.map((e) => describeConfigError(`${name}.config`, e));
    throw new Error(`invalid config for filter ${name}:\n  ${lines.join('\n  ')}`);
  }
  return deepFreeze(copy);
}

function describeConfigError(root: string, e: ErrorObject): string {
  const path = root + pointerToPath(e.instancePath);
  if (e.keyword === 'required') return `${path}.${(e.params as { missingProperty: string }).missingProperty}: is required`;
  if (e.keyword === 'additionalProperties') {
    return `${path}.${(e.params as { additionalProperty: string }).additionalProperty}: is not allowed`;
  }
  if (e.keyword === 'enum') return `${path}: ${e.message} (${(e.params as { allowedValues: unknown[] }).allowedValues.join(', ')})`;
  return `${path}: ${e.message}`;
}

/** "/keys/0" → ".keys[0]" */
function pointerToPath(pointer: string): string {
  if (pointer === '') return '';
  let out = '';
  for (const raw of pointer.slice(1).split('/')) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    out += /^\d+$/.test(seg) ? `[${seg}]` : `.${seg}`;
  }
  return out;
}

// ---- the fake stream ----

const PHASES = ['onRequestHeaders', 'onRequestBody', 'onResponseHeaders', 'onResponseBody'] as const;
type PhaseFn = (arg: never, ctx: StreamContext) => FilterResult;
const WAITING_UPSTREAM = 'waiting for the fake upstream to answer';
const EMPTY_BODY = Buffer.alloc(0);

function toBuffer(body: string | Buffer | undefined): Buffer {
  if (body === undefined) return EMPTY_BODY;
  return typeof body === 'string' ? Buffer.from(body) : body;
}

function copyHeaders(headers: Record<string, string | string[] | undefined> | undefined): RawHeaders {
  const out: RawHeaders = {};
  if (headers === undefined) return out;
  for (const name of Object.keys(headers)) {
    const v = headers[name];
    if (v !== undefined) out[name.toLowerCase()] = typeof v === 'string' ? v : v.slice();
  }
  return out;
}

/**
 * Wraps a filter so the stream knows which phase of which filter ran last: the timeout message names it.
 * Only the phases the filter has are defined, since the chain skips absent ones.
 */
function traced(filter: HttpFilter, name: string, stream: FakeStream): HttpFilter {
  const phases = filter as Record<(typeof PHASES)[number], PhaseFn | undefined>;
  const out: Partial<Record<(typeof PHASES)[number], PhaseFn>> = {};
  for (const phase of PHASES) {
    const fn = phases[phase];
    if (fn === undefined) continue;
    out[phase] = (arg, ctx) => {
      stream.where = `${name}.${phase}`;
      return fn.call(filter, arg, ctx);
    };
  }
  const wrapper = out as HttpFilter;
  if (filter.onLog !== undefined) wrapper.onLog = (ctx) => filter.onLog!.call(filter, ctx);
  return wrapper;
}

interface Settle {
  resolve(result: RunResult): void;
  reject(err: unknown): void;
}

class FakeStream extends FilterStream {
  protected readonly maxRequestBytes: number;
  protected readonly maxResponseBytes: number;
  protected readonly hostLog: FilterLogger;
  protected readonly hostStats: FilterStats;
  /** The last step entered, for the timeout message. */
  where = 'start';
  upstreamRequest: UpstreamRequest | undefined = undefined;
  private readonly originalBody: Buffer;
  private upstreamBody: Buffer = EMPTY_BODY;
  private settled = false;

  constructor(
    private readonly owner: LoadedChain,
    request: FakeRequest,
    private readonly upstream: FakeUpstream,
    private readonly settle: Settle,
  ) {
    super(owner.resolved, new HeaderMap(copyHeaders(request.headers)));
    this.maxRequestBytes = owner.maxRequestBytes;
    this.maxResponseBytes = owner.maxResponseBytes;
    this.hostLog = owner.streamLog;
    this.hostStats = owner.streamStats;
    this.method = request.method ?? 'GET';
    this.path = request.path ?? '/';
    this.scheme = request.scheme ?? 'http';
    this.sourceAddress = request.sourceAddress ?? '127.0.0.1';
    this.sourcePort = request.sourcePort ?? 40000;
    this.directRemoteAddress = request.directRemoteAddress ?? this.sourceAddress;
    this.destinationPort = request.destinationPort ?? 8080;
    this.connection = request.connection ?? null;
    this.requestId = request.requestId ?? 'test-request';
    this.routeName = request.routeName;
    this.originalBody = toBuffer(request.body);
  }

  /** Runs `fn`, turning an exception that escaped the chain into a rejected run. */
  guard(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.fail(err);
    }
  }

  /** The run timed out: stop driving the chain so a late continue() does nothing. */
  stop(): void {
    this.settled = true;
    this.aborted = true;
    this.finish();
  }

  protected forwardRequest(): void {
    this.where = WAITING_UPSTREAM;
    const req: UpstreamRequest = {
      method: this.method,
      path: this.path,
      headers: copyHeaders(this.requestHeaders.raw),
      body: (this.requestBody ?? this.originalBody).toString(),
    };
    this.upstreamRequest = req;
    const upstream = this.upstream;
    // Answered on a later tick, as a real upstream is.
    Promise.resolve()
      .then(() => (typeof upstream === 'function' ? upstream(req) : upstream))
      .then(
        (res) =>
          this.guard(() => {
            this.upstreamBody = toBuffer(res.body);
            this.beginResponse(res.status ?? 200, new HeaderMap(copyHeaders(res.headers)));
          }),
        (err) => this.fail(err),
      );
  }

  protected readRequestBody(limit: number, done: (body: Buffer | null) => void): void {
    const body = this.originalBody;
    queueMicrotask(() => this.guard(() => done(body.length > limit ? null : body)));
  }

  protected readResponseBody(limit: number, done: (body: Buffer | null) => void): void {
    const body = this.upstreamBody;
    queueMicrotask(() => this.guard(() => done(body.length > limit ? null : body)));
  }

  protected commitResponse(): void {
    const headers = copyHeaders(this.responseHeaders!.raw);
    const buffered = this.responseBody;
    if (buffered !== null) {
      // A buffered body is sent whole: its length replaces whatever framing the upstream used.
      delete headers['transfer-encoding'];
      headers['content-length'] = String(buffered.length);
    }
    const body = buffered ?? this.upstreamBody;
    this.runLog();
    if (this.settled) return;
    this.settled = true;
    this.settle.resolve({
      upstreamCalled: this.upstreamRequest !== undefined,
      upstreamRequest: this.upstreamRequest,
      response: { status: this.responseStatus, headers, body: body.toString(), bodyBuffer: body },
      localReply: this.localReplied,
      responseFlags: this.responseFlags === null ? [] : this.responseFlags.slice(),
      responseCodeDetails: this.responseCodeDetails,
      state: this.state,
      counters: this.owner.counters(),
      logs: this.owner.logs.slice(),
    });
  }

  private fail(err: unknown): void {
    if (this.settled) return;
    this.settled = true;
    this.settle.reject(err);
  }
}

// ---- loading and running ----

/** A chain loaded once, like a gateway config: run it for as many requests as a test needs. */
export interface TestChain {
  /** Runs one request; resolves when the response is committed (after onLog), rejects on timeout. */
  run(exchange?: Exchange): Promise<RunResult>;
  /** Counter values so far (names as in RunResult.counters). */
  counters(): Record<string, number>;
  /** Log records so far, load time included. */
  readonly logs: readonly LogRecord[];
  /** Releases the chain as the gateway releases a config: runs the filters' dispose hooks (once; later calls wait for the same). */
  close(): Promise<void>;
}

class LoadedChain implements TestChain {
  readonly resolved: ResolvedChain;
  readonly logs: LogRecord[];
  readonly maxRequestBytes: number;
  readonly maxResponseBytes: number;
  readonly streamLog: FilterLogger;
  readonly streamStats: FilterStats;
  private readonly counterMap: Map<string, MemoryCounter>;

  constructor(
    resolved: ResolvedChain,
    counters: Map<string, MemoryCounter>,
    logs: LogRecord[],
    options: ChainOptions,
    private readonly disposers: Disposers,
  ) {
    this.resolved = resolved;
    this.counterMap = counters;
    this.logs = logs;
    this.maxRequestBytes = options.maxRequestBytes ?? 1024 * 1024;
    this.maxResponseBytes = options.maxResponseBytes ?? 1024 * 1024;
    this.streamLog = new CapturingLogger(logs, undefined);
    this.streamStats = new MemoryStats('', counters);
  }

  counters(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [name, c] of this.counterMap) out[name] = c.value;
    return out;
  }

  close(): Promise<void> {
    return this.disposers.dispose();
  }

  run(exchange: Exchange = {}): Promise<RunResult> {
    const timeoutMs = exchange.timeoutMs ?? 2000;
    return new Promise<RunResult>((resolve, reject) => {
      const timer = setTimeout(() => {
        const where = stream.where;
        stream.stop();
        const hint =
          where === WAITING_UPSTREAM || where === 'start' ? ''
          : ': it returned Stop (or a Promise that did not settle, or that resolved Stop) and ctx.continue() was never called';
        reject(new Error(`the filter chain did not finish within ${timeoutMs} ms: stuck in ${where}${hint}`));
      }, timeoutMs);
      const stream: FakeStream = new FakeStream(this, exchange.request ?? {}, exchange.upstream ?? {}, {
        resolve: (result) => {
          clearTimeout(timer);
          resolve(result);
        },
        reject: (err) => {
          clearTimeout(timer);
          reject(err);
        },
      });
      stream.guard(() => stream.start());
    });
  }
}

/** Validates, freezes and creates each filter, as the gateway does at config load. */
export async function loadChain(filters: readonly FilterSpec[], options: ChainOptions = {}): Promise<TestChain> {
  const counters = new Map<string, MemoryCounter>();
  const logs: LogRecord[] = [];
  const entries: ChainEntry[] = [];
  const disposers = new Disposers();
  let needsRequestBody = false;
  let needsResponseBody = false;
  for (const spec of filters) {
    const factory = spec.factory;
    const name = spec.name ?? factory.name;
    const config = prepareConfig(factory, name, spec.config);
    const stats = new MemoryStats(`${name}.`, counters);
    const log = new CapturingLogger(logs, name);
    const creator = await factory.create(config, {
      filterName: name,
      configDir: options.configDir ?? process.cwd(),
      log,
      stats,
      httpCall: options.httpCall ?? noClusters,
      matchers: filterMatchers,
      onDispose: (fn) => disposers.add(fn, log),
    });
    needsRequestBody ||= needsBody(factory.needsRequestBody, config);
    needsResponseBody ||= needsBody(factory.needsResponseBody, config);
    entries.push({
      name,
      failOpen: spec.failOpen === true,
      create: (ctx) => traced(creator(ctx), name, ctx as FakeStream),
      stats,
      log,
    });
  }
  return new LoadedChain({ entries, needsRequestBody, needsResponseBody }, counters, logs, options, disposers);
}

/** Loads the filters (in request order), runs one request through them, and closes the chain. */
export async function runChain(filters: readonly FilterSpec[], exchange: Exchange & ChainOptions = {}): Promise<RunResult> {
  const chain = await loadChain(filters, exchange);
  try {
    return await chain.run(exchange);
  } finally {
    await chain.close();
  }
}

/** Loads one filter with `config` and runs one request through it. */
export function runFilter(
  factory: HttpFilterFactory,
  config: unknown,
  exchange: Exchange & ChainOptions & { name?: string; failOpen?: boolean } = {},
): Promise<RunResult> {
  return runChain([{ factory, config, name: exchange.name, failOpen: exchange.failOpen }], exchange);
}

// The network filter kit lives beside this one; `wasmgate/sdk/testing` gives both.
export { loadNetworkChain } from './network-testing.js';
export type { FakeConnection, NetworkChainOptions, NetworkFilterSpec, TestNetworkChain } from './network-testing.js';
