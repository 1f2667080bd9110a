// The dispose hooks of one config load (a gateway build, or a test kit's chain): what each filter's
// create() registered with ctx.onDispose, run once when that load is released. For hosts (the gateway
// and the test kits), not for filter authors.
import type { FilterLogger } from './logger.js';

/** A hook that has not settled by then is logged and left behind: a release never waits forever. */
export const DISPOSE_TIMEOUT_MS = 5000;

export type DisposeHook = () => void | Promise<void>;

export class Disposers {
  private readonly hooks: { fn: DisposeHook; log: FilterLogger }[] = [];
  private done: Promise<void> | null = null;

  /** Registers `fn` of the filter whose logger is `log` (its failures are logged there). */
  add(fn: DisposeHook, log: FilterLogger): void {
    if (this.done !== null) throw new Error('onDispose: this config was already released');
    this.hooks.push({ fn, log });
  }

  /** Runs every hook once, all at once (they are independent); settles when all have. Never rejects. Idempotent. */
  dispose(): Promise<void> {
    return (this.done ??= Promise.all(this.hooks.map((h) => runHook(h.fn, h.log))).then(() => undefined));
  }
}

async function runHook(fn: DisposeHook, log: FilterLogger): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), DISPOSE_TIMEOUT_MS);
    timer.unref();
  });
  try {
    const outcome = await Promise.race([Promise.resolve().then(fn), timedOut]);
    if (outcome === 'timeout') log.error({ timeout_ms: DISPOSE_TIMEOUT_MS }, 'filter dispose hook did not finish in time');
  } catch (err) {
    log.error({ err }, 'filter dispose hook failed');
  } finally {
    clearTimeout(timer);
  }
}
