// Builds the load balancer a cluster's lb_policy names.
import type { ClusterConfig } from '../../config/types.js';
import { LeastRequestLb } from './least-request.js';
import type { LoadBalancer } from './load-balancer.js';
import { MaglevLb } from './maglev.js';
import { RandomLb } from './random.js';
import { RingHashLb } from './ring-hash.js';
import { RoundRobinLb } from './round-robin.js';

export function createLoadBalancer(config: ClusterConfig): LoadBalancer {
  switch (config.lb_policy) {
    case 'round_robin':
      return new RoundRobinLb();
    case 'least_request':
      return new LeastRequestLb(config.least_request_lb_config?.choice_count ?? 2);
    case 'random':
      return new RandomLb();
    case 'ring_hash':
      return new RingHashLb(
        config.ring_hash_lb_config?.minimum_ring_size ?? 1024,
        config.ring_hash_lb_config?.maximum_ring_size ?? 8388608,
        config.endpoints.reduce((sum, e) => sum + e.weight, 0),
      );
    case 'maglev':
      return new MaglevLb(config.maglev_lb_config?.table_size ?? 65537);
  }
}
