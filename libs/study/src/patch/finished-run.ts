import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { pipe } from 'fp-ts/lib/function.js';
import { checkOutputs, completeOutputs, errorReason, jsonChecks, OUTPUTS_FILE, readActivations, type Activations, type OutputManifest } from '@moral-plantain/formats';
import type { Device } from '@moral-plantain/model-runtime';
import { parseProbeResults, type RunProvenance } from '@moral-plantain/report';
import type { ProbeResults } from '@moral-plantain/stats';
import { runFolder, type RunFolder } from '../run-folder.js';
import { parseRunRecord } from '../run-record.js';
import type { RunBuildSettings } from '../run-build-choices.js';
import { RUN_QUANTIZATIONS } from '../model-source-settings.js';
import { DEVICES } from '../run-settings.js';
import type { PatchError } from './patch-error.js';

const { arrayOf, count, nullable, num, oneOf, optional, str, struct } = jsonChecks;

/** What a causal test reads of the run it tests: its inputs as run, and what it measured. */
export interface FinishedRun {
  readonly folder: RunFolder;
  /** The run's outputs.json as it is: the set the patch adds to. */
  readonly published: OutputManifest;
  readonly provenance: RunProvenance;
  /** The run's own inputs, from run.json. */
  readonly inputs: RunInputs;
  readonly results: ProbeResults;
  readonly activations: Activations;
  /** sha256 of results.json and activations.safetensors, from outputs.json. */
  readonly hashes: { readonly results: string; readonly activations: string };
}

/** The settings and protocol of a run that a patch must repeat. */
export interface RunInputs {
  /** The model as the run was given it (a model folder, a pipeline folder or a repo id), or null for the embedded tiny model. */
  readonly model: string | null;
  /** The revision of a repo id the run was given, or null. */
  readonly revision: string | null;
  /** The build options of a model the run built from a source. */
  readonly build: RunBuildSettings;
  /** Where the run built its model from a source (run.json's `modelSource`): the folder it built, and the Hub commit it built from; null for a model folder given as is. */
  readonly source: { readonly built: string; readonly commit: string | null } | null;
  readonly stimuli: string;
  readonly device: Device;
  readonly batchSize: number;
  readonly seed: number;
  readonly resolution: readonly [number, number];
  readonly unitWidth: number;
  readonly channels: { readonly start: number; readonly end: number } | null;
  /** The stimulus set's content hash, as the run recorded it. */
  readonly stimuliHash: string;
}

/**
 * Reads and checks the folder of a finished run (the caller holds its lock): a publish a kill
 * interrupted is completed first; then outputs.json must list run.json, results.json and
 * activations.safetensors, every listed file must be as listed, and the three must agree (units,
 * pairs, seed, resolution). Every problem is named.
 */
export async function readFinishedRun(dir: string): Promise<E.Either<PatchError, FinishedRun>> {
  const folder = runFolder(dir);
  const isFolder = await stat(folder.dir).then((s) => s.isDirectory(), () => false);
  if (!isFolder) return E.left({ _tag: 'NotARunFolder', dir: folder.dir, reason: 'there is no such folder' });
  await completeOutputs(folder.dir).catch(() => false);
  const check = await checkOutputs(folder.dir);
  if (check.pending) return E.left({ _tag: 'NotARunFolder', dir: folder.dir, reason: 'its last run was interrupted while it published its outputs' });
  if (check.manifest === null) return E.left({ _tag: 'NotARunFolder', dir: folder.dir, reason: `it has no ${OUTPUTS_FILE} (no run finished there)` });
  const listed = new Map(check.manifest.files.map((f) => [f.path, f.sha256]));
  const name = (file: string) => path.relative(folder.dir, file).split(path.sep).join('/');
  const hasActivations = listed.has(name(folder.activations)) && (await stat(folder.activations).then((s) => s.isFile(), () => false));
  if (!hasActivations) return E.left({ _tag: 'NoActivations', dir: folder.dir });
  for (const file of [folder.runRecord, folder.results]) {
    if (!listed.has(name(file))) return E.left({ _tag: 'NotARunFolder', dir: folder.dir, reason: `its ${OUTPUTS_FILE} does not list ${name(file)}` });
  }
  if (check.mismatched.length > 0) return E.left({ _tag: 'RunFilesChanged', dir: folder.dir, files: check.mismatched });

  const record = await readJson(folder.runRecord);
  if (E.isLeft(record)) return record;
  const provenance = parseRunRecord(record.right);
  const inputs = runInputs(record.right, '');
  if (E.isLeft(provenance) || E.isLeft(inputs)) {
    return E.left({ _tag: 'RunUnreadable', file: folder.runRecord, problems: [...(E.isLeft(provenance) ? provenance.left : []), ...(E.isLeft(inputs) ? inputs.left : [])] });
  }
  const resultsJson = await readJson(folder.results);
  if (E.isLeft(resultsJson)) return resultsJson;
  const results = parseProbeResults(resultsJson.right);
  if (E.isLeft(results)) return E.left({ _tag: 'RunUnreadable', file: folder.results, problems: results.left._tag === 'InvalidResults' ? results.left.problems : [results.left._tag] });
  const activations = await readActivations(folder.activations)();
  if (E.isLeft(activations)) return E.left({ _tag: 'Activations', file: folder.activations, error: activations.left });

  // The patch runner repeats the plain probe step; a run conditioned on reference images would not be reproduced.
  if (activations.right.metadata.references !== undefined) return E.left({ _tag: 'NotARunFolder', dir: folder.dir, reason: 'its run was conditioned on reference images (--reference), which the causal test does not repeat yet; patch a run made without --reference' });
  const problems = consistency(inputs.right, results.right, activations.right);
  if (problems.length > 0) return E.left({ _tag: 'RunInconsistent', dir: folder.dir, problems });
  return E.right({
    folder,
    published: check.manifest,
    provenance: provenance.right,
    inputs: inputs.right,
    results: results.right,
    activations: activations.right,
    hashes: { results: listed.get(name(folder.results))!, activations: listed.get(name(folder.activations))! },
  });
}

