import { rm } from 'node:fs/promises';
import path from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import type * as TE from 'fp-ts/lib/TaskEither.js';
import { DEFAULT_TEXT_LENGTH, errorReason, jsonFileText, publishOutputs, stageOutputs, writeFileAtomic } from '@moral-plantain/formats';
import {
  loadQwen3Tokenizer,
  openPatchRunner,
  qwen3TokenCounter,
  qwen3Tokenize,
  type Device,
  type DeviceFallback,
  type EmbeddedPrompts,
  type ModelFolder,
  type PatchRunner,
  type ResolvedDevice,
} from '@moral-plantain/model-runtime';
import { renderDoseResponse, renderPatchCsv, renderReportCard } from '@moral-plantain/report';
import type { PatchResults } from '@moral-plantain/stats';
import { patchModel } from './patch-model.js';
import { packageVersions } from '../package-versions.js';
import { runFolder } from '../run-folder.js';
import { acquireRunLock } from '../run-lock.js';
import { runStimuli } from '../run-stimuli.js';
import type { StudyProgress } from '../study-progress.js';
import { readFinishedRun, type FinishedRun } from './finished-run.js';
import { pairKey, readPairEntry, writePairEntry, type PairEntry } from './pair-entry.js';
import type { PatchError } from './patch-error.js';
import { PATCH_FIGURE_TITLE, patchFiles, type PatchFiles } from './patch-folder.js';
import { planPatch, samplesPerPair, type PatchPlan } from './patch-plan.js';
import { patchPair } from './patch-pair.js';
import { patchResults } from './patch-results.js';
import type { PatchSettings } from './patch-settings.js';

/**
 * Largest relative difference allowed between the unpatched runs' unit RMS and the run's
 * activations: far above float32 rounding on another batch size or device (TF32 matrix products on
 * a GPU included), far below what another model, text or noise gives.
 */
export const REPRODUCTION_TOLERANCE = 1e-2;

/** `patch.json`: the patch results, then what they were made from. Every key is deterministic: a rerun writes the same bytes. */
export type PatchRecord = PatchResults & {
  /** The run tested: its files' hashes and the inputs repeated. */
  readonly run: {
    readonly results: string;
    readonly activations: string;
    readonly modelFingerprint: string;
    readonly seed: number;
    readonly resolution: readonly [number, number];
    readonly unitWidth: number;
    readonly channels: { readonly start: number; readonly end: number } | null;
    /** The largest relative difference between the unpatched runs' unit RMS and the run's activations. */
    readonly reproduced: number;
  };
  readonly settings: { readonly sets: number; readonly seed: number; readonly zero: boolean; readonly factors: readonly number[] };
  /** Devices the pairs were computed on. */
  readonly devices: readonly string[];
  readonly notes: readonly string[];
  readonly packages: Readonly<Record<string, string>>;
};

/** What a finished causal test wrote and measured. */
export interface PatchOutcome {
  readonly dir: string;
  readonly files: PatchFiles;
  readonly results: PatchResults;
  /** Whether the model is the embedded tiny one (a pipeline check, not a finding). */
  readonly tinyModel: boolean;
  readonly pairs: { readonly total: number; readonly computed: number; readonly cached: number };
  /** Forward passes computed (each sample of a batched call counts once). */
  readonly samples: number;
  readonly batchSize: number;
  /** The device the transformer ran on; null when every pair came from the cache. */
  readonly device: ResolvedDevice | null;
  /** The device asked for. */
  readonly requestedDevice: Device;
  /** GPU providers tried before `device`, and why each did not load. */
  readonly deviceFallbacks: readonly DeviceFallback[];
  readonly notes: readonly string[];
  /** Wall seconds per stage and in total. */
  readonly seconds: Readonly<Record<string, number>>;
}

/** Options of `runPatch`. */
export interface PatchOptions {
  readonly progress: StudyProgress;
  /** Stops between transformer calls; finished pairs stay cached for a rerun. */
  readonly signal?: AbortSignal;
  /** Versions to record beside the libraries' own. */
  readonly versions?: Readonly<Record<string, string>>;
}

/**
 * The causal test of a finished run's units, into its folder: reads the run (its model, stimuli,
 * seed, resolution and unit definition, as run.json, results.json and the activations record them),
 * plans the unit sets and their matched random sets, runs each pair's patched forward passes through
 * the tapped transformer's per-sample scale inputs (each pair cached as it finishes), tests the
 * effects (`patchTest`) and publishes patch.json, the per-pair CSV, the dose-response figure and
 * the card with its Causal test section, together with the run's other files, as one output set.
 * The folder is locked throughout; a kill leaves the previous set or the new one.
 */
