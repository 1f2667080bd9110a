// HAProxy in HTTP mode with connection reuse to the upstream: the other C reference, when installed.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hasCommand } from '../platform.js';
import { LOOPBACK } from '../ports.js';
import type { Contender } from './contender.js';

function haproxyConfig(port: number, upstreamPort: number): string {
  return `
global
  nbthread 1
  maxconn 8192

defaults
  mode http
  option http-keep-alive
  timeout connect 5s
  timeout client 60s
  timeout server 60s
  timeout http-keep-alive 60s

frontend bench
  bind ${LOOPBACK}:${port}
  default_backend up

backend up
  http-reuse always
  server up ${LOOPBACK}:${upstreamPort}
`;
}

export const haproxy: Contender = {
  name: 'haproxy',
  description: 'HAProxy, one thread, connection reuse to the upstream',
  unavailable: () => (hasCommand('haproxy') ? null : 'haproxy is not installed (apt-get install nginx haproxy wrk)'),
  command: ({ workDir, port, upstreamPort }) => {
    const configFile = join(workDir, 'haproxy.cfg');
    writeFileSync(configFile, haproxyConfig(port, upstreamPort));
    // -db: stay in the foreground, so the suite owns the process.
    return { file: 'haproxy', args: ['-db', '-f', configFile] };
  },
};
