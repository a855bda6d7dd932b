import { existsSync, readFileSync } from 'node:fs';
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkOutputs, readActivations, sha256File } from '@moral-plantain/formats';
import { loadQwen3Tokenizer, openModelFolder, openPatchRunner, qwen3Tokenize } from '@moral-plantain/model-runtime';
import { parsePatchResults } from '@moral-plantain/report';
import type { PatchResults } from '@moral-plantain/stats';
import { loadStimulusSet } from '@moral-plantain/stimuli';
import { describePatchError, describeStudyError, resolvePatchSettings, resolveRunSettings, runPatch, runStudy, type PatchOutcome, type PatchSettings, type StudyProgress } from '../../src/index.js';

const STIMULI = path.join(import.meta.dirname, '..', 'fixtures', 'four-pairs.yaml');
const quiet: StudyProgress = { update: () => undefined, log: () => undefined, finish: () => undefined };

function settings(run: string, extra: Record<string, unknown> = {}): PatchSettings {
  const resolved = resolvePatchSettings({ run, ...extra });
  if (E.isLeft(resolved)) throw new Error(resolved.left.join('; '));
  return resolved.right;
}

async function patch(run: string, extra: Record<string, unknown> = {}) {
  return runPatch(settings(run, extra), { progress: quiet, versions: { '@moral-plantain/cli': '9.9.9' } })();
}

function message(result: E.Either<Parameters<typeof describePatchError>[0], unknown>): string {
  return E.isLeft(result) ? describePatchError(result.left).message : 'no error';
}

let root: string;
let run: string;
let outcome: PatchOutcome;
let patchJson: PatchResults & { run: { activations: string } };
const OPTIONS = { k: '3,8', sets: 6, zero: true, batchSize: 7 };

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'mp-patch-'));
  run = path.join(root, 'run');
  const runSettings = resolveRunSettings({ permutations: 64, splits: 0, stimuli: STIMULI }, { out: run });
  if (E.isLeft(runSettings)) throw new Error(runSettings.left.join('; '));
  const probed = await runStudy(runSettings.right, { progress: quiet })();
  if (E.isLeft(probed)) throw new Error(describeStudyError(probed.left).message);
  const before = await checkOutputs(run);
  const patched = await patch(run, OPTIONS);
  if (E.isLeft(patched)) throw new Error(describePatchError(patched.left).message);
  outcome = patched.right;
  patchJson = JSON.parse(readFileSync(path.join(run, 'patch.json'), 'utf8'));
  // Every file of the run is still published as it was, but the card.
  const after = await checkOutputs(run);
  expect(after.mismatched).toEqual([]);
  for (const entry of before.manifest!.files) {
    if (entry.path !== 'README.md') expect(after.manifest!.files).toContainEqual(entry);
  }
}, 180_000);

