import type { SourceLocation } from './source-location.js';

/** Every kind of problem the loader and the validator report. */
export type ProblemCode =
  | 'yaml-syntax'
  | 'wrong-type'
  | 'missing-field'
  | 'unknown-field'
  | 'invalid-value'
  | 'duplicate-id'
  | 'empty-prompt'
  | 'unprintable-character'
  | 'identical-prompts'
  | 'token-count-mismatch'
  | 'multiple-spans'
  | 'agent-missing'
  | 'unknown-category'
  | 'category-imbalance'
  | 'context-window-exceeded'
  | 'neutral-repeats-prompt';

/** Errors make a set unusable; warnings are reported but do not fail validation. */
export type ProblemSeverity = 'error' | 'warning';

/** One problem with a stimulus set, with where it is and which pair it concerns. */
export interface StimulusProblem {
  readonly _tag: 'StimulusProblem';
  readonly code: ProblemCode;
  readonly severity: ProblemSeverity;
  readonly message: string;
  /** JSON pointer of the offending value, e.g. `/pairs/3/b`. */
  readonly path: string;
  readonly location?: SourceLocation;
  readonly pairId?: string;
}

/** Builds a problem value (severity `error` unless given). */
export function stimulusProblem(
  code: ProblemCode,
  message: string,
  path: string,
  extra: { readonly severity?: ProblemSeverity; readonly location?: SourceLocation; readonly pairId?: string } = {},
): StimulusProblem {
  return {
    _tag: 'StimulusProblem',
    code,
    severity: extra.severity ?? 'error',
    message,
    path,
    ...(extra.location ? { location: extra.location } : {}),
    ...(extra.pairId !== undefined ? { pairId: extra.pairId } : {}),
  };
}
