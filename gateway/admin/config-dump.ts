// /config_dump: the config in force (defaults filled in by validation), with secrets masked. There is no
// secret-typed field yet, so masking goes by name: any string (or list of strings) under a field whose name
// contains secret, password, token or key is replaced, whatever it holds (header names under `key` too).
const SECRET_FIELD = /secret|password|token|key/i;

export const MASKED = '[masked]';

/** A deep copy of `value` with the strings under secret-looking field names replaced by MASKED. */
export function maskSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(maskSecrets);
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(value)) out[name] = SECRET_FIELD.test(name) ? maskStrings(field) : maskSecrets(field);
  return out;
}

function maskStrings(value: unknown): unknown {
  if (typeof value === 'string') return MASKED;
  if (Array.isArray(value)) return value.map(maskStrings);
  return maskSecrets(value);
}
