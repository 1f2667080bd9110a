// Key sets for verifying tokens. A local set comes from the config; a remote one is fetched through
// a cluster, cached for cache_duration, refreshed in the background once 90% of that has passed, and
// refetched when a token names a key the set lacks (at most once per unknown_kid_refetch_interval, so
// tokens with made-up kids cannot make us hammer the identity provider). jose does the selection of a
// key by kid/alg/kty and refuses symmetric algorithms and "none" for a key set. A set says when its
// keys change (`version`) and whether it is within its lifetime (`fresh`): the cache of verified
// tokens serves only then.
import { createLocalJWKSet, errors } from 'jose';
import type { JWTVerifyGetKey } from 'jose';
import type { Counter, HttpCall } from '../../sdk/filter.js';
import type { FilterLogger } from '../../sdk/logger.js';
import { parseDuration } from '../../sdk/duration.js';
import type { RemoteJwks } from './schema.js';

/** The remote key set could not be fetched (and no earlier copy is at hand). */
export class JwksFetchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JwksFetchError';
  }
}

/**
 * A jose key getter over a JWKS document; throws (naming the problem) when the text is not a usable
 * set of public signing keys.
 */
export function keySetFrom(text: string): JWTVerifyGetKey {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new Error(`is not JSON: ${(err as Error).message}`);
  }
  const keys = (doc as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys) || keys.length === 0) throw new Error('must be a JWKS: an object with a non-empty "keys" array');
  keys.forEach((k: unknown, i) => {
    if (k === null || typeof k !== 'object') throw new Error(`keys[${i}] is not an object`);
    const jwk = k as Record<string, unknown>;
    if (!['RSA', 'EC', 'OKP'].includes(jwk.kty as string)) {
      throw new Error(`keys[${i}].kty must be RSA, EC or OKP (symmetric keys are not accepted in a key set)`);
    }
    if (jwk.d !== undefined) throw new Error(`keys[${i}] holds a private key ("d"); publish the public key only`);
  });
  return createLocalJWKSet(doc as Parameters<typeof createLocalJWKSet>[0]);
}

/** The keys of one provider, as the verification and the cache of verified tokens see them. */
export interface KeySet {
  /** jose's key getter: called by every verification. */
  readonly getKey: JWTVerifyGetKey;
  /** Changes whenever the keys change: what was verified under another version may have used a key that is gone. */
  readonly version: number;
  /** True while the keys in hand are used without a fetch (a due background refresh is started). */
  fresh(now: number): boolean;
}

/** A set from the config: it never changes. */
export function localKeySet(text: string): KeySet {
  return { getKey: keySetFrom(text), version: 0, fresh: () => true };
}

export interface FetchCounters {
  success: Counter;
  failed: Counter;
}

export class RemoteKeySet implements KeySet {
  private keys: JWTVerifyGetKey | undefined = undefined;
  /** The document the keys came from: a refetch that brings the same one changes nothing. */
  private document: string | undefined = undefined;
  private changes = 0;
  private expiresAt = 0;
  private refreshAt = 0;
  private inflight: Promise<void> | undefined = undefined;
  private lastFailureAt = Number.NEGATIVE_INFINITY;
  private lastKidRefetchAt = Number.NEGATIVE_INFINITY;
  private readonly cluster: string;
  private readonly path: string;
  private readonly authority: string;
  private readonly timeoutMs: number;
  private readonly cacheMs: number;
  private readonly failedRefetchMs: number;
  private readonly kidRefetchMs: number;

  constructor(
    config: RemoteJwks,
    private readonly httpCall: HttpCall,
    private readonly counters: FetchCounters,
    private readonly log: FilterLogger,
  ) {
    const url = new URL(config.http_uri.uri);
    this.cluster = config.http_uri.cluster;
    this.path = url.pathname + url.search;
    this.authority = url.host;
    this.timeoutMs = parseDuration(config.http_uri.timeout);
    this.cacheMs = parseDuration(config.cache_duration);
    this.failedRefetchMs = parseDuration(config.async_fetch?.failed_refetch_duration ?? '1s');
    this.kidRefetchMs = parseDuration(config.unknown_kid_refetch_interval);
    if (config.async_fetch !== undefined) void this.refresh();
  }

  /** The getter jose calls with the token's protected header (bound once: no closure per request). */
  readonly getKey: JWTVerifyGetKey = async (header, token) => {
    const now = Date.now();
    const keys = await this.current(now);
    try {
      return await keys(header, token);
    } catch (err) {
      if (!(err instanceof errors.JWKSNoMatchingKey) || now - this.lastKidRefetchAt < this.kidRefetchMs) throw err;
      // The identity provider may have rotated its keys since we fetched them.
      this.lastKidRefetchAt = now;
      await this.refresh();
      return (this.keys ?? keys)(header, token);
    }
  };

  get version(): number {
    return this.changes;
  }

  fresh(now: number): boolean {
    if (this.keys === undefined || now >= this.expiresAt) return false;
    if (now >= this.refreshAt) void this.refresh();
    return true;
  }

  private async current(now: number): Promise<JWTVerifyGetKey> {
    if (this.fresh(now)) return this.keys!;
    // Expired or never fetched: wait for a fetch, unless one failed a moment ago.
    if (this.inflight !== undefined || now - this.lastFailureAt >= this.failedRefetchMs) await this.refresh();
    // After a failed refetch an expired set still serves: better than refusing every token while the
    // identity provider is down. It is replaced as soon as a fetch succeeds.
    if (this.keys === undefined) throw new JwksFetchError(`no key set: fetching it from cluster "${this.cluster}" failed`);
    return this.keys;
  }

  /** Fetches the set once at a time; never rejects (failures are counted and logged). */
  private refresh(): Promise<void> {
    this.inflight ??= this.fetch().finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  private async fetch(): Promise<void> {
    try {
      const res = await this.httpCall(this.cluster, {
        path: this.path,
        authority: this.authority,
        headers: { accept: 'application/json' },
        timeoutMs: this.timeoutMs,
      });
      if (res.status !== 200) throw new Error(`status ${res.status}`);
      const document = res.body.toString();
      if (document !== this.document) {
        this.keys = keySetFrom(document);
        this.document = document;
        this.changes++;
      }
      const now = Date.now();
      this.expiresAt = now + this.cacheMs;
      this.refreshAt = now + this.cacheMs * 0.9;
      this.counters.success.inc();
    } catch (err) {
      this.lastFailureAt = Date.now();
      this.counters.failed.inc();
      this.log.warn({ err, cluster: this.cluster, path: this.path }, 'jwks fetch failed');
    }
  }
}
