// What the upstream leg needs of a route, decided at config load: timeouts, retry policy, mirrors,
// the body buffer limit, and the filter chain of the route.
import type { ResolvedChain } from '../../sdk/filter-stream.js';
import type { RouteAction } from '../config/types.js';
import { parseDuration } from '../config/duration.js';
import { compileRetryPolicy } from './retry-policy.js';
import type { CompiledRetryPolicy } from './retry-policy.js';
import type { MirrorPolicy } from './mirror.js';

export class RouteRuntime {
  readonly timeoutMs: number;
  /** undici bodyTimeout: the longest silence between two body chunks of the response; 0 = none. */
  readonly idleTimeoutMs: number;
  readonly retry: CompiledRetryPolicy | null;
  readonly bufferLimit: number;

  constructor(
    action: RouteAction | undefined,
    readonly chain: ResolvedChain,
    readonly mirrors: readonly MirrorPolicy[],
  ) {
    this.timeoutMs = action ? parseDuration(action.timeout) : 0;
    this.idleTimeoutMs = action?.idle_timeout ? parseDuration(action.idle_timeout) : 0;
    this.retry = action?.retry_policy ? compileRetryPolicy(action.retry_policy) : null;
    this.bufferLimit = action?.per_request_buffer_limit_bytes ?? 0;
  }

  /** The request body must be kept in memory to be sent more than once. */
  get keepsBody(): boolean {
    return this.retry !== null || this.mirrors.length > 0;
  }
}
