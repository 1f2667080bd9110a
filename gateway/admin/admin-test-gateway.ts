// Test helper: a gateway with its admin listener on a free port, stopped after the test with the upstreams it fronts.
import { startGateway } from '../harness.js';
import type { TestGateway } from '../harness.js';

export interface AdminTestGateway extends TestGateway {
  /** The admin listener's origin. */
  readonly admin: string;
}

/** Starts `config` (from gatewayConfig) with `admin` on 127.0.0.1 port 0; after the test: the gateway, then `upstreams`. */
export async function startGatewayWithAdmin(
  t: { after(fn: () => Promise<void>): void },
  config: unknown,
  upstreams: { close(): Promise<void> }[] = [],
): Promise<AdminTestGateway> {
  const gw = await startGateway({ ...(config as Record<string, unknown>), admin: { address: '127.0.0.1', port: 0 } });
  t.after(async () => {
    await gw.close();
    for (const up of upstreams) await up.close();
  });
  return { ...gw, admin: `http://127.0.0.1:${gw.gateway.adminAddress()!.port}` };
}
