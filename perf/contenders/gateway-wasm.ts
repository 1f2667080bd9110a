// Our gateway with one Proxy-Wasm filter (the AssemblyScript header_rewrite module) adding one
// request header, then the router: what a header-only WASM filter costs over router-only.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Contender, Paths } from './contender.js';
import { gatewayCommand, gatewayUnavailable } from './gateway.js';

function modulePath(repoRoot: string): string {
  return join(repoRoot, 'build', 'wasm', 'header_rewrite.wasm');
}

export const gatewayWasm: Contender = {
  name: 'gateway-wasm',
  description: 'this gateway, one AssemblyScript WASM filter (header_rewrite, adds a request header) + router',
  unavailable: (paths: Paths) =>
    gatewayUnavailable(paths) ??
    (existsSync(modulePath(paths.repoRoot)) ? null : 'build/wasm/header_rewrite.wasm does not exist yet (build it: npm run build)'),
  command: (launch) =>
    gatewayCommand('gateway-wasm', launch, [
      {
        name: 'header_rewrite',
        type: 'wasm',
        config: {
          name: 'header_rewrite',
          root_id: 'header_rewrite',
          vm_config: { vm_id: 'header_rewrite', code: { local: { filename: modulePath(launch.repoRoot) } } },
          configuration: { request_headers_to_add: [{ header: { key: 'x-gateway', value: 'wasmgate' } }] },
          // Header-only: bodies stream through, as they do for gateway-router.
          deliver_body: 'none',
        },
      },
    ]),
};
