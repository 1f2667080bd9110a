// header_mutation: adds, overwrites and removes request and response headers (the route
// configuration's header fields, as a filter that can sit anywhere in the chain). On each side the
// removals run first, then the additions in order; a value that comes out empty is left out unless
// keep_empty_value.
import { defineHttpFilter } from '../../sdk/filter.js';
import type { HttpFilter, StreamContext } from '../../sdk/filter.js';
import type { HeaderMap } from '../../sdk/headers.js';
import { FilterStatus } from '../../sdk/status.js';
import { compileValue, usesStartTime } from './formatter.js';
import type { CompiledValue, Side } from './formatter.js';
import { headerMutationSchema } from './schema.js';
import type { AppendAction, HeaderMutationConfig, HeaderValueOption } from './schema.js';

interface AddOp {
  readonly name: string;
  readonly value: CompiledValue;
  readonly action: AppendAction;
  readonly keepEmpty: boolean;
}

interface Mutation {
  readonly remove: readonly string[];
  readonly add: readonly AddOp[];
}

function compileSide(add: readonly HeaderValueOption[], remove: readonly string[], side: Side): Mutation {
  return {
    remove: remove.map((n) => n.toLowerCase()),
    add: add.map((h, i) => {
      let value: CompiledValue;
      try {
        value = compileValue(h.header.value, side);
      } catch (err) {
        throw new Error(`${side}_headers_to_add[${i}].header.value: ${(err as Error).message}`);
      }
      return { name: h.header.key.toLowerCase(), value, action: h.append_action, keepEmpty: h.keep_empty_value };
    }),
  };
}

/** Envoy's append_action, on the header map the gateway forwards. */
function apply(headers: HeaderMap, m: Mutation, ctx: StreamContext, startTime: number): void {
  for (let i = 0; i < m.remove.length; i++) headers.remove(m.remove[i]!);
  for (let i = 0; i < m.add.length; i++) {
    const op = m.add[i]!;
    const value = typeof op.value === 'string' ? op.value : op.value(ctx, startTime);
    if (value === '' && !op.keepEmpty) continue;
    switch (op.action) {
      case 'APPEND_IF_EXISTS_OR_ADD':
        headers.add(op.name, value);
        break;
      case 'ADD_IF_ABSENT':
        if (!headers.has(op.name)) headers.set(op.name, value);
        break;
      case 'OVERWRITE_IF_EXISTS_OR_ADD':
        headers.set(op.name, value);
        break;
      case 'OVERWRITE_IF_EXISTS':
        if (headers.has(op.name)) headers.set(op.name, value);
        break;
    }
  }
}

const isEmpty = (m: Mutation): boolean => m.remove.length === 0 && m.add.length === 0;

/** The per-request filter, for configs that read %START_TIME%: it keeps when the request started. */
class TimedMutation implements HttpFilter {
  private readonly startTime = Date.now();

  constructor(
    private readonly request: Mutation,
    private readonly response: Mutation,
  ) {}

  onRequestHeaders(headers: HeaderMap, ctx: StreamContext): FilterStatus {
    apply(headers, this.request, ctx, this.startTime);
    return FilterStatus.Continue;
  }

  onResponseHeaders(headers: HeaderMap, ctx: StreamContext): FilterStatus {
    apply(headers, this.response, ctx, this.startTime);
    return FilterStatus.Continue;
  }
}

export const headerMutationFilter = defineHttpFilter<HeaderMutationConfig>({
  name: 'header_mutation',
  configSchema: headerMutationSchema,
  create(config) {
    const request = compileSide(config.request_headers_to_add, config.request_headers_to_remove, 'request');
    const response = compileSide(config.response_headers_to_add, config.response_headers_to_remove, 'response');
    const values = [...config.request_headers_to_add, ...config.response_headers_to_add];
    if (values.some((h) => usesStartTime(h.header.value))) return () => new TimedMutation(request, response);

    // No per-request state: one object for every request.
    const filter: HttpFilter = {};
    if (!isEmpty(request)) {
      filter.onRequestHeaders = (headers, ctx) => {
        apply(headers, request, ctx, 0);
        return FilterStatus.Continue;
      };
    }
    if (!isEmpty(response)) {
      filter.onResponseHeaders = (headers, ctx) => {
        apply(headers, response, ctx, 0);
        return FilterStatus.Continue;
      };
    }
    return () => filter;
  },
});

export default headerMutationFilter;
