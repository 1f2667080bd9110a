// auth_check: the example custom WASM filter (see examples/wasm-filter/README.md). It asks an
// authorization service, through an HTTP call to a gateway cluster, whether a request may pass:
//   { "cluster": "auth", "path": "/check", "timeout_ms": 2000, "forward_headers": ["authorization"] }
// A 200 answer lets the request through (with the service's x-auth-user header copied onto it);
// any other answer is returned to the client as it is; no answer gives 503.
import {
  FilterHeadersStatus, HeaderPair, HttpCallHandler, HttpContext, RootContext, WasmResult, getHttpCallResponseBody,
  headers, logError, parseJson, registerRootContext,
} from "../../../../assembly/sdk";

export * from "../../../../assembly/sdk/exports";

const TEXT_PLAIN: HeaderPair[] = [new HeaderPair("content-type", "text/plain")];

class AuthConfig {
  cluster: string = "";
  path: string = "/check";
  timeoutMillis: u32 = 2000;
  forwardHeaders: string[] = ["authorization"];
}

class AuthRoot extends RootContext {
  config: AuthConfig = new AuthConfig();

  onConfigure(pluginConfigurationSize: u32): bool {
    const parsed = parseJson(this.getPluginConfiguration());
    const top = parsed.value !== null ? parsed.value!.asObject() : null;
    if (top === null) {
      logError("auth_check: configuration: " + (parsed.error.length > 0 ? parsed.error : "expected a JSON object"));
      return false;
    }
    const config = new AuthConfig();
    const cluster = top.getString("cluster");
    if (cluster === null || cluster.length == 0) {
      logError("auth_check: cluster: required name of the authorization service's cluster");
      return false;
    }
    config.cluster = cluster;
    const path = top.getString("path");
    if (path !== null) config.path = path;
    const timeout = top.get("timeout_ms");
    if (timeout !== null) {
      const millis = timeout.asNumber();
      if (millis === null || millis.value < 1 || millis.value > 60000) {
        logError("auth_check: timeout_ms: expected a number from 1 to 60000");
        return false;
      }
      config.timeoutMillis = <u32>millis.value;
    }
    const forward = top.getArray("forward_headers");
    if (forward !== null) {
      config.forwardHeaders = [];
      for (let i = 0; i < forward.items.length; i++) {
        const name = forward.items[i].asString();
        if (name === null) {
          logError("auth_check: forward_headers[" + i.toString() + "]: expected a header name");
          return false;
        }
        config.forwardHeaders.push(name.value.toLowerCase());
      }
    }
    this.config = config;
    return true;
  }

  createHttpContext(contextId: u32): HttpContext {
    return new AuthStream(contextId, this);
  }
}

class AuthStream extends HttpContext {
  constructor(id: u32, public readonly auth: AuthRoot) {
    super(id, auth);
  }

  onRequestHeaders(numHeaders: u32, endOfStream: bool): FilterHeadersStatus {
    const config = this.auth.config;
    const path = headers.request.get(":path");
    const call: HeaderPair[] = [
      new HeaderPair(":method", "GET"),
      new HeaderPair(":path", config.path),
      new HeaderPair(":authority", config.cluster),
      new HeaderPair("x-original-path", path !== null ? path : ""),
    ];
    for (let i = 0; i < config.forwardHeaders.length; i++) {
      const value = headers.request.get(config.forwardHeaders[i]);
      if (value !== null) call.push(new HeaderPair(config.forwardHeaders[i], value));
    }
    const result = this.httpCall(config.cluster, call, null, [], config.timeoutMillis, new AuthAnswer(this));
    if (result.status != WasmResult.Ok) {
      this.sendLocalResponse(503, "auth_check_call_failed", "authorization service unavailable\n", TEXT_PLAIN);
    }
    // Wait for the answer (or the local reply above): the handler continues or replies.
    return FilterHeadersStatus.StopIteration;
  }
}

class AuthAnswer extends HttpCallHandler {
  constructor(public readonly stream: AuthStream) {
    super();
  }

  onHttpCallResponse(numHeaders: u32, bodySize: u32, numTrailers: u32): void {
    if (numHeaders == 0) {
      this.stream.sendLocalResponse(503, "auth_check_no_answer", "authorization service unavailable\n", TEXT_PLAIN);
      return;
    }
    const status = headers.httpCallResponse.get(":status");
    if (status == "200") {
      const user = headers.httpCallResponse.get("x-auth-user");
      if (user !== null) headers.request.replace("x-auth-user", user);
      this.stream.continueRequest();
      return;
    }
    const code = status !== null ? <u32>parseInt(status) : 0;
    const body = String.UTF8.decode(getHttpCallResponseBody(bodySize));
    this.stream.sendLocalResponse(code >= 400 && code <= 599 ? code : 403, "auth_check_denied", body, TEXT_PLAIN);
  }
}

registerRootContext((id: u32): RootContext => new AuthRoot(id), "auth_check");
