// Test helper: an upstream on loopback whose behaviour can be switched while it runs (healthy, answering 503,
// hanging, slow) and that can be killed and revived on the same port. Health checks (GET /healthz) get the
// same treatment as requests, as a sick replica's would; it counts how many checks overlap.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Fault = 'none' | 'error503' | 'hang' | 'slow';

export class FaultUpstream {
  fault: Fault = 'none';
  slowMs = 300;
  /** Requests answered 200 (health checks not counted). */
  served = 0;
  checks = 0;
  checksInFlight = 0;
  maxChecksInFlight = 0;
  private server: Server;
  private constructor(
    readonly name: string,
    public port: number,
  ) {
    this.server = this.newServer();
  }

  static async start(name: string, port = 0): Promise<FaultUpstream> {
    const up = new FaultUpstream(name, port);
    await up.listen();
    return up;
  }

  /** Stops listening and cuts every connection (a crashed replica). */
  kill(): Promise<void> {
    const server = this.server;
    return new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  }

  /** Listens again on the same port. */
  async revive(): Promise<void> {
    this.server = this.newServer();
    await this.listen();
  }

  close(): Promise<void> {
    return this.server.listening ? this.kill() : Promise.resolve();
  }

  private listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.port, '127.0.0.1', () => {
        this.port = (this.server.address() as AddressInfo).port;
        resolve();
      });
    });
  }

  private newServer(): Server {
    return createServer((req, res) => this.handle(req, res));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const isCheck = req.url === '/healthz';
    if (isCheck) {
      this.checks++;
      this.checksInFlight++;
      this.maxChecksInFlight = Math.max(this.maxChecksInFlight, this.checksInFlight);
      res.on('close', () => this.checksInFlight--);
    }
    req.resume();
    const answer = (status: number): void => {
      if (res.destroyed) return;
      if (status === 200 && !isCheck) this.served++;
      res.writeHead(status, { 'content-type': 'text/plain', 'x-upstream': this.name });
      res.end(this.name);
    };
    switch (this.fault) {
      case 'none':
        return answer(200);
      case 'error503':
        return answer(503);
      case 'hang':
        return; // never answers; kill() or the client's timeout ends it
      case 'slow': {
        const timer = setTimeout(() => answer(200), this.slowMs);
        res.on('close', () => clearTimeout(timer));
      }
    }
  }
}

/** Polls `condition` every 10 ms until it holds; throws with `what` after `timeoutMs`. Returns the ms it took. */
export async function waitFor(what: string, condition: () => boolean, timeoutMs = 10_000): Promise<number> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return Date.now() - start;
}
