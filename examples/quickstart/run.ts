// `npm start`: the demo services, then the gateway in front of them, until Ctrl-C.
import { fileURLToPath } from 'node:url';
import { createGateway } from '../../gateway/index.js';
import { DEMO_SERVICES, startDemoService } from './demo-services.js';

// The YAML stays in the source tree; this file runs from dist/.
const configPath = fileURLToPath(new URL('../../../examples/quickstart/gateway.yaml', import.meta.url));

const servers = await Promise.all(DEMO_SERVICES.map((s) => startDemoService(s)));
const gateway = await createGateway({ configPath, logLevel: 'warn' });
await gateway.start();
process.stderr.write(`
gateway listening on http://127.0.0.1:8080 (demo upstreams: api-v1 on 9081 and 9082, api-v2 on 9091)
try:
  curl -s http://127.0.0.1:8080/api/hello
  curl -s -H 'x-canary: always' http://127.0.0.1:8080/api/hello
  for i in $(seq 200); do curl -s http://127.0.0.1:8080/api/hello; done | grep -o 'api-v[12]' | sort | uniq -c
Access log lines (JSON) follow on stdout. Ctrl-C stops.

`);

const stop = async (): Promise<void> => {
  await gateway.stop();
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  process.exit(0);
};
process.once('SIGINT', () => void stop());
process.once('SIGTERM', () => void stop());
