// The gateway's `wasm` HTTP filter entry (Envoy's PluginConfig fields) for a module we build.
export function wasmFilter(name: string, filename: string, configuration: unknown, vmId = name): unknown {
  return {
    name,
    type: 'wasm',
    config: {
      name,
      root_id: name,
      vm_config: { vm_id: vmId, code: { local: { filename } } },
      configuration,
    },
  };
}
