import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type * as E from 'fp-ts/lib/Either.js';
import { loadStimulusSetFile, type LoadedStimulusSet, type StimulusSetLoadError } from './load-stimulus-set.js';

/** Names of the stimulus sets shipped with the package: the experiments (moral-plantain first, then the other axes), then the example. */
export const BUILTIN_STIMULUS_SETS = ['moral-plantain', 'perspective-taking', 'self-reference', 'post-event-categorization', 'physical-scale'] as const;

/** The name of a shipped stimulus set. */
export type BuiltinStimulusSetName = (typeof BUILTIN_STIMULUS_SETS)[number];

/** True when `name` names a shipped stimulus set. */
export function isBuiltinStimulusSet(name: string): name is BuiltinStimulusSetName {
  return (BUILTIN_STIMULUS_SETS as readonly string[]).includes(name);
}

/** Path of a shipped set's YAML file (in the package's `sets/` folder, next to both `src/` and `dist/`). */
export function builtinStimulusSetPath(name: BuiltinStimulusSetName): string {
  return fileURLToPath(new URL(`../sets/${name}.yaml`, import.meta.url));
}

/** Loads a shipped stimulus set. */
export function loadBuiltinStimulusSet(name: BuiltinStimulusSetName): E.Either<StimulusSetLoadError, LoadedStimulusSet> {
  return loadStimulusSetFile(builtinStimulusSetPath(name));
}

/** Path of the JSON Schema of the stimulus-set YAML format (also exported as `@moral-plantain/stimuli/schema.json`). */
export function stimulusSetSchemaPath(): string {
  return fileURLToPath(new URL('../schema/stimulus-set.schema.json', import.meta.url));
}

/**
 * Loads a stimulus set given as a built-in name or a YAML file: a name of a shipped set means that
 * set, unless a file of that name exists in the working folder, which then wins.
 */
export function loadStimulusSet(nameOrFile: string): E.Either<StimulusSetLoadError, LoadedStimulusSet> {
  return !existsSync(nameOrFile) && isBuiltinStimulusSet(nameOrFile) ? loadBuiltinStimulusSet(nameOrFile) : loadStimulusSetFile(nameOrFile);
}
