// envoyproxy/ratelimit's descriptor tree, compiled at load. A request descriptor (a list of key/value
// entries) walks the tree one entry per level: a node for "key with this value" wins over a node for
// "key, any value"; the limit is the one of the node the last entry lands on, if it has one.
import type { DescriptorConfig, Unit } from './schema.js';

const UNIT_SECONDS: Record<Unit, number> = { second: 1, minute: 60, hour: 3600, day: 86_400 };

export interface Limit {
  readonly requestsPerUnit: number;
  readonly unitSeconds: number;
}

interface Node {
  readonly limit: Limit | undefined;
  readonly children: ReadonlyMap<string, Node>;
}

/** "key" alone, or "key\0value": header values cannot hold a NUL, so the two never collide. */
const nodeKey = (key: string, value: string | undefined): string => (value === undefined ? key : `${key}\0${value}`);

function compileLevel(list: readonly DescriptorConfig[], path: string): Map<string, Node> {
  const level = new Map<string, Node>();
  list.forEach((d, i) => {
    const p = `${path}[${i}]`;
    const k = nodeKey(d.key, d.value);
    if (level.has(k)) throw new Error(`${p}: duplicate descriptor key "${d.key}"${d.value === undefined ? '' : ` with value "${d.value}"`}`);
    const limit = d.rate_limit === undefined ? undefined : { requestsPerUnit: d.rate_limit.requests_per_unit, unitSeconds: UNIT_SECONDS[d.rate_limit.unit] };
    level.set(k, { limit, children: compileLevel(d.descriptors ?? [], `${p}.descriptors`) });
  });
  return level;
}

export class LimitTree {
  private readonly root: Map<string, Node>;

  constructor(descriptors: readonly DescriptorConfig[]) {
    this.root = compileLevel(descriptors, 'descriptors');
  }

  /** The limit of a request descriptor given as alternating keys and values, or undefined. */
  find(entries: readonly string[]): Limit | undefined {
    let level: ReadonlyMap<string, Node> = this.root;
    let node: Node | undefined;
    for (let i = 0; i < entries.length; i += 2) {
      const key = entries[i]!;
      node = level.get(nodeKey(key, entries[i + 1]!)) ?? level.get(key);
      if (node === undefined) return undefined;
      level = node.children;
    }
    return node?.limit;
  }
}
