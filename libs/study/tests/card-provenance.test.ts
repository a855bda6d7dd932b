import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { encodeSafetensors, type SafetensorsTensor } from '@moral-plantain/formats';
import { buildModelFolder, flux2ParameterShapes, flux2Presets, planModelBuild, qwen3ParameterPlan, qwen3Presets, seededTensor, type ModelBuildRequest } from '@moral-plantain/model-builder';
import { defaultQwen3TokenizerDir } from '@moral-plantain/model-runtime';
import { describeStudyError, renderRunReport, resolveRunSettings, runStudy, type StudyProgress } from '../src/index.js';

const quiet: StudyProgress = { update: () => undefined, log: () => undefined, finish: () => undefined };

/** A diffusers transformer checkpoint of the tiny FLUX.2 config (config.json + diffusion_pytorch_model.safetensors), seed-9 weights. */
async function transformerCheckpoint(dir: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  const tensors = new Map<string, SafetensorsTensor>();
  for (const p of flux2ParameterShapes(flux2Presets.tiny)) {
    const init = p.shape.length === 1 ? ({ kind: 'ones' } as const) : ({ kind: 'linear', fanIn: p.shape[1] as number } as const);
    tensors.set(p.name, { dtype: 'F32', shape: p.shape, bytes: new Uint8Array(seededTensor(9, p.name, p.shape, init).buffer) });
  }
  await writeFile(path.join(dir, 'diffusion_pytorch_model.safetensors'), encodeSafetensors(tensors));
  await writeFile(path.join(dir, 'config.json'), JSON.stringify({ _class_name: 'Flux2Transformer2DModel', ...flux2Presets.tiny }));
  return dir;
}

/** A Hugging Face Qwen3 folder of the tiny text encoder's config (config.json + model.safetensors), seed-1 weights. */
async function textEncoderCheckpoint(dir: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, 'config.json'), JSON.stringify({ ...qwen3Presets.tiny.model, model_type: 'qwen3' }));
  const tensors = new Map(qwen3ParameterPlan(qwen3Presets.tiny).parameters.map((p) => [p.name, { dtype: 'F32' as const, shape: p.shape, bytes: new Uint8Array(seededTensor(1, p.name, p.shape, p.init).buffer) }]));
  await writeFile(path.join(dir, 'model.safetensors'), encodeSafetensors(tensors));
  return dir;
}

async function built(request: ModelBuildRequest): Promise<string> {
  const plan = await planModelBuild(request);
  if (E.isLeft(plan)) throw new Error(JSON.stringify(plan.left));
  const folder = await buildModelFolder(plan.right);
  if (E.isLeft(folder)) throw new Error(JSON.stringify(folder.left));
  return folder.right.dir;
}

/** Runs the study on a model folder with the 4-pair example set at the tiny grid, and returns its folder. */
async function studied(model: string, out: string): Promise<string> {
  const settings = resolveRunSettings({ model, stimuli: 'physical-scale', resolution: 128, permutations: 16, splits: 10 }, { out });
  if (E.isLeft(settings)) throw new Error(settings.left.join('; '));
  const result = await runStudy(settings.right, { progress: quiet })();
  if (E.isLeft(result)) throw new Error(describeStudyError(result.left).message);
  return out;
}

function card(dir: string): { meta: Record<string, unknown>; body: string } {
  const text = readFileSync(path.join(dir, 'README.md'), 'utf8');
  const match = /^---\n([\s\S]*?)\n---\n([\s\S]*)$/.exec(text);
  if (!match) throw new Error('no front matter');
  return { meta: parseYaml(match[1] ?? '') as Record<string, unknown>, body: match[2] ?? '' };
}

const runRecord = (dir: string) => JSON.parse(readFileSync(path.join(dir, 'run.json'), 'utf8')) as { model: Record<string, unknown>; stimuli: Record<string, unknown> };

