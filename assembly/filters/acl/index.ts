// acl: allows or denies requests by path (exact/prefix, query string ignored) and by request header.
// A denied request gets a local reply (403 "access denied" unless configured) and never reaches
// the upstream. Counters: acl.<plugin name>.allowed and acl.<plugin name>.denied.
import {
  Counter, FilterHeadersStatus, HeaderPair, HttpContext, RootContext, getPropertyString, headers, logError,
  registerRootContext,
} from "../../sdk";
import { AclConfig, Rule, parseAclConfig } from "./config";

export * from "../../sdk/exports";

const TEXT_PLAIN: HeaderPair[] = [new HeaderPair("content-type", "text/plain")];

class AclRoot extends RootContext {
  config: AclConfig = new AclConfig();
  allowed: Counter | null = null;
  denied: Counter | null = null;

  onConfigure(pluginConfigurationSize: u32): bool {
    const config = parseAclConfig(this.getPluginConfiguration());
    if (config.error.length > 0) {
      logError("acl: " + config.error);
      return false;
    }
    this.config = config;
    const name = getPropertyString(["plugin_name"]);
    const prefix = "acl." + (name !== null && name.length > 0 ? name : "acl") + ".";
    this.allowed = new Counter(prefix + "allowed");
    this.denied = new Counter(prefix + "denied");
    return true;
  }

  createHttpContext(contextId: u32): HttpContext {
    return new AclStream(contextId, this);
  }
}

class AclStream extends HttpContext {
  constructor(id: u32, public readonly acl: AclRoot) {
    super(id, acl);
  }

  onRequestHeaders(numHeaders: u32, endOfStream: bool): FilterHeadersStatus {
    const config = this.acl.config;
    const matched = anyRuleMatches(config.rules);
    if (matched == config.allowMode) {
      this.acl.allowed!.increment(1);
      return FilterHeadersStatus.Continue;
    }
    this.acl.denied!.increment(1);
    this.sendLocalResponse(config.denyStatus, "acl_denied", config.denyBody, TEXT_PLAIN);
    return FilterHeadersStatus.StopIteration;
  }
}

function anyRuleMatches(rules: Rule[]): bool {
  if (rules.length == 0) return false;
  let path: string | null = null;
  for (let i = 0; i < rules.length; i++) {
    const rule = rules[i];
    const pathMatch = rule.path;
    if (pathMatch !== null) {
      if (path === null) path = requestPath();
      if (!pathMatch.matches(path!)) continue;
    }
    const header = rule.header;
    if (header !== null) {
      const value = headers.request.get(header.name);
      if (value === null || !header.match.matches(value)) continue;
    }
    return true;
  }
  return false;
}

/** The request's path without its query string. */
function requestPath(): string {
  const full = headers.request.get(":path");
  if (full === null) return "";
  const query = full.indexOf("?");
  return query < 0 ? full : full.substring(0, query);
}

registerRootContext((id: u32): RootContext => new AclRoot(id), "acl");
