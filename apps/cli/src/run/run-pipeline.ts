import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { writeFileAtomic } from '@moral-plantain/hooks';
import {
  buildTinyModelFolder,
  describeBuildModelFolderError,
  describeModelFolder,
  describeModelFolderError,
  describeProbeError,
  describeTextError,
  loadQwen3Tokenizer,
  openModelFolder,
  qwen3TokenCounter,
  qwen3Tokenize,
  runProbe,
  type ModelFolder,
  type ProbeResult,
} from '@moral-plantain/model-runtime';
import { writeReport } from '@moral-plantain/report';
import { formatStatsError, pairedTest, type ProbeResults } from '@moral-plantain/stats';
import { CliError } from '../cli-error.js';
import { loadRunStimuli } from './load-run-stimuli.js';
import type { ProgressDisplay } from './progress-display.js';
import { acquireRunLock } from './run-lock.js';
import { runProvenance } from './run-provenance.js';
import type { RunSettings } from './run-settings.js';

/** Exit code of a run stopped by Ctrl-C or a kill signal (128 + SIGINT). */
export const EXIT_INTERRUPTED = 130;

/** What a finished run wrote and measured. */
export interface RunOutcome {
  readonly outDir: string;
  readonly readme: string;
  readonly tinyModel: boolean;
  readonly results: ProbeResults;
  readonly prompts: ProbeResult['prompts'];
  readonly device: string;
  readonly seconds: Readonly<Record<string, number>>;
}

