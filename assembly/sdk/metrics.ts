// Metrics in the host's stats (Envoy shows them with a `wasmcustom.` prefix). Define them once, in
// onVmStart or onConfigure, and keep the object: defining costs a host call, recording is cheap.
import { proxy_define_metric, proxy_get_metric, proxy_increment_metric, proxy_record_metric } from "./imports";
import { MetricType, WasmResult } from "./enums";
import { RETURN_EXTRA } from "./memory";
import { logWarn } from "./log";

export class Metric {
  /** The host's id; 0 (and every call a no-op) when the host refused the definition. */
  readonly id: u32;

  constructor(public readonly metricType: MetricType, public readonly name: string) {
    const n = String.UTF8.encode(name);
    store<u32>(RETURN_EXTRA, 0);
    if (proxy_define_metric(metricType, changetype<usize>(n), n.byteLength, RETURN_EXTRA) == WasmResult.Ok) {
      this.id = load<u32>(RETURN_EXTRA);
    } else {
      this.id = 0;
      logWarn("metric " + name + " could not be defined");
    }
  }

  increment(delta: i64 = 1): void {
    if (this.id != 0) proxy_increment_metric(this.id, delta);
  }

  record(value: u64): void {
    if (this.id != 0) proxy_record_metric(this.id, value);
  }

  /** The current value (0 when unknown). */
  get(): u64 {
    if (this.id == 0) return 0;
    store<u64>(RETURN_EXTRA, 0);
    if (proxy_get_metric(this.id, RETURN_EXTRA) != WasmResult.Ok) return 0;
    return load<u64>(RETURN_EXTRA);
  }
}

export class Counter extends Metric {
  constructor(name: string) { super(MetricType.Counter, name); }
}

export class Gauge extends Metric {
  constructor(name: string) { super(MetricType.Gauge, name); }
}

export class Histogram extends Metric {
  constructor(name: string) { super(MetricType.Histogram, name); }
}
