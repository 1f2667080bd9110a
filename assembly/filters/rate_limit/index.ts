// rate_limit: a token bucket per plugin (or per value of a request header) in shared data,
// refilled on the root context's tick. An empty bucket answers 429 "rate limited" (configurable).
// Counters: ratelimit.<plugin name>.allowed and ratelimit.<plugin name>.limited.
import {
  Counter, FilterHeadersStatus, HeaderPair, HttpContext, RootContext, getCurrentTimeNanoseconds, getPropertyString,
  headers, logError, registerRootContext,
} from "../../sdk";
import { RateLimitConfig, parseRateLimitConfig } from "./config";
import { refill, takeToken } from "./bucket";

export * from "../../sdk/exports";

const TEXT_PLAIN: HeaderPair[] = [new HeaderPair("content-type", "text/plain")];

class RateLimitRoot extends RootContext {
  config: RateLimitConfig = new RateLimitConfig();
  /** Shared-data key of a bucket, without the header value. */
  keyPrefix: string = "";
  /** Buckets this root has used, to refill on each tick. */
  readonly buckets: Set<string> = new Set<string>();
  allowed: Counter | null = null;
  limited: Counter | null = null;

  onConfigure(pluginConfigurationSize: u32): bool {
    const config = parseRateLimitConfig(this.getPluginConfiguration());
    if (config.error.length > 0) {
      logError("rate_limit: " + config.error);
      return false;
    }
    this.config = config;
    const pluginName = getPropertyString(["plugin_name"]);
    const name = pluginName !== null && pluginName.length > 0 ? pluginName : "rate_limit";
    this.keyPrefix = "ratelimit/" + name + "/";
    this.allowed = new Counter("ratelimit." + name + ".allowed");
    this.limited = new Counter("ratelimit." + name + ".limited");
    this.setTickPeriod(config.fillIntervalMillis);
    return true;
  }

  onTick(): void {
    const now = getCurrentTimeNanoseconds();
    const intervalNanos = <u64>this.config.fillIntervalMillis * 1_000_000;
    const keys = this.buckets.values();
    for (let i = 0; i < keys.length; i++) {
      refill(keys[i], this.config.maxTokens, this.config.tokensPerFill, intervalNanos, now);
    }
  }

  createHttpContext(contextId: u32): HttpContext {
    return new RateLimitStream(contextId, this);
  }
}

class RateLimitStream extends HttpContext {
  constructor(id: u32, public readonly limiter: RateLimitRoot) {
    super(id, limiter);
  }

  onRequestHeaders(numHeaders: u32, endOfStream: bool): FilterHeadersStatus {
    const root = this.limiter;
    const config = root.config;
    let key = root.keyPrefix;
    if (config.keyHeader.length > 0) {
      const value = headers.request.get(config.keyHeader);
      if (value !== null) key += value;
    }
    root.buckets.add(key);
    if (takeToken(key, config.maxTokens, getCurrentTimeNanoseconds())) {
      root.allowed!.increment(1);
      return FilterHeadersStatus.Continue;
    }
    root.limited!.increment(1);
    this.sendLocalResponse(config.limitedStatus, "rate_limited", config.limitedBody, TEXT_PLAIN);
    return FilterHeadersStatus.StopIteration;
  }
}

registerRootContext((id: u32): RootContext => new RateLimitRoot(id), "rate_limit");
