// A worker of `gateway --workers N`: runs the gateway's listeners (their ports shared through node:cluster)
// without the admin, which the primary serves for all. It answers the primary's requests for stats and
// clusters, applies reloads in two steps (prepare, then commit or abort), and drains and exits when told to.
import type { Logger } from 'pino';
import { createGateway, type Gateway, type PendingReload } from '../index.js';
import { clusterView, type ClusterView } from '../admin/clusters-view.js';
import type { ReloadSummary } from '../reload/reload-plan.js';
import type { StatsSnapshot } from '../stats/snapshot.js';
import { reloadErrors } from '../reload/reload-errors.js';
import type { FromWorker, ToWorker } from './messages.js';

export function runWorker(log: Logger, drainTimeoutMs: number): void {
  let gateway: Promise<Gateway> | null = null;
  let pending: PendingReload | null = null;
  /** prepare / commit / abort run in the order they came: an abort always finds the prepare it is about. */
  let reloadSteps: Promise<void> = Promise.resolve();
  const send = (m: FromWorker): void => {
    if (process.connected) process.send!(m);
  };
  const stopAndExit = async (code: number): Promise<never> => {
    if (gateway !== null) await (await gateway.catch(() => null))?.stop();
    await new Promise<void>((resolve) => log.flush(() => resolve()));
    process.exit(code);
  };

  const answer = async (m: ToWorker & { id: number }): Promise<void> => {
    try {
      const gw = await gateway!;
      let value: StatsSnapshot | ClusterView[] | ReloadSummary | null = null;
      if (m.type === 'stats') value = gw.stats.snapshot();
      else if (m.type === 'clusters') value = [...gw.clusters.clusters()].map(clusterView);
      else if (m.type === 'prepare') {
        // One the primary gave up on (it timed out) still holds the reload lock.
        await pending?.abort();
        pending = null;
        pending = await gw.prepareReload({ config: m.config, configDir: m.configDir });
        value = pending.summary;
      } else if (m.type === 'commit' || m.type === 'abort') {
        const p = pending;
        pending = null;
        if (p === null) throw new Error(`no prepared reload to ${m.type}`); // its prepare failed
        if (m.type === 'commit') value = p.commit();
        else await p.abort();
      }
      send({ type: 'reply', id: m.id, ok: true, value });
    } catch (err) {
      send({ type: 'reply', id: m.id, ok: false, errors: reloadErrors(err) });
    }
  };

  process.on('message', (m: ToWorker) => {
    if (m.type === 'start') {
      gateway = createGateway({ config: m.config, configDir: m.configDir, admin: false, logger: log, drainTimeoutMs });
      gateway.then((gw) => gw.start()).then(
        () => send({ type: 'live' }),
        (err: unknown) => {
          log.fatal({ errors: reloadErrors(err) }, 'worker cannot start');
          void stopAndExit(1);
        },
      );
    } else if (m.type === 'drain') void stopAndExit(0);
    else if (m.type === 'stats' || m.type === 'clusters') void answer(m);
    else reloadSteps = reloadSteps.then(() => answer(m));
  });
  // The primary coordinates signals; a terminal's Ctrl-C reaches the whole process group, so workers ignore it.
  process.on('SIGINT', () => undefined);
  process.on('SIGHUP', () => undefined);
  process.on('SIGTERM', () => void stopAndExit(0));
  // The primary went away: nobody serves the admin or replaces workers any more.
  process.on('disconnect', () => void stopAndExit(0));
  send({ type: 'hello' });
}
