// One provider of jwt_authn: where its tokens are, how they are verified (jose's jwtVerify with the
// provider's issuer, audiences, clock skew and key set, or taken from the cache of verified tokens),
// and what a verified token leaves behind (token removed unless `forward`, payload header, claim
// headers, payload in the state bag).
import { errors, jwtVerify } from 'jose';
import type { JWTPayload, JWTVerifyOptions } from 'jose';
import type { HeaderMap } from '../../sdk/headers.js';
import { deepFreeze } from '../../sdk/freeze.js';
import type { FilterLogger } from '../../sdk/logger.js';
import type { VerifiedTokenCache } from './cache.js';
import type { FoundToken } from './extract.js';
import { TokenLocations } from './extract.js';
import { JwksFetchError } from './jwks.js';
import type { KeySet } from './jwks.js';
import type { ClaimToHeader, JwtProvider } from './schema.js';

/** Envoy's status strings: the body of the 401/403 and, spaces replaced, the response code details. */
export const JwtStatus = {
  Ok: 'Jwt is verified',
  Missing: 'Jwt is missing',
  BadFormat: 'Jwt is not in the form of Header.Payload.Signature with two dots and 3 sections',
  Expired: 'Jwt is expired',
  NotYetValid: 'Jwt not yet valid',
  UnknownIssuer: 'Jwt issuer is not configured',
  AudienceNotAllowed: 'Audiences in Jwt are not allowed',
  VerificationFail: 'Jwt verification fails',
  NoMatchingKey: "Jwks doesn't have key to match kid or alg from Jwt",
  JwksFetchFail: 'Jwks remote fetch is failed',
} as const;
export type JwtStatus = (typeof JwtStatus)[keyof typeof JwtStatus];

/** The state-bag key under which verified payloads are kept, by provider name (rbac's jwt_claim reads it). */
export const PAYLOADS_STATE_KEY = 'jwt_authn.payloads';

// Only asymmetric signatures: "none" and HMAC (whose key would have to be the public one) never verify.
const ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'];

export interface Outcome {
  readonly status: JwtStatus;
  readonly found?: FoundToken;
  /** Present when the status is Ok. */
  readonly payload?: JWTPayload;
}

const MISSING: Outcome = { status: JwtStatus.Missing };
// A header value may hold visible ASCII, spaces, tabs and obs-text; anything else would be refused on the wire.
const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

/** A provider with the options to verify its tokens with (its own audiences, or a requirement's). */
export interface Check {
  readonly provider: Provider;
  /** The audiences a token must hold one of (undefined: any), as given to jose in `options`. */
  readonly audiences: readonly string[] | undefined;
  readonly options: JWTVerifyOptions;
}

interface ClaimHeader {
  readonly header: string;
  readonly path: readonly string[];
}

export class Provider {
  readonly locations: TokenLocations;
  /** The check with the provider's own options: one object, so that a provider named twice is verified once. */
  readonly ownCheck: Check;
  /** Headers this provider writes: removed from every incoming request so that a client cannot forge them. */
  readonly outputHeaders: readonly string[];
  private readonly claimHeaders: readonly ClaimHeader[];

  constructor(
    readonly name: string,
    private readonly config: JwtProvider,
    private readonly keys: KeySet,
    /** Undefined when jwt_cache_size is 0. */
    private readonly cache: VerifiedTokenCache | undefined,
    private readonly log: FilterLogger,
  ) {
    this.locations = new TokenLocations(config);
    this.ownCheck = this.checkFor(config.audiences);
    this.claimHeaders = (config.claim_to_headers ?? []).map((c: ClaimToHeader) => ({ header: c.header_name.toLowerCase(), path: c.claim_name.split('.') }));
    this.outputHeaders = [
      ...(config.forward_payload_header === undefined ? [] : [config.forward_payload_header.toLowerCase()]),
      ...this.claimHeaders.map((c) => c.header),
    ];
  }

  /** The check of this provider's tokens for these audiences (its own, or a requirement's). */
  checkFor(audiences: readonly string[] | undefined): Check {
    const options: JWTVerifyOptions = { algorithms: ALGORITHMS, clockTolerance: this.config.clock_skew_seconds };
    if (this.config.issuer !== undefined) options.issuer = this.config.issuer;
    if (audiences !== undefined) options.audience = [...audiences];
    if (this.config.require_expiration) options.requiredClaims = ['exp'];
    return { provider: this, audiences, options };
  }

