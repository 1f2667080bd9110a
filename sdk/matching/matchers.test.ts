import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { HeaderMatcher } from '../match-config.js';
import {
  authorityPortStart,
  compileHeaderMatcher,
  compileMethodMatcher,
  compileQueryParameterMatcher,
  compileStringMatcher,
  parseQuery,
  regexLiteralPrefix,
  type MatchInput,
} from './matchers.js';

function request(headers: MatchInput['headers'], extra: Partial<MatchInput> = {}): MatchInput {
  return { authority: 'api.example.com', path: '/p?q=1', method: 'GET', headers, sourceAddress: '127.0.0.1', ...extra };
}

function header(h: Partial<HeaderMatcher> & { name: string }): HeaderMatcher {
  return { invert_match: false, ...h };
}

test('string matcher: every kind, case-sensitive by default', () => {
  const exact = compileStringMatcher({ exact: 'Abc', ignore_case: false });
  assert.equal(exact('Abc'), true);
  assert.equal(exact('abc'), false);
  assert.equal(exact('Abcd'), false);
  const prefix = compileStringMatcher({ prefix: 'Ab', ignore_case: false });
  assert.equal(prefix('Abx'), true);
  assert.equal(prefix('aBx'), false);
  const suffix = compileStringMatcher({ suffix: '.Com', ignore_case: false });
  assert.equal(suffix('x.Com'), true);
  assert.equal(suffix('x.com'), false);
  const contains = compileStringMatcher({ contains: 'mid', ignore_case: false });
  assert.equal(contains('amidst'), true);
  assert.equal(contains('aMIDst'), false);
});

test('string matcher: ignore_case on literals, and literal regex characters stay literal', () => {
  assert.equal(compileStringMatcher({ exact: 'A.c', ignore_case: true })('a.C'), true);
  assert.equal(compileStringMatcher({ exact: 'A.c', ignore_case: true })('abc'), false);
  assert.equal(compileStringMatcher({ exact: 'A.c', ignore_case: true })('a.cc'), false);
  assert.equal(compileStringMatcher({ prefix: '/V1(', ignore_case: true })('/v1(x'), true);
  assert.equal(compileStringMatcher({ prefix: '/V1(', ignore_case: true })('x/v1('), false);
  assert.equal(compileStringMatcher({ suffix: '*.JSON', ignore_case: true })('a*.json'), true);
  assert.equal(compileStringMatcher({ suffix: '*.JSON', ignore_case: true })('a*.jsonx'), false);
  assert.equal(compileStringMatcher({ contains: '$X', ignore_case: true })('a$xb'), true);
  assert.equal(compileStringMatcher({ contains: '$X', ignore_case: true })('axb'), false);
});

test('string matcher: safe_regex is a full match and ignores ignore_case (as Envoy)', () => {
  const re = compileStringMatcher({ safe_regex: { regex: '[a-z]+\\d' }, ignore_case: true });
  assert.equal(re('abc1'), true);
  assert.equal(re('abc12'), false, 'anchored at the end');
  assert.equal(re('1abc1'), false, 'anchored at the start');
  assert.equal(re('ABC1'), false, 'ignore_case does not apply');
  const alternation = compileStringMatcher({ safe_regex: { regex: 'a|b' }, ignore_case: false });
  assert.equal(alternation('ab'), false, 'the anchors bind the whole alternation');
  assert.equal(alternation('b'), true);
});

test('regexLiteralPrefix: the literal every full match starts with', () => {
  const cases: [string, string][] = [
    ['/api/v1/.*', '/api/v1/'],
    ['^/api/.*', '/api/'],
    ['/items/\\d+', '/items/'],
    ['/a\\.b\\/c[0-9]', '/a.b/c'],
    ['/ab?c', '/a'],
    ['/ab*', '/a'],
    ['/ab+', '/a'],
    ['/ab{2}', '/a'],
    ['/a\\.?', '/a'],
    ['/exact$', '/exact'],
    ['/(a|b)/c', ''],
    ['/a|/b', ''],
    ['.*', ''],
    ['(?:/x)', ''],
    ['\\d+', ''],
  ];
  for (const [pattern, literal] of cases) {
    assert.equal(regexLiteralPrefix(pattern), literal, pattern);
  }
});

test('header matcher: value kinds', () => {
  const req = request({ 'x-v': 'Hello-World' });
  assert.equal(compileHeaderMatcher(header({ name: 'X-V', exact_match: 'Hello-World' }))(req), true, 'name lower-cased');
  assert.equal(compileHeaderMatcher(header({ name: 'x-v', exact_match: 'hello-world' }))(req), false);
  assert.equal(compileHeaderMatcher(header({ name: 'x-v', prefix_match: 'Hello' }))(req), true);
  assert.equal(compileHeaderMatcher(header({ name: 'x-v', suffix_match: 'World' }))(req), true);
  assert.equal(compileHeaderMatcher(header({ name: 'x-v', suffix_match: 'Hello' }))(req), false);
  assert.equal(compileHeaderMatcher(header({ name: 'x-v', contains_match: 'o-W' }))(req), true);
  assert.equal(compileHeaderMatcher(header({ name: 'x-v', safe_regex_match: { regex: 'Hello-\\w+' } }))(req), true);
  assert.equal(compileHeaderMatcher(header({ name: 'x-v', safe_regex_match: { regex: 'Hello' } }))(req), false);
  assert.equal(
    compileHeaderMatcher(header({ name: 'x-v', string_match: { exact: 'hello-world', ignore_case: true } }))(req),
    true,
  );
});