export function runPatch(settings: PatchSettings, options: PatchOptions): TE.TaskEither<PatchError, PatchOutcome> {
  return async () => {
    const dir = path.resolve(settings.run);
    const lock = await acquireRunLock(runFolder(dir).lock, dir)();
    if (E.isLeft(lock)) return E.left(lock.left._tag === 'LockFailed' && /ENOENT|ENOTDIR/.test(lock.left.reason) ? { _tag: 'NotARunFolder', dir, reason: 'there is no such folder' } : { _tag: 'Study', error: lock.left });
    try {
      return await patchLockedRun(settings, dir, options);
    } finally {
      options.progress.finish();
      await lock.right();
    }
  };
}

async function patchLockedRun(settings: PatchSettings, dir: string, options: PatchOptions): Promise<E.Either<PatchError, PatchOutcome>> {
  const { progress } = options;
  const started = performance.now();
  const seconds: Record<string, number> = {};
  const lap = (stage: string, since: number) => (seconds[stage] = round((performance.now() - since) / 1000));

  let since = performance.now();
  const read = await readFinishedRun(dir);
  if (E.isLeft(read)) return read;
  const run = read.right;
  const { activations, inputs } = run;
  const seed = settings.seed ?? inputs.seed;
  const plan = planPatch(settings, run.results, activations.groups!, seed);
  if (E.isLeft(plan)) return plan;
  for (const note of plan.right.notes) progress.log(note);
  const tinyModel = run.provenance.model?.kind === 'tiny-seeded';
  const model = await patchModel(settings.model, run, progress);
  if (E.isLeft(model)) return E.left({ _tag: 'Study', error: model.left });
  const text = await checkedText(model.right, settings.stimuli ?? inputs.stimuli, run);
  if (E.isLeft(text)) return text;
  // The run's batch size fitted its device; on the CPU one sample a call is the fastest (tools/bench/patch.ts).
  const batchSize = settings.batchSize ?? inputs.batchSize;
  const device = settings.device ?? inputs.device;
  const runner = await openPatchRunner(model.right, {
    tokenize: qwen3Tokenize(text.right.tokenizer, { maxLength: text.right.textLength }),
    session: { device },
    seed: inputs.seed,
    resolution: inputs.resolution,
    taps: { unitWidth: inputs.unitWidth, ...(inputs.channels ? { channels: inputs.channels } : {}) },
    tappedDir: run.folder.cache.tapped,
  })();
  if (E.isLeft(runner)) return E.left({ _tag: 'Probe', error: runner.left });
  lap('setup', since);
  try {
    const expected = activations.metadata.modelFingerprint;
    if (expected !== undefined && expected !== runner.right.modelFingerprint) return E.left({ _tag: 'ModelChanged', model: model.right.dir, expected, actual: runner.right.modelFingerprint });
    if (runner.right.manifest.totalUnits !== activations.nUnits) return E.left({ _tag: 'RunInconsistent', dir, problems: [`the model's taps give ${runner.right.manifest.totalUnits} units, the run's activations ${activations.nUnits}`] });
    since = performance.now();
    const files = patchFiles(run.folder);
    if (!settings.resume) await rm(files.cache, { recursive: true, force: true });
    const computed = await patchAllPairs(runner.right, plan.right, run, text.right.pairs, files.cache, batchSize, options);
    if (E.isLeft(computed)) return computed;
    lap('patch', since);
    const ranOn = runner.right.device();
    const fallbacks = runner.right.fallbacks();
    for (const note of runner.right.notes()) progress.log(note);
    await runner.right.release();

    since = performance.now();
    const unpatched = { a: Float64Array.from(activations.a.data), b: Float64Array.from(activations.b.data), nUnits: activations.nUnits, groups: activations.groups! };
    const results = patchResults(plan.right, activations.pairs!, computed.right.entries, unpatched);
    if (E.isLeft(results)) return results;
    const record: PatchRecord = {
      ...results.right,
      run: {
        results: run.hashes.results,
        activations: run.hashes.activations,
        modelFingerprint: runner.right.modelFingerprint,
        seed: inputs.seed,
        resolution: inputs.resolution,
        unitWidth: inputs.unitWidth,
        channels: inputs.channels,
        reproduced: Math.max(...computed.right.entries.map((e) => e.reproduced.deviation)),
      },
      settings: { sets: plan.right.nullSets, seed, zero: plan.right.effects.some((e) => e.mode === 'zero'), factors: settings.factors },
      devices: [...new Set(computed.right.entries.map((e) => e.device))].sort(),
      notes: plan.right.notes,
      packages: packageVersions(options.versions),
    };
    const published = await publishPatch(run, files, record, options.signal);
    if (E.isLeft(published)) return published;
    lap('outputs', since);
    seconds.total = round((performance.now() - started) / 1000);
    return E.right({
      dir: run.folder.dir,
      files,
      results: results.right,
      tinyModel,
      pairs: { total: computed.right.entries.length, computed: computed.right.computed, cached: computed.right.entries.length - computed.right.computed },
      samples: computed.right.samples,
      batchSize,
      device: ranOn,
      requestedDevice: device,
      deviceFallbacks: fallbacks,
      notes: plan.right.notes,
      seconds,
    });
  } finally {
    await runner.right.release();
  }
}

