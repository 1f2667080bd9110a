// How long a listener's connections may drain on reload, /drain_listeners and shutdown: the longest
// drain_timeout of its http_connection_managers, or the gateway's default when none sets one.
import type { ListenerConfig } from '../config/types.js';
import { parseDuration } from '../config/duration.js';
import { httpConnectionManagerOf } from '../network/terminal-config.js';

export function listenerDrainMs(config: ListenerConfig, defaultMs: number): number {
  let ms: number | null = null;
  const chains = config.default_filter_chain === undefined ? config.filter_chains : [...config.filter_chains, config.default_filter_chain];
  for (const chain of chains) {
    const t = httpConnectionManagerOf(chain)?.drain_timeout;
    if (t !== undefined) ms = Math.max(ms ?? 0, parseDuration(t));
  }
  return ms ?? defaultMs;
}
