// The connection-level part of RBAC: reading a connection, and the fields only it has (destination_ip,
// requested_server_name). The shared policy language is compiled by sdk/rbac/compiler.ts.
import type { DownstreamConnectionInfo, DownstreamTlsInfo } from '../../../sdk/connection-info.js';
import { at, noKnownField, RbacCompiler } from '../../../sdk/rbac/compiler.js';
import type { Match } from '../../../sdk/rbac/compiler.js';
import type { Permission, Principal } from './schema.js';

export class NetworkPolicyCompiler extends RbacCompiler<DownstreamConnectionInfo, Permission, Principal> {
  protected destinationPort(c: DownstreamConnectionInfo): number {
    return c.destinationPort;
  }

  /** There are no forwarded hops at this level: remote_ip is the TCP peer too. */
  protected remoteAddress(c: DownstreamConnectionInfo): string {
    return c.sourceAddress;
  }

  protected directRemoteAddress(c: DownstreamConnectionInfo): string {
    return c.sourceAddress;
  }

  protected tls(c: DownstreamConnectionInfo): DownstreamTlsInfo | null | undefined {
    return c.tls;
  }

  protected ownPermission(p: Permission, where: string): Match<DownstreamConnectionInfo> {
    if (p.destination_ip !== undefined) {
      const inRange = this.cidr(p.destination_ip, `${where}.destination_ip`);
      return (c) => inRange(c.destinationAddress);
    }
    if (p.requested_server_name !== undefined) {
      const matches = at(`${where}.requested_server_name`, () => this.matchers.string(p.requested_server_name!));
      return (c) => matches(c.serverName);
    }
    return noKnownField(where);
  }

  protected ownPrincipal(_q: Principal, where: string): Match<DownstreamConnectionInfo> {
    return noKnownField(where);
  }
}
