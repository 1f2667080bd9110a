// Test filter, loaded by `module:`: records each dispose of an instance under its config's `id`
// (`disposals`), and throws from its dispose when `fail` is set. Tests import this same module to read it.
import { defineHttpFilter } from '../../../sdk/filter.js';
import { FilterStatus } from '../../../sdk/status.js';

/** The ids of the instances disposed so far, in order. */
export const disposals: string[] = [];

export default defineHttpFilter<{ id: string; fail: boolean }>({
  name: 'dispose_probe',
  configSchema: {
    type: 'object',
    properties: { id: { type: 'string' }, fail: { type: 'boolean', default: false } },
    required: ['id'],
    additionalProperties: false,
  },
  create(config, ctx) {
    ctx.onDispose(() => {
      disposals.push(config.id);
      if (config.fail) throw new Error(`probe ${config.id} failed to dispose`);
    });
    const filter = { onRequestHeaders: () => FilterStatus.Continue };
    return () => filter;
  },
});
