// The config of rbac: Envoy's RBAC filter (envoy.extensions.filters.http.rbac.v3.RBAC) with the
// policy language of envoy.config.rbac.v3: permissions (what is asked) and principals (who asks).
// `jwt_claim` is our addition (Envoy reaches JWT claims through dynamic metadata). `authenticated`
// matches the verified client certificate of an mTLS connection, as Envoy's does.
import type { JsonSchema } from '../../sdk/filter.js';
import type { HeaderMatcher, StringMatcher } from '../../sdk/match-config.js';
import { arrayOf, integer, object } from '../../sdk/json-schema.js';
import { headerMatcherSchema, stringMatcherSchema } from '../../sdk/match-schema.js';

/** Envoy's CidrRange, or the same as one string ("10.0.0.0/8", "::1"). */
export type CidrRange = string | { address_prefix: string; prefix_len?: number };

export interface PathMatcher {
  path: StringMatcher;
}

/** Exactly one field. */
export interface Permission {
  any?: true;
  header?: HeaderMatcher;
  url_path?: PathMatcher;
  destination_port?: number;
  and_rules?: { rules: Permission[] };
  or_rules?: { rules: Permission[] };
  not_rule?: Permission;
}

export interface JwtClaim {
  /** The jwt_authn provider whose payload to read; any verified provider when absent. */
  provider?: string;
  /** A claim name, or a dotted path into nested claims ("realm_access.roles"). */
  claim: string;
  string_match: StringMatcher;
}

/** Envoy's Principal.Authenticated: a verified client certificate; principal_name matches a URI SAN, a DNS SAN, or the subject. */
export interface Authenticated {
  principal_name?: StringMatcher;
}

/** Exactly one field. */
export interface Principal {
  any?: true;
  authenticated?: Authenticated;
  source_ip?: CidrRange;
  direct_remote_ip?: CidrRange;
  remote_ip?: CidrRange;
  header?: HeaderMatcher;
  url_path?: PathMatcher;
  jwt_claim?: JwtClaim;
  and_ids?: { ids: Principal[] };
  or_ids?: { ids: Principal[] };
  not_id?: Principal;
}

export interface Policy {
  permissions: Permission[];
  principals: Principal[];
}

export interface Rbac {
  action: 'ALLOW' | 'DENY';
  policies: Record<string, Policy>;
}

export interface RbacConfig {
  /** Absent: nothing is enforced. */
  rules?: Rbac;
  /** Evaluated and counted, never enforced. */
  shadow_rules?: Rbac;
}

const oneField = (schema: JsonSchema): JsonSchema => ({ ...schema, minProperties: 1, maxProperties: 1 });
const ref = (name: string): JsonSchema => ({ $ref: `#/definitions/${name}` });

const cidrRangeSchema: JsonSchema = {
  oneOf: [{ type: 'string', minLength: 1 }, object({ address_prefix: { type: 'string', minLength: 1 }, prefix_len: integer(0, 128) }, ['address_prefix'])],
};
const pathMatcherSchema = object({ path: stringMatcherSchema }, ['path']);

const permissionSchema = oneField(
  object({
    any: { const: true },
    header: headerMatcherSchema,
    url_path: pathMatcherSchema,
    destination_port: integer(1, 65535),
    and_rules: object({ rules: arrayOf(ref('permission'), 1) }, ['rules']),
    or_rules: object({ rules: arrayOf(ref('permission'), 1) }, ['rules']),
    not_rule: ref('permission'),
  }),
);

const principalSchema = oneField(
  object({
    any: { const: true },
    authenticated: object({ principal_name: stringMatcherSchema }),
    source_ip: cidrRangeSchema,
    direct_remote_ip: cidrRangeSchema,
    remote_ip: cidrRangeSchema,
    header: headerMatcherSchema,
    url_path: pathMatcherSchema,
    jwt_claim: object({ provider: { type: 'string', minLength: 1 }, claim: { type: 'string', minLength: 1 }, string_match: stringMatcherSchema }, [
      'claim',
      'string_match',
    ]),
    and_ids: object({ ids: arrayOf(ref('principal'), 1) }, ['ids']),
    or_ids: object({ ids: arrayOf(ref('principal'), 1) }, ['ids']),
    not_id: ref('principal'),
  }),
);

const rbacSchema = object(
  {
    action: { enum: ['ALLOW', 'DENY'] },
    policies: {
      type: 'object',
      additionalProperties: object({ permissions: arrayOf(ref('permission'), 1), principals: arrayOf(ref('principal'), 1) }, ['permissions', 'principals']),
    },
  },
  ['action', 'policies'],
);

export const rbacConfigSchema: JsonSchema = {
  ...object({ rules: rbacSchema, shadow_rules: rbacSchema }),
  definitions: { permission: permissionSchema, principal: principalSchema },
};
