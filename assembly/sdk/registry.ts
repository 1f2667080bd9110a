// The live contexts by id, and the factories that make root contexts.
import { HttpContext, NetworkContext, RootContext } from "./context";
import { getPropertyString } from "./properties";

export type RootContextFactory = (contextId: u32) => RootContext;

const factories = new Map<string, RootContextFactory>();
export const rootContexts = new Map<u32, RootContext>();
export const httpContexts = new Map<u32, HttpContext>();
export const networkContexts = new Map<u32, NetworkContext>();

/**
 * Registers the root context of the plugins whose root_id is `rootId`. With one registration the
 * root_id is not consulted (so the module also runs on hosts such as Kong that have none); with
 * several, the host's `plugin_root_id` property picks one, and "" registers the fallback.
 */
export function registerRootContext(factory: RootContextFactory, rootId: string = ""): void {
  factories.set(rootId, factory);
}

export function createRootContext(contextId: u32): RootContext {
  if (factories.size == 0) {
    abort("no root context registered: call registerRootContext() at the top level of the module");
  }
  if (factories.size == 1) return factories.values()[0](contextId);
  const rootId = getPropertyString(["plugin_root_id"]);
  const name = rootId !== null ? rootId : "";
  if (factories.has(name)) return factories.get(name)(contextId);
  if (factories.has("")) return factories.get("")(contextId);
  abort("no root context registered for root_id '" + name + "'");
  return unreachable();
}
