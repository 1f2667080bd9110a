// Logging through the host's logger (proxy_log), and the host's current level.
import { proxy_get_log_level, proxy_log } from "./imports";
import { LogLevel, WasmResult } from "./enums";
import { RETURN_EXTRA } from "./memory";

export function log(level: LogLevel, message: string): void {
  const bytes = String.UTF8.encode(message);
  proxy_log(level, changetype<usize>(bytes), bytes.byteLength);
}

export function logTrace(message: string): void { log(LogLevel.Trace, message); }
export function logDebug(message: string): void { log(LogLevel.Debug, message); }
export function logInfo(message: string): void { log(LogLevel.Info, message); }
export function logWarn(message: string): void { log(LogLevel.Warn, message); }
export function logError(message: string): void { log(LogLevel.Error, message); }
export function logCritical(message: string): void { log(LogLevel.Critical, message); }

/** The host's log level (ABI 0.2.1); Trace when the host cannot tell, so nothing is lost. */
export function getLogLevel(): LogLevel {
  if (proxy_get_log_level(RETURN_EXTRA) != WasmResult.Ok) return LogLevel.Trace;
  return <LogLevel>load<u32>(RETURN_EXTRA);
}
