// The ABI's enumerations (spec v0.2.1 "Types"), with the action values real hosts (Envoy) understand.

/** proxy_status_t: what every host function returns. */
export enum WasmResult {
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

export enum LogLevel {
  Trace = 0,
  Debug = 1,
  Info = 2,
  Warn = 3,
  Error = 4,
  Critical = 5,
}

export enum MapType {
  RequestHeaders = 0,
  RequestTrailers = 1,
  ResponseHeaders = 2,
  ResponseTrailers = 3,
  HttpCallResponseHeaders = 6,
  HttpCallResponseTrailers = 7,
}

export enum BufferType {
  HttpRequestBody = 0,
  HttpResponseBody = 1,
  /** What the client sent (network filters, in onDownstreamData). */
  DownstreamData = 2,
  /** What goes back to the client (network filters, in onUpstreamData). */
  UpstreamData = 3,
  HttpCallResponseBody = 4,
  VmConfiguration = 6,
  PluginConfiguration = 7,
}

export enum StreamType {
  Request = 0,
  Response = 1,
  /** A network filter's connection: the client side, and the upstream side. */
  Downstream = 2,
  Upstream = 3,
}

export enum MetricType {
  Counter = 0,
  Gauge = 1,
  Histogram = 2,
}

/** What a headers callback returns. Anything but Continue pauses the stream until it is continued. */
export enum FilterHeadersStatus {
  Continue = 0,
  StopIteration = 1,
  StopAllIterationAndBuffer = 3,
  StopAllIterationAndWatermark = 4,
}

/** What a body callback returns. StopIterationAndBuffer makes the host call again with the cumulative size. */
export enum FilterDataStatus {
  Continue = 0,
  StopIterationAndBuffer = 1,
  StopIterationAndWatermark = 2,
  StopIterationNoBuffer = 3,
}

export enum FilterTrailersStatus {
  Continue = 0,
  StopIteration = 1,
}

/** What a network filter callback returns. StopIteration holds the data: the host calls again with all of it. */
export enum FilterStatus {
  Continue = 0,
  StopIteration = 1,
}

/** Who closed a connection (the network close callbacks). */
export enum PeerType {
  Unknown = 0,
  Local = 1,
  Remote = 2,
}

/** The gRPC status of a local reply that has none (a plain HTTP reply). */
export const NO_GRPC_STATUS: i32 = -1;
