// Access-log formats: Envoy's command operators in text and json_format, and the default JSON record.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileAccessLogFormat, compileJsonFormat, compileTextFormat, FormatError } from './access-log-format.js';
import { compileStartTime } from './start-time.js';
import type { LoggedRequest } from './logged-request.js';

const START = Date.UTC(2026, 10, 26, 12, 57, 31, 123);

function request(over: Partial<LoggedRequest> = {}): LoggedRequest {
  return {
    startTime: START,
    method: 'GET',
    req: { url: '/api/items?x=1', httpVersion: '1.1', socket: { localAddress: '::ffff:127.0.0.1', localPort: 8080 } },
    requestHeaders: { raw: { host: 'api.example.com', 'user-agent': 'curl/8', 'x-request-id': 'rid-1', 'x-long': 'abcdefghij', accept: ['a', 'b'] } },
    responseHeaders: { raw: { 'content-type': 'text/plain' } },
    responseStatus: 200,
    responseFlags: null,
    responseCodeDetails: '',
    upstream: {},
    upstreamHost: '127.0.0.1:9001',
    clusterName: 'api',
    routeName: 'main',
    requestId: 'rid-1',
    sourceAddress: '10.0.0.7',
    sourcePort: 51234,
    bytesSent: 1234,
    bytesReceived: 0,
    trace: { traceId: '0af7651916cd43dd8448eb211c80319c' },
    ...over,
  };
}

test('text format: Envoy operators, "-" for what is missing, newline added', () => {
  const f = compileTextFormat(
    '[%START_TIME%] "%REQ(:METHOD)% %REQ(X-ENVOY-ORIGINAL-PATH?:PATH)% %PROTOCOL%" %RESPONSE_CODE% %RESPONSE_FLAGS% ' +
      '%RESPONSE_CODE_DETAILS% %BYTES_RECEIVED% %BYTES_SENT% %DURATION% "%REQ(USER-AGENT)%" "%REQ(X-REQUEST-ID)%" ' +
      '"%REQ(:AUTHORITY)%" "%UPSTREAM_HOST%" %UPSTREAM_CLUSTER% %ROUTE_NAME% %TRACE_ID% %RESP(CONTENT-TYPE)% %TRAILER(GRPC-STATUS)%',
  );
  assert.equal(
    f(request(), 3.7),
    '[2026-11-26T12:57:31.123Z] "GET /api/items?x=1 HTTP/1.1" 200 - via_upstream 0 1234 3 "curl/8" "rid-1" ' +
      '"api.example.com" "127.0.0.1:9001" api main 0af7651916cd43dd8448eb211c80319c text/plain -\n',
  );
  const missing = f(
    request({ upstream: null, upstreamHost: '', clusterName: undefined, routeName: undefined, trace: null, responseStatus: 404, responseFlags: ['NR'], responseCodeDetails: 'route_not_found', responseHeaders: undefined }),
    0.2,
  );
  assert.match(missing, / 404 NR route_not_found 0 1234 0 .* "-" - - - - -\n$/);
});

test('text format: addresses, truncation, multi-value headers, a newline already there is kept', () => {
  const f = compileTextFormat(
    '%DOWNSTREAM_REMOTE_ADDRESS% %DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT% %DOWNSTREAM_LOCAL_ADDRESS% %REQ(X-LONG):4% %REQ(ACCEPT)% %HOSTNAME%\n',
  );
  const line = f(request(), 1);
  assert.match(line, /^10\.0\.0\.7:51234 10\.0\.0\.7 127\.0\.0\.1:8080 abcd a,b \S+\n$/);
  assert.equal(line.endsWith('\n\n'), false);
  assert.equal(compileTextFormat('%DOWNSTREAM_REMOTE_ADDRESS%')(request({ sourceAddress: '::1', sourcePort: 5 }), 1), '[::1]:5\n');
  assert.equal(compileTextFormat('%UPSTREAM_TRANSPORT_FAILURE_REASON% 100%')(request(), 1), '- 100%\n');
});

