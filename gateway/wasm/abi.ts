// Proxy-Wasm ABI constants (spec v0.2.1 "Types"; the C++ SDK's proxy_wasm_common.h / proxy_wasm_enums.h).

/** proxy_status_t: what every host function returns. */
export const enum Status {
  Ok = 0,
  NotFound = 1,
  BadArgument = 2,
  SerializationFailure = 3,
  ParseFailure = 4,
  InvalidMemoryAccess = 6,
  Empty = 7,
  CasMismatch = 8,
  InternalFailure = 10,
  Unimplemented = 12,
}

export const enum MapType {
  RequestHeaders = 0,
  RequestTrailers = 1,
  ResponseHeaders = 2,
  ResponseTrailers = 3,
  GrpcInitialMetadata = 4,
  GrpcTrailingMetadata = 5,
  HttpCallResponseHeaders = 6,
  HttpCallResponseTrailers = 7,
}

export const enum BufferType {
  RequestBody = 0,
  ResponseBody = 1,
  DownstreamData = 2,
  UpstreamData = 3,
  HttpCallResponseBody = 4,
  GrpcMessage = 5,
  VmConfiguration = 6,
  PluginConfiguration = 7,
  ForeignFunctionArguments = 8,
}

export const enum StreamType {
  HttpRequest = 0,
  HttpResponse = 1,
  Downstream = 2,
  Upstream = 3,
}

export const enum MetricType {
  Counter = 0,
  Gauge = 1,
  Histogram = 2,
}

/** proxy_log levels, TRACE 0 .. CRITICAL 5. */
export const enum LogLevel {
  Trace = 0,
  Debug = 1,
  Info = 2,
  Warn = 3,
  Error = 4,
  Critical = 5,
}

export type AbiVersion = '0.1.0' | '0.2.0' | '0.2.1';

const MARKER_PREFIX = 'proxy_abi_version_';

/**
 * Reads the ABI version from the module's `proxy_abi_version_X_Y_Z` marker export. No marker means
 * 0.1.0 (Istio modules from before the marker existed); a marker of a version we do not speak throws.
 */
export function abiVersionOf(exportNames: readonly string[]): AbiVersion {
  const marker = exportNames.find((n) => n.startsWith(MARKER_PREFIX));
  if (marker === undefined) return '0.1.0';
  const version = marker.slice(MARKER_PREFIX.length).replaceAll('_', '.');
  if (version === '0.1.0' || version === '0.2.0' || version === '0.2.1') return version;
  throw new Error(`the module speaks Proxy-Wasm ABI ${version} (export ${marker}); this gateway speaks 0.1.0, 0.2.0 and 0.2.1`);
}
