// Our Proxy-Wasm SDK for AssemblyScript 0.28. Import the API from here; in the filter's entry file
// also `export * from "<path>/sdk/exports"` so the host finds the ABI callbacks.
export * from "./enums";
export * from "./context";
export * from "./headers";
export * from "./buffers";
export * from "./properties";
export * from "./stream";
export * from "./shared";
export * from "./metrics";
export * from "./time";
export * from "./log";
export * from "./json";
export { registerRootContext, RootContextFactory } from "./registry";
