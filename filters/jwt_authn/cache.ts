// The cache of verified tokens of one provider (Envoy's jwt_cache_config): least recently used
// first out, keyed by the whole token string, holding the payload jose verified. It answers only
// while the key set is fresh and has not changed since the token was verified (a change empties it),
// and never past the token's `exp`. What a hit still has to pass (audiences, nbf) the provider checks.
import type { JWTPayload } from 'jose';
import type { Counter } from '../../sdk/filter.js';
import type { KeySet } from './jwks.js';

export interface CacheCounters {
  hit: Counter;
  miss: Counter;
}

export class VerifiedTokenCache {
  // A Map iterates in insertion order: a hit is moved to the end, the first entry is the least recently used.
  private readonly entries = new Map<string, JWTPayload>();
  private keysVersion: number;

  constructor(
    private readonly keys: KeySet,
    private readonly size: number,
    private readonly maxTokenLength: number,
    private readonly counters: CacheCounters,
  ) {
    this.keysVersion = keys.version;
  }

  /** The payload of a token verified before, or undefined (a miss). `now`: ms since the epoch. */
  get(token: string, now: number): JWTPayload | undefined {
    const payload = this.keys.fresh(now) ? this.lookup(token, now) : undefined;
    (payload === undefined ? this.counters.miss : this.counters.hit).inc();
    return payload;
  }

  /**
   * Keeps a verified token. `keysVersion` is the key set's version when its verification began: if the
   * keys changed since, the key that verified it may be gone, and it is not kept.
   */
  set(token: string, payload: JWTPayload, now: number, keysVersion: number): void {
    // A verified token is base64url and dots: its length is its size in bytes.
    if (keysVersion !== this.keys.version || token.length > this.maxTokenLength || expired(payload, now)) return;
    this.forgetOtherKeys();
    this.entries.delete(token);
    this.entries.set(token, payload);
    if (this.entries.size > this.size) this.entries.delete(this.entries.keys().next().value!);
  }

  private lookup(token: string, now: number): JWTPayload | undefined {
    this.forgetOtherKeys();
    const payload = this.entries.get(token);
    if (payload === undefined) return undefined;
    this.entries.delete(token);
    if (expired(payload, now)) return undefined;
    this.entries.set(token, payload);
    return payload;
  }

  /** Empties the cache when the key set has changed since its entries were verified. */
  private forgetOtherKeys(): void {
    if (this.keysVersion === this.keys.version) return;
    this.entries.clear();
    this.keysVersion = this.keys.version;
  }
}

/** At or past `exp`: a verification would still accept it within the clock skew, but the cache does not. */
function expired(payload: JWTPayload, now: number): boolean {
  return payload.exp !== undefined && now >= payload.exp * 1000;
}
