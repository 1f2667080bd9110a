// The config of network_rbac: Envoy's network RBAC filter (envoy.extensions.filters.network.rbac.v3.RBAC)
// with the connection-level part of envoy.config.rbac.v3 (sdk/rbac/config.ts holds the part shared with
// rbac): permissions on where the connection goes (destination port and IP, SNI) and principals on who
// opens it (source address, client certificate).
import type { JsonSchema } from '../../../sdk/filter.js';
import type { StringMatcher } from '../../../sdk/match-config.js';
import { object } from '../../../sdk/json-schema.js';
import { stringMatcherSchema } from '../../../sdk/match-schema.js';
import { cidrRangeSchema, rbacSchemas } from '../../../sdk/rbac/config.js';
import type { CidrRange, PermissionBase, PrincipalBase } from '../../../sdk/rbac/config.js';
import type { RbacRulesConfig } from '../../../sdk/rbac/rules.js';

/** Exactly one field. */
export interface Permission extends PermissionBase<Permission> {
  destination_ip?: CidrRange;
  /** The SNI the client asked for ('' when none). */
  requested_server_name?: StringMatcher;
}

/** Exactly one field. source_ip, direct_remote_ip and remote_ip are all the TCP peer at this level. */
export type Principal = PrincipalBase<Principal>;

export interface NetworkRbacConfig extends RbacRulesConfig<Permission, Principal> {
  /** Stats: `<stat_prefix>.rbac.allowed`, `.denied`, `.shadow_allowed`, `.shadow_denied`. */
  stat_prefix: string;
}

const { rules, definitions } = rbacSchemas({ destination_ip: cidrRangeSchema, requested_server_name: stringMatcherSchema }, {});

export const networkRbacConfigSchema: JsonSchema = {
  ...object({ stat_prefix: { type: 'string', minLength: 1 }, rules, shadow_rules: rules }, ['stat_prefix']),
  definitions,
};
