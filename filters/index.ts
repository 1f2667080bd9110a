// The built-in HTTP filters, registered by name. Each lives in its own folder beside this file
// and imports only sdk/. (The router is not here: it is the connection manager's terminal step.)
import type { HttpFilterFactory } from '../sdk/filter.js';
import extAuthz from './ext_authz/filter.js';
import jwtAuthn from './jwt_authn/filter.js';
import localRateLimit from './local_ratelimit/filter.js';
import cors from './cors/filter.js';
import fault from './fault/filter.js';
import headerMutation from './header_mutation/filter.js';
import rateLimit from './ratelimit/filter.js';
import rbac from './rbac/filter.js';

export const builtinFilters: readonly HttpFilterFactory[] = [
  extAuthz,
  jwtAuthn,
  localRateLimit,
  cors,
  fault,
  headerMutation,
  rateLimit,
  rbac,
];
