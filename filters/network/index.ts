// The built-in network filters, registered by name beside (not among) the HTTP ones: `local_ratelimit` is
// both. Each lives in its own folder and imports only sdk/ (the network local_ratelimit reuses the HTTP
// one's token bucket). The terminals, http_connection_manager and tcp_proxy, are not registry filters.
import type { NetworkFilterFactory } from '../../sdk/network-filter.js';
import connectionLimit from './connection_limit/filter.js';
import localRateLimit from './local_ratelimit/filter.js';
import networkRbac from './rbac/filter.js';

export const builtinNetworkFilters: readonly NetworkFilterFactory[] = [connectionLimit, localRateLimit, networkRbac];
