// What every contender that runs this gateway shares: the CLI it starts, and a config of one
// listener routing to one cluster; only the filter chain and the scenario's shape differ (route
// table size, cluster size, active health checks).
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { LOOPBACK } from '../ports.js';
import { LATE_ROUTE_PREFIX, type GatewayShape } from '../scenarios.js';
import type { Command, Launch, Paths } from './contender.js';

export function cliPath(distRoot: string): string {
  return join(distRoot, 'gateway', 'cli.js');
}

/** Why the gateway cannot run here, or null. */
export function gatewayUnavailable({ distRoot }: Paths): string | null {
  return existsSync(cliPath(distRoot)) ? null : `${cliPath(distRoot)} does not exist yet (gateway not written or not built: npm run build)`;
}

/**
 * One catch-all route, or `count` distinct routes, alternately exact paths and prefixes, whose last
 * is the prefix the routes scenario requests: a linear scan would try every other one first.
 */
function routes(count: number): object[] {
  const route = { cluster: 'up' };
  if (count === 1) return [{ match: { prefix: '/' }, route }];
  const table: object[] = [];
  for (let i = 0; i < count - 1; i++) table.push({ match: i % 2 === 0 ? { path: `/svc${i}/item` } : { prefix: `/api${i}/` }, route });
  table.push({ match: { prefix: LATE_ROUTE_PREFIX }, route });
  return table;
}

function cluster(upstreamPorts: number[], { endpoints, healthChecks }: GatewayShape): object {
  if (endpoints > upstreamPorts.length) throw new Error(`the upstream listens on ${upstreamPorts.length} ports, ${endpoints} endpoints asked`);
  return {
    name: 'up',
    endpoints: upstreamPorts.slice(0, endpoints).map((port) => ({ address: LOOPBACK, port })),
    ...(healthChecks && {
      health_checks: [
        {
          timeout: '1s',
          interval: '1s',
          no_traffic_interval: '1s',
          initial_jitter: '1s',
          unhealthy_threshold: 3,
          healthy_threshold: 1,
          http_health_check: { path: '/healthz' },
        },
      ],
    }),
  };
}

/** A listener named `name` (its stat_prefix too) on LOOPBACK:`port`: one virtual host for all domains, `httpFilters` before the router. */
export function httpListener(name: string, port: number, virtualHost: object, httpFilters: object[] = []): object {
  return {
    name,
    address: LOOPBACK,
    port,
    filter_chains: [
      {
        filters: [
          {
            name: 'http_connection_manager',
            config: {
              stat_prefix: name,
              route_config: { virtual_hosts: [{ name: 'all', domains: ['*'], ...virtualHost }] },
              http_filters: [...httpFilters, { name: 'router' }],
            },
          },
        ],
      },
    ],
  };
}

function gatewayConfig({ port, upstreamPorts, shape }: Launch, httpFilters: object[]): object {
  return {
    listeners: [httpListener('bench', port, { routes: routes(shape.routes) }, httpFilters)],
    clusters: [cluster(upstreamPorts, shape)],
  };
}

/**
 * Writes `<name>-<port>.yaml` into the work directory with `httpFilters` before the router, and returns
 * the command line that runs the gateway on it (with `extraArgs` after the config).
 */
export function gatewayCommand(name: string, launch: Launch, httpFilters: object[], extraArgs: string[] = []): Command {
  // The port makes the file name unique when one scenario runs the same contender in two shapes.
  const configFile = join(launch.workDir, `${name}-${launch.port}.yaml`);
  // No anchors and aliases for the objects many routes share: the gateway's YAML reader caps aliases.
  writeFileSync(configFile, stringify(gatewayConfig(launch, httpFilters), { aliasDuplicateObjects: false }));
  return { file: process.execPath, args: [cliPath(launch.distRoot), '--config', configFile, ...extraArgs] };
}