async function readJson(file: string): Promise<E.Either<PatchError, unknown>> {
  try {
    return E.right(JSON.parse(await readFile(file, 'utf8')));
  } catch (error) {
    return E.left({ _tag: 'RunUnreadable', file, problems: [`it cannot be read as JSON (${errorReason(error)})`] });
  }
}

const range = struct({ start: count, end: count });

/** run.json's settings and protocol, as a patch repeats them. */
const runInputs: jsonChecks.Check<RunInputs> = (value, at) =>
  pipe(
    struct({
      settings: struct({
        model: nullable(str),
        revision: optional(nullable(str)),
        textLayers: optional(nullable(arrayOf(count))),
        quantize: optional(nullable(oneOf(RUN_QUANTIZATIONS))),
        quantBlockSize: optional(nullable(count)),
        stimuli: str,
        device: oneOf(DEVICES),
        batchSize: count,
        unitWidth: count,
        channels: nullable(range),
      }),
      protocol: struct({ seed: num, resolution: struct({ height: count, width: count }) }),
      stimuli: struct({ hash: str }),
      modelSource: optional(struct({ built: str, commit: optional(str) })),
    })(value, at),
    E.map(({ settings, protocol, stimuli, modelSource }) => ({
      model: settings.model,
      revision: settings.revision ?? null,
      build: { textLayers: settings.textLayers ?? null, quantize: settings.quantize ?? null, quantBlockSize: settings.quantBlockSize ?? null },
      source: modelSource ? { built: modelSource.built, commit: modelSource.commit ?? null } : null,
      stimuli: settings.stimuli,
      device: settings.device,
      batchSize: Math.max(1, settings.batchSize),
      seed: protocol.seed,
      resolution: [protocol.resolution.height, protocol.resolution.width] as const,
      unitWidth: settings.unitWidth,
      channels: settings.channels,
      stimuliHash: stimuli.hash,
    })),
  );

/** Whether run.json, results.json and the activations describe one run. */
function consistency(inputs: RunInputs, results: ProbeResults, activations: Activations): string[] {
  const problems: string[] = [];
  if (activations.nUnits !== results.nUnits) problems.push(`the activations have ${activations.nUnits} units, results.json ${results.nUnits}`);
  if (activations.nPairs !== results.nPairs) problems.push(`the activations have ${activations.nPairs} pairs, results.json ${results.nPairs}`);
  if (activations.pairs === null) problems.push('the activations do not name their pairs');
  if (activations.groups === null) problems.push('the activations do not give the units\' blocks');
  const meta = activations.metadata;
  if (meta.seed !== undefined && meta.seed !== String(inputs.seed)) problems.push(`the activations were made with seed ${meta.seed}, run.json records ${inputs.seed}`);
  if (meta.resolution !== undefined && meta.resolution !== JSON.stringify(inputs.resolution)) problems.push(`the activations were made at ${meta.resolution}, run.json records ${JSON.stringify(inputs.resolution)}`);
  const units = parseUnits(meta.units);
  if (units !== null && (units.unitWidth !== inputs.unitWidth || JSON.stringify(units.channels ?? null) !== JSON.stringify(inputs.channels))) {
    problems.push(`the activations' units (${meta.units}) are not run.json's (width ${inputs.unitWidth}, channels ${inputs.channels ? `${inputs.channels.start}:${inputs.channels.end}` : 'all'})`);
  }
  return problems;
}

function parseUnits(text: string | undefined): { unitWidth?: number; channels?: unknown } | null {
  try {
    return text === undefined ? null : (JSON.parse(text) as { unitWidth?: number; channels?: unknown });
  } catch {
    return null;
  }
}
