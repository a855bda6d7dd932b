import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { encodeSafetensors } from '@moral-plantain/formats';
import { buildModelFolder, flux2Presets, seededStream, seededWeights } from '@moral-plantain/model-builder';
import { createSession, feedTensor, gaussianNoise, imageIds, openModelFolder, openPatchRunner, runSession, textIds, type EmbeddedPrompts, type ModelFolder, type PatchRunner } from '@moral-plantain/model-runtime';
import { flux2Reference } from '@moral-plantain/references';
import { patchEffect } from '@moral-plantain/stats';
import { pairSample, type PatchPlan } from '../../src/patch/patch-plan.js';

// The tiny FLUX.2 transformer (2 joint + 4 single blocks, 72 units) on two prompts whose text
// embeddings are given directly (20 tokens), at 64 x 64 pixels (16 image tokens).
const TEXT_TOKENS = 20;
const RESOLUTION = [64, 64] as const;
const SEED = 3;
const config = flux2Presets.tiny;

let folder: ModelFolder;
let runner: PatchRunner;
let embedded: EmbeddedPrompts;
let embeddings: Float32Array[];

beforeAll(async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'mp-patch-reference-'));
  const built = await buildModelFolder({ out: dir, name: 'tiny-no-text', tiny: true, seeds: { transformer: 0 }, transformer: { config, weights: seededWeights({ seed: 0 }) }, textEncoder: null, tokenizerDir: null });
  if (E.isLeft(built)) throw new Error(JSON.stringify(built.left));
  const stream = seededStream(9, 'patch-reference-text');
  embeddings = [0, 1].map(() => Float32Array.from({ length: TEXT_TOKENS * config.joint_attention_dim }, () => stream.normal()));
  const tensors = new Map(['prompt a', 'prompt b'].map((name, i) => [name, { dtype: 'F32' as const, shape: [TEXT_TOKENS, config.joint_attention_dim], bytes: new Uint8Array(embeddings[i]!.buffer) }]));
  await writeFile(path.join(dir, 'prompt_embeds.safetensors'), encodeSafetensors(tensors));
  const opened = await openModelFolder(dir)();
  if (E.isLeft(opened)) throw new Error(JSON.stringify(opened.left));
  folder = opened.right;
  const made = await openPatchRunner(folder, { seed: SEED, resolution: RESOLUTION, tappedDir: path.join(dir, 'tapped') })();
  if (E.isLeft(made)) throw new Error(JSON.stringify(made.left));
  runner = made.right;
  const text = await runner.embed(['prompt a', 'prompt b'])();
  if (E.isLeft(text)) throw new Error(JSON.stringify(text.left));
  embedded = text.right;
}, 60_000);

async function patched(samples: { prompt: number; scales: Float32Array }[]) {
  const out = await runner.run(embedded, samples)();
  if (E.isLeft(out)) throw new Error(JSON.stringify(out.left));
  return out.right;
}

const ones = () => new Float32Array(72).fill(1);

