// The host's wall clock.
import { proxy_get_current_time_nanoseconds } from "./imports";
import { WasmResult } from "./enums";
import { RETURN_EXTRA } from "./memory";

/** Nanoseconds since the Unix epoch (0 when the host cannot tell). */
export function getCurrentTimeNanoseconds(): u64 {
  store<u64>(RETURN_EXTRA, 0);
  if (proxy_get_current_time_nanoseconds(RETURN_EXTRA) != WasmResult.Ok) return 0;
  return load<u64>(RETURN_EXTRA);
}
