// Shared by the config tests: the example config of docs/configuration.md and a fake filter registry.
import { parse } from 'yaml';
import type { HttpFilterFactory } from '../../../sdk/filter.js';
import type { HttpFilterConfig } from '../types.js';
import type { FilterResolver } from '../validate.js';

/** The complete example at the top of docs/configuration.md (keep the two identical). */
export const EXAMPLE_YAML = `admin: { address: 127.0.0.1, port: 9901 }
listeners:
  - name: ingress
    address: 127.0.0.1
    port: 8080
    filter_chains:
      - filters:
          - name: http_connection_manager
            config:
              stat_prefix: ingress
              route_config:
                virtual_hosts:
                  - name: api
                    domains: ["*"]
                    routes:
                      - match: { prefix: /api, headers: [{ name: x-canary, exact_match: always }] }
                        route: { cluster: api-v2 }
                      - match: { prefix: /api }
                        route:
                          weighted_clusters: { clusters: [{ name: api-v1, weight: 90 }, { name: api-v2, weight: 10 }] }
                          timeout: 5s
                          retry_policy: { retry_on: "5xx,connect-failure", num_retries: 2, per_try_timeout: 1s }
              http_filters:
                - name: router
clusters:
  - name: api-v1
    connect_timeout: 1s
    lb_policy: round_robin
    endpoints: [{ address: 127.0.0.1, port: 9081 }, { address: 127.0.0.1, port: 9082, weight: 2 }]
  - name: api-v2
    endpoints: [{ address: 127.0.0.1, port: 9083 }]
`;

/** A fresh, mutable copy of the example config, for tests that break one thing in it. */
export function exampleConfig(): any {
  return parse(EXAMPLE_YAML);
}

/** The http_connection_manager config of the example's only listener. */
export function hcmOf(config: any): any {
  return config.listeners[0].filter_chains[0].filters[0].config;
}

export const HCM = 'listeners[0].filter_chains[0].filters[0].config';
export const VHOST = `${HCM}.route_config.virtual_hosts[0]`;

function fakeFactory(name: string, configSchema: Record<string, unknown>): HttpFilterFactory {
  return { name, configSchema, create: () => () => ({}) };
}

/** Fake built-in filters, with schemas shaped like real ones (defaults, ranges, required fields). */
export const FAKE_FILTERS: Readonly<Record<string, HttpFilterFactory>> = {
  local_ratelimit: fakeFactory('local_ratelimit', {
    type: 'object',
    properties: {
      max_tokens: { type: 'integer', minimum: 1, default: 10 },
      tokens_per_fill: { type: 'integer', minimum: 1, default: 1 },
      fill_interval: { type: 'string', default: '1s' },
    },
    additionalProperties: false,
  }),
  cors: fakeFactory('cors', {
    type: 'object',
    properties: { allow_origins: { type: 'array', items: { type: 'string' }, minItems: 1 } },
    required: ['allow_origins'],
    additionalProperties: false,
  }),
};

/** Resolves built-ins by `type` or `name` from FAKE_FILTERS; every `module` fails. Records each call. */
export function fakeResolver(calls: { entry: HttpFilterConfig; configDir: string }[] = []): FilterResolver {
  return async (entry, configDir) => {
    calls.push({ entry, configDir });
    if (entry.module !== undefined) throw new Error(`cannot import "${entry.module}"`);
    const key = entry.type ?? entry.name;
    const factory = FAKE_FILTERS[key];
    if (factory === undefined) throw new Error(`unknown filter "${key}"`);
    return factory;
  };
}