describe('runPatch on a finished run of the embedded tiny model', () => {
  it('publishes patch.json, the CSV, the figure and the card with its Causal test section, with the run\'s other files', async () => {
    const listed = (await checkOutputs(run)).manifest!.files.map((f) => f.path);
    expect(listed).toEqual(expect.arrayContaining(['patch.json', 'patch-effects.csv', 'figures/patch-dose-response.svg', 'README.md', 'results.json', 'activations.safetensors', 'run.json']));
    expect(readFileSync(path.join(run, 'README.md'), 'utf8')).toContain('\n## Causal test\n');
    expect(existsSync(path.join(run, '.moral-plantain.lock'))).toBe(false);
    expect(outcome).toMatchObject({ tinyModel: true, batchSize: 7, pairs: { total: 4, computed: 4, cached: 0 }, samples: 4 * (2 + 4 * 7 * 2) });
    expect(E.isRight(parsePatchResults(patchJson))).toBe(true);
    expect(patchJson.run.activations).toBe(await sha256File(path.join(run, 'activations.safetensors')));
  });

  it('patches the top k units by |t| of results.json, each against random sets with as many units per block', async () => {
    const results = JSON.parse(readFileSync(path.join(run, 'results.json'), 'utf8')) as { units: { t: (number | null)[] } };
    const ranked = results.units.t.map((t, u) => ({ t: Math.abs(t ?? -1), u })).sort((x, y) => y.t - x.t || x.u - y.u);
    const activations = await readActivations(path.join(run, 'activations.safetensors'))();
    if (E.isLeft(activations)) throw new Error('activations');
    const groups = activations.right.groups!;
    expect(patchJson.effects.map((e) => [e.k, e.mode])).toEqual([
      [3, 'match'],
      [3, 'zero'],
      [8, 'match'],
      [8, 'zero'],
    ]);
    for (const effect of patchJson.effects) {
      expect(effect.units).toEqual(ranked.slice(0, effect.k).map((r) => r.u));
      const perBlock = new Map<string, number>();
      for (const u of effect.units) perBlock.set(groups[u]!, (perBlock.get(groups[u]!) ?? 0) + 1);
      expect(Object.fromEntries(effect.groups.map((g) => [g.name, g.units]))).toEqual(Object.fromEntries(perBlock));
      expect(effect.fraction.null.count).toBe(6);
      expect(effect.fraction.values).toHaveLength(4);
    }
    expect(patchJson.null).toMatchObject({ sets: 6, seed: 0, matchedBy: 'group', tail: 'greater' });
  });

  it('measures what a direct patched run of the first pair gives, by the formula', async () => {
    const model = await openModelFolder(path.join(run, '.cache', 'model-tiny'))();
    const tokenizer = await loadQwen3Tokenizer();
    if (E.isLeft(model) || E.isLeft(tokenizer)) throw new Error('setup');
    const runner = await openPatchRunner(model.right, { tokenize: qwen3Tokenize(tokenizer.right), seed: 0, resolution: [128, 128], tappedDir: path.join(root, 'tapped') })();
    if (E.isLeft(runner)) throw new Error('runner');
    const set = loadStimulusSet(STIMULI);
    if (E.isLeft(set)) throw new Error('stimuli');
    const first = set.right.set.pairs[0]!;
    const prompts = [first.a, first.b];
    const embedded = await runner.right.embed(prompts)();
    if (E.isLeft(embedded)) throw new Error('embed');
    const activations = await readActivations(path.join(run, 'activations.safetensors'))();
    if (E.isLeft(activations)) throw new Error('activations');
    const a = activations.right.a.data.subarray(0, 72);
    const b = activations.right.b.data.subarray(0, 72);
    const effect = patchJson.effects[0]!;
    const scales = new Float32Array(72).fill(1);
    for (const u of effect.units) scales[u] = b[u]! / a[u]!;
    const out = await runner.right.run(embedded.right, [{ prompt: 0, scales: new Float32Array(72).fill(1) }, { prompt: 1, scales: new Float32Array(72).fill(1) }, { prompt: 0, scales }])();
    await runner.right.release();
    if (E.isLeft(out)) throw new Error('run');
    const [A, B, P] = out.right.predictions as [Float32Array, Float32Array, Float32Array];
    let dot = 0;
    let norm = 0;
    for (let i = 0; i < A.length; i++) {
      dot += (P[i]! - A[i]!) * (B[i]! - A[i]!);
      norm += (B[i]! - A[i]!) ** 2;
    }
    expect(patchJson.baseline.distances[0]).toBeCloseTo(Math.sqrt(norm), 4);
    expect(Math.abs(effect.fraction.values[0]![0]! - dot / norm)).toBeLessThan(1e-5);
  }, 60_000);

  it('reruns from the cache and writes the same bytes', async () => {
    const files = ['patch.json', 'patch-effects.csv', 'figures/patch-dose-response.svg', 'README.md', 'outputs.json'];
    const before = await Promise.all(files.map((f) => sha256File(path.join(run, f))));
    const again = await patch(run, OPTIONS);
    if (E.isLeft(again)) throw new Error(describePatchError(again.left).message);
    expect(again.right.pairs).toEqual({ total: 4, computed: 0, cached: 4 });
    expect(again.right.samples).toBe(0);
    expect(await Promise.all(files.map((f) => sha256File(path.join(run, f))))).toEqual(before);
  }, 60_000);

  it('refuses a k larger than the units, units that do not exist, two selections, and says why', async () => {
    expect(message(await patch(run, { k: '5,100' }))).toBe('k = 100 is larger than the 72 units with a defined t.');
    expect(message(await patch(run, { units: '3,72,80' }))).toBe('Units 72, 80 do not exist: the run has 72 units, numbered 0 to 71.');
    expect(E.isLeft(resolvePatchSettings({ run, k: '3', fwer: true }))).toBe(true);
  }, 60_000);

  it('refuses a folder without activations, a folder that is no run, and a run whose files changed', async () => {
    const copy = path.join(root, 'copy');
    await cp(run, copy, { recursive: true, filter: (src) => !src.includes(`${path.sep}.cache`) });
    await rm(path.join(copy, 'activations.safetensors'));
    expect(message(await patch(copy))).toMatch(/^.*copy has no activations \(activations\.safetensors\): the patch needs the probe's per-unit values/);
    const empty = path.join(root, 'empty');
    expect(message(await patch(path.join(root, 'nowhere')))).toMatch(/nowhere is not the folder of a finished run: there is no such folder/);
    await cp(run, empty, { recursive: true, filter: (src) => !src.includes(`${path.sep}.cache`) && !src.endsWith('outputs.json') });
    expect(message(await patch(empty))).toMatch(/empty is not the folder of a finished run: it has no outputs\.json/);
    const edited = path.join(root, 'edited');
    await cp(run, edited, { recursive: true, filter: (src) => !src.includes(`${path.sep}.cache`) });
    await writeFile(path.join(edited, 'results.json'), '{}');
    expect(message(await patch(edited))).toMatch(/^results\.json in .*edited changed since the run published it/);
  }, 60_000);
});
