import * as E from 'fp-ts/lib/Either.js';
import { pipe } from 'fp-ts/lib/function.js';
import { arrayOf, count, fail, num, oneOf, optional, str, stringRecord, struct, type Check } from './json-checks.js';
import type { ReportError } from './report-error.js';
import { RUN_FORMAT, type RunProvenance } from './run-provenance.js';

/**
 * Checks a parsed `run.json` against `RunProvenance`. Every section is optional (the report renders
 * what it has); fields that are present must have the right type. All problems are reported at once.
 */
export function parseRunProvenance(json: unknown): E.Either<ReportError, RunProvenance> {
  return pipe(
    provenanceShape(json, ''),
    E.mapLeft((problems): ReportError => ({ _tag: 'InvalidProvenance', problems })),
  );
}

const provenanceShape = struct<Record<string, unknown>>({
  format: optional((value, path) => (value === RUN_FORMAT ? E.right(value) : fail(path, `must be "${RUN_FORMAT}" (got ${JSON.stringify(value)})`))),
  model: optional(
    struct({
      name: str,
      baseModel: optional(str),
      kind: oneOf(['pretrained', 'tiny-seeded', 'random-init-control'] as const),
      weightSeed: optional(num),
      files: optional(arrayOf(struct({ path: str, sha256: str }))),
    }),
  ),
  stimuli: optional(
    struct({
      name: str,
      version: optional(str),
      axis: optional(str),
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
      unit: struct({ width: count, channels: oneOf(['all', 'attention-only', 'subset'] as const), channelRange: optional(struct({ start: count, end: count })), count: count }),
      tappedModules: optional(arrayOf(str)),
    }),
  ),
  permutations: optional(count),
  splits: optional(count),
  packages: optional(stringRecord),
  device: optional(str),
  createdAt: optional(str),
}) as Check<RunProvenance>;
