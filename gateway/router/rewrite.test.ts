import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RedirectAction, RouteMatch } from '../config/types.js';
import type { MatchInput } from '../../sdk/matching/matchers.js';
import { compilePathRewrite, compileRedirect, re2SubstitutionToJs, REDIRECT_STATUS } from './rewrite.js';

const match = (m: Partial<RouteMatch>): RouteMatch => ({ case_sensitive: true, ...m });

function req(authority: string, path: string): MatchInput {
  return { authority, path, method: 'GET', headers: {}, sourceAddress: '127.0.0.1' };
}

function redirect(r: Partial<RedirectAction>, m: Partial<RouteMatch> = {}) {
  return compileRedirect(match(m), { response_code: 'MOVED_PERMANENTLY', strip_query: false, ...r });
}

test('prefix_rewrite replaces the matched prefix and keeps the query', () => {
  const rw = compilePathRewrite(match({ prefix: '/api/v1' }), { prefix_rewrite: '/v2' });
  assert.equal(rw('/api/v1/users?id=3'), '/v2/users?id=3');
  assert.equal(rw('/api/v1'), '/v2');
  const ci = compilePathRewrite(match({ prefix: '/API', case_sensitive: false }), { prefix_rewrite: '/x' });
  assert.equal(ci('/api/a'), '/x/a', 'the matched length, whatever its case');
});

test('prefix_rewrite on path_separated_prefix, default prefix, exact path and regex routes', () => {
  assert.equal(compilePathRewrite(match({ path_separated_prefix: '/old' }), { prefix_rewrite: '/new' })('/old/a?b'), '/new/a?b');
  assert.equal(compilePathRewrite(match({}), { prefix_rewrite: '/base/' })('/a/b'), '/base/a/b');
  assert.equal(compilePathRewrite(match({ path: '/exact' }), { prefix_rewrite: '/other' })('/exact?q=1'), '/other?q=1');
  assert.equal(
    compilePathRewrite(match({ safe_regex: { regex: '/r/.*' } }), { prefix_rewrite: '/all' })('/r/x/y?z'),
    '/all?z',
  );
});

test('no rewrite gives the very path back', () => {
  const rw = compilePathRewrite(match({ prefix: '/' }), {});
  const path = '/a?b';
  assert.equal(rw(path), path);
});

test('regex_rewrite substitutes every match in the path part, with \\N groups, and keeps the query', () => {
  const rw = compilePathRewrite(match({ prefix: '/' }), {
    regex_rewrite: { pattern: { regex: '^/service/([^/]+)(/.*)$' }, substitution: '\\2/instance/\\1' },
  });
  assert.equal(rw('/service/foo/v1/api?x=/service/a/b'), '/v1/api/instance/foo?x=/service/a/b');
  const all = compilePathRewrite(match({ prefix: '/' }), { regex_rewrite: { pattern: { regex: 'o' }, substitution: '0' } });
  assert.equal(all('/foo/boo'), '/f00/b00', 'every match, as RE2 GlobalReplace');
  assert.equal(all('/foo/boo'), '/f00/b00', 'a global regex reused keeps working');
  const empty = compilePathRewrite(match({ prefix: '/' }), { regex_rewrite: { pattern: { regex: '.*' }, substitution: '' } });
  assert.equal(empty('/gone?q'), '/gone?q', 'an empty result keeps the path, as Envoy');
});

test('RE2 substitution syntax converts to a JS replacement string', () => {
  assert.equal(re2SubstitutionToJs('\\1-\\2'), '$01-$02');
  assert.equal(re2SubstitutionToJs('\\0'), '$&');
  assert.equal(re2SubstitutionToJs('\\12'), '$012', 'group 1 then a literal 2');
  assert.equal(re2SubstitutionToJs('a\\\\b'), 'a\\b');
  assert.equal(re2SubstitutionToJs('cost $1'), 'cost $$1');
  assert.equal('ab'.replace(/(a)(b)/, re2SubstitutionToJs('\\2\\12$1')), 'ba2$1');
});

test('redirect: https_redirect drops the default port of the old scheme, keeps others', () => {
  assert.equal(redirect({ https_redirect: true })(req('example.com:80', '/a?b'), 'http'), 'https://example.com/a?b');
  assert.equal(redirect({ https_redirect: true })(req('example.com', '/a'), 'http'), 'https://example.com/a');
  assert.equal(redirect({ https_redirect: true })(req('example.com:8080', '/a'), 'http'), 'https://example.com:8080/a');
});

test('redirect: scheme_redirect, host_redirect and port_redirect', () => {
  assert.equal(redirect({ scheme_redirect: 'HTTP' })(req('h:443', '/'), 'https'), 'http://h/');
  assert.equal(redirect({ host_redirect: 'other.example' })(req('h:8080', '/p'), 'http'), 'http://other.example/p');
  assert.equal(redirect({ host_redirect: 'other.example:9000' })(req('h', '/p'), 'http'), 'http://other.example:9000/p');
  assert.equal(redirect({ port_redirect: 8443 })(req('h:8080', '/p'), 'https'), 'https://h:8443/p');
  assert.equal(redirect({ port_redirect: 8443, host_redirect: 'o:1' })(req('h', '/p'), 'http'), 'http://o:8443/p');
  assert.equal(redirect({ https_redirect: true, port_redirect: 443 })(req('h:8080', '/'), 'http'), 'https://h/', 'default port dropped');
  assert.equal(redirect({ port_redirect: 80 })(req('h:8080', '/'), 'http'), 'http://h/');
  assert.equal(redirect({ port_redirect: 9 })(req('[::1]:8080', '/'), 'http'), 'http://[::1]:9/', 'IPv6 literal host');
});

test('redirect: path_redirect keeps the request query unless it has its own; strip_query', () => {
  assert.equal(redirect({ path_redirect: '/new' })(req('h', '/old?a=1'), 'http'), 'http://h/new?a=1');
  assert.equal(redirect({ path_redirect: '/new?b=2' })(req('h', '/old?a=1'), 'http'), 'http://h/new?b=2');
  assert.equal(redirect({ path_redirect: '/new', strip_query: true })(req('h', '/old?a=1'), 'http'), 'http://h/new');
  assert.equal(
    redirect({ path_redirect: '/new?b=2', strip_query: true })(req('h', '/old?a=1'), 'http'),
    'http://h/new?b=2',
    "path_redirect's own query is never stripped",
  );
  assert.equal(redirect({ path_redirect: 'rel' })(req('h', '/old'), 'http'), 'http://h/rel', 'a leading / is added');
  assert.equal(redirect({ strip_query: true })(req('h', '/same?x=1'), 'https'), 'https://h/same');
  assert.equal(redirect({})(req('h', '/same?x=1'), 'https'), 'https://h/same?x=1');
});

test('redirect: prefix_rewrite rewrites the matched prefix', () => {
  const r = redirect({ prefix_rewrite: '/v2/' }, { prefix: '/v1/' });
  assert.equal(r(req('h', '/v1/users?id=1'), 'http'), 'http://h/v2/users?id=1');
  assert.equal(redirect({ prefix_rewrite: '/v2', strip_query: true }, { prefix: '/v1' })(req('h', '/v1/a?q'), 'http'), 'http://h/v2/a');
});

test('redirect status codes', () => {
  assert.deepEqual(REDIRECT_STATUS, {
    MOVED_PERMANENTLY: 301,
    FOUND: 302,
    SEE_OTHER: 303,
    TEMPORARY_REDIRECT: 307,
    PERMANENT_REDIRECT: 308,
  });
});
