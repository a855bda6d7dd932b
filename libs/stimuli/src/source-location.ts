/** Where something is in a source file: 1-based line and column. */
export interface SourceLocation {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

/** Where a loaded set came from, and where each of its values sits, keyed by JSON pointer (`/pairs/3/a`). */
export interface StimulusSetSource {
  readonly file: string;
  readonly locations: ReadonlyMap<string, SourceLocation>;
}

/** The location of the value at `pointer`, or of its nearest located ancestor (the file start when none). */
export function locate(source: StimulusSetSource, pointer: string): SourceLocation {
  for (let p = pointer; ; p = p.slice(0, p.lastIndexOf('/'))) {
    const found = source.locations.get(p);
    if (found) return found;
    if (p === '') return { file: source.file, line: 1, column: 1 };
  }
}
