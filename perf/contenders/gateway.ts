// What every contender that runs this gateway shares: the CLI it starts, and a config of one
// listener with one catch-all route to one cluster of one endpoint; only the filter chain differs.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { LOOPBACK } from '../ports.js';
import type { Command, Launch, Paths } from './contender.js';

function cliPath(repoRoot: string): string {
  return join(repoRoot, 'dist', 'gateway', 'cli.js');
}

/** Why the gateway cannot run here, or null. */
export function gatewayUnavailable({ repoRoot }: Paths): string | null {
  return existsSync(cliPath(repoRoot)) ? null : 'dist/gateway/cli.js does not exist yet (gateway not written or not built: npm run build)';
}

function gatewayConfig(port: number, upstreamPort: number, httpFilters: object[]): object {
  return {
    listeners: [
      {
        name: 'bench',
        address: LOOPBACK,
        port,
        filter_chains: [
          {
            filters: [
              {
                name: 'http_connection_manager',
                config: {
                  stat_prefix: 'bench',
                  route_config: {
                    virtual_hosts: [{ name: 'all', domains: ['*'], routes: [{ match: { prefix: '/' }, route: { cluster: 'up' } }] }],
                  },
                  http_filters: [...httpFilters, { name: 'router' }],
                },
              },
            ],
          },
        ],
      },
    ],
    clusters: [{ name: 'up', endpoints: [{ address: LOOPBACK, port: upstreamPort }] }],
  };
}

/**
 * Writes `<name>.yaml` into the work directory with `httpFilters` before the router, and returns
 * the command line that runs the gateway on it.
 */
export function gatewayCommand(name: string, { repoRoot, workDir, port, upstreamPort }: Launch, httpFilters: object[]): Command {
  const configFile = join(workDir, `${name}.yaml`);
  writeFileSync(configFile, stringify(gatewayConfig(port, upstreamPort, httpFilters)));
  return { file: process.execPath, args: [cliPath(repoRoot), '--config', configFile] };
}
