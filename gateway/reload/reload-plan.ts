// A reload, built beside the running gateway and then swapped in, in two steps (workers: every worker
// prepares, then all commit or all abort).
// prepare(): the new clusters take over the health of the hosts they share with the old ones and start;
// listeners that are new bind. Any failure closes what was opened and leaves the running gateway untouched.
// commit(): an old listener whose name, address and port the new config keeps adopts its new twin (keeps its
// socket; its connections drain), old listeners the new config lacks close (draining), and once all of that
// has drained the old filters' dispose hooks run and the old clusters and access logs close. Requests in
// flight finish on the old config.
import type { BuiltGateway } from '../build.js';
import type { GatewayListener } from '../listener/gateway-listener.js';

export interface ReloadSummary {
  /** Listeners that kept their sockets, were bound anew, and were closed. */
  readonly kept: string[];
  readonly added: string[];
  readonly removed: string[];
  readonly clusters: number;
}

export interface Committed {
  readonly running: BuiltGateway;
  /** Settles when the old config is released (its connections drained, its filters disposed, its clusters and logs closed). */
  readonly released: Promise<void>;
}

type Listener = BuiltGateway['listeners'][number];

export class PreparedReload {
  private constructor(
    private readonly old: BuiltGateway,
    private readonly next: BuiltGateway,
    /** new listener → the old one that adopts it */
    private readonly adopters: Map<Listener, Listener>,
    private readonly added: Listener[],
    private readonly removed: Listener[],
  ) {}

  static async prepare(old: BuiltGateway, next: BuiltGateway): Promise<PreparedReload> {
    const oldByKey = new Map(old.listeners.map((l) => [listenerKey(l), l]));
    const adopters = new Map<Listener, Listener>();
    const added: Listener[] = [];
    for (const l of next.listeners) {
      const twin = oldByKey.get(listenerKey(l));
      if (twin === undefined) added.push(l);
      else {
        adopters.set(l, twin);
        oldByKey.delete(listenerKey(l));
      }
    }
    const removed = [...oldByKey.values()];
    next.clusters.inheritHealth(old.clusters);
    const bound: Listener[] = [];
    try {
      await next.clusters.start();
      for (const l of added) {
        await l.listen();
        bound.push(l);
      }
    } catch (err) {
      await discard(next, bound);
      throw err;
    }
    return new PreparedReload(old, next, adopters, added, removed);
  }

  get summary(): ReloadSummary {
    return {
      kept: [...this.adopters.keys()].map(names),
      added: this.added.map(names),
      removed: this.removed.map(names),
      clusters: [...this.next.clusters.clusters()].length,
    };
  }

  /** Swaps: `drainMs(listener)` is how long each old listener's connections may drain. */
  commit(drainMs: (l: GatewayListener) => number): Committed {
    // The new clusters own the hosts' health from now on; the old pools still serve what is in flight.
    this.old.clusters.stopChecks();
    const drains: Promise<void>[] = [];
    for (const [nextListener, old] of this.adopters) drains.push(old.adopt(nextListener, drainMs(old)));
    for (const old of this.removed) drains.push(old.close(drainMs(old)));
    const listeners = this.next.listeners.map((l) => this.adopters.get(l) ?? l);
    const old = this.old;
    const released = Promise.all(drains).then(async () => {
      await old.filters.dispose();
      await old.clusters.close();
      await Promise.all(old.accessLogs.map((a) => a.close()));
      await Promise.all(old.tracers.map((t) => t.close()));
    });
    return { running: { ...this.next, listeners }, released };
  }

  /** Gives up the prepared config: what it bound and started is closed; the running gateway never saw it. */
  abort(): Promise<void> {
    return discard(this.next, this.added);
  }
}

function listenerKey(l: Listener): string {
  return `${l.config.name}\u0000${l.config.address}\u0000${l.config.port}`;
}

function names(l: Listener): string {
  return l.config.name;
}

async function discard(next: BuiltGateway, bound: readonly Listener[]): Promise<void> {
  await Promise.all(bound.map((l) => l.close(0)));
  await next.filters.dispose();
  await next.clusters.close();
  await Promise.all(next.accessLogs.map((a) => a.close()));
  await Promise.all(next.tracers.map((t) => t.close()));
}