/** The model's tokenizer and text length, and the run's pairs, with the stimulus set checked to be the run's. */
async function checkedText(model: ModelFolder, stimuli: string, run: FinishedRun) {
  const tokenizer = await loadQwen3Tokenizer(model.tokenizerDir ?? undefined);
  if (E.isLeft(tokenizer)) return E.left<PatchError, never>({ _tag: 'Study', error: { _tag: 'Tokenizer', error: tokenizer.left } });
  const configured = model.manifest?.textEncoder?.config.maxLength;
  const textLength = typeof configured === 'number' && Number.isInteger(configured) && configured > 0 ? configured : DEFAULT_TEXT_LENGTH;
  const checked = runStimuli(stimuli, qwen3TokenCounter(tokenizer.right, textLength));
  if (E.isLeft(checked)) return E.left<PatchError, never>({ _tag: 'Study', error: checked.left });
  const hash = `sha256:${checked.right.validation.hash}`;
  if (hash !== run.inputs.stimuliHash) return E.left<PatchError, never>({ _tag: 'StimuliChanged', stimuli, reason: `its content hash is ${hash.slice(0, 19)}, the run's ${run.inputs.stimuliHash.slice(0, 19)}` });
  const pairs = checked.right.loaded.set.pairs;
  const ids = pairs.map((p) => p.id);
  if (JSON.stringify(ids) !== JSON.stringify(run.activations.pairs)) return E.left<PatchError, never>({ _tag: 'StimuliChanged', stimuli, reason: 'its pairs are not the activations\' pairs' });
  return E.right({ tokenizer: tokenizer.right, textLength, pairs: pairs.map((p) => ({ id: p.id, a: p.a, b: p.b })) });
}

interface AllPairs {
  readonly entries: readonly PairEntry[];
  readonly computed: number;
  readonly samples: number;
}

/**
 * Every pair from the cache or computed (and cached at once), in the run's pair order, with progress.
 * The prompts of the pairs to compute are embedded first and the text encoder released, so the
 * transformer has the device to itself while it patches.
 */
