import { readFile } from 'node:fs/promises';
import * as E from 'fp-ts/lib/Either.js';
import { pipe } from 'fp-ts/lib/function.js';
import type * as TE from 'fp-ts/lib/TaskEither.js';
import { checkWeightQuantization, HUB_REPO_ID_FORM, isHubRepoId, jsonChecks, type WeightQuantization } from '@moral-plantain/formats';
import type { FolderFileInfo, ProbeResult } from '@moral-plantain/model-runtime';
import type { RunProvenance } from '@moral-plantain/report';
import type { RunSettings } from './run-settings.js';
import type { ModelSourceRecord } from './sourced-model.js';
import type { StudyError } from './study-error.js';

const { arrayOf, bool, count, fail, nullable, num, oneOf, optional, str, stringRecord, struct } = jsonChecks;

/** A Hugging Face repo id, `org/name`. */
const hubRepoId: jsonChecks.Check<string> = (value, path) =>
  typeof value === 'string' && isHubRepoId(value) ? E.right(value) : fail(path, `must be ${HUB_REPO_ID_FORM}`);

/** A graph's weight quantization as model.json records it. */
const weightQuantization: jsonChecks.Check<WeightQuantization> = (value, path) => {
  const checked = checkWeightQuantization(value);
  if ('value' in checked) return E.right(checked.value);
  const [first, ...rest] = checked.problems.map((p) => `${p.key === '' ? path : `${path}.${p.key}`} ${p.reason}`);
  return E.left([first as string, ...rest]);
};

/** Identifier written in every run.json. */
export const RUN_FORMAT = 'moral-plantain/run@1';

/** What a run did beyond its provenance: its settings, prompt counts, timings and model files. */
export interface RunDetails {
  /** The settings as resolved, with `out` absolute. */
  readonly settings: RunSettings;
  readonly prompts: ProbeResult['prompts'];
  readonly timings: {
    /** Wall seconds per stage of the run (model, probe, statistics, report) and in total. */
    readonly seconds: Readonly<Record<string, number>>;
    /** The probe runner's own stages (tap, load, encode, transformer, total). */
    readonly probeStages: ProbeResult['seconds'];
  };
  /** Every file of the model folder with its size, and its SHA-256 when hashed. */
  readonly modelFiles: readonly FolderFileInfo[];
  /** Where the model folder was built from: a Hub repo's snapshot (repo id, revision, commit) or a pipeline folder; absent for a model folder given as is. */
  readonly modelSource?: ModelSourceRecord;
}

/** `run.json`: the provenance a card states, then what the run did. Every key is written by `runStudy`. */
export type RunRecord = { readonly format: typeof RUN_FORMAT } & RunProvenance & RunDetails;

/**
 * Checks a parsed `run.json` and returns the provenance a card states. Every section is optional
 * (a card renders what it has); fields that are present must have the right type, and the format
 * tag, when present, must be this one. All problems are reported at once.
 */
export function parseRunRecord(json: unknown): E.Either<readonly string[], RunProvenance> {
  return provenanceShape(json, '');
}

/** Reads `run.json` (see `parseRunRecord`). */
export function readRunRecord(file: string): TE.TaskEither<StudyError, RunProvenance> {
  return async () => {
    let json: unknown;
    try {
      json = JSON.parse(await readFile(file, 'utf8'));
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code ?? (error instanceof Error ? error.message : String(error));
      return E.left({ _tag: 'RunRecordInvalid', file, problems: [`it cannot be read as JSON (${reason})`] });
    }
    return pipe(
      parseRunRecord(json),
      E.mapLeft((problems): StudyError => ({ _tag: 'RunRecordInvalid', file, problems })),
    );
  };
}

const provenanceShape = struct<Record<string, unknown>>({
  format: optional((value, path) => (value === RUN_FORMAT ? E.right(value) : fail(path, `must be "${RUN_FORMAT}" (got ${JSON.stringify(value)})`))),
  model: optional(
    struct({
      name: str,
      baseModel: optional(hubRepoId),
      kind: oneOf(['pretrained', 'tiny-seeded', 'random-init-control'] as const),
      architecture: optional(str),
      attentionHeadDim: optional(count),
      weightSeed: optional(num),
      files: optional(arrayOf(struct({ path: str, sha256: str }))),
      quantization: optional(struct({ transformer: optional(weightQuantization), textEncoder: optional(weightQuantization) })),
    }),
  ),
  stimuli: optional(
    struct({
      name: str,
      version: optional(str),
      axis: optional(str),
      language: optional(str),
      example: optional(bool),
      hash: optional(str),
      pairs: count,
      categories: optional(arrayOf(str)),
      conditions: optional(struct({ a: str, b: str })),
    }),
  ),
  protocol: optional(
    struct({
      steps: count,
      guidanceScale: num,
      timestep: num,
      seed: num,
      resolution: optional(struct({ width: count, height: count })),
      unit: struct({
        width: count,
        channels: oneOf(['all', 'attention-only', 'subset'] as const),
        channelRange: optional(struct({ start: count, end: count })),
        count: count,
        tokens: optional(oneOf(['all', 'text-and-noisy'] as const)),
      }),
      tappedModules: optional(arrayOf(str)),
      references: optional(
        struct({
          source: oneOf(['files', 'folder', 'generated'] as const),
          imagesPerPrompt: count,
          tokensPerPrompt: struct({ min: count, max: count }),
          generation: optional(struct({ steps: count, guidance: num, guided: bool, seed: num })),
          images: optional(arrayOf(struct({ path: str, sha256: str }))),
        }),
      ),
    }),
  ),
  permutations: optional(count),
  splits: optional(count),
  packages: optional(stringRecord),
  device: optional(nullable(str)),
  requestedDevice: optional(str),
  deviceFallbacks: optional(arrayOf(struct({ device: str, reason: str }))),
  createdAt: optional(str),
}) as jsonChecks.Check<RunProvenance>;
