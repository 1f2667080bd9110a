// Why a reload was refused, as the admin answers it and the log says it: every config error with its path,
// or the one error that stopped the build (a filter's create(), a listener that could not bind, a worker).
import { ConfigValidationError, ROOT_PATH, type ConfigError } from '../config/errors.js';

export function reloadErrors(err: unknown): ConfigError[] {
  if (err instanceof ConfigValidationError) return [...err.errors];
  return [{ path: ROOT_PATH, message: err instanceof Error ? err.message : String(err) }];
}
