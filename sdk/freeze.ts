// Deep freezing, for what is shared by many readers: a validated config (the gateway, the test kit) and
// objects a filter hands to many requests (jwt_authn's cached payloads). An accidental write then throws
// (in strict mode) instead of silently changing what the others see.

/** Freezes `value` and every object and array reachable from it (already-frozen ones included); returns `value`. */
export function deepFreeze<T>(value: T): T {
  freezeAll(value, new WeakSet());
  return value;
}

function freezeAll(value: unknown, seen: WeakSet<object>): void {
  if (typeof value !== 'object' || value === null || seen.has(value)) return;
  seen.add(value);
  Object.freeze(value);
  for (const key of Object.keys(value)) freezeAll((value as Record<string, unknown>)[key], seen);
}
