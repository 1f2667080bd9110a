// Envoy's JwtRequirement, compiled at load into a tree and evaluated per request:
//   provider_name / provider_and_audiences  that provider's token must verify
//   requires_any   one child passes; otherwise the first meaningful error (not "missing", not "unknown issuer")
//   requires_all   every child passes; otherwise the first error
//   allow_missing  no token at all passes; a token that is there must verify with some provider
//   allow_missing_or_failed  always passes; tokens that verify still leave their payloads
// A provider is checked at most once per request and set of audiences, however often the tree names it.
import type { HeaderMap } from '../../sdk/headers.js';
import { JwtStatus } from './provider.js';
import type { Check, Outcome, Provider } from './provider.js';
import type { JwtRequirement } from './schema.js';

export type Requirement =
  | { readonly kind: 'check'; readonly check: Check }
  | { readonly kind: 'any' | 'all'; readonly children: readonly Requirement[] }
  | { readonly kind: 'allow_missing' | 'allow_missing_or_failed'; readonly checks: readonly Check[] };

/** The verifications of one request: each check runs once, its outcome kept for apply(). */
export class RequestVerification {
  readonly outcomes = new Map<Check, Promise<Outcome>>();

  constructor(
    private readonly headers: HeaderMap,
    private readonly path: string,
  ) {}

  run(check: Check): Promise<Outcome> {
    let p = this.outcomes.get(check);
    if (p === undefined) this.outcomes.set(check, (p = check.provider.check(this.headers, this.path, check)));
    return p;
  }
}

export async function evaluate(req: Requirement, v: RequestVerification): Promise<JwtStatus> {
  switch (req.kind) {
    case 'check':
      return (await v.run(req.check)).status;
    case 'any': {
      let error: JwtStatus = JwtStatus.Missing;
      for (const child of req.children) {
        const status = await evaluate(child, v);
        if (status === JwtStatus.Ok) return status;
        if (error === JwtStatus.Missing && status !== JwtStatus.UnknownIssuer) error = status;
      }
      return error;
    }
    case 'all':
      for (const child of req.children) {
        const status = await evaluate(child, v);
        if (status !== JwtStatus.Ok) return status;
      }
      return JwtStatus.Ok;
    case 'allow_missing': {
      let error: JwtStatus | undefined;
      for (const check of req.checks) {
        const { status } = await v.run(check);
        if (status === JwtStatus.Ok) return status;
        if (status !== JwtStatus.Missing && (error === undefined || error === JwtStatus.UnknownIssuer)) error = status;
      }
      return error ?? JwtStatus.Ok;
    }
    case 'allow_missing_or_failed':
      for (const check of req.checks) await v.run(check);
      return JwtStatus.Ok;
  }
}

/** Compiles a requirement; `where` names it in errors (`rules[2].requires.requires_any.requirements[0]`). */
export function compileRequirement(r: JwtRequirement, providers: ReadonlyMap<string, Provider>, where: string): Requirement {
  const all = (): Check[] => [...providers.values()].map((p) => p.ownCheck);
  const named = (name: string, at: string): Provider => {
    const p = providers.get(name);
    if (p === undefined) throw new Error(`${at}: no provider named "${name}" (providers: ${[...providers.keys()].join(', ')})`);
    return p;
  };
  if (r.provider_name !== undefined) return { kind: 'check', check: named(r.provider_name, `${where}.provider_name`).ownCheck };
  if (r.provider_and_audiences !== undefined) {
    const p = named(r.provider_and_audiences.provider_name, `${where}.provider_and_audiences.provider_name`);
    return { kind: 'check', check: p.checkFor(r.provider_and_audiences.audiences) };
  }
  if (r.requires_any !== undefined || r.requires_all !== undefined) {
    const kind = r.requires_any !== undefined ? 'any' : 'all';
    const list = (r.requires_any ?? r.requires_all)!.requirements;
    const children = list.map((c, i) => compileRequirement(c, providers, `${where}.requires_${kind}.requirements[${i}]`));
    return { kind, children };
  }
  if (r.allow_missing !== undefined) return { kind: 'allow_missing', checks: all() };
  return { kind: 'allow_missing_or_failed', checks: all() };
}

