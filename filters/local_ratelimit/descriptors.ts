// Descriptors, compiled at load: what value each reads from a request, and the bucket(s) it keeps.
import type { StreamContext } from '../../sdk/filter.js';
import { parseDuration } from '../../sdk/duration.js';
import { BucketCache } from './bucket-cache.js';
import { TokenBucket } from './token-bucket.js';
import type { BucketSpec } from './token-bucket.js';
import type { DescriptorConfig, TokenBucketConfig } from './schema.js';

/** Envoy's floor for fill_interval. */
const MIN_FILL_INTERVAL_MS = 50;

export function bucketSpec(config: TokenBucketConfig, path: string): BucketSpec {
  const fillIntervalMs = parseDuration(config.fill_interval);
  if (fillIntervalMs < MIN_FILL_INTERVAL_MS) throw new Error(`${path}.fill_interval: must be at least ${MIN_FILL_INTERVAL_MS}ms`);
  return { maxTokens: config.max_tokens, tokensPerFill: config.tokens_per_fill, fillIntervalMs };
}

type ValueReader = (ctx: StreamContext) => string | undefined;

export interface Descriptor {
  /** The bucket this request takes a token from, or undefined when the descriptor does not apply. */
  bucketFor(ctx: StreamContext, now: number): TokenBucket | undefined;
}

function pathWithoutQuery(ctx: StreamContext): string {
  const p = ctx.path;
  const q = p.indexOf('?');
  return q < 0 ? p : p.slice(0, q);
}

function valueReader(d: DescriptorConfig, path: string): ValueReader | string {
  const sources: string[] = [];
  if (d.request_header !== undefined) sources.push('request_header');
  if (d.remote_address !== undefined) sources.push('remote_address');
  if (d.path !== undefined) sources.push('path');
  if (d.generic_key !== undefined) sources.push('generic_key');
  if (sources.length !== 1) {
    throw new Error(`${path}: must have exactly one of request_header, remote_address, path, generic_key (has ${sources.length === 0 ? 'none' : sources.join(', ')})`);
  }
  if (d.request_header !== undefined) {
    const name = d.request_header.header_name.toLowerCase();
    return (ctx) => ctx.requestHeaders.get(name);
  }
  if (d.remote_address !== undefined) return (ctx) => ctx.sourceAddress;
  if (d.path !== undefined) return pathWithoutQuery;
  if (d.value !== undefined) throw new Error(`${path}.value: not allowed with generic_key (its descriptor_value is the value)`);
  return d.generic_key!.descriptor_value;
}

export function compileDescriptor(d: DescriptorConfig, path: string, maxDynamic: number, now: number): Descriptor {
  const spec = bucketSpec(d.token_bucket, `${path}.token_bucket`);
  const read = valueReader(d, path);
  if (typeof read === 'string') {
    // generic_key: every request carries it, one bucket.
    const bucket = new TokenBucket(spec, now);
    return { bucketFor: () => bucket };
  }
  if (d.value !== undefined) {
    const wanted = d.value;
    const bucket = new TokenBucket(spec, now);
    return { bucketFor: (ctx) => (read(ctx) === wanted ? bucket : undefined) };
  }
  const cache = new BucketCache(spec, maxDynamic);
  return {
    bucketFor: (ctx, t) => {
      const v = read(ctx);
      return v === undefined ? undefined : cache.get(v, t);
    },
  };
}
