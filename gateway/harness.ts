// Helpers for gateway tests: real upstream servers on 127.0.0.1 port 0, a gateway built from a config
// object, and a client. Everything started here is stopped by the returned close functions.
import { readFileSync } from 'node:fs';
import { createServer, request as httpRequest } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Readable } from 'node:stream';
import { Agent, request } from 'undici';
import { createGateway } from './index.js';
import type { Gateway } from './index.js';
import type { HttpFilterFactory } from '../sdk/filter.js';

export interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

export interface Upstream {
  readonly port: number;
  readonly name: string;
  /** Every request it received, in order. */
  readonly seen: SeenRequest[];
  close(): Promise<void>;
}

export type UpstreamHandler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

/** An upstream that answers `200 <name>` unless given a handler. */
export async function startUpstream(name: string, handler?: UpstreamHandler): Promise<Upstream> {
  const seen: SeenRequest[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString();
      seen.push({ method: req.method!, url: req.url!, headers: req.headers, body });
      if (handler) handler(req, res, body);
      else {
        res.writeHead(200, { 'content-type': 'text/plain', 'x-upstream': name });
        res.end(name);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    name,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A loopback port nothing listens on (bound, then released); tests also use it as a free port to listen on. */
export async function deadPort(): Promise<number> {
  // Below the kernel's ephemeral range: a port-0 bind (another test's server, a client socket) never lands there, so
  // the port stays dead after we let it go; a port-0 pick would be handed out again at once under parallel tests.
  const low = ephemeralLow();
  for (let attempt = 0; attempt < 100 && low > FIXED_PORTS_FROM + 1000; attempt++) {
    const port = FIXED_PORTS_FROM + Math.floor(Math.random() * (low - FIXED_PORTS_FROM));
    if (await bindsAndCloses(port)) return port;
  }
  throw new Error(`no free loopback port between ${FIXED_PORTS_FROM} and ${low}`);
}

const FIXED_PORTS_FROM = 10000;

/** The first port of /proc/sys/net/ipv4/ip_local_port_range (Linux's default 32768 elsewhere). */
function ephemeralLow(): number {
  try {
    return Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]) || 32768;
  } catch {
    return 32768;
  }
}

function bindsAndCloses(port: number): Promise<boolean> {
  const s = createServer();
  return new Promise((resolve) => {
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

export interface RouteSpec {
  [key: string]: unknown;
}

/** A one-listener config on port 0 with the given routes, http filters and clusters. */
export function gatewayConfig(opts: {
  routes: RouteSpec[];
  clusters: { name: string; ports: number[]; [key: string]: unknown }[];
  filters?: unknown[];
  hcm?: Record<string, unknown>;
  vhost?: Record<string, unknown>;
}): unknown {
  return {
    listeners: [
      {
        name: 'test',
        address: '127.0.0.1',
        port: 0,
        filter_chains: [
          {
            filters: [
              {
                name: 'http_connection_manager',
                config: {
                  stat_prefix: 'test',
                  route_config: { virtual_hosts: [{ name: 'all', domains: ['*'], routes: opts.routes, ...opts.vhost }] },
                  http_filters: [...(opts.filters ?? []), { name: 'router' }],
                  ...opts.hcm,
                },
              },
            ],
          },
        ],
      },
    ],
    clusters: opts.clusters.map(({ name, ports, ...rest }) => ({
      name,
      connect_timeout: '1s',
      endpoints: ports.map((port) => ({ address: '127.0.0.1', port })),
      ...rest,
    })),
  };
}

export interface TestGateway {
  readonly gateway: Gateway;
  readonly origin: string;
  get(path: string, headers?: Record<string, string>): Promise<TestResponse>;
  /** A Readable body goes chunked (no content-length). */
  send(method: string, path: string, body?: string | Readable, headers?: Record<string, string>): Promise<TestResponse>;
  close(): Promise<void>;
}

export interface TestResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export async function startGateway(config: unknown, filters: HttpFilterFactory[] = [], configDir?: string): Promise<TestGateway> {
  const gateway = await createGateway({ config, filters, logLevel: 'silent', drainTimeoutMs: 1000, ...(configDir ? { configDir } : {}) });
  await gateway.start();
  const { port } = gateway.address('test');
  const origin = `http://127.0.0.1:${port}`;
  const agent = new Agent({ connections: 64, keepAliveTimeout: 1000 });
  const send = async (method: string, path: string, body?: string | Readable, headers: Record<string, string> = {}): Promise<TestResponse> => {
    const r = await request(origin + path, {
      method: method as 'GET',
      headers,
      body: body ?? null,
      dispatcher: agent,
      headersTimeout: 10_000,
      bodyTimeout: 10_000,
    });
    return { status: r.statusCode, headers: r.headers as TestResponse['headers'], body: await r.body.text() };
  };
  return {
    gateway,
    origin,
    get: (path, headers) => send('GET', path, undefined, headers),
    send,
    close: async () => {
      await agent.close();
      await gateway.stop();
    },
  };
}

/** One request with node:http (which, unlike undici, sends any Connection header it is given). */
export function nodeRequest(origin: string, path: string, headers: Record<string, string>): Promise<TestResponse> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(origin + path, { headers, agent: false, timeout: 10_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString() }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
    req.end();
  });
}
