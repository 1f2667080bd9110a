// Our gateway with the chain a typical API route has: a JWT verified, an RBAC policy on one of its
// claims, a local rate limit, header mutation, then the router. Every filter does its real work on
// every request and none refuses one, so the row shows what the chain costs over router-only.
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import type { Contender } from './contender.js';
import { gatewayCommand, gatewayUnavailable } from './gateway.js';

const ALG = 'ES256';
const KID = 'perf-1';
const ISSUER = 'https://issuer.perf.invalid';
const AUDIENCE = 'perf-api';
const SUBJECT = 'perf-client';
const PROVIDER = 'perf';

/** A fresh key pair per run: the public JWK for the config, and one token signed with the private key. */
async function keyAndToken(): Promise<{ jwks: string; token: string }> {
  const { publicKey, privateKey } = await generateKeyPair(ALG);
  const jwk = { ...(await exportJWK(publicKey)), kid: KID, alg: ALG, use: 'sig' };
  const token = await new SignJWT({ scope: 'read' })
    .setProtectedHeader({ alg: ALG, kid: KID, typ: 'JWT' })
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setSubject(SUBJECT)
    .setIssuedAt()
    .setExpirationTime('30d')
    .sign(privateKey);
  return { jwks: JSON.stringify({ keys: [jwk] }), token };
}

/** jwt_authn first, so that rbac can match the verified claims. */
function chain(jwks: string): object[] {
  return [
    {
      name: 'jwt_authn',
      config: {
        providers: {
          [PROVIDER]: {
            issuer: ISSUER,
            audiences: [AUDIENCE],
            require_expiration: true,
            local_jwks: { inline_string: jwks },
            claim_to_headers: [{ header_name: 'x-jwt-sub', claim_name: 'sub' }],
          },
        },
        rules: [{ match: { prefix: '/' }, requires: { provider_name: PROVIDER } }],
      },
    },
    {
      name: 'rbac',
      config: {
        rules: {
          action: 'ALLOW',
          policies: {
            'token-holders-read': {
              permissions: [
                {
                  and_rules: {
                    rules: [{ header: { name: ':method', exact_match: 'GET' } }, { url_path: { path: { prefix: '/' } } }],
                  },
                },
              ],
              principals: [{ jwt_claim: { provider: PROVIDER, claim: 'sub', string_match: { exact: SUBJECT } } }],
            },
          },
        },
      },
    },
    {
      name: 'local_ratelimit',
      config: {
        stat_prefix: 'bench',
        // Large enough never to run dry under the load: the bucket is taken from, never refused.
        token_bucket: { max_tokens: 1e9, tokens_per_fill: 1e9, fill_interval: '1s' },
      },
    },
    {
      name: 'header_mutation',
      config: {
        request_headers_to_add: [
          { header: { key: 'x-client-id', value: '%REQ(x-jwt-sub)%' }, append_action: 'OVERWRITE_IF_EXISTS_OR_ADD' },
        ],
        response_headers_to_add: [{ header: { key: 'x-served-by', value: 'wasmgate' } }],
      },
    },
  ];
}

export const gatewayChain: Contender = {
  name: 'gateway-chain',
  description: 'this gateway, jwt_authn (ES256, local JWKS) + rbac (JWT claim) + local_ratelimit + header_mutation + router',
  unavailable: gatewayUnavailable,
  command: async (launch) => {
    const { jwks, token } = await keyAndToken();
    return { ...gatewayCommand('gateway-chain', launch, chain(jwks)), headers: { authorization: `Bearer ${token}` } };
  },
};
