// Our gateway with nothing but the router in its HTTP filter chain.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { LOOPBACK } from '../ports.js';
import type { Contender } from './contender.js';

function cliPath(repoRoot: string): string {
  return join(repoRoot, 'dist', 'gateway', 'cli.js');
}

/** One listener, one catch-all route to one cluster of one endpoint. */
function routerOnlyConfig(port: number, upstreamPort: number): object {
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
                  http_filters: [{ name: 'router' }],
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

export const gatewayRouter: Contender = {
  name: 'gateway-router',
  description: 'this gateway, router filter only',
  unavailable: ({ repoRoot }) =>
    existsSync(cliPath(repoRoot)) ? null : 'dist/gateway/cli.js does not exist yet (gateway not written or not built: npm run build)',
  command: ({ repoRoot, workDir, port, upstreamPort }) => {
    const configFile = join(workDir, 'gateway-router.yaml');
    writeFileSync(configFile, stringify(routerOnlyConfig(port, upstreamPort)));
    return { file: process.execPath, args: [cliPath(repoRoot), '--config', configFile] };
  },
};
