// connection_limit: Envoy's envoy.filters.network.connection_limit. At most max_connections connections are
// open at once through this filter instance (one per filter chain per config load); one more is refused:
// closed at once, or after `delay` (which slows down a client that reconnects in a loop). Stats:
// connection_limit.<stat_prefix>.limited_connections (counter), .active_connections (gauge).
import { defineNetworkFilter, FilterStatus } from '../../../sdk/index.js';
import type { NetworkConnection } from '../../../sdk/index.js';
import { durationSchema, parseDuration } from '../../../sdk/duration.js';
import { integer, object } from '../../../sdk/json-schema.js';

interface ConnectionLimitConfig {
  stat_prefix: string;
  max_connections: number;
  /** Wait this long before closing a refused connection; absent: close at once. */
  delay?: string;
}

const schema = object(
  { stat_prefix: { type: 'string', minLength: 1 }, max_connections: integer(1), delay: durationSchema },
  ['stat_prefix', 'max_connections'],
);

export default defineNetworkFilter<ConnectionLimitConfig>({
  name: 'connection_limit',
  configSchema: schema,
  create(config, ctx) {
    const max = config.max_connections;
    const delayMs = config.delay === undefined ? 0 : parseDuration(config.delay);
    const limited = ctx.stats.counter(`connection_limit.${config.stat_prefix}.limited_connections`);
    const active = ctx.stats.gauge(`connection_limit.${config.stat_prefix}.active_connections`);
    let open = 0;
    /** Refused connections waiting out `delay`: closed at once when this instance is disposed. */
    const delayed = new Map<NodeJS.Timeout, NetworkConnection>();
    const refuse = (conn: NetworkConnection): void => {
      if (delayMs === 0) {
        conn.close();
        return;
      }
      const timer = setTimeout(() => {
        delayed.delete(timer);
        conn.close();
      }, delayMs).unref();
      delayed.set(timer, conn);
    };
    ctx.onDispose(() => {
      for (const [timer, conn] of delayed) {
        clearTimeout(timer);
        conn.close();
      }
      delayed.clear();
    });
    return () => {
      let counted = false;
      return {
        onNewConnection(conn) {
          if (open >= max) {
            limited.inc();
            refuse(conn);
            return FilterStatus.Stop;
          }
          open++;
          counted = true;
          active.add(1);
          return FilterStatus.Continue;
        },
        onClose() {
          if (!counted) return;
          counted = false;
          open--;
          active.add(-1);
        },
      };
    };
  },
});
