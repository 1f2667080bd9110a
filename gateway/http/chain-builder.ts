// Builds an HCM's http_filters into resolved chains once per config load: the listener's chain,
// and a chain of its own for every route whose typed_per_filter_config disables or reconfigures a filter.
import type { Logger } from 'pino';
import type { HttpCall, HttpFilterCreator, HttpFilterFactory } from '../../sdk/filter.js';
import { filterMatchers } from '../../sdk/matching/filter-matchers.js';
import { needsBody } from '../../sdk/filter-config.js';
import type { ChainEntry, ResolvedChain } from '../../sdk/filter-stream.js';
import type { Disposers } from '../../sdk/disposers.js';
import type { HttpConnectionManagerConfig, HttpFilterConfig, PerFilterConfig, Route, VirtualHost } from '../config/types.js';
import type { StatsStore } from '../stats/store.js';
import type { FilterRegistry } from './filter-registry.js';

/** A chain entry and what its factory said about bodies for this config. */
interface BodyAwareEntry extends ChainEntry {
  readonly needsRequestBody: boolean;
  readonly needsResponseBody: boolean;
}

interface BuiltFilter {
  readonly config: HttpFilterConfig;
  readonly factory: HttpFilterFactory;
  readonly entry: BodyAwareEntry; // with the listener-level config
}

export interface ChainSet {
  /** The chain of a request that matched no route (filters still run: they may answer it). */
  readonly base: ResolvedChain;
  forRoute(vhost: VirtualHost, route: Route): Promise<ResolvedChain>;
}

export interface ChainBuildContext {
  readonly registry: FilterRegistry;
  readonly configDir: string;
  readonly stats: StatsStore;
  readonly log: Logger;
  readonly httpCall: HttpCall;
  /** The build's dispose hooks: every filter instance created here registers its own (ctx.onDispose). */
  readonly disposers: Disposers;
}

export async function buildChains(hcm: HttpConnectionManagerConfig, ctx: ChainBuildContext): Promise<ChainSet> {
  const built: BuiltFilter[] = [];
  for (const config of hcm.http_filters) {
    if (config.name === 'router' && config.type === undefined && config.module === undefined) continue;
    const factory = await ctx.registry.resolve(config, ctx.configDir);
    const entry = await makeEntry(factory, config, config.config ?? {}, hcm.stat_prefix, ctx);
    built.push({ config, factory, entry });
  }
  const base = resolved(built.filter((b) => b.config.disabled !== true).map((b) => b.entry));

  return {
    base,
    async forRoute(vhost, route) {
      const overrides = mergeOverrides(vhost.typed_per_filter_config, route.typed_per_filter_config);
      if (overrides === null) return base;
      const entries: BodyAwareEntry[] = [];
      for (const b of built) {
        const o = overrides[b.config.name];
        if (o === undefined) {
          if (b.config.disabled !== true) entries.push(b.entry);
          continue;
        }
        if (o.disabled === true) continue;
        entries.push(o.config === undefined ? b.entry : await makeEntry(b.factory, b.config, o.config, hcm.stat_prefix, ctx));
      }
      return resolved(entries);
    },
  };
}

async function makeEntry(
  factory: HttpFilterFactory,
  config: HttpFilterConfig,
  filterConfig: unknown,
  statPrefix: string,
  ctx: ChainBuildContext,
): Promise<BodyAwareEntry> {
  const stats = ctx.stats.scope('http', 'stat_prefix', statPrefix).scope(config.name);
  const log = ctx.log.child({ filter: config.name });
  const create: HttpFilterCreator = await factory.create(filterConfig, {
    filterName: config.name,
    configDir: ctx.configDir,
    log,
    stats,
    httpCall: ctx.httpCall,
    matchers: filterMatchers,
    onDispose: (fn) => ctx.disposers.add(fn, log),
  });
  return {
    name: config.name,
    failOpen: config.fail_open === true,
    create,
    stats,
    log,
    needsRequestBody: needsBody(factory.needsRequestBody, filterConfig),
    needsResponseBody: needsBody(factory.needsResponseBody, filterConfig),
  };
}

function resolved(entries: BodyAwareEntry[]): ResolvedChain {
  return {
    entries: Object.freeze(entries),
    needsRequestBody: entries.some((e) => e.needsRequestBody),
    needsResponseBody: entries.some((e) => e.needsResponseBody),
  };
}

/** Route-level entries override vhost-level ones filter by filter; null when neither says anything. */
function mergeOverrides(
  vhost: Record<string, PerFilterConfig> | undefined,
  route: Record<string, PerFilterConfig> | undefined,
): Record<string, PerFilterConfig> | null {
  if (vhost === undefined && route === undefined) return null;
  return { ...vhost, ...route };
}