test('header matcher: invert_match flips a value match, but a missing header never matches a value matcher', () => {
  const inverted = compileHeaderMatcher(header({ name: 'x-v', exact_match: 'a', invert_match: true }));
  assert.equal(inverted(request({ 'x-v': 'a' })), false);
  assert.equal(inverted(request({ 'x-v': 'b' })), true);
  assert.equal(inverted(request({})), false, 'Envoy: absent header with an inverted value matcher is no match');
  const regex = compileHeaderMatcher(header({ name: 'x-n', safe_regex_match: { regex: '\\d{3}' }, invert_match: true }));
  assert.equal(regex(request({ 'x-n': '1234' })), true);
  assert.equal(regex(request({ 'x-n': '123' })), false);
});

test('header matcher: presence, absence and their inversion', () => {
  const cases: [Partial<HeaderMatcher>, boolean, boolean][] = [
    // [matcher, result when present, result when absent]
    [{}, true, false],
    [{ present_match: true }, true, false],
    [{ present_match: false }, false, true],
    [{ present_match: true, invert_match: true }, false, true],
    [{ present_match: false, invert_match: true }, true, false],
  ];
  for (const [m, whenPresent, whenAbsent] of cases) {
    const match = compileHeaderMatcher(header({ name: 'x-p', ...m }));
    assert.equal(match(request({ 'x-p': '' })), whenPresent, `${JSON.stringify(m)} present`);
    assert.equal(match(request({ other: 'x' })), whenAbsent, `${JSON.stringify(m)} absent`);
  }
});

test('header matcher: several values are matched joined with ","', () => {
  const req = request({ 'x-m': ['a', 'b'] });
  assert.equal(compileHeaderMatcher(header({ name: 'x-m', exact_match: 'a,b' }))(req), true);
  assert.equal(compileHeaderMatcher(header({ name: 'x-m', exact_match: 'a' }))(req), false);
  assert.equal(compileHeaderMatcher(header({ name: 'x-m', contains_match: ',' }))(req), true);
});

test('header matcher: pseudo headers come from the request', () => {
  const req = request({}, { method: 'POST', path: '/x?y', authority: 'h:81', scheme: 'https' });
  assert.equal(compileHeaderMatcher(header({ name: ':method', exact_match: 'POST' }))(req), true);
  assert.equal(compileHeaderMatcher(header({ name: ':path', exact_match: '/x?y' }))(req), true);
  assert.equal(compileHeaderMatcher(header({ name: ':authority', exact_match: 'h:81' }))(req), true);
  assert.equal(compileHeaderMatcher(header({ name: ':scheme', exact_match: 'https' }))(req), true);
  assert.equal(compileHeaderMatcher(header({ name: ':scheme' }))(request({})), false, 'no scheme given: absent');
});

test('parseQuery: first value wins, no decoding, bare names, fragment ignored', () => {
  const q = parseQuery('/p?a=1&b=x%20y&a=2&flag&=v&c=&d=e=f#frag=1');
  assert.equal(q.get('a'), '1');
  assert.equal(q.get('b'), 'x%20y');
  assert.equal(q.get('flag'), '');
  assert.equal(q.get('c'), '');
  assert.equal(q.get('d'), 'e=f');
  assert.equal(q.get(''), 'v');
  assert.equal(q.has('frag'), false);
  assert.equal(parseQuery('/no-query').size, 0);
  assert.equal(parseQuery('/p?').size, 0);
});

test('query parameter matcher: string_match and presence', () => {
  const debug = compileQueryParameterMatcher({ name: 'debug', string_match: { exact: 'TRUE', ignore_case: true } });
  assert.equal(debug(parseQuery('/?debug=true')), true);
  assert.equal(debug(parseQuery('/?debug=false')), false);
  assert.equal(debug(parseQuery('/?other=true')), false);
  const present = compileQueryParameterMatcher({ name: 'x', present_match: true });
  assert.equal(present(parseQuery('/?x')), true);
  assert.equal(present(parseQuery('/?y=1')), false);
  const bare = compileQueryParameterMatcher({ name: 'x' });
  assert.equal(bare(parseQuery('/?x=1')), true);
  assert.equal(bare(parseQuery('/')), false);
});

test('method matcher compares upper-case', () => {
  const m = compileMethodMatcher(['get', 'Post']);
  assert.equal(m('GET'), true);
  assert.equal(m('POST'), true);
  assert.equal(m('post'), true);
  assert.equal(m('PUT'), false);
});

test('authorityPortStart: names, IPv4, bracketed and bare IPv6', () => {
  assert.equal(authorityPortStart('example.com'), -1);
  assert.equal(authorityPortStart('example.com:8080'), 11);
  assert.equal(authorityPortStart('10.0.0.1:80'), 8);
  assert.equal(authorityPortStart('[::1]:8080'), 5);
  assert.equal(authorityPortStart('[::1]'), -1);
  assert.equal(authorityPortStart('::1'), -1);
  assert.equal(authorityPortStart(''), -1);
});
