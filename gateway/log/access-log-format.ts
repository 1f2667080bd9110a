// An access log's line format, compiled once at config load into literal pieces and getters: Envoy's text
// `format` with command operators, its `json_format`, or our default JSON record. Per request the
// pieces are run and joined: no parsing, no regex.
import type { AccessLogConfig } from '../config/types.js';
import type { LogGetter, LogValue, LoggedRequest } from './logged-request.js';
import { OPERATORS, responseCodeDetails } from './format-operators.js';

/** Formats one finished request into one line (newline included). */
export type LineFormatter = (r: LoggedRequest, durationMs: number) => string;

type Piece = string | ((r: LoggedRequest, durationMs: number) => string);

/** A format that does not compile; `at` is the config path below the access log entry. */
export class FormatError extends Error {
  constructor(
    readonly at: readonly string[],
    message: string,
  ) {
    super(message);
  }
}

// Used at config load only: %NAME%, %NAME(arg)%, %NAME(arg):N%.
const OPERATOR = /%([A-Z][A-Z0-9_]*)(?:\(([^)]*)\))?(?::(\d+))?%/g;

interface Operator {
  getter: LogGetter;
  /** :N truncation of string values, 0 for none. */
  maxLength: number;
}

/** Splits a format string into literals and operators. Throws an Error naming an unknown or bad operator. */
function parse(format: string): (string | Operator)[] {
  const out: (string | Operator)[] = [];
  let last = 0;
  for (const m of format.matchAll(OPERATOR)) {
    const [text, name, arg, max] = m;
    const factory = OPERATORS[name!];
    if (factory === undefined) throw new Error(`unknown command operator ${text}`);
    let getter: LogGetter;
    try {
      getter = factory(arg);
    } catch (err) {
      throw new Error(`${text}: ${(err as Error).message}`);
    }
    if (m.index > last) out.push(format.slice(last, m.index));
    out.push({ getter, maxLength: max === undefined ? 0 : Number(max) });
    last = m.index + text.length;
  }
  if (last < format.length) out.push(format.slice(last));
  return out;
}

function textOf(v: LogValue, maxLength: number): string {
  if (v === null) return '-';
  const s = typeof v === 'number' ? String(v) : v;
  return maxLength > 0 && s.length > maxLength ? s.slice(0, maxLength) : s;
}

function textPiece(op: Operator): Piece {
  const { getter, maxLength } = op;
  return (r, d) => textOf(getter(r, d), maxLength);
}

/** Adjacent literals merged, then one function that concatenates. */
function join(pieces: Piece[]): LineFormatter {
  const merged: Piece[] = [];
  for (const p of pieces) {
    const prev = merged[merged.length - 1];
    if (typeof p === 'string' && typeof prev === 'string') merged[merged.length - 1] = prev + p;
    else merged.push(p);
  }
  const n = merged.length;
  return (r, d) => {
    let out = '';
    for (let i = 0; i < n; i++) {
      const p = merged[i]!;
      out += typeof p === 'string' ? p : p(r, d);
    }
    return out;
  };
}

/** Envoy's text format: a newline is added when the format has none at the end. */
export function compileTextFormat(format: string): LineFormatter {
  const pieces = parse(format).map((p) => (typeof p === 'string' ? p : textPiece(p)));
  if (!format.endsWith('\n')) pieces.push('\n');
  return join(pieces);
}

/** A json_format value: a lone operator keeps its type (a number stays a number, none is null); a mixed string is text. */
function jsonValuePieces(value: unknown, at: string[]): Piece[] {
  if (typeof value === 'string') {
    let parsed: (string | Operator)[];
    try {
      parsed = parse(value);
    } catch (err) {
      throw new FormatError(at, (err as Error).message);
    }
    if (parsed.length === 1 && typeof parsed[0] !== 'string') {
      const { getter, maxLength } = parsed[0]!;
      return [(r, d) => jsonTyped(getter(r, d), maxLength)];
    }
    if (parsed.every((p) => typeof p === 'string')) return [JSON.stringify(value)];
    const text = join(parsed.map((p) => (typeof p === 'string' ? p : textPiece(p))));
    return [(r, d) => JSON.stringify(text(r, d))];
  }
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) return jsonObjectPieces(value as Record<string, unknown>, at);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return [JSON.stringify(value)];
  throw new FormatError(at, 'must be a string, a number, a boolean, null or an object');
}