describe('patched forward passes of the tiny model', () => {
  it('agree within 1e-4 with a direct TypeScript forward pass with the same channel scaling', async () => {
    const stream = seededStream(4, 'patch-reference-scales');
    const scales = [0, 1, 2].map((i) => Float32Array.from({ length: 72 }, (_, u) => (i === 2 && u % 5 === 0 ? 0 : 0.3 + 1.7 * stream.uniform())));
    const out = await patched(scales.map((s, i) => ({ prompt: i % 2, scales: s })));
    const grid = RESOLUTION[0] / 16;
    for (const [i, s] of scales.entries()) {
      // Each unit's scale repeated over its 16 channels of its module's input.
      const toOutScales = new Map(
        runner.manifest.taps.map((tap) => [tap.module, Float64Array.from({ length: tap.width }, (_, c) => s[tap.offset + Math.floor(c / runner.manifest.unitWidth)]!)]),
      );
      const reference = await flux2Reference(config, seededWeights({ seed: 0 }), {
        batch: 1,
        imageTokens: grid * grid,
        textTokens: TEXT_TOKENS,
        hiddenStates: gaussianNoise(SEED, grid * grid * config.in_channels),
        encoderHiddenStates: embeddings[i % 2]!,
        timestep: Float32Array.of(1),
        imgIds: Array.from({ length: grid * grid }, (_, t) => [0, Math.floor(t / grid), t % grid, 0]),
        txtIds: Array.from({ length: TEXT_TOKENS }, (_, l) => [0, 0, 0, l]),
        toOutScales,
      });
      const prediction = out.predictions[i]!;
      expect(prediction.length).toBe(reference.noisePred.length);
      let max = 0;
      for (let j = 0; j < prediction.length; j++) max = Math.max(max, Math.abs(prediction[j]! - reference.noisePred[j]!));
      expect(max).toBeLessThan(1e-4);
      // The taps read the scaled inputs: their RMS is the reference's scaled input's.
      for (const tap of runner.manifest.taps) {
        const input = reference.toOutInputs.get(tap.module)!;
        for (let u = 0; u < tap.units; u++) {
          let sum = 0;
          for (let t = 0; t < input.tokens; t++) for (let c = u * 16; c < (u + 1) * 16; c++) sum += input.data[t * input.width + c]! ** 2;
          expect(Math.abs(out.units[i]![tap.offset + u]! - Math.sqrt(sum / (input.tokens * 16)))).toBeLessThan(1e-4);
        }
      }
    }
  }, 60_000);

  it('reproduce the unpatched transformer bit for bit with scale 1 everywhere', async () => {
    const batch = [0, 1, 0];
    const out = await patched(batch.map((prompt) => ({ prompt, scales: ones() })));
    const session = await createSession(folder.transformer.path)();
    if (E.isLeft(session)) throw new Error(JSON.stringify(session.left));
    const grid = RESOLUTION[0] / 16;
    const tensor = (name: string, values: Float32Array, dims: number[]) => {
      const made = feedTensor(session.right.inputs.find((i) => i.name === name)!.type, values, dims);
      if (E.isLeft(made)) throw new Error(made.left);
      return made.right;
    };
    const noise = gaussianNoise(SEED, grid * grid * config.in_channels);
    const feeds = {
      hidden_states: tensor('hidden_states', Float32Array.from({ length: 3 * noise.length }, (_, j) => noise[j % noise.length]!), [3, grid * grid, config.in_channels]),
      encoder_hidden_states: tensor('encoder_hidden_states', Float32Array.from(batch.flatMap((p) => Array.from(embeddings[p]!))), [3, TEXT_TOKENS, config.joint_attention_dim]),
      timestep: tensor('timestep', Float32Array.of(1, 1, 1), [3]),
      img_ids: tensor('img_ids', imageIds(grid, grid), [grid * grid, 4]),
      txt_ids: tensor('txt_ids', textIds(TEXT_TOKENS), [TEXT_TOKENS, 4]),
    };
    const plain = await runSession(session.right, feeds, ['noise_pred'])();
    await session.right.session.release();
    if (E.isLeft(plain)) throw new Error(JSON.stringify(plain.left));
    const expected = plain.right['noise_pred']!.data as Float32Array;
    const actual = Float32Array.from(out.predictions.flatMap((p) => Array.from(p)));
    expect(Buffer.from(actual.buffer).equals(Buffer.from(expected.buffer))).toBe(true);
  }, 60_000);

  it('moves the output of a toward b when every unit of every block gets b\'s factors (a planted effect)', async () => {
    // Condition b is prompt a with planted unit scales: the whole a-to-b difference runs through the units' magnitudes.
    const stream = seededStream(12, 'planted');
    const planted = Float32Array.from({ length: 72 }, () => (stream.uniform() < 0.5 ? 0.6 : 1.6));
    const [base, target] = (await patched([{ prompt: 0, scales: ones() }, { prompt: 0, scales: planted }])).units;
    const [A, B] = (await patched([{ prompt: 0, scales: ones() }, { prompt: 0, scales: planted }])).predictions;
    // Every unit patched with the factors the unpatched runs give, b / a, as the study plans it.
    const plan: PatchPlan = { selection: { rule: 'explicit', alpha: null }, sets: [{ k: 72, units: Array.from({ length: 72 }, (_, u) => u), nullSets: [] }], effects: [{ set: 0, mode: 'match', factor: null }], nullSets: 0, seed: 0, notes: [], key: '' };
    const sample = pairSample(plan, 2, Float64Array.from(base!), Float64Array.from(target!));
    expect(sample.prompt).toBe(0);
    const P = (await patched([sample])).predictions[0]!;
    const effect = patchEffect(A!, B!, P);
    // Downstream units see upstream patches, so the factors overshoot a little; the output still lands near b.
    expect(effect.fraction).toBeGreaterThan(0.9);
    expect(effect.fraction).toBeLessThan(1.1);
    expect(patchEffect(B!, P, B!).distance).toBeLessThan(0.1 * effect.distance);
    // Planted in the last block only, nothing downstream moves the factors off: the patch is the whole change.
    const lastBlock = runner.manifest.taps.at(-1)!;
    const late = Float32Array.from({ length: 72 }, (_, u) => (u >= lastBlock.offset ? planted[u]! : 1));
    const [, lateTarget] = (await patched([{ prompt: 0, scales: ones() }, { prompt: 0, scales: late }])).units;
    const lateB = (await patched([{ prompt: 0, scales: late }])).predictions[0]!;
    const lateP = (await patched([pairSample(plan, 2, Float64Array.from(base!), Float64Array.from(lateTarget!))])).predictions[0]!;
    expect(patchEffect(A!, lateB, lateP).fraction).toBeCloseTo(1, 3);
  }, 60_000);

});
