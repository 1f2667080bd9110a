// A network filter loaded by `module:` path in the tests: it holds what the client sends until a whole line
// is there, passes complete lines upper-cased, and marks what goes back to the client with a prefix.
import { defineNetworkFilter, FilterStatus } from '../../../sdk/index.js';

export default defineNetworkFilter<{ prefix: string }>({
  name: 'line_upper',
  configSchema: {
    type: 'object',
    additionalProperties: false,
    properties: { prefix: { type: 'string', default: '> ' } },
  },
  create(config, ctx) {
    const lines = ctx.stats.counter('line_upper.lines');
    return () => ({
      onDownstreamData(data, endOfStream) {
        const end = data.lastIndexOf(10);
        if (end < 0 && !endOfStream) return FilterStatus.Stop; // called again with this and what follows
        lines.inc();
        return Buffer.from(data.toString('latin1').toUpperCase(), 'latin1');
      },
      onUpstreamData(data) {
        return data.length === 0 ? data : Buffer.concat([Buffer.from(config.prefix), data]);
      },
    });
  },
});