/** The whole probe: stimuli -> model -> tapped one-step runs -> statistics -> results, run.json and report. */
export async function runPipeline(settings: RunSettings, display: ProgressDisplay, signal: AbortSignal): Promise<RunOutcome> {
  const started = performance.now();
  const seconds: Record<string, number> = {};
  const outDir = path.resolve(settings.out);
  await mkdir(outDir, { recursive: true });
  const release = await acquireRunLock(outDir);
  try {
    const lap = (stage: string, since: number) => (seconds[stage] = round((performance.now() - since) / 1000));

    let since = performance.now();
    const folder = settings.model === null ? await embeddedModel(outDir, display) : await openModel(settings.model);
    lap('model', since);
    const tiny = folder.manifest?.tiny ?? false;

    const tokenizer = await loadQwen3Tokenizer(folder.tokenizerDir ?? undefined);
    if (E.isLeft(tokenizer)) throw new CliError(describeTextError(tokenizer.left), 'check the model folder\'s tokenizer.json');
    const { loaded, report: validation } = loadRunStimuli(settings.stimuli, qwen3TokenCounter(tokenizer.right));
    const { set } = loaded;
    display.log(`stimuli: ${set.name} ${set.version}, ${set.pairs.length} pairs (${validation.hash.slice(0, 12)}), equal Qwen3 token counts within each pair`);

    const cacheDir = path.join(outDir, '.cache', 'prompts');
    if (!settings.resume) await rm(cacheDir, { recursive: true, force: true });
    since = performance.now();
    const probe = await runProbe(folder, {
      pairs: set.pairs.map((p) => ({ id: p.id, a: p.a, b: p.b })),
      tokenize: qwen3Tokenize(tokenizer.right),
      session: { device: settings.device },
      seed: settings.seed,
      ...(settings.resolution ? { resolution: settings.resolution } : {}),
      batchSize: settings.batchSize,
      taps: { unitWidth: settings.unitWidth, ...(settings.channels ? { channels: settings.channels } : {}) },
      tappedDir: path.join(outDir, '.cache', 'tapped'),
      cacheDir,
      signal,
      // Encoding and transformer passes alternate per batch: one steady 'prompts' bar for both.
      onProgress: (p) => display.update({ stage: p.stage === 'tap' || p.stage === 'load' ? p.stage : 'prompts', done: p.done, total: p.total, etaSeconds: p.etaSeconds }),
      out: path.join(outDir, 'activations.safetensors'),
      stimuliHash: validation.hash,
    })();
    display.finish();
    if (E.isLeft(probe)) {
      const { message, hint } = describeProbeError(probe.left);
      if (probe.left._tag === 'Aborted') {
        throw new CliError(`interrupted after ${probe.left.done} of ${probe.left.total} prompts; they are saved in ${cacheDir}`, 'run the same command again to resume', EXIT_INTERRUPTED);
      }
      throw new CliError(message, hint);
    }
    lap('probe', since);
    const { activations } = probe.right;
    for (const note of probe.right.notes) display.log(note);
    display.log(`probe: ${probe.right.prompts.computed} prompts computed, ${probe.right.prompts.cached} from the cache, ${activations.nUnits} units, on ${probe.right.device ?? 'cache only'}`);

    since = performance.now();
    display.update({ stage: 'statistics', done: 0, total: 1 });
    const shape = [activations.nPairs, activations.nUnits];
    const stats = await pairedTest(
      { a: { data: activations.a, shape }, b: { data: activations.b, shape } },
      { permutations: settings.permutations, seed: settings.seed, splits: settings.splits, ...(activations.groups ? { groups: activations.groups } : {}) },
    )();
    display.update({ stage: 'statistics', done: 1, total: 1 });
    display.finish();
    if (E.isLeft(stats)) throw new CliError(`the statistics cannot be computed: ${stats.left.map(formatStatsError).join('; ')}`, 'check the stimulus set (at least 4 pairs with split-half on)');
    const { results, nulls } = stats.right;
    await writeFileAtomic(path.join(outDir, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
    lap('statistics', since);

    since = performance.now();
    const info = await describeModelFolder(folder, { hash: !hasLargeFiles(folder) });
    const provenance = runProvenance({ folder, info, settings, set, validation, probe: probe.right });
    const distributions = {
      thresholdCounts: nulls.thresholdCounts.map((c) => Array.from(c)),
      splitHalfR: Array.from(nulls.splitHalfR).filter((r) => !Number.isNaN(r)),
    };
    const written = await writeReport(outDir, { results, provenance, distributions })();
    if (E.isLeft(written)) throw new CliError(`the report cannot be written to ${outDir}`, 'check that the folder is writable');
    lap('report', since);
    seconds.total = round((performance.now() - started) / 1000);
    const run = {
      ...provenance,
      settings: { ...settings, out: outDir },
      prompts: probe.right.prompts,
      timings: { seconds, probeStages: probe.right.seconds },
      modelFiles: info.files,
    };
    await writeFileAtomic(path.join(outDir, 'run.json'), `${JSON.stringify(run, null, 2)}\n`);
    return { outDir, readme: path.join(outDir, 'README.md'), tinyModel: tiny, results, prompts: probe.right.prompts, device: provenance.device ?? 'cpu', seconds };
  } finally {
    display.finish();
    await release();
  }
}

async function embeddedModel(outDir: string, display: ProgressDisplay): Promise<ModelFolder> {
  const dir = path.join(outDir, '.cache', 'model-tiny');
  display.log('model: the embedded TINY FLUX.2-architecture model with seeded random weights (not FLUX.2 klein 4B); the report is a pipeline check, not a finding');
  const opened = await openModelFolder(dir)();
  if (E.isRight(opened)) return opened.right;
  const built = await buildTinyModelFolder(dir);
  if (E.isLeft(built)) throw new CliError(`the embedded tiny model cannot be built: ${describeBuildModelFolderError(built.left).join(' ')}`, `check that ${dir} is writable`);
  return openModel(dir);
}

async function openModel(dir: string): Promise<ModelFolder> {
  const opened = await openModelFolder(dir)();
  if (E.isRight(opened)) return opened.right;
  const [first, ...rest] = opened.left.map(describeModelFolderError);
  throw new CliError(`${first?.message ?? `${dir} is not a model folder`}${rest.length ? ` (${rest.map((r) => r.message).join('; ')})` : ''}`, first?.hint ?? 'build one with `moral-plantain model build`');
}


/** Graph data files past 2 GiB are fingerprinted by size and time rather than hashed on every run. */
function hasLargeFiles(folder: ModelFolder): boolean {
  return [folder.transformer, folder.textEncoder].some((g) => (g?.externalData ?? []).some((f) => f.bytes > 2 ** 31));
}


function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
