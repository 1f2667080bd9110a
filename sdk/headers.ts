// A mutable view over a header object shaped like node's IncomingHttpHeaders
// (lower-case names, a string or an array of strings per name). No copy is made: the gateway hands
// filters the very object it forwards, so a change a filter makes is what the upstream sees.
export type RawHeaders = Record<string, string | string[] | undefined>;

export class HeaderMap {
  readonly raw: RawHeaders;

  constructor(raw: RawHeaders = {}) {
    this.raw = raw;
  }

  /** The value, several values joined with ", " (set-cookie joined with "; " is never right, use getAll). */
  get(name: string): string | undefined {
    const v = this.raw[name.toLowerCase()];
    if (v === undefined) return undefined;
    return typeof v === 'string' ? v : v.join(', ');
  }

  getAll(name: string): string[] {
    const v = this.raw[name.toLowerCase()];
    if (v === undefined) return [];
    return typeof v === 'string' ? [v] : v.slice();
  }

  has(name: string): boolean {
    return this.raw[name.toLowerCase()] !== undefined;
  }

  set(name: string, value: string): void {
    this.raw[name.toLowerCase()] = value;
  }

  add(name: string, value: string): void {
    const key = name.toLowerCase();
    const v = this.raw[key];
    if (v === undefined) this.raw[key] = value;
    else if (typeof v === 'string') this.raw[key] = [v, value];
    else v.push(value);
  }

  remove(name: string): void {
    delete this.raw[name.toLowerCase()];
  }

  /** Every (name, value) pair; a name with several values appears once per value. */
  *entries(): IterableIterator<[string, string]> {
    for (const key of Object.keys(this.raw)) {
      const v = this.raw[key];
      if (v === undefined) continue;
      if (typeof v === 'string') yield [key, v];
      else for (const one of v) yield [key, one];
    }
  }
}
