// network_rbac: Envoy's network RBAC filter. The decision is made once, when the connection opens (Envoy
// waits for the first byte, so that SNI from a TLS inspector is known; here the listener knows it before any
// filter runs). A denied connection is closed before the terminal sees it.
import { defineNetworkFilter, FilterStatus } from '../../../sdk/index.js';
import type { NetworkFilter } from '../../../sdk/index.js';
import { compileRbacRules } from '../../../sdk/rbac/rules.js';
import { NetworkPolicyCompiler } from './policy.js';
import { networkRbacConfigSchema } from './schema.js';
import type { NetworkRbacConfig } from './schema.js';

export default defineNetworkFilter<NetworkRbacConfig>({
  name: 'network_rbac',
  configSchema: networkRbacConfigSchema,
  create(config, ctx) {
    const rules = compileRbacRules(new NetworkPolicyCompiler(ctx.matchers), config, ctx.stats, `${config.stat_prefix}.rbac.`);
    const filter: NetworkFilter = {
      onNewConnection(conn) {
        if (rules.hasShadow) rules.shadowPolicy(conn.info);
        const denial = rules.denial(conn.info);
        if (denial === null) return FilterStatus.Continue;
        conn.log.debug({ connection: conn.info.id, source: conn.info.sourceAddress, policy: denial }, 'network_rbac: connection denied');
        conn.close();
        return FilterStatus.Stop;
      },
    };
    return () => filter;
  },
});
