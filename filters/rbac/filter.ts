// rbac: Envoy's role-based access control filter. `rules` (ALLOW or DENY policies) decide: a denied
// request gets 403 "RBAC: access denied" with response code details
// `rbac_access_denied_matched_policy[<policy>|none]` and response flag RBAC (ours: Envoy has none for
// it). `shadow_rules` are evaluated and counted only; their result is left in the state bag.
import { defineHttpFilter, FilterStatus } from '../../sdk/index.js';
import type { HttpFilter } from '../../sdk/index.js';
import { compileRbacRules } from '../../sdk/rbac/rules.js';
import { PolicyCompiler } from './policy.js';
import { rbacConfigSchema } from './schema.js';
import type { RbacConfig } from './schema.js';

/** Response flag of a request refused by rbac (not one of Envoy's, as FF is not). */
export const RBAC_DENIED_FLAG = 'RBAC';

export default defineHttpFilter<RbacConfig>({
  name: 'rbac',
  configSchema: rbacConfigSchema,
  create(config, ctx) {
    const rules = compileRbacRules(new PolicyCompiler(ctx.matchers), config, ctx.stats);
    const shadowPolicyKey = `${ctx.filterName}.shadow_effective_policy_id`;
    const shadowResultKey = `${ctx.filterName}.shadow_engine_result`;

    const filter: HttpFilter = {
      onRequestHeaders(_headers, stream) {
        if (rules.hasShadow) {
          const policy = rules.shadowPolicy(stream);
          const ok = rules.shadowAllows(policy);
          if (policy !== undefined) stream.state.set(shadowPolicyKey, policy);
          stream.state.set(shadowResultKey, ok ? 'allowed' : 'denied');
          stream.log.debug({ policy: policy ?? 'none', result: ok ? 'allowed' : 'denied', request_id: stream.requestId }, 'rbac shadow rules');
        }
        const denial = rules.denial(stream);
        if (denial === null) return FilterStatus.Continue;
        stream.sendLocalReply(403, 'RBAC: access denied', undefined, {
          responseFlag: RBAC_DENIED_FLAG,
          details: `rbac_access_denied_matched_policy[${denial}]`,
        });
        return FilterStatus.Stop;
      },
    };
    return () => filter;
  },
});
