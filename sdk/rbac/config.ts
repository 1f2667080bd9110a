// The policy language of envoy.config.rbac.v3 that the HTTP (rbac) and network (network_rbac) filters share:
// the permission and principal fields both understand, the and/or/not combinators, policies and rules,
// and their JSON Schemas. Each filter adds its own fields (P and Q are its own Permission and Principal).
import type { JsonSchema } from '../filter.js';
import type { StringMatcher } from '../match-config.js';
import { arrayOf, integer, object } from '../json-schema.js';
import { stringMatcherSchema } from '../match-schema.js';

/** Envoy's CidrRange, or the same as one string ("10.0.0.0/8", "::1"). */
export type CidrRange = string | { address_prefix: string; prefix_len?: number };

/** Envoy's Principal.Authenticated: a verified client certificate; principal_name matches a URI SAN, a DNS SAN, or the subject. */
export interface Authenticated {
  principal_name?: StringMatcher;
}

/** The permission fields of both filters (a permission has exactly one field). */
export interface PermissionBase<P> {
  any?: true;
  destination_port?: number;
  and_rules?: { rules: P[] };
  or_rules?: { rules: P[] };
  not_rule?: P;
}

/** The principal fields of both filters (a principal has exactly one field). */
export interface PrincipalBase<Q> {
  any?: true;
  authenticated?: Authenticated;
  source_ip?: CidrRange;
  direct_remote_ip?: CidrRange;
  remote_ip?: CidrRange;
  and_ids?: { ids: Q[] };
  or_ids?: { ids: Q[] };
  not_id?: Q;
}

export interface Policy<P, Q> {
  permissions: P[];
  principals: Q[];
}

/** One set of rules (`rules` or `shadow_rules`). */
export interface Rbac<P, Q> {
  action: 'ALLOW' | 'DENY';
  policies: Record<string, Policy<P, Q>>;
}

const oneField = (schema: JsonSchema): JsonSchema => ({ ...schema, minProperties: 1, maxProperties: 1 });
const ref = (name: string): JsonSchema => ({ $ref: `#/definitions/${name}` });

export const cidrRangeSchema: JsonSchema = {
  oneOf: [{ type: 'string', minLength: 1 }, object({ address_prefix: { type: 'string', minLength: 1 }, prefix_len: integer(0, 128) }, ['address_prefix'])],
};

export interface RbacSchemas {
  /** The schema of one set of rules; it refers to `definitions`. */
  readonly rules: JsonSchema;
  /** To put at the root of the filter's config schema. */
  readonly definitions: Record<string, JsonSchema>;
}

/** The schemas of rules whose permissions and principals have the shared fields plus the filter's own. */
export function rbacSchemas(permissionFields: Record<string, JsonSchema>, principalFields: Record<string, JsonSchema>): RbacSchemas {
  const permission = oneField(
    object({
      any: { const: true },
      destination_port: integer(1, 65535),
      ...permissionFields,
      and_rules: object({ rules: arrayOf(ref('permission'), 1) }, ['rules']),
      or_rules: object({ rules: arrayOf(ref('permission'), 1) }, ['rules']),
      not_rule: ref('permission'),
    }),
  );
  const principal = oneField(
    object({
      any: { const: true },
      authenticated: object({ principal_name: stringMatcherSchema }),
      source_ip: cidrRangeSchema,
      direct_remote_ip: cidrRangeSchema,
      remote_ip: cidrRangeSchema,
      ...principalFields,
      and_ids: object({ ids: arrayOf(ref('principal'), 1) }, ['ids']),
      or_ids: object({ ids: arrayOf(ref('principal'), 1) }, ['ids']),
      not_id: ref('principal'),
    }),
  );
  const rules = object(
    {
      action: { enum: ['ALLOW', 'DENY'] },
      policies: {
        type: 'object',
        additionalProperties: object({ permissions: arrayOf(ref('permission'), 1), principals: arrayOf(ref('principal'), 1) }, ['permissions', 'principals']),
      },
    },
    ['action', 'policies'],
  );
  return { rules, definitions: { permission, principal } };
}
