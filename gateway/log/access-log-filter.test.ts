// Access-log filters, Envoy's AccessLogFilter: status code, duration, response flags, and/or.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileAccessLogFilter } from './access-log-filter.js';
import type { LoggedRequest } from './logged-request.js';

const req = (responseStatus: number, responseFlags: string[] | null = null): LoggedRequest =>
  ({ responseStatus, responseFlags }) as unknown as LoggedRequest;

test('status_code_filter compares with EQ, NE, GE (the default) and LE; value in either form', () => {
  const ge = compileAccessLogFilter({ status_code_filter: { comparison: { op: 'GE', value: 400 } } });
  assert.equal(ge(req(399), 1), false);
  assert.equal(ge(req(400), 1), true);
  assert.equal(ge(req(503), 1), true);
  const le = compileAccessLogFilter({ status_code_filter: { comparison: { op: 'LE', value: { default_value: 299 } } } });
  assert.equal(le(req(200), 1), true);
  assert.equal(le(req(300), 1), false);
  const eq = compileAccessLogFilter({ status_code_filter: { comparison: { op: 'EQ', value: 404 } } });
  assert.equal(eq(req(404), 1), true);
  assert.equal(eq(req(405), 1), false);
  const ne = compileAccessLogFilter({ status_code_filter: { comparison: { op: 'NE', value: 200 } } });
  assert.equal(ne(req(200), 1), false);
  assert.equal(ne(req(201), 1), true);
});

test('duration_filter compares whole milliseconds', () => {
  const slow = compileAccessLogFilter({ duration_filter: { comparison: { op: 'GE', value: 100 } } });
  assert.equal(slow(req(200), 99.9), false);
  assert.equal(slow(req(200), 100.2), true);
});

test('response_flag_filter: listed flags, or any flag when the list is empty', () => {
  const some = compileAccessLogFilter({ response_flag_filter: { flags: ['UF', 'UH'] } });
  assert.equal(some(req(503, ['UF']), 1), true);
  assert.equal(some(req(503, ['URX', 'UH']), 1), true);
  assert.equal(some(req(504, ['UT']), 1), false);
  assert.equal(some(req(200), 1), false);
  const any = compileAccessLogFilter({ response_flag_filter: { flags: [] } });
  assert.equal(any(req(404, ['NR']), 1), true);
  assert.equal(any(req(200), 1), false);
  assert.equal(compileAccessLogFilter({ response_flag_filter: {} })(req(200, ['DC']), 1), true);
});

test('and_filter and or_filter nest', () => {
  const errorsOrSlow = compileAccessLogFilter({
    or_filter: {
      filters: [
        { status_code_filter: { comparison: { op: 'GE', value: 500 } } },
        {
          and_filter: {
            filters: [
              { duration_filter: { comparison: { op: 'GE', value: 1000 } } },
              { status_code_filter: { comparison: { op: 'LE', value: 299 } } },
            ],
          },
        },
      ],
    },
  });
  assert.equal(errorsOrSlow(req(503), 1), true);
  assert.equal(errorsOrSlow(req(200), 1500), true);
  assert.equal(errorsOrSlow(req(200), 10), false);
  assert.equal(errorsOrSlow(req(404), 1500), false);
});
