// The Matchers a filter factory gets (FilterFactoryContext.matchers): the route table's own
// compilers, so a filter's rules match exactly as routes do, in the gateway and in the test kit.
import type { Matchers, StreamContext } from '../filter.js';
import { compileHeaderMatcher, compileStringMatcher } from './matchers.js';
import type { MatchInput } from './matchers.js';
import { compileRouteMatch } from './route-match.js';
import { CidrMatcher } from './cidr.js';

// Every StreamContext the gateway or the test kit hands out is a FilterStream, which carries what a
// MatchInput needs (authority, path, method, headers, sourceAddress, scheme).
const asInput = (ctx: StreamContext): MatchInput => ctx as unknown as MatchInput;

export const filterMatchers: Matchers = {
  string: (m) => compileStringMatcher(m),
  header(m) {
    const match = compileHeaderMatcher(m);
    return (ctx) => match(asInput(ctx));
  },
  route(m) {
    const match = compileRouteMatch(m);
    return (ctx) => match(asInput(ctx));
  },
  cidr(ranges) {
    const cidrs = new CidrMatcher(ranges);
    return (address) => cidrs.matches(address);
  },
};
