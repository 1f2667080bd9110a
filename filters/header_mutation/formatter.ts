// Header values with Envoy's substitution operators, compiled at load into literal parts and
// getters: per request, a value costs its getters and one concatenation (none for a plain literal).
//
//   %REQ(name)%  %REQ(name?alt)%     a request header (or :path, :method, :authority, :scheme); "" when absent
//   %RESP(name)%  %RESP(name?alt)%   a response header (response side only)
//   %DOWNSTREAM_REMOTE_ADDRESS%      the client's address and port (1.2.3.4:5678, [::1]:5678)
//   %DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT%   the client's address
//   %DOWNSTREAM_REMOTE_PORT%         the client's port
//   %START_TIME%                     when the request started, ISO 8601 UTC with milliseconds
//   %ROUTE_NAME%                     the matched route's name
//   %UPSTREAM_CLUSTER%               the cluster the router picked (response side only)
//   %RESPONSE_CODE%                  the response status (response side only)
//   %HOSTNAME%                       this machine's host name
//   %%                               a literal "%"
// REQ and RESP take an optional maximum length: %REQ(x-user):16%.
import { hostname } from 'node:os';
import type { StreamContext } from '../../sdk/filter.js';

export type Side = 'request' | 'response';

/** A value of the request; `startTime` is Date.now() when the request started (0 when no value reads it). */
type Getter = (ctx: StreamContext, startTime: number) => string;

/** A compiled value: a constant, or a function of the request. */
export type CompiledValue = string | Getter;

const OPERATOR = /%([A-Z_]+)(?:\(([^)]*)\))?(?::(\d+))?%/y;
const FORBIDDEN = /[\r\n\0]/;

function pseudoOrHeader(ctx: StreamContext, name: string, side: Side): string | undefined {
  if (side === 'response') return ctx.responseHeaders?.get(name);
  switch (name) {
    case ':path':
      return ctx.path;
    case ':method':
      return ctx.method;
    case ':authority':
      return ctx.authority;
    case ':scheme':
      return ctx.scheme;
    default:
      return ctx.requestHeaders.get(name);
  }
}

function headerGetter(arg: string | undefined, maxLength: number | undefined, side: Side, op: string): Getter {
  if (arg === undefined || arg === '') throw new Error(`%${op}(...)% needs a header name`);
  const [main, alt, extra] = arg.toLowerCase().split('?');
  if (extra !== undefined || main === '' || alt === '') throw new Error(`%${op}(${arg})%: expected a header name, or two separated by "?"`);
  const first = main!;
  const read =
    alt === undefined
      ? (ctx: StreamContext) => pseudoOrHeader(ctx, first, side) ?? ''
      : (ctx: StreamContext) => pseudoOrHeader(ctx, first, side) ?? pseudoOrHeader(ctx, alt, side) ?? '';
  if (maxLength === undefined) return read;
  return (ctx) => read(ctx).slice(0, maxLength);
}

function remoteAddress(ctx: StreamContext): string {
  const a = ctx.sourceAddress;
  return a.includes(':') ? `[${a}]:${ctx.sourcePort}` : `${a}:${ctx.sourcePort}`;
}

interface Operator {
  readonly responseOnly: boolean;
  readonly takesHeader: boolean;
  make(arg: string | undefined, maxLength: number | undefined, side: Side, op: string): Getter;
}

const simple = (get: Getter, responseOnly = false): Operator => ({ responseOnly, takesHeader: false, make: () => get });
const host = hostname();

const OPERATORS: Record<string, Operator> = {
  REQ: { responseOnly: false, takesHeader: true, make: (arg, max, _side, op) => headerGetter(arg, max, 'request', op) },
  RESP: { responseOnly: true, takesHeader: true, make: (arg, max, _side, op) => headerGetter(arg, max, 'response', op) },
  DOWNSTREAM_REMOTE_ADDRESS: simple(remoteAddress),
  DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT: simple((ctx) => ctx.sourceAddress),
  DOWNSTREAM_REMOTE_PORT: simple((ctx) => String(ctx.sourcePort)),
  START_TIME: simple((_ctx, startTime) => new Date(startTime).toISOString()),
  ROUTE_NAME: simple((ctx) => ctx.routeName ?? ''),
  UPSTREAM_CLUSTER: simple((ctx) => ctx.clusterName ?? '', true),
  RESPONSE_CODE: simple((ctx) => String(ctx.responseStatus), true),
  HOSTNAME: simple(() => host),
};

export const OPERATOR_NAMES: readonly string[] = Object.keys(OPERATORS);

/** Whether a compiled value reads the start time (the filter then keeps it per request). */
export function usesStartTime(value: string): boolean {
  return value.includes('%START_TIME%');
}

/** Compiles a header value; throws a message (without path) on an unknown or misplaced operator. */
export function compileValue(value: string, side: Side): CompiledValue {
  if (FORBIDDEN.test(value)) throw new Error('must not contain CR, LF or NUL');
  const parts: (string | Getter)[] = [];
  let literal = '';
  let i = 0;
  while (i < value.length) {
    const pct = value.indexOf('%', i);
    if (pct < 0) {
      literal += value.slice(i);
      break;
    }
    literal += value.slice(i, pct);
    if (value[pct + 1] === '%') {
      literal += '%';
      i = pct + 2;
      continue;
    }
    OPERATOR.lastIndex = pct;
    const m = OPERATOR.exec(value);
    if (m === null) throw new Error(`malformed operator at offset ${pct}: write %% for a literal "%"`);
    const [whole, name, arg, max] = m as unknown as [string, string, string | undefined, string | undefined];
    const op = OPERATORS[name];
    if (op === undefined) throw new Error(`unknown operator %${name}%; known: ${OPERATOR_NAMES.join(', ')}`);
    if (op.responseOnly && side === 'request') throw new Error(`%${name}% is only known on the response side`);
    if (!op.takesHeader && (arg !== undefined || max !== undefined)) throw new Error(`%${name}% takes no arguments`);
    if (literal !== '') parts.push(literal);
    literal = '';
    parts.push(op.make(arg, max === undefined ? undefined : Number(max), side, name));
    i = pct + whole.length;
  }
  if (literal !== '') parts.push(literal);
  if (parts.length === 0) return '';
  if (parts.length === 1) return parts[0]!;
  return (ctx, startTime) => {
    let out = '';
    for (let k = 0; k < parts.length; k++) {
      const p = parts[k]!;
      out += typeof p === 'string' ? p : p(ctx, startTime);
    }
    return out;
  };
}
