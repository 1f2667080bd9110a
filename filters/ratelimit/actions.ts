// Envoy's rate limit actions (route rate_limits[].actions), compiled at load: each rate_limits entry
// turns a request into one descriptor, a list of key/value entries, or into none when an action
// cannot produce its entry (a missing header, a header match that fails).
import type { Matchers, StreamContext } from '../../sdk/filter.js';
import type { ActionConfig } from './schema.js';

/** Appends its key and value to `out`, or returns false: the descriptor is not produced. */
type Action = (ctx: StreamContext, out: string[]) => boolean;

function compileAction(a: ActionConfig, path: string, matchers: Matchers): Action {
  const kinds = Object.keys(a);
  if (kinds.length !== 1) {
    throw new Error(`${path}: must have exactly one of request_headers, remote_address, generic_key, header_value_match (has ${kinds.length === 0 ? 'none' : kinds.join(', ')})`);
  }
  if (a.request_headers !== undefined) {
    const { header_name, descriptor_key, skip_if_absent } = a.request_headers;
    const header = header_name.toLowerCase();
    // skip_if_absent: leave this entry out but still produce the descriptor (Envoy's meaning).
    return (ctx, out) => {
      const v = ctx.requestHeaders.get(header);
      if (v === undefined) return skip_if_absent;
      out.push(descriptor_key, v);
      return true;
    };
  }
  if (a.remote_address !== undefined) {
    return (ctx, out) => {
      out.push('remote_address', ctx.sourceAddress);
      return true;
    };
  }
  if (a.generic_key !== undefined) {
    const { descriptor_key, descriptor_value } = a.generic_key;
    return (_ctx, out) => {
      out.push(descriptor_key, descriptor_value);
      return true;
    };
  }
  const { descriptor_key, descriptor_value, expect_match, headers } = a.header_value_match!;
  const tests = headers.map((h) => matchers.header(h));
  return (ctx, out) => {
    let all = true;
    for (let i = 0; i < tests.length && all; i++) all = tests[i]!(ctx);
    if (all !== expect_match) return false;
    out.push(descriptor_key, descriptor_value);
    return true;
  };
}

export type DescriptorBuilder = (ctx: StreamContext) => string[] | undefined;

/** One rate_limits entry: the request's descriptor as alternating keys and values, or undefined. */
export function compileRateLimit(actions: readonly ActionConfig[], path: string, matchers: Matchers): DescriptorBuilder {
  const compiled = actions.map((a, i) => compileAction(a, `${path}.actions[${i}]`, matchers));
  return (ctx) => {
    const out: string[] = [];
    for (let i = 0; i < compiled.length; i++) if (!compiled[i]!(ctx, out)) return undefined;
    return out.length === 0 ? undefined : out;
  };
}
