// Test helper: a gateway in a process of its own. argv[2] is the config as JSON; it prints
// {"port": N} once listening and stops on SIGTERM.
import { createGateway } from '../../gateway/index.js';

const gateway = await createGateway({ config: JSON.parse(process.argv[2]!), logLevel: 'silent', drainTimeoutMs: 500 });
await gateway.start();
process.stdout.write(JSON.stringify({ port: gateway.address('test').port }) + '\n');
process.once('SIGTERM', () => {
  void gateway.stop().then(() => process.exit(0));
});
