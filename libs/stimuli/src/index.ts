export {
  BUILTIN_STIMULUS_SETS,
  builtinStimulusSetPath,
  isBuiltinStimulusSet,
  loadBuiltinStimulusSet,
  loadStimulusSet,
  stimulusSetSchemaPath,
  type BuiltinStimulusSetName,
} from './builtin-sets.js';
export { canonicalStimulusSet, contentHash } from './content-hash.js';
export { describeStimulusSetLoadError } from './describe-load-error.js';
export { loadStimulusSetFile, parseStimulusSet, type LoadedStimulusSet, type StimulusSetLoadError } from './load-stimulus-set.js';
export { normalizeText } from './normalize-text.js';
export { diffPrompts, type DiffHunk, type PromptDiff, type TextSpan } from './prompt-diff.js';
export { locate, type SourceLocation, type StimulusSetSource } from './source-location.js';
export { STIMULUS_SET_FORMAT, type ConditionLabels, type StimulusPair, type StimulusSet } from './stimulus-set.js';
export { stimulusProblem, type ProblemCode, type ProblemSeverity, type StimulusProblem } from './stimulus-problem.js';
export { characterCounter, wordCounter, type TokenCounter } from './token-counter.js';
export {
  checkStimulusSet,
  validateStimulusSet,
  type PairReport,
  type ValidationOptions,
  type ValidationReport,
} from './validate-stimulus-set.js';

/** Package version of @moral-plantain/stimuli. */
export const version = '0.1.0';
