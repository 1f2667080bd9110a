// network_rbac: Envoy's network RBAC filter. The decision is made once, when the connection opens (Envoy
// waits for the first byte, so that SNI from a TLS inspector is known; here the listener knows it before any
// filter runs). A denied connection is closed before the terminal sees it.
import { defineNetworkFilter, FilterStatus } from '../../../sdk/index.js';
import type { NetworkFilter } from '../../../sdk/index.js';
import { NetworkPolicyCompiler } from './policy.js';
import { networkRbacConfigSchema } from './schema.js';
import type { NetworkRbacConfig } from './schema.js';

export default defineNetworkFilter<NetworkRbacConfig>({
  name: 'network_rbac',
  configSchema: networkRbacConfigSchema,
  create(config, ctx) {
    const compiler = new NetworkPolicyCompiler(ctx.matchers);
    const enforced = config.rules === undefined ? undefined : compiler.rules(config.rules, 'rules');
    const shadow = config.shadow_rules === undefined ? undefined : compiler.rules(config.shadow_rules, 'shadow_rules');
    const p = `${config.stat_prefix}.rbac.`;
    const allowed = ctx.stats.counter(`${p}allowed`);
    const denied = ctx.stats.counter(`${p}denied`);
    const shadowAllowed = ctx.stats.counter(`${p}shadow_allowed`);
    const shadowDenied = ctx.stats.counter(`${p}shadow_denied`);
    const filter: NetworkFilter = {
      onNewConnection(conn) {
        if (shadow !== undefined) {
          const ok = shadow.allowAction === (shadow.matchedPolicy(conn.info) !== undefined);
          (ok ? shadowAllowed : shadowDenied).inc();
        }
        if (enforced === undefined) return FilterStatus.Continue;
        const policy = enforced.matchedPolicy(conn.info);
        if (enforced.allowAction === (policy !== undefined)) {
          allowed.inc();
          return FilterStatus.Continue;
        }
        denied.inc();
        conn.log.debug({ connection: conn.info.id, source: conn.info.sourceAddress, policy: policy ?? 'none' }, 'network_rbac: connection denied');
        conn.close();
        return FilterStatus.Stop;
      },
    };
    return () => filter;
  },
});
