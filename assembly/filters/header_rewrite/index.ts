// header_rewrite: adds, sets and removes request and response headers as its configuration says.
// Removals run before additions (as in Envoy's header manipulation).
import {
  FilterHeadersStatus, HeaderMap, HttpContext, RootContext, headers, logError, registerRootContext,
} from "../../sdk";
import { AppendAction, HeaderEdits, RewriteConfig, parseRewriteConfig } from "./config";

export * from "../../sdk/exports";

class HeaderRewriteRoot extends RootContext {
  config: RewriteConfig = new RewriteConfig();

  onConfigure(pluginConfigurationSize: u32): bool {
    const config = parseRewriteConfig(this.getPluginConfiguration());
    if (config.error.length > 0) {
      logError("header_rewrite: " + config.error);
      return false;
    }
    this.config = config;
    return true;
  }

  createHttpContext(contextId: u32): HttpContext {
    return new HeaderRewriteStream(contextId, this);
  }
}

class HeaderRewriteStream extends HttpContext {
  constructor(id: u32, public readonly rewrite: HeaderRewriteRoot) {
    super(id, rewrite);
  }

  onRequestHeaders(numHeaders: u32, endOfStream: bool): FilterHeadersStatus {
    applyEdits(headers.request, this.rewrite.config.request);
    return FilterHeadersStatus.Continue;
  }

  onResponseHeaders(numHeaders: u32, endOfStream: bool): FilterHeadersStatus {
    applyEdits(headers.response, this.rewrite.config.response);
    return FilterHeadersStatus.Continue;
  }
}

function applyEdits(map: HeaderMap, edits: HeaderEdits): void {
  for (let i = 0; i < edits.remove.length; i++) map.remove(edits.remove[i]);
  for (let i = 0; i < edits.add.length; i++) {
    const header = edits.add[i];
    switch (header.action) {
      case AppendAction.AppendIfExistsOrAdd:
        map.add(header.key, header.value);
        break;
      case AppendAction.OverwriteIfExistsOrAdd:
        map.replace(header.key, header.value);
        break;
      case AppendAction.AddIfAbsent:
        if (!map.has(header.key)) map.add(header.key, header.value);
        break;
      case AppendAction.OverwriteIfExists:
        if (map.has(header.key)) map.replace(header.key, header.value);
        break;
    }
  }
}

registerRootContext((id: u32): RootContext => new HeaderRewriteRoot(id), "header_rewrite");