test('START_TIME with a strftime format, in UTC', () => {
  assert.equal(compileStartTime('%Y/%m/%d %H:%M:%S.%3f %z %%')(START), '2026/11/26 12:57:31.123 +0000 %');
  assert.equal(compileStartTime('%s.%6f')(START), '1795697851.123000');
  assert.equal(compileTextFormat('%START_TIME(%d-%m-%Y)%')(request(), 0), '26-11-2026\n');
  assert.throws(() => compileStartTime('%Q'), /unknown START_TIME specifier "%Q"/);
});

test('json_format: a lone operator keeps its type, mixed strings are text, literals and nesting pass', () => {
  const f = compileJsonFormat({
    code: '%RESPONSE_CODE%',
    flags: '%RESPONSE_FLAGS%',
    host: '%UPSTREAM_HOST%',
    line: '%REQ(:METHOD)% %REQ(:PATH)%',
    app: 'wasmgate',
    version: 2,
    up: { cluster: '%UPSTREAM_CLUSTER%', bytes: '%BYTES_SENT%' },
    ua: '%REQ(USER-AGENT):3%',
  });
  const line = f(request({ upstreamHost: '' }), 1);
  assert.equal(line.endsWith('}\n'), true);
  assert.deepEqual(JSON.parse(line), {
    code: 200,
    flags: null,
    host: null,
    line: 'GET /api/items?x=1',
    app: 'wasmgate',
    version: 2,
    up: { cluster: 'api', bytes: 1234 },
    ua: 'cur',
  });
  // A header value with quotes and control characters stays valid JSON.
  const weird = f(request({ requestHeaders: { raw: { 'user-agent': 'a"\n' } } }), 1);
  assert.equal(JSON.parse(weird).ua, 'a"\n');
});

test('the default record: today\'s JSON fields plus trace_id, "" for what is missing', () => {
  const f = compileAccessLogFormat({});
  const rec = JSON.parse(f(request({ responseFlags: ['UF', 'URX'] }), 2.34567)) as Record<string, unknown>;
  assert.deepEqual(rec, {
    log_type: 'access',
    start_time: '2026-11-26T12:57:31.123Z',
    method: 'GET',
    path: '/api/items?x=1',
    protocol: 'HTTP/1.1',
    response_code: 200,
    response_flags: 'UF,URX',
    response_code_details: 'via_upstream',
    bytes_received: 0,
    bytes_sent: 1234,
    duration: 2.346,
    upstream_host: '127.0.0.1:9001',
    upstream_cluster: 'api',
    route_name: 'main',
    x_request_id: 'rid-1',
    trace_id: '0af7651916cd43dd8448eb211c80319c',
    downstream_remote_address: '10.0.0.7:51234',
    authority: 'api.example.com',
    user_agent: 'curl/8',
    x_forwarded_for: '',
  });
  const bare = JSON.parse(f(request({ trace: null, clusterName: undefined, upstream: null }), 1)) as Record<string, unknown>;
  assert.equal(bare.trace_id, '');
  assert.equal(bare.upstream_cluster, '');
  assert.equal(bare.response_code_details, '');
  assert.equal(bare.response_flags, '-');
});

test('a bad operator is an error naming it and where it is', () => {
  const at = (fn: () => unknown): FormatError => {
    try {
      fn();
    } catch (err) {
      assert.ok(err instanceof FormatError);
      return err;
    }
    assert.fail('no error');
  };
  let e = at(() => compileAccessLogFormat({ format: '%RESPONSE_CODE% %NOPE%' }));
  assert.deepEqual(e.at, ['format']);
  assert.match(e.message, /unknown command operator %NOPE%/);
  e = at(() => compileAccessLogFormat({ json_format: { a: { b: '%REQ()%' } } }));
  assert.deepEqual(e.at, ['json_format', 'a', 'b']);
  assert.match(e.message, /%REQ\(\)%: .*needs a header name/);
  assert.match(at(() => compileAccessLogFormat({ format: '%DURATION(x)%' })).message, /takes no argument/);
  assert.match(at(() => compileAccessLogFormat({ format: '%REQ(:FOO)%' })).message, /unknown pseudo-header ":foo"/);
  assert.match(at(() => compileAccessLogFormat({ format: '%REQ(A?B?C)%' })).message, /give "X" or "X\?Y"/);
  assert.match(at(() => compileAccessLogFormat({ json_format: { a: [1] } })).message, /must be a string/);
});
