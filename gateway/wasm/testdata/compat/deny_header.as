// A deny filter written the way @solo-io/proxy-runtime@0.1.8 documents its API: a request carrying the
// header named by the configuration (default x-deny) is answered 403 "forbidden\n" with
// content-type: text/plain and details "denied_by_wasm", and the filter returns StopIteration.
export * from "@solo-io/proxy-runtime/proxy";
import {
  RootContext, Context, registerRootContext, FilterHeadersStatusValues, stream_context,
  send_local_response, GrpcStatusValues, HeaderPair, Headers,
} from "@solo-io/proxy-runtime";

class DenyHeaderRoot extends RootContext {
  createContext(context_id: u32): Context {
    return new DenyHeader(context_id, this);
  }
}

class DenyHeader extends Context {
  constructor(context_id: u32, root_context: DenyHeaderRoot) {
    super(context_id, root_context);
  }
  onRequestHeaders(a: u32, end_of_stream: bool): FilterHeadersStatusValues {
    const configured = this.root_context.getConfiguration();
    const header = configured == "" ? "x-deny" : configured;
    if (stream_context.headers.request.get(header) != "") {
      const headers: Headers = [];
      headers.push(new HeaderPair(String.UTF8.encode("content-type"), String.UTF8.encode("text/plain")));
      send_local_response(403, "denied_by_wasm", String.UTF8.encode("forbidden\n"), headers, GrpcStatusValues.PermissionDenied);
      return FilterHeadersStatusValues.StopIteration;
    }
    return FilterHeadersStatusValues.Continue;
  }
}

registerRootContext((context_id: u32) => { return new DenyHeaderRoot(context_id); }, "deny_header");
