// A token bucket refilled lazily: no timer, the tokens owed since the last fill are added when the
// bucket is next looked at, from a monotonic clock. Fills are discrete, as Envoy's are: every
// fill_interval adds tokens_per_fill, up to max_tokens. A new bucket starts full.

export interface BucketSpec {
  readonly maxTokens: number;
  readonly tokensPerFill: number;
  readonly fillIntervalMs: number;
}

export class TokenBucket {
  private tokens: number;
  /** The time of the last fill that happened (the start of the current interval). */
  private lastFill: number;

  constructor(
    readonly spec: BucketSpec,
    now: number,
  ) {
    this.tokens = spec.maxTokens;
    this.lastFill = now;
  }

  /** Adds the fills owed since the last one. */
  refill(now: number): void {
    const interval = this.spec.fillIntervalMs;
    const elapsed = now - this.lastFill;
    if (elapsed < interval) return;
    const fills = Math.floor(elapsed / interval);
    this.lastFill += fills * interval;
    this.tokens = Math.min(this.spec.maxTokens, this.tokens + fills * this.spec.tokensPerFill);
  }

  /** Tokens left (call refill first). */
  get remaining(): number {
    return this.tokens;
  }

  take(): void {
    this.tokens--;
  }

  /** Milliseconds until the next fill. */
  msToNextFill(now: number): number {
    return this.spec.fillIntervalMs - (now - this.lastFill);
  }
}
