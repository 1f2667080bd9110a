// ext_authz: asks an HTTP authorization service, through a cluster, whether a request may pass.
// The check request has the original method and path (after path_prefix), host, the Authorization
// header and the headers allowed by authorization_request.allowed_headers. A 200 lets the request
// go on with the allowed_upstream_headers of the answer; any other 1xx-4xx answer goes back to the
// client with its body and allowed_client_headers (flag UAEX). A 5xx, a timeout or a connect failure
// is an error: status_on_error, or pass with failure_mode_allow.
import { defineHttpFilter, FilterStatus } from '../../sdk/index.js';
import type { HttpCallRequest, HttpCallResponse, HttpFilter, StreamContext } from '../../sdk/index.js';
import type { HeaderMap, RawHeaders } from '../../sdk/headers.js';
import type { StringMatcher } from '../../sdk/match-config.js';
import { parseDuration } from '../../sdk/duration.js';
import { extAuthzSchema } from './schema.js';
import type { ExtAuthzConfig, ListStringMatcher } from './schema.js';

type NameMatch = (name: string) => boolean;
type HeaderList = [name: string, value: string | string[]][];

// Never copied from the authorization service's answer: they describe its connection, not ours.
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer', 'content-length', 'host']);
const notHopByHop: NameMatch = (name) => !HOP_BY_HOP.has(name);
const none: NameMatch = () => false;

/** The headers of `from` whose (lower-case) names match. */
function pick(from: RawHeaders, match: NameMatch): HeaderList {
  const out: HeaderList = [];
  for (const name of Object.keys(from)) {
    const v = from[name];
    if (v !== undefined && !HOP_BY_HOP.has(name) && match(name)) out.push([name, v]);
  }
  return out;
}

export default defineHttpFilter<ExtAuthzConfig>({
  name: 'ext_authz',
  configSchema: extAuthzSchema,
  needsRequestBody: (config) => config.with_request_body !== undefined,
  create(config, ctx) {
    const svc = config.http_service;
    const cluster = svc.server_uri.cluster;
    const timeoutMs = parseDuration(svc.server_uri.timeout);
    const names = (list: ListStringMatcher | undefined, where: string, otherwise: NameMatch): NameMatch => {
      if (list === undefined) return otherwise;
      const matchers = list.patterns.map((p: StringMatcher, i) => {
        try {
          return ctx.matchers.string(p);
        } catch (err) {
          throw new Error(`http_service.${where}.patterns[${i}]: ${(err as Error).message}`);
        }
      });
      return (name) => matchers.some((m) => m(name));
    };
    const request = svc.authorization_request;
    const response = svc.authorization_response;
    const toService = names(request?.allowed_headers, 'authorization_request.allowed_headers', none);
    const headersToAdd = (request?.headers_to_add ?? []).map((h) => [h.key.toLowerCase(), h.value] as const);
    const toUpstream = names(response?.allowed_upstream_headers, 'authorization_response.allowed_upstream_headers', none);
    const toClientOnDenial = names(response?.allowed_client_headers, 'authorization_response.allowed_client_headers', notHopByHop);
    const toClientOnSuccess = names(response?.allowed_client_headers_on_success, 'authorization_response.allowed_client_headers_on_success', none);
    const withBody = config.with_request_body;
    const statusOnError = config.status_on_error.code;
    const clientHeadersKey = `${ctx.filterName}.client_headers`;
    const ok = ctx.stats.counter('ok');
    const denied = ctx.stats.counter('denied');
    const error = ctx.stats.counter('error');
    const failureModeAllowed = ctx.stats.counter('failure_mode_allowed');

    function checkRequest(headers: HeaderMap, stream: StreamContext, body: Buffer | undefined): HttpCallRequest {
      const out: Record<string, string> = {};
      for (const name of Object.keys(headers.raw)) {
        if ((name === 'authorization' || toService(name)) && !HOP_BY_HOP.has(name)) out[name] = headers.get(name)!;
      }
      for (const [name, value] of headersToAdd) out[name] = value;
      const req: HttpCallRequest = { method: stream.method, path: svc.path_prefix + stream.path, authority: stream.authority, headers: out, timeoutMs };
      if (body !== undefined) req.body = body;
      return req;
    }

    function fail(stream: StreamContext, reason: string): void {
      error.inc();
      if (config.failure_mode_allow) {
        failureModeAllowed.inc();
        stream.log.warn({ reason, request_id: stream.requestId }, 'authorization service failed; request allowed (failure_mode_allow)');
        return;
      }
      stream.log.warn({ reason, request_id: stream.requestId }, 'authorization service failed');
      stream.sendLocalReply(statusOnError, undefined, undefined, { responseFlag: 'UAEX', details: 'ext_authz_error' });
    }

    function decide(res: HttpCallResponse, headers: HeaderMap, stream: StreamContext): void {
      if (res.status >= 500) return fail(stream, `status ${res.status}`);
      if (res.status === 200) {
        ok.inc();
        if (toUpstream !== none) for (const [name, v] of pick(res.headers, toUpstream)) headers.raw[name] = typeof v === 'string' ? v : v.slice();
        if (toClientOnSuccess !== none) stream.state.set(clientHeadersKey, pick(res.headers, toClientOnSuccess));
        return;
      }
      denied.inc();
      // The reply runs back through this filter's onResponseHeaders, which adds the service's headers
      // (as a list: set-cookie may come several times).
      stream.state.set(clientHeadersKey, pick(res.headers, toClientOnDenial));
      stream.sendLocalReply(res.status, res.body, undefined, { responseFlag: 'UAEX', details: 'ext_authz_denied' });
    }

    async function check(headers: HeaderMap, stream: StreamContext, body: Buffer | undefined): Promise<void> {
      let res: HttpCallResponse;
      try {
        res = await ctx.httpCall(cluster, checkRequest(headers, stream, body));
      } catch (err) {
        return fail(stream, (err as Error).message);
      }
      decide(res, headers, stream);
    }

    const filter: HttpFilter = {
      onRequestHeaders(headers, stream) {
        return withBody === undefined ? check(headers, stream, undefined) : FilterStatus.Continue;
      },
      onRequestBody(body, stream) {
        if (withBody === undefined) return FilterStatus.Continue;
        const headers = stream.requestHeaders;
        if (body.length <= withBody.max_request_bytes) return check(headers, stream, body);
        if (!withBody.allow_partial_message) {
          stream.sendLocalReply(413, 'Payload Too Large', undefined, { details: 'ext_authz_request_payload_too_large' });
          return FilterStatus.Stop;
        }
        return check(headers, stream, body.subarray(0, withBody.max_request_bytes));
      },
      onResponseHeaders(headers, stream) {
        const list = stream.state.get(clientHeadersKey) as HeaderList | undefined;
        if (list === undefined) return FilterStatus.Continue;
        for (const [name, v] of list) {
          if (typeof v === 'string') headers.set(name, v);
          else {
            headers.remove(name);
            for (const one of v) headers.add(name, one);
          }
        }
        return FilterStatus.Continue;
      },
    };
    return () => filter;
  },
});
