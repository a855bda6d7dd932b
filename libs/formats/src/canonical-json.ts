/** Options of `canonicalJson`. */
export interface CanonicalJsonOptions {
  /** Applied to every string value (not to keys) before it is written, e.g. Unicode normalisation. Default: none. */
  readonly string?: (value: string) => string;
}

/**
 * JSON with object keys sorted by UTF-16 code unit at every level, no whitespace, `undefined`
 * members left out and array order kept, so equal values give equal text (the input of content
 * hashes and cache keys).
 */
export function canonicalJson(value: unknown, options: CanonicalJsonOptions = {}): string {
  const write = (v: unknown): string => {
    if (typeof v === 'string') return JSON.stringify(options.string ? options.string(v) : v);
    if (Array.isArray(v)) return `[${v.map(write).join(',')}]`;
    if (v !== null && typeof v === 'object') {
      const entries = Object.entries(v as Record<string, unknown>)
        .filter(([, member]) => member !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      return `{${entries.map(([k, member]) => `${JSON.stringify(k)}:${write(member)}`).join(',')}}`;
    }
    return JSON.stringify(v);
  };
  return write(value);
}