async function patchAllPairs(
  runner: PatchRunner,
  plan: PatchPlan,
  run: FinishedRun,
  pairs: readonly { id: string; a: string; b: string }[],
  cacheDir: string,
  batchSize: number,
  options: PatchOptions,
): Promise<E.Either<PatchError, AllPairs>> {
  const { progress } = options;
  const units = run.activations.nUnits;
  const width = (plan.nullSets + 1) * 2;
  const entries: (PairEntry | null)[] = [];
  const keys: string[] = [];
  for (const [i, pair] of pairs.entries()) {
    const prompts = [runner.promptKey(pair.a), runner.promptKey(pair.b)];
    const [a, b] = prompts;
    if (E.isLeft(a!)) return E.left({ _tag: 'Probe', error: a.left });
    if (E.isLeft(b!)) return E.left({ _tag: 'Probe', error: b.left });
    const key = pairKey({ plan: plan.key, pair: pair.id, prompts: [a.right, b.right], a: rowOf(run, 'a', i, units), b: rowOf(run, 'b', i, units) });
    keys.push(key);
    entries.push(await readPairEntry(cacheDir, key, plan.effects.length, width));
  }
  const missing = pairs.flatMap((_, i) => (entries[i] === null ? [i] : []));
  const embedded = new Map<number, EmbeddedPrompts>();
  for (const [done, i] of missing.entries()) {
    if (options.signal?.aborted) return E.left({ _tag: 'Interrupted', done: pairs.length - missing.length, total: pairs.length, cacheDir });
    progress.update({ stage: 'encode', done, total: missing.length });
    const text = await runner.embed([pairs[i]!.a, pairs[i]!.b])();
    if (E.isLeft(text)) return E.left({ _tag: 'Probe', error: text.left });
    embedded.set(i, text.right);
  }
  await runner.releaseTextEncoder();
  progress.finish();

  const perPair = samplesPerPair(plan);
  const total = perPair * missing.length;
  let samples = 0;
  const started = performance.now();
  const eta = () => (samples === 0 ? null : (((performance.now() - started) / 1000) * (total - samples)) / samples);
  if (total > 0) progress.update({ stage: 'patch', done: 0, total, etaSeconds: null });
  for (const [done, i] of missing.entries()) {
    const pair = pairs[i]!;
    const patched = await patchPair(runner, plan, { id: pair.id, embedded: embedded.get(i)!, a: rowOf(run, 'a', i, units), b: rowOf(run, 'b', i, units) }, {
      batchSize,
      ...(options.signal ? { signal: options.signal } : {}),
      onBatch: (n) => {
        samples += n;
        progress.update({ stage: 'patch', done: samples, total, etaSeconds: eta() });
      },
    });
    if (E.isLeft(patched)) return patched;
    if (patched.right === null) return E.left({ _tag: 'Interrupted', done: pairs.length - missing.length + done, total: pairs.length, cacheDir });
    const written = await writePairEntry(cacheDir, keys[i]!, patched.right).then(
      () => null,
      (error: unknown) => errorReason(error),
    );
    if (written !== null) return E.left({ _tag: 'WriteFailed', path: cacheDir, reason: written });
    entries[i] = patched.right;
    embedded.delete(i);
  }
  progress.finish();
  const all = entries as PairEntry[];
  for (const [i, entry] of all.entries()) {
    if (entry.reproduced.deviation > REPRODUCTION_TOLERANCE) return E.left({ _tag: 'NotReproduced', pair: pairs[i]!.id, unit: entry.reproduced.unit, deviation: entry.reproduced.deviation, tolerance: REPRODUCTION_TOLERANCE });
  }
  return E.right({ entries: all, computed: missing.length, samples });
}

/** The run's unpatched unit RMS of pair `i` in one condition. */
function rowOf(run: FinishedRun, condition: 'a' | 'b', i: number, units: number): Float64Array {
  return Float64Array.from(run.activations[condition].data.subarray(i * units, (i + 1) * units));
}

/**
 * Writes patch.json, the CSV, the figure and the card with its Causal test section into the
 * folder's staging area and publishes them with the run's other files as one set. A stop asked
 * for before publishing publishes nothing.
 */
async function publishPatch(run: FinishedRun, files: PatchFiles, record: PatchRecord, signal: AbortSignal | undefined): Promise<E.Either<PatchError, true>> {
  const dir = run.folder.dir;
  const staging = await stageOutputs(dir).then(
    (s) => E.right<PatchError, string>(s),
    (error: unknown) => E.left<PatchError, string>({ _tag: 'Study', error: { _tag: 'OutFolderUnusable', dir, reason: errorReason(error) } }),
  );
  if (E.isLeft(staging)) return staging;
  const figure = await renderDoseResponse(record)();
  if (E.isLeft(figure)) return E.left({ _tag: 'Report', error: figure.left });
  const card = renderReportCard({
    results: run.results,
    provenance: run.provenance,
    causalTest: { results: record, figure: { path: files.figure, title: PATCH_FIGURE_TITLE }, csvPath: files.csv, jsonPath: files.json },
  });
  // README.md last: a staged card always has its files beside it.
  const contents: [string, string][] = [
    [files.json, jsonFileText(record)],
    [files.csv, renderPatchCsv(record)],
    [files.figure, figure.right],
    [files.readme, card],
  ];
  for (const [file, content] of contents) {
    const failed = await writeFileAtomic(path.join(staging.right, file), content).then(
      () => null,
      (error: unknown) => errorReason(error),
    );
    if (failed !== null) return E.left({ _tag: 'WriteFailed', path: path.join(dir, file), reason: failed });
  }
  if (signal?.aborted) return E.left({ _tag: 'Interrupted', done: record.nPairs, total: record.nPairs, cacheDir: files.cache });
  const replaced = [files.json, files.csv, files.figure, files.readme];
  const kept = run.published.files.map((f) => f.path).filter((f) => !replaced.includes(f));
  return publishOutputs(dir, kept).then(
    () => E.right(true as const),
    (error: NodeJS.ErrnoException) => E.left({ _tag: 'WriteFailed', path: (error as { dest?: string }).dest ?? error.path ?? dir, reason: errorReason(error) }),
  );
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
