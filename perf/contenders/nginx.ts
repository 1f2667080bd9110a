// nginx as a reverse proxy with upstream keep-alive: the C reference, when installed.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hasCommand } from '../platform.js';
import { LOOPBACK } from '../ports.js';
import type { Contender } from './contender.js';

function nginxConfig(workDir: string, port: number, upstreamPort: number): string {
  // Every path inside workDir, so the run needs nothing from /var or /etc.
  return `
worker_processes 1;
daemon off;
pid ${join(workDir, 'nginx.pid')};
error_log stderr warn;
events { worker_connections 8192; }
http {
  access_log off;
  client_body_temp_path ${join(workDir, 'nginx-body')};
  proxy_temp_path ${join(workDir, 'nginx-proxy')};
  fastcgi_temp_path ${join(workDir, 'nginx-fastcgi')};
  uwsgi_temp_path ${join(workDir, 'nginx-uwsgi')};
  scgi_temp_path ${join(workDir, 'nginx-scgi')};
  upstream up {
    server ${LOOPBACK}:${upstreamPort};
    keepalive 128;
  }
  server {
    listen ${LOOPBACK}:${port};
    keepalive_requests 1000000;
    # Bodies stream both ways, as through the Node proxies: nothing buffered in memory or on disk.
    client_max_body_size 0;
    proxy_request_buffering off;
    proxy_buffering off;
    location / {
      proxy_pass http://up;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
  }
}
`;
}

export const nginx: Contender = {
  name: 'nginx',
  description: 'nginx, one worker, upstream keep-alive',
  unavailable: () => (hasCommand('nginx') ? null : 'nginx is not installed (apt-get install nginx haproxy wrk)'),
  command: ({ workDir, port, upstreamPort }) => {
    const configFile = join(workDir, 'nginx.conf');
    writeFileSync(configFile, nginxConfig(workDir, port, upstreamPort));
    // -e: the error log before the config is read would otherwise go to /var/log/nginx.
    return { file: 'nginx', args: ['-p', workDir, '-e', 'stderr', '-c', configFile] };
  },
};
