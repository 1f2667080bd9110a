// tcp_health_check: connect; when `send` is set write it; when `receive` is set, pass once every block
// has arrived in order (Envoy's fuzzy match), else pass on connect. A fresh connection every time.
import { connect } from 'node:net';
import type { TcpHealthCheckConfig } from '../../config/types.js';
import { PASSED, type Probe, type ProbeResult } from './probe.js';

export class TcpProbe implements Probe {
  private readonly send: Buffer | null;
  private readonly receive: Buffer[];

  constructor(
    config: TcpHealthCheckConfig,
    private readonly timeoutMs: number,
  ) {
    this.send = config.send === undefined ? null : Buffer.from(config.send.text, 'hex');
    this.receive = (config.receive ?? []).map((p) => Buffer.from(p.text, 'hex'));
  }

  check(address: string, port: number): Promise<ProbeResult> {
    return new Promise((resolve) => {
      let settled = false;
      let received = Buffer.alloc(0);
      const done = (result: ProbeResult): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        socket.destroy();
        resolve(result);
      };
      const socket = connect({ host: address, port });
      const timer = setTimeout(() => done({ outcome: 'network', error: `timeout after ${this.timeoutMs} ms` }), this.timeoutMs);
      socket.on('connect', () => {
        if (this.send !== null) socket.write(this.send);
        if (this.receive.length === 0) done(PASSED);
      });
      socket.on('data', (chunk: Buffer) => {
        received = Buffer.concat([received, chunk]);
        if (this.allReceived(received)) done(PASSED);
      });
      socket.on('end', () => done({ outcome: 'network', error: 'connection closed before the expected response' }));
      socket.on('error', (err: NodeJS.ErrnoException) => done({ outcome: 'network', error: err.code ?? err.message }));
    });
  }

  private allReceived(data: Buffer): boolean {
    let from = 0;
    for (const block of this.receive) {
      const at = data.indexOf(block, from);
      if (at < 0) return false;
      from = at + block.length;
    }
    return true;
  }
}
