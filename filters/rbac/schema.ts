// The config of rbac: Envoy's RBAC filter (envoy.extensions.filters.http.rbac.v3.RBAC) with the
// policy language of envoy.config.rbac.v3 (sdk/rbac/config.ts holds the part shared with network_rbac),
// plus the request-level fields: header, url_path, jwt_claim. `jwt_claim` is our addition (Envoy
// reaches JWT claims through dynamic metadata). `authenticated` matches the verified client
// certificate of an mTLS connection, as Envoy's does.
import type { JsonSchema } from '../../sdk/filter.js';
import type { HeaderMatcher, StringMatcher } from '../../sdk/match-config.js';
import { object } from '../../sdk/json-schema.js';
import { headerMatcherSchema, stringMatcherSchema } from '../../sdk/match-schema.js';
import { rbacSchemas } from '../../sdk/rbac/config.js';
import type { PermissionBase, PrincipalBase } from '../../sdk/rbac/config.js';
import type { RbacRulesConfig } from '../../sdk/rbac/rules.js';

export interface PathMatcher {
  path: StringMatcher;
}

/** Exactly one field. */
export interface Permission extends PermissionBase<Permission> {
  header?: HeaderMatcher;
  url_path?: PathMatcher;
}

export interface JwtClaim {
  /** The jwt_authn provider whose payload to read; any verified provider when absent. */
  provider?: string;
  /** A claim name, or a dotted path into nested claims ("realm_access.roles"). */
  claim: string;
  string_match: StringMatcher;
}

/** Exactly one field. */
export interface Principal extends PrincipalBase<Principal> {
  header?: HeaderMatcher;
  url_path?: PathMatcher;
  jwt_claim?: JwtClaim;
}

export type RbacConfig = RbacRulesConfig<Permission, Principal>;

const pathMatcherSchema = object({ path: stringMatcherSchema }, ['path']);

const { rules, definitions } = rbacSchemas(
  { header: headerMatcherSchema, url_path: pathMatcherSchema },
  {
    header: headerMatcherSchema,
    url_path: pathMatcherSchema,
    jwt_claim: object({ provider: { type: 'string', minLength: 1 }, claim: { type: 'string', minLength: 1 }, string_match: stringMatcherSchema }, [
      'claim',
      'string_match',
    ]),
  },
);

export const rbacConfigSchema: JsonSchema = { ...object({ rules, shadow_rules: rules }), definitions };
