// Config errors as people read them: `listeners[0].port: must be <= 65535`, one per line, all at once.
import type { ErrorObject } from 'ajv';
import { PATTERN_MESSAGES } from './schema.js';

export interface ConfigError {
  /** Where, in the style `listeners[0].filter_chains[0].filters[0].config.stat_prefix`; "(root)" for the whole config. */
  path: string;
  message: string;
}

export const ROOT_PATH = '(root)';

export class ConfigValidationError extends Error {
  readonly errors: readonly ConfigError[];

  /** `source` (a file path) names what was invalid in the first line of the message. */
  constructor(errors: readonly ConfigError[], source?: string) {
    const what = source === undefined ? 'invalid config' : `invalid config ${source}`;
    const count = errors.length === 1 ? '1 error' : `${errors.length} errors`;
    super(`${what} (${count}):\n${errors.map((e) => `${e.path}: ${e.message}`).join('\n')}`);
    this.name = 'ConfigValidationError';
    this.errors = errors;
  }
}

const IDENTIFIER = /^[A-Za-z_][\w-]*$/;

/** The path of a field or item under `base` ("" is the root). */
export function childPath(base: string, key: string | number): string {
  if (typeof key === 'number') return `${base}[${key}]`;
  const segment = IDENTIFIER.test(key) ? key : `[${JSON.stringify(key)}]`;
  if (base === '' || segment.startsWith('[')) return base + segment;
  return `${base}.${segment}`;
}

/** Turns ajv's JSON pointer (`/listeners/0/port`) into our path style, under `base`. */
function pointerToPath(base: string, pointer: string): string {
  let path = base;
  if (pointer === '') return path;
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    path = childPath(path, /^\d+$/.test(key) ? Number(key) : key);
  }
  return path;
}

const TYPE_NAMES: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  integer: 'an integer',
  boolean: 'a boolean',
  object: 'an object',
  array: 'an array',
  null: 'null',
};

function plural(n: number, word: string): string {
  return n === 1 ? `${n} ${word}` : `${n} ${word}s`;
}

function messageOf(e: ErrorObject): string {
  const p = e.params as Record<string, any>;
  switch (e.keyword) {
    case 'required':
      return 'is required';
    case 'additionalProperties':
      return `unknown field ${JSON.stringify(p.additionalProperty)}`;
    case 'type':
      return `must be ${String(p.type)
        .split(',')
        .map((t) => TYPE_NAMES[t] ?? t)
        .join(' or ')}`;
    case 'enum':
      return `must be one of: ${(p.allowedValues as unknown[]).map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).join(', ')}`;
    case 'const':
      return `must be ${JSON.stringify(p.allowedValue)}`;
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return `must be ${p.comparison} ${p.limit}`;
    case 'multipleOf':
      return `must be a multiple of ${p.multipleOf}`;
    case 'minLength':
      return p.limit === 1 ? 'must not be empty' : `must be at least ${plural(p.limit, 'character')} long`;
    case 'maxLength':
      return `must be at most ${plural(p.limit, 'character')} long`;
    case 'minItems':
      return `must have at least ${plural(p.limit, 'item')}`;
    case 'maxItems':
      return `must have at most ${plural(p.limit, 'item')}`;
    case 'minProperties':
      return `must have at least ${plural(p.limit, 'field')}`;
    case 'maxProperties':
      return `must have at most ${plural(p.limit, 'field')}`;
    case 'uniqueItems':
      return `must not have duplicate items (items ${p.j} and ${p.i} are equal)`;
    case 'pattern':
      return PATTERN_MESSAGES[p.pattern] ?? `must match the pattern ${p.pattern}`;
    case 'format':
      return `must be a valid ${p.format}`;
    case 'dependencies':
    case 'dependentRequired':
      return `needs ${p.missingProperty} when ${p.property} is given`;
    case 'oneOf':
      return 'must match exactly one of the allowed forms';
    case 'anyOf':
      return 'must match one of the allowed forms';
    case 'false schema':
      return 'is not allowed';
    default:
      return e.message ?? `fails the "${e.keyword}" rule`;
  }
}

/** Keywords whose error only says "a sub-schema failed": noise when that sub-schema's own error is reported. */
const WRAPPERS = new Set(['if', 'oneOf', 'anyOf', 'allOf', 'not', 'propertyNames', 'contains']);

function isUnder(pointer: string, parent: string): boolean {
  return pointer === parent || pointer.startsWith(`${parent}/`);
}

/**
 * Readable errors from ajv's, with paths under `base` (the path of the validated object; "" for the root).
 * A wrapper error (if/oneOf/anyOf...) is dropped when a more precise error at or below it is reported.
 */
export function fromAjvErrors(errors: readonly ErrorObject[] | null | undefined, base = ''): ConfigError[] {
  if (!errors) return [];
  const precise = errors.filter((e) => !WRAPPERS.has(e.keyword));
  const kept = errors.filter(
    (e) => !WRAPPERS.has(e.keyword) || !precise.some((o) => isUnder(o.instancePath, e.instancePath)),
  );
  const out: ConfigError[] = [];
  for (const e of kept) {
    const at = pointerToPath(base, e.instancePath);
    const path = e.keyword === 'required' ? childPath(at, (e.params as { missingProperty: string }).missingProperty) : at;
    out.push({ path: path === '' ? ROOT_PATH : path, message: messageOf(e) });
  }
  return dedupe(out);
}

/** The same error reported twice (e.g. by two schema branches) is shown once. */
export function dedupe(errors: readonly ConfigError[]): ConfigError[] {
  const seen = new Set<string>();
  return errors.filter((e) => {
    const key = `${e.path}\0${e.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
