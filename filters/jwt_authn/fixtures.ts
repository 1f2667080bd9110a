// Keys and tokens for jwt_authn's tests: real signatures made with jose, and the forgeries an
// attacker would try (alg "none", HMAC keyed with the public key, a payload swapped under a valid
// signature, a token signed by a key of the same kid that the provider does not know).
import { createHmac } from 'node:crypto';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import type { CryptoKey, JWK, JWTPayload } from 'jose';

export interface SigningKey {
  kid: string;
  alg: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

export async function makeKey(kid: string, alg = 'RS256'): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
  return { kid, alg, privateKey, publicJwk };
}

export function jwks(...keys: SigningKey[]): string {
  return JSON.stringify({ keys: keys.map((k) => k.publicJwk) });
}

const now = (): number => Math.floor(Date.now() / 1000);

export interface TokenOptions {
  iss?: string;
  aud?: string | string[];
  sub?: string;
  /** Seconds from now; default 300. */
  expiresIn?: number;
  notBefore?: number;
  claims?: JWTPayload;
  /** Sign with this kid in the header instead of the key's. */
  kid?: string;
}

export function sign(key: SigningKey, o: TokenOptions = {}): Promise<string> {
  const jwt = new SignJWT({ ...o.claims })
    .setProtectedHeader({ alg: key.alg, kid: o.kid ?? key.kid, typ: 'JWT' })
    .setIssuedAt()
    .setExpirationTime(now() + (o.expiresIn ?? 300));
  if (o.iss !== undefined) jwt.setIssuer(o.iss);
  if (o.aud !== undefined) jwt.setAudience(o.aud);
  if (o.sub !== undefined) jwt.setSubject(o.sub);
  if (o.notBefore !== undefined) jwt.setNotBefore(now() + o.notBefore);
  return jwt.sign(key.privateKey);
}

const b64 = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url');

/** An unsigned token: `alg: none`, empty signature. */
export function unsignedToken(payload: JWTPayload, kid?: string): string {
  return `${b64({ alg: 'none', typ: 'JWT', ...(kid === undefined ? {} : { kid }) })}.${b64(payload)}.`;
}

/** HS256 keyed with the provider's public key as published (the classic key-confusion forgery). */
export function hmacWithPublicKey(key: SigningKey, payload: JWTPayload): string {
  const head = `${b64({ alg: 'HS256', typ: 'JWT', kid: key.kid })}.${b64(payload)}`;
  const secret = JSON.stringify(key.publicJwk);
  return `${head}.${createHmac('sha256', secret).update(head).digest('base64url')}`;
}

/** A valid token whose payload is replaced, keeping the original header and signature. */
export function swapPayload(token: string, payload: JWTPayload): string {
  const [head, , sig] = token.split('.');
  return `${head}.${b64(payload)}.${sig}`;
}

export const inFiveMinutes = (): number => now() + 300;
