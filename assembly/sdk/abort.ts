// The module's abort handler (wired by `--use abort=assembly/sdk/abort/proxyAbort` in build.mjs):
// log the assertion at critical level, then trap so the host fails the stream and rebuilds the VM.
// It replaces AssemblyScript's default `env.abort`, which no proxy-wasm host provides.
import { LogLevel } from "./enums";
import { proxy_log } from "./imports";

export function proxyAbort(message: string | null = null, fileName: string | null = null, line: u32 = 0, column: u32 = 0): void {
  let text = "abort: " + (message !== null ? message : "(no message)");
  if (fileName !== null) text += " at " + fileName + ":" + line.toString() + ":" + column.toString();
  const bytes = String.UTF8.encode(text);
  proxy_log(LogLevel.Critical, changetype<usize>(bytes), bytes.byteLength);
  unreachable();
}
