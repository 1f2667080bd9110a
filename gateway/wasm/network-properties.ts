// proxy_get_property for a network filter's context: the connection's attributes (Envoy's names and
// encodings, as for HTTP streams): source.address/port, destination.address/port, connection.*, and
// upstream.address once tcp_proxy has connected.
import type { DownstreamConnectionInfo } from '../../sdk/connection-info.js';
import { connectionProperty, int64, str } from './properties.js';

function hostPort(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

/** The property at `path` (NUL-separated segments) of a connection, or undefined when there is none. */
export function networkProperty(path: string, c: DownstreamConnectionInfo, upstreamHost: string): Buffer | undefined {
  const [group, name] = path.split('\0');
  switch (group) {
    case 'source':
      if (name === 'address') return str(hostPort(c.sourceAddress, c.sourcePort));
      if (name === 'port') return int64(c.sourcePort);
      return undefined;
    case 'destination':
      if (name === 'address') return str(hostPort(c.destinationAddress, c.destinationPort));
      if (name === 'port') return int64(c.destinationPort);
      return undefined;
    case 'connection':
      return connectionProperty(name, c);
    case 'upstream':
      return name === 'address' && upstreamHost !== '' ? str(upstreamHost) : undefined;
    default:
      return undefined;
  }
}
