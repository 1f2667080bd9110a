// Test helper: a throw-away redis-server on a free loopback port, no persistence. Tests start their
// own and stop it; CI installs the redis-server package.
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import type { TestContext } from 'node:test';
import { Redis } from 'ioredis';
import { deadPort } from '../../gateway/harness.js';

export interface RedisServer {
  readonly port: number;
  /** Freezes the server (SIGSTOP): connections stay open, nothing answers. */
  pause(): void;
  resume(): void;
  stop(): Promise<void>;
}

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.setTimeout(500, () => s.destroy());
    s.once('connect', () => s.write('PING\r\n'));
    s.once('data', (d) => {
      s.destroy();
      resolve(d.toString().startsWith('+PONG'));
    });
    s.once('error', () => resolve(false));
    s.once('close', () => resolve(false));
  });
}

/** Starts redis-server on `port` (default: a free one). */
export async function startRedis(port?: number): Promise<RedisServer> {
  const probe = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  if (probe.error !== undefined) {
    throw new Error(`redis-server is not installed (${probe.error.message}): install it (Debian/Ubuntu: apt-get install redis-server) to run the ratelimit tests; CI installs it`);
  }
  port ??= await deadPort();
  const proc: ChildProcess = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--loglevel', 'warning'],
    { stdio: 'ignore' },
  );
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  const deadline = Date.now() + 10_000;
  while (!(await ping(port))) {
    if (proc.exitCode !== null || Date.now() > deadline) {
      proc.kill('SIGKILL');
      throw new Error(`redis-server did not answer on 127.0.0.1:${port} within 10 s`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  return {
    port,
    pause: () => void proc.kill('SIGSTOP'),
    resume: () => void proc.kill('SIGCONT'),
    stop: async () => {
      if (proc.exitCode !== null) return;
      proc.kill('SIGCONT');
      proc.kill('SIGKILL');
      await exited;
    },
  };
}

export interface ObservedRedis {
  readonly redis: RedisServer;
  /** How many clients the server has besides our observer (the gateway's connections). */
  otherClients(): Promise<number>;
}

/** A redis-server and a client of our own that watches its connections (CLIENT LIST); both stop with the test. */
export async function startObservedRedis(t: TestContext): Promise<ObservedRedis> {
  const redis = await startRedis();
  t.after(() => redis.stop());
  const observer = new Redis({ host: '127.0.0.1', port: redis.port, lazyConnect: true });
  await observer.connect();
  t.after(() => void observer.disconnect());
  return {
    redis,
    async otherClients() {
      const list = (await observer.client('LIST')) as string;
      const self = (await observer.client('ID')) as number;
      return list.split('\n').filter((line) => line.startsWith('id=') && !line.startsWith(`id=${self} `)).length;
    },
  };
}