describe('cards of runs on models built from checkpoints', () => {
  let root: string;
  let pretrained: string;
  let control: string;

  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'mp-card-'));
    const weights = await transformerCheckpoint(path.join(root, 'acme-tiny', 'transformer'));
    const textEncoder = await textEncoderCheckpoint(path.join(root, 'acme-tiny', 'text_encoder'));
    const common = { textEncoder, textLayers: qwen3Presets.tiny.outputLayers, defaultTokenizerDir: defaultQwen3TokenizerDir() };
    const checkpointModel = await built({ out: path.join(root, 'models', 'checkpoint'), weights, baseModel: 'acme/tiny-flux2', ...common });
    // The random-init control: the checkpoint's own config and text encoder, a seeded random transformer.
    const controlModel = await built({ out: path.join(root, 'models', 'control'), config: path.join(weights, 'config.json'), random: true, seed: 0, ...common });
    pretrained = await studied(checkpointModel, path.join(root, 'runs', 'checkpoint'));
    control = await studied(controlModel, path.join(root, 'runs', 'control'));
  }, 120_000);

  it('(b) records the checkpoint\'s Hub repo id from model.json in run.json, and the card names it as base_model', () => {
    expect(runRecord(pretrained).model).toMatchObject({ name: 'tiny-flux2', baseModel: 'acme/tiny-flux2', kind: 'pretrained', architecture: 'FLUX.2', attentionHeadDim: 16 });
    expect(runRecord(pretrained).stimuli).toMatchObject({ name: 'physical-scale', axis: 'physical scale', language: 'en', example: true });
    const { meta, body } = card(pretrained);
    expect(meta).toEqual({
      language: ['en'],
      license: 'apache-2.0',
      base_model: 'acme/tiny-flux2',
      library_name: 'moral-plantain',
      tags: ['interpretability', 'activation-probe', 'paired-prompt-probe', 'flux2', 'physical-scale'],
      pipeline_tag: 'text-to-image',
    });
    expect(body).toMatch(/^\n# physical-scale probe: tiny-flux2\n\n> \*\*Example stimuli\.\*\* The set physical-scale only illustrates the stimulus format; its 4 pairs are not meant as an experiment\.\n/);
    expect(body).toContain('Does tiny-flux2 carry physical scale as a separable axis?');
    expect(body).toContain('1. Model card of the base model: <https://huggingface.co/acme/tiny-flux2>.');
  });

  it('(c) gives the random-init control no base model, though its config and text encoder come from the checkpoint', () => {
    const record = runRecord(control).model;
    expect(record).toMatchObject({ kind: 'random-init-control', architecture: 'FLUX.2', weightSeed: 0 });
    expect(record).not.toHaveProperty('baseModel');
    const { meta, body } = card(control);
    expect(meta).toEqual({
      language: ['en'],
      license: 'apache-2.0',
      library_name: 'moral-plantain',
      tags: ['interpretability', 'activation-probe', 'paired-prompt-probe', 'flux2', 'physical-scale', 'random-init-control', 'random-weights'],
      pipeline_tag: 'text-to-image',
    });
    expect(body).toMatch(/^\n# physical-scale probe: acme-tiny, random-init control\n\n> \*\*Random-init control\.\*\*/);
    expect(body).not.toContain('huggingface.co');
  });

  it('(e) renders the card again with the flags winning over run.json, and refuses a base model for random weights', async () => {
    const rendered = await renderRunReport(path.join(pretrained, 'results.json'), { card: { title: 'Scale probe, tiny checkpoint', modelName: 'tiny FLUX.2 checkpoint', baseModel: 'acme/tiny-flux2-v2', extraTags: ['my-lab'] } })();
    if (E.isLeft(rendered)) throw new Error(describeStudyError(rendered.left).message);
    const { meta, body } = card(pretrained);
    expect(meta).toMatchObject({ base_model: 'acme/tiny-flux2-v2', tags: ['interpretability', 'activation-probe', 'paired-prompt-probe', 'flux2', 'physical-scale', 'my-lab'] });
    expect(body).toMatch(/^\n# Scale probe, tiny checkpoint\n/);
    expect(body).toContain('- **Model**: tiny FLUX.2 checkpoint (pretrained weights), from the checkpoint `acme/tiny-flux2-v2`.');
    const before = await readdir(control);
    const refused = await renderRunReport(path.join(control, 'results.json'), { outDir: path.join(root, 'refused'), card: { baseModel: 'black-forest-labs/FLUX.2-klein-base-4B' } })();
    expect(E.isLeft(refused) && describeStudyError(refused.left).message).toMatch(/seeded random weights \(a random-init control\), which come from no checkpoint, so its card has no base model/);
    expect(await readdir(control)).toEqual(before);
    await expect(readdir(path.join(root, 'refused'))).rejects.toThrow(/ENOENT/);
  });
});
