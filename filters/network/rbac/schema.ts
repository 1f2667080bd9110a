// The config of network_rbac: Envoy's network RBAC filter (envoy.extensions.filters.network.rbac.v3.RBAC)
// with the connection-level part of envoy.config.rbac.v3: permissions on where the connection goes
// (destination port and IP, SNI) and principals on who opens it (source address, client certificate).
import type { JsonSchema } from '../../../sdk/filter.js';
import type { StringMatcher } from '../../../sdk/match-config.js';
import { arrayOf, integer, object } from '../../../sdk/json-schema.js';
import { stringMatcherSchema } from '../../../sdk/match-schema.js';

/** Envoy's CidrRange, or the same as one string ("10.0.0.0/8", "::1"). */
export type CidrRange = string | { address_prefix: string; prefix_len?: number };

/** Exactly one field. */
export interface Permission {
  any?: true;
  destination_port?: number;
  destination_ip?: CidrRange;
  /** The SNI the client asked for ('' when none). */
  requested_server_name?: StringMatcher;
  and_rules?: { rules: Permission[] };
  or_rules?: { rules: Permission[] };
  not_rule?: Permission;
}

/** Exactly one field. */
export interface Principal {
  any?: true;
  /** source_ip, direct_remote_ip and remote_ip are all the TCP peer at this level. */
  source_ip?: CidrRange;
  direct_remote_ip?: CidrRange;
  remote_ip?: CidrRange;
  /** A verified client certificate: its URI SAN, else its DNS SAN, else its subject (Envoy's order). Absent principal_name: any verified certificate. */
  authenticated?: { principal_name?: StringMatcher };
  and_ids?: { ids: Principal[] };
  or_ids?: { ids: Principal[] };
  not_id?: Principal;
}

export interface Policy {
  permissions: Permission[];
  principals: Principal[];
}

export interface NetworkRbacConfig {
  /** Stats: `<stat_prefix>.rbac.allowed`, `.denied`, `.shadow_allowed`, `.shadow_denied`. */
  stat_prefix: string;
  /** Absent: nothing is enforced. */
  rules?: { action: 'ALLOW' | 'DENY'; policies: Record<string, Policy> };
  /** Evaluated and counted, never enforced. */
  shadow_rules?: { action: 'ALLOW' | 'DENY'; policies: Record<string, Policy> };
}

const oneField = (schema: JsonSchema): JsonSchema => ({ ...schema, minProperties: 1, maxProperties: 1 });
const ref = (name: string): JsonSchema => ({ $ref: `#/definitions/${name}` });

const cidrRange: JsonSchema = {
  oneOf: [{ type: 'string', minLength: 1 }, object({ address_prefix: { type: 'string', minLength: 1 }, prefix_len: integer(0, 128) }, ['address_prefix'])],
};

const permission = oneField(
  object({
    any: { const: true },
    destination_port: integer(1, 65535),
    destination_ip: cidrRange,
    requested_server_name: stringMatcherSchema,
    and_rules: object({ rules: arrayOf(ref('permission'), 1) }, ['rules']),
    or_rules: object({ rules: arrayOf(ref('permission'), 1) }, ['rules']),
    not_rule: ref('permission'),
  }),
);

const principal = oneField(
  object({
    any: { const: true },
    source_ip: cidrRange,
    direct_remote_ip: cidrRange,
    remote_ip: cidrRange,
    authenticated: object({ principal_name: stringMatcherSchema }),
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

export const networkRbacConfigSchema: JsonSchema = {
  ...object({ stat_prefix: { type: 'string', minLength: 1 }, rules, shadow_rules: rules }, ['stat_prefix']),
  definitions: { permission, principal },
};
