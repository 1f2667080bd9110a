// The Redis connections of the ratelimit filter: one per address, port and timeout, shared by every
// instance of the filter in the process (per-route overrides, the configs before and after a reload).
// Each instance holds a lease; the connection closes when the last lease is released (its config's
// dispose), so a reload that keeps the Redis keeps its connection, and one that drops it closes it.
// A connection never keeps the process alive (its socket and reconnect timer are unref'd), never
// queues commands while disconnected (they fail at once: the failure mode applies), and reconnects
// by itself every RECONNECT_MS for as long as Redis is away.
import { Redis } from 'ioredis';
import type { FilterLogger } from '../../sdk/logger.js';

const RECONNECT_MS = 250;
/** How long create() waits for a first connection before going on without one. */
const FIRST_CONNECT_WAIT_MS = 1000;

// INCR every key of the request, set the TTL of the ones this call created, return every count:
// one round trip, and no read-modify-write race between gateways.
const INCR_ALL = `
local counts = {}
for i = 1, #KEYS do
  local n = redis.call('INCR', KEYS[i])
  if n == 1 then redis.call('EXPIRE', KEYS[i], ARGV[i]) end
  counts[i] = n
end
return counts`;

export interface RateLimitStore {
  /** Increments each key (creating it with the matching TTL in seconds) and resolves with the counts. */
  incrementAll(keys: readonly string[], ttlSeconds: readonly number[]): Promise<number[]>;
}

type ScriptedRedis = Redis & { wasmgateIncrAll(numKeys: number, ...args: (string | number)[]): Promise<number[]> };

/** One filter instance's use of a shared connection. */
export interface RedisLease {
  readonly store: RateLimitStore;
  /** Gives the lease back (once); the last one closes the connection. */
  release(): Promise<void>;
}

interface Connection {
  readonly store: RateLimitStore;
  close(): Promise<void>;
}

const connections = new Map<string, { connection: Promise<Connection>; leases: number }>();

/** A lease on the shared connection to this Redis with this timeout; the first caller's logger reports its outages. */
export async function leaseRedisStore(address: string, port: number, timeoutMs: number, log: FilterLogger): Promise<RedisLease> {
  const id = `${address}:${port}/${timeoutMs}`;
  let shared = connections.get(id);
  if (shared === undefined) {
    shared = { connection: connect(address, port, timeoutMs, log), leases: 0 };
    connections.set(id, shared);
  }
  shared.leases++;
  const entry = shared;
  const { store } = await entry.connection;
  let released = false;
  return {
    store,
    async release() {
      if (released) return;
      released = true;
      if (--entry.leases > 0) return;
      connections.delete(id);
      await (await entry.connection).close();
    },
  };
}

async function connect(host: string, port: number, timeoutMs: number, log: FilterLogger): Promise<Connection> {
  const client = new Redis({
    host,
    port,
    lazyConnect: true,
    enableOfflineQueue: false,
    enableReadyCheck: false,
    autoResendUnfulfilledCommands: false, // a late replay would count a request twice
    maxRetriesPerRequest: 0,
    retryStrategy: () => null, // reconnecting is ours, below, with an unref'd timer
    commandTimeout: timeoutMs,
    connectTimeout: Math.max(timeoutMs, 1000),
  }) as ScriptedRedis;
  client.defineCommand('wasmgateIncrAll', { lua: INCR_ALL });

  let down = false;
  client.on('connect', () => {
    client.stream.unref();
    if (down) log.info({ redis: `${host}:${port}` }, 'redis reachable again');
    down = false;
  });
  client.on('error', (err: Error) => {
    if (down) return;
    down = true;
    log.warn({ redis: `${host}:${port}`, err: err.message }, 'redis unreachable: requests follow failure_mode_deny until it is back');
  });
  let closing = false;
  let reconnectTimer: NodeJS.Timeout | undefined;
  const reconnect = (): void => void client.connect().catch(() => {});
  client.on('end', () => {
    if (!closing) reconnectTimer = setTimeout(reconnect, RECONNECT_MS).unref();
  });

  const ready = new Promise<void>((resolve) => {
    // Not unref'd: while the gateway is being built, nothing else may be holding the process.
    const timer = setTimeout(resolve, FIRST_CONNECT_WAIT_MS);
    client.once('ready', () => {
      clearTimeout(timer);
      resolve();
    });
  });
  reconnect();
  await ready;

  return {
    store: { incrementAll: (keys, ttls) => client.wasmgateIncrAll(keys.length, ...keys, ...ttls) },
    async close() {
      closing = true;
      clearTimeout(reconnectTimer);
      // QUIT lets Redis answer what is in flight; without a connection there is nothing to wait for.
      if (client.status === 'ready') await client.quit().catch(() => client.disconnect());
      else client.disconnect();
    },
  };
}