function jsonTyped(v: LogValue, maxLength: number): string {
  if (v === null) return 'null';
  if (typeof v === 'number') return String(v);
  return JSON.stringify(maxLength > 0 && v.length > maxLength ? v.slice(0, maxLength) : v);
}

function jsonObjectPieces(obj: Record<string, unknown>, at: string[]): Piece[] {
  const pieces: Piece[] = ['{'];
  let first = true;
  for (const [key, value] of Object.entries(obj)) {
    pieces.push(`${first ? '' : ','}${JSON.stringify(key)}:`, ...jsonValuePieces(value, [...at, key]));
    first = false;
  }
  pieces.push('}');
  return pieces;
}

/** Envoy's json_format: one JSON object per line, keys in the order given. */
export function compileJsonFormat(format: Record<string, unknown>): LineFormatter {
  return join([...jsonObjectPieces(format, ['json_format']), '\n']);
}

const str = (s: string | undefined): string => (s === undefined ? '""' : JSON.stringify(s));
const header = (r: LoggedRequest, name: string): string => {
  const v = r.requestHeaders.raw[name];
  return typeof v === 'string' ? JSON.stringify(v) : '""';
};

/** The default record: the fields Envoy's default format has, as JSON, "" for what is missing. */
const DEFAULT_RECORD: Piece[] = [
  '{"log_type":"access","start_time":',
  (r) => `"${new Date(r.startTime).toISOString()}"`,
  ',"method":',
  (r) => str(r.method),
  ',"path":',
  (r) => str(r.req.url),
  ',"protocol":',
  (r) => `"HTTP/${r.req.httpVersion}"`,
  ',"response_code":',
  (r) => String(r.responseStatus),
  ',"response_flags":',
  (r) => (r.responseFlags === null ? '"-"' : JSON.stringify(r.responseFlags.join(','))),
  ',"response_code_details":',
  (r) => str(responseCodeDetails(r) ?? ''),
  ',"bytes_received":',
  (r) => String(r.bytesReceived),
  ',"bytes_sent":',
  (r) => String(r.bytesSent),
  ',"duration":',
  (_r, d) => String(Math.round(d * 1000) / 1000),
  ',"upstream_host":',
  (r) => str(r.upstreamHost),
  ',"upstream_cluster":',
  (r) => str(r.clusterName),
  ',"route_name":',
  (r) => str(r.routeName),
  ',"x_request_id":',
  (r) => str(r.requestId),
  ',"trace_id":',
  (r) => (r.trace === null ? '""' : `"${r.trace.traceId}"`),
  ',"downstream_remote_address":',
  (r) => str(`${r.sourceAddress}:${r.sourcePort}`),
  ',"authority":',
  (r) => header(r, 'host'),
  ',"user_agent":',
  (r) => header(r, 'user-agent'),
  ',"x_forwarded_for":',
  (r) => header(r, 'x-forwarded-for'),
  '}\n',
];

/** The formatter of one access_log entry. Throws FormatError when its format does not compile. */
export function compileAccessLogFormat(config: Pick<AccessLogConfig, 'format' | 'json_format'>): LineFormatter {
  if (config.format !== undefined) {
    try {
      return compileTextFormat(config.format);
    } catch (err) {
      throw new FormatError(['format'], (err as Error).message);
    }
  }
  if (config.json_format !== undefined) return compileJsonFormat(config.json_format);
  return join(DEFAULT_RECORD);
}
