// The admin's stats endpoints, read from a snapshot source (the store of this process, or the sum of the
// workers' snapshots in the primary): GET /stats (Envoy's text, ?format=json) and GET /stats/prometheus, both
// with ?filter=<regex> on the flat stat name (400 on a bad regex).
import type { FastifyInstance, FastifyReply } from 'fastify';
import { filterSnapshot, type StatsSnapshot } from '../stats/snapshot.js';
import { renderText } from '../stats/render-text.js';
import { renderJson } from '../stats/render-json.js';
import { PROMETHEUS_CONTENT_TYPE, renderPrometheus } from '../stats/render-prometheus.js';

export type StatsSnapshotSource = () => StatsSnapshot | Promise<StatsSnapshot>;

interface StatsQuery {
  Querystring: { format?: string; filter?: string };
}

export function registerStatsRoutes(app: FastifyInstance, snapshot: StatsSnapshotSource): void {
  app.get<StatsQuery>('/stats', async (req, reply) => {
    const filter = parseFilter(req.query.filter, reply);
    if (filter === undefined) return reply;
    const snap = filterSnapshot(await snapshot(), filter);
    if (req.query.format === 'json') return renderJson(snap);
    return reply.type('text/plain; charset=utf-8').send(renderText(snap));
  });

  app.get<StatsQuery>('/stats/prometheus', async (req, reply) => {
    const filter = parseFilter(req.query.filter, reply);
    if (filter === undefined) return reply;
    const snap = filterSnapshot(await snapshot(), filter);
    return reply.type(PROMETHEUS_CONTENT_TYPE).send(renderPrometheus(snap));
  });
}

/** The ?filter regex, null without one; undefined after answering 400 for a bad one. */
function parseFilter(source: string | undefined, reply: FastifyReply): RegExp | null | undefined {
  if (source === undefined) return null;
  try {
    return new RegExp(source);
  } catch (err) {
    void reply.code(400).type('text/plain').send(`invalid filter regex: ${(err as Error).message}\n`);
    return undefined;
  }
}
