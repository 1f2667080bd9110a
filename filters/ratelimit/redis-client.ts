// The Redis connections of the ratelimit filter: one per address, port and timeout, shared by every
// instance of the filter in the process (per-route overrides, reloads), for the life of the process.
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

const stores = new Map<string, Promise<RateLimitStore>>();

/** The shared store for this Redis and timeout; the first caller's logger reports its outages. */
export function redisStore(address: string, port: number, timeoutMs: number, log: FilterLogger): Promise<RateLimitStore> {
  const id = `${address}:${port}/${timeoutMs}`;
  let store = stores.get(id);
  if (store === undefined) {
    store = connect(address, port, timeoutMs, log);
    stores.set(id, store);
  }
  return store;
}

async function connect(host: string, port: number, timeoutMs: number, log: FilterLogger): Promise<RateLimitStore> {
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
  const reconnect = (): void => void client.connect().catch(() => {});
  client.on('end', () => setTimeout(reconnect, RECONNECT_MS).unref());

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
    incrementAll: (keys, ttls) => client.wasmgateIncrAll(keys.length, ...keys, ...ttls),
  };
}
