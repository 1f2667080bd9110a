// Envoy-style tag extraction, done once when a stat is created: a scope contributes its tags
// (`cluster.<name>.` → cluster="<name>"), and a name ending in a response code class or an exact code
// becomes a tag of a shared name (`upstream_rq_2xx` → upstream_rq_xx{response_code_class="2xx"},
// `upstream_rq_503` → upstream_rq{response_code="503"}), as Envoy's default tag extractors do.

export type StatTags = Readonly<Record<string, string>>;

export interface StatName {
  /** The flat Envoy name: `cluster.api.upstream_rq_2xx`. */
  readonly name: string;
  /** The name with its tag values taken out: `cluster.upstream_rq_xx`. */
  readonly tagExtractedName: string;
  readonly tags: StatTags;
}

const CODE_CLASS = /^(.*_rq)_([1-5])xx$/;
const EXACT_CODE = /^(.*_rq)_([1-5]\d\d)$/;

/** The stat `leaf` inside a scope whose flat prefix, tag-extracted prefix and tags are given (prefixes end in '.' or are ''). */
export function statName(prefix: string, extractedPrefix: string, tags: StatTags, leaf: string): StatName {
  const name = prefix + leaf;
  let m = CODE_CLASS.exec(leaf);
  if (m !== null) return { name, tagExtractedName: `${extractedPrefix}${m[1]}_xx`, tags: { ...tags, response_code_class: `${m[2]}xx` } };
  m = EXACT_CODE.exec(leaf);
  if (m !== null) return { name, tagExtractedName: extractedPrefix + m[1], tags: { ...tags, response_code: m[2]! } };
  return { name, tagExtractedName: extractedPrefix + leaf, tags };
}
