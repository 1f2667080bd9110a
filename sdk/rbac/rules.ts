// What the HTTP and network RBAC filters do alike with their config: `rules` decide (counted as allowed /
// denied), `shadow_rules` are evaluated and counted only (shadow_allowed / shadow_denied).
import type { Counter, FilterStats } from '../filter.js';
import type { RbacCompiler, RbacEngine } from './compiler.js';
import type { PermissionBase, PrincipalBase, Rbac } from './config.js';

export interface RbacRulesConfig<P, Q> {
  /** Absent: nothing is enforced. */
  rules?: Rbac<P, Q>;
  /** Evaluated and counted, never enforced. */
  shadow_rules?: Rbac<P, Q>;
}

export class RbacRules<C> {
  private readonly allowed: Counter;
  private readonly denied: Counter;
  private readonly shadowAllowed: Counter;
  private readonly shadowDenied: Counter;

  constructor(
    private readonly enforced: RbacEngine<C> | undefined,
    private readonly shadow: RbacEngine<C> | undefined,
    stats: FilterStats,
    statPrefix: string,
  ) {
    this.allowed = stats.counter(`${statPrefix}allowed`);
    this.denied = stats.counter(`${statPrefix}denied`);
    this.shadowAllowed = stats.counter(`${statPrefix}shadow_allowed`);
    this.shadowDenied = stats.counter(`${statPrefix}shadow_denied`);
  }

  get hasShadow(): boolean {
    return this.shadow !== undefined;
  }

  /** Evaluates the shadow rules (there must be some) and counts the result; the policy that matched, if any. */
  shadowPolicy(c: C): string | undefined {
    const policy = this.shadow!.matchedPolicy(c);
    (this.shadowAllows(policy) ? this.shadowAllowed : this.shadowDenied).inc();
    return policy;
  }

  /** What the shadow rules say when `policy` (from shadowPolicy) matched. */
  shadowAllows(policy: string | undefined): boolean {
    return this.shadow!.allowAction === (policy !== undefined);
  }

  /** Evaluates the enforced rules and counts the result: null when allowed, else the policy that matched or 'none'. */
  denial(c: C): string | null {
    if (this.enforced === undefined) return null;
    const policy = this.enforced.matchedPolicy(c);
    if (this.enforced.allowAction === (policy !== undefined)) {
      this.allowed.inc();
      return null;
    }
    this.denied.inc();
    return policy ?? 'none';
  }
}

/** Compiles a filter's rules; counters `<statPrefix>allowed`, `denied`, `shadow_allowed`, `shadow_denied`. */
export function compileRbacRules<C, P extends PermissionBase<P>, Q extends PrincipalBase<Q>>(
  compiler: RbacCompiler<C, P, Q>,
  config: RbacRulesConfig<P, Q>,
  stats: FilterStats,
  statPrefix = '',
): RbacRules<C> {
  const enforced = config.rules === undefined ? undefined : compiler.rules(config.rules, 'rules');
  const shadow = config.shadow_rules === undefined ? undefined : compiler.rules(config.shadow_rules, 'shadow_rules');
  return new RbacRules(enforced, shadow, stats, statPrefix);
}
