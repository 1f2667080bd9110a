// The quick start's upstreams: small HTTP services that say who they are, so a curl loop shows the split.
import { createServer } from 'node:http';
import type { Server } from 'node:http';

export interface DemoService {
  readonly name: string;
  readonly port: number;
}

export const DEMO_SERVICES: readonly DemoService[] = [
  { name: 'api-v1', port: 9081 },
  { name: 'api-v1', port: 9082 },
  { name: 'api-v2', port: 9091 },
];

export function startDemoService(s: DemoService, host = '127.0.0.1'): Promise<Server> {
  const server = createServer((req, res) => {
    // Drain any request body, then answer with who we are and what we saw.
    req.resume();
    req.on('end', () => {
      const body = `hello from ${s.name} (${host}:${s.port}) ${req.method} ${req.url} request-id=${req.headers['x-request-id'] ?? '-'}\n`;
      res.writeHead(200, { 'content-type': 'text/plain', 'x-served-by': `${s.name}@${s.port}` });
      res.end(body);
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(s.port, host, () => resolve(server));
  });
}
