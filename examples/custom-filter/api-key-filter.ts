// An API-key filter: the request must carry one of the configured keys in a header, or it is
// answered 401 here and never reaches the upstream.
import { createHash } from 'node:crypto';
import { defineHttpFilter, FilterStatus } from '../../sdk/index.js';
import type { HttpFilter } from '../../sdk/index.js';

export interface ApiKeyConfig {
  /** The request header that carries the key. */
  header: string;
  /** The accepted keys; the index of the matching one is put in ctx.state. */
  keys: string[];
  /** Remove the header before the request goes upstream, so the upstream never sees the key. */
  strip: boolean;
}

// Keys are looked up by digest, so the time a lookup takes says nothing about how close a guess was.
function digest(key: string): string {
  return createHash('sha256').update(key).digest('base64');
}

export default defineHttpFilter<ApiKeyConfig>({
  name: 'api_key',
  configSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['keys'],
    properties: {
      header: { type: 'string', minLength: 1, default: 'x-api-key' },
      keys: { type: 'array', minItems: 1, uniqueItems: true, items: { type: 'string', minLength: 1 } },
      strip: { type: 'boolean', default: false },
    },
  },
  create(config, { filterName, stats }) {
    const header = config.header.toLowerCase();
    const indexByDigest = new Map(config.keys.map((key, i) => [digest(key), i]));
    const challenge = { 'www-authenticate': `ApiKey header="${header}"` };
    const stateKey = `${filterName}.key_index`;
    const allowed = stats.counter('allowed');
    const denied = stats.counter('denied');

    // No per-stream state: one filter object serves every request.
    const filter: HttpFilter = {
      onRequestHeaders(headers, ctx) {
        const presented = headers.get(header);
        const index = presented === undefined ? undefined : indexByDigest.get(digest(presented));
        if (index === undefined) {
          denied.inc();
          const details = presented === undefined ? 'api_key_missing' : 'api_key_unknown';
          ctx.sendLocalReply(401, 'Unauthorized', challenge, { details });
          return FilterStatus.Stop;
        }
        allowed.inc();
        ctx.state.set(stateKey, index);
        if (config.strip) headers.remove(header);
        return FilterStatus.Continue;
      },
    };
    return () => filter;
  },
});