  /** Finds this provider's token in the request and verifies it, or takes it from the cache. */
  async check(headers: HeaderMap, path: string, check: Check): Promise<Outcome> {
    const found = this.locations.find(headers, path);
    if (found === undefined) return MISSING;
    const now = Date.now();
    const cached = this.cache?.get(found.token, now);
    if (cached !== undefined) {
      const status = this.recheck(cached, check, now);
      return status === JwtStatus.Ok ? { status, found, payload: cached } : { status, found };
    }
    const keysVersion = this.keys.version;
    try {
      const { payload } = await jwtVerify(found.token, this.keys.getKey, check.options);
      // Handed to many requests by the cache (state bag, rbac): frozen so that no filter changes it for the others.
      deepFreeze(payload);
      this.cache?.set(found.token, payload, Date.now(), keysVersion);
      return { status: JwtStatus.Ok, found, payload };
    } catch (err) {
      return { status: this.statusOf(err), found };
    }
  }

  /**
   * What jose would now decide otherwise for a token it verified before, in jose's order: the
   * audiences (a requirement may name others than the check that stored it), then `nbf` (the wall
   * clock can step back). The signature, `iss`, the algorithm and `require_expiration` are the
   * provider's, the same for every check; `exp` is stricter in the cache (gone at `exp`, before
   * the clock skew would refuse it).
   */
  private recheck(payload: JWTPayload, check: Check, now: number): JwtStatus {
    if (check.audiences !== undefined && !holdsAudience(payload.aud, check.audiences)) return JwtStatus.AudienceNotAllowed;
    if (payload.nbf !== undefined && payload.nbf > Math.floor(now / 1000) + this.config.clock_skew_seconds) return JwtStatus.NotYetValid;
    return JwtStatus.Ok;
  }

  /** What a verified token leaves for the upstream and for the filters after this one. */
  apply(outcome: Outcome, headers: HeaderMap, state: Map<string, unknown>): void {
    const { found, payload } = outcome;
    if (found === undefined || payload === undefined) return;
    if (!this.config.forward && found.header !== undefined) headers.remove(found.header);
    if (this.config.forward_payload_header !== undefined) {
      const segment = found.token.split('.', 2)[1]!;
      const pad = this.config.pad_forward_payload_header ? '='.repeat((4 - (segment.length % 4)) % 4) : '';
      headers.set(this.config.forward_payload_header, segment + pad);
    }
    for (const c of this.claimHeaders) {
      const value = claimValue(payload, c.path);
      if (value !== undefined && HEADER_VALUE.test(value)) headers.set(c.header, value);
    }
    let payloads = state.get(PAYLOADS_STATE_KEY) as Map<string, JWTPayload> | undefined;
    if (payloads === undefined) state.set(PAYLOADS_STATE_KEY, (payloads = new Map()));
    payloads.set(this.name, payload);
    if (this.config.payload_in_metadata !== undefined) state.set(this.config.payload_in_metadata, payload);
  }

  private statusOf(err: unknown): JwtStatus {
    if (err instanceof errors.JWTExpired) return JwtStatus.Expired;
    if (err instanceof errors.JWTClaimValidationFailed) {
      if (err.claim === 'iss') return JwtStatus.UnknownIssuer;
      if (err.claim === 'aud') return JwtStatus.AudienceNotAllowed;
      if (err.claim === 'nbf') return JwtStatus.NotYetValid;
      return JwtStatus.VerificationFail;
    }
    if (err instanceof errors.JWSInvalid || err instanceof errors.JWTInvalid) return JwtStatus.BadFormat;
    if (err instanceof errors.JWKSNoMatchingKey) return JwtStatus.NoMatchingKey;
    if (err instanceof JwksFetchError) return JwtStatus.JwksFetchFail;
    // Bad signatures, algorithms not allowed, keys jose refuses: a token we cannot trust, whatever the cause.
    if (!(err instanceof errors.JOSEError)) this.log.warn({ err, provider: this.name }, 'unexpected error while verifying a token');
    return JwtStatus.VerificationFail;
  }
}

/** jose's audience rule: `aud` (a string or a list) holds one of the allowed audiences. */
function holdsAudience(aud: JWTPayload['aud'], allowed: readonly string[]): boolean {
  if (typeof aud === 'string') return allowed.includes(aud);
  return Array.isArray(aud) && allowed.some((a) => aud.includes(a));
}

/** A claim (a dotted path into the payload) as a header value: strings, numbers, booleans, and lists of them joined by ",". */
function claimValue(payload: JWTPayload, path: readonly string[]): string | undefined {
  let v: unknown = payload;
  for (const key of path) {
    if (v === null || typeof v !== 'object' || Array.isArray(v) || !Object.hasOwn(v, key)) return undefined;
    v = (v as Record<string, unknown>)[key];
  }
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v) && v.every((x) => typeof x === 'string' || typeof x === 'number' || typeof x === 'boolean')) return v.join(',');
  return undefined;
}
