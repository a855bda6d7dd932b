import * as E from 'fp-ts/lib/Either.js';
import { createHash } from 'node:crypto';
import { encodeModel, findLinearLayers, selectLayers, type ModelProto } from '@moral-plantain/hooks';
import { describe, expect, it } from 'vitest';
import {
  buildFlux2Transformer,
  flux2ParameterShapes,
  flux2Presets,
  flux2TransformerSkeleton,
  flux2WeightBytes,
  seededWeights,
  type Flux2Config,
  type WeightSource,
} from '../../src/index.js';
import { flux2Reference } from '@moral-plantain/references';
import { flux2TestInputs } from './flux2-inputs.js';

describe('FLUX.2 graph structure', () => {
  const tiny = flux2Presets.tiny;

  it('has the diffusers inputs and the noise_pred output', async () => {
    const model = await tinyModel();
    const graph = model.graph ?? { input: [], output: [] };
    expect(graph.input.map((i) => i.name)).toEqual(['hidden_states', 'encoder_hidden_states', 'timestep', 'img_ids', 'txt_ids']);
    expect(graph.output.map((o) => o.name)).toEqual(['noise_pred']);
  });

  it('lets the flux2 tap preset find exactly the 2 + 4 to_out layers of tiny, of widths D and 4D, by TorchScript-style node names', async () => {
    const layers = findLinearLayers(await tinyModel());
    const selected = selectLayers(layers, { preset: 'flux2' });
    expect(E.isRight(selected)).toBe(true);
    if (E.isLeft(selected)) return;
    expect(selected.right.map((s) => [s.layer.module, s.layer.node, s.layer.inputWidth, s.group])).toEqual([
      ['transformer_blocks.0.attn.to_out.0', '/transformer_blocks.0/attn/to_out.0/MatMul', 64, 'joint[0]'],
      ['transformer_blocks.1.attn.to_out.0', '/transformer_blocks.1/attn/to_out.0/MatMul', 64, 'joint[1]'],
      ['single_transformer_blocks.0.attn.to_out', '/single_transformer_blocks.0/attn/to_out/MatMul', 256, 'single[0]'],
      ['single_transformer_blocks.1.attn.to_out', '/single_transformer_blocks.1/attn/to_out/MatMul', 256, 'single[1]'],
      ['single_transformer_blocks.2.attn.to_out', '/single_transformer_blocks.2/attn/to_out/MatMul', 256, 'single[2]'],
      ['single_transformer_blocks.3.attn.to_out', '/single_transformer_blocks.3/attn/to_out/MatMul', 256, 'single[3]'],
    ]);
    // Every linear layer's module path comes from its parameter name and matches its node's scope.
    for (const layer of layers) {
      expect(layer.moduleSource).toBe('weight-name');
      expect(layer.node).toBe(`/${layer.module.split('.').reduce<string[]>((parts, s) => (/^\d+$/.test(s) ? [...parts.slice(0, -1), `${parts.at(-1)}.${s}`] : [...parts, s]), []).join('/')}/MatMul`);
    }
  });

  it('lays out klein 4B without reading weights: 5 + 20 to_out layers of widths 3072 and 12288, 3.88 billion parameters', async () => {
    const skeleton = await flux2TransformerSkeleton(flux2Presets['klein-4b']);
    expect(E.isRight(skeleton)).toBe(true);
    if (E.isLeft(skeleton)) return;
    const selected = selectLayers(findLinearLayers(skeleton.right), { preset: 'flux2' });
    if (E.isLeft(selected)) throw new Error('no selection');
    expect(selected.right.map((s) => s.group)).toEqual([...Array.from({ length: 5 }, (_, i) => `joint[${i}]`), ...Array.from({ length: 20 }, (_, i) => `single[${i}]`)]);
    expect(new Set(selected.right.slice(0, 5).map((s) => s.layer.inputWidth))).toEqual(new Set([3072]));
    expect(new Set(selected.right.slice(5).map((s) => s.layer.inputWidth))).toEqual(new Set([12288]));
    const count = flux2WeightBytes(flux2Presets['klein-4b']) / 4;
    expect(count).toBeGreaterThan(3.85e9);
    expect(count).toBeLessThan(3.9e9);
    // Every parameter is an initializer named after it, stored [in, out] for Linears.
    const initializers = new Map((skeleton.right.graph?.initializer ?? []).map((t) => [t.name, t.dims.map(Number)]));
    for (const p of flux2ParameterShapes(flux2Presets['klein-4b'])) expect(initializers.get(p.name), p.name).toEqual([...p.shape].reverse());
  });

  it('reads exactly the parameters the direct implementation reads, each once', async () => {
    const builderNames = recording(seededWeights());
    const built = await buildFlux2Transformer(tiny, builderNames.source);
    expect(E.isRight(built)).toBe(true);
    const referenceNames = recording(seededWeights());
    await flux2Reference(tiny, referenceNames.source, flux2TestInputs(tiny, 1, 2, 3, [1]));
    expect([...builderNames.names.keys()].sort()).toEqual([...new Set(referenceNames.names.keys())].sort());
    expect([...builderNames.names.values()].every((n) => n === 1)).toBe(true);
    expect([...builderNames.names.keys()]).toEqual(flux2ParameterShapes(tiny).map((p) => p.name));
  });

  it('reads the real checkpoint names of klein 4B', () => {
    const names = flux2ParameterShapes(flux2Presets['klein-4b']).map((p) => p.name);
    expect(names).toHaveLength(2 + 3 + 2 + 5 * 16 + 20 * 4 + 2);
    for (const name of [
      'x_embedder.weight',
      'context_embedder.weight',
      'time_guidance_embed.timestep_embedder.linear_1.weight',
      'time_guidance_embed.timestep_embedder.linear_2.weight',
      'double_stream_modulation_img.linear.weight',
      'double_stream_modulation_txt.linear.weight',
      'single_stream_modulation.linear.weight',
      'transformer_blocks.4.attn.norm_q.weight',
      'transformer_blocks.4.attn.norm_added_k.weight',
      'transformer_blocks.0.attn.to_out.0.weight',
      'transformer_blocks.0.attn.to_add_out.weight',
      'transformer_blocks.0.ff.linear_in.weight',
      'transformer_blocks.0.ff_context.linear_out.weight',
      'single_transformer_blocks.19.attn.to_qkv_mlp_proj.weight',
      'single_transformer_blocks.19.attn.to_out.weight',
      'norm_out.linear.weight',
      'proj_out.weight',
    ]) {
      expect(names).toContain(name);
    }
    expect(names.filter((n) => n.includes('guidance_embedder'))).toEqual([]);
    expect(flux2ParameterShapes(flux2Presets.dev).filter((p) => p.name.includes('guidance_embedder')).map((p) => p.name)).toEqual([
      'time_guidance_embed.guidance_embedder.linear_1.weight',
      'time_guidance_embed.guidance_embedder.linear_2.weight',
    ]);
  });

  it('gives byte-identical models for the same seed and different ones for another seed', async () => {
    const hash = async (seed: number, config: Flux2Config = tiny): Promise<string> => {
      const built = await buildFlux2Transformer(config, seededWeights({ seed }));
      if (E.isLeft(built)) throw new Error(JSON.stringify(built.left));
      return createHash('sha256').update(encodeModel(built.right.model)).digest('hex');
    };
    const first = await hash(3);
    expect(await hash(3)).toBe(first);
    expect(await hash(4)).not.toBe(first);
  });
});

async function tinyModel(): Promise<ModelProto> {
  const built = await buildFlux2Transformer(flux2Presets.tiny, seededWeights({ seed: 0 }));
  if (E.isLeft(built)) throw new Error(JSON.stringify(built.left));
  return built.right.model;
}

function recording(inner: WeightSource): { source: WeightSource; names: Map<string, number> } {
  const names = new Map<string, number>();
  return {
    names,
    source: {
      description: inner.description,
      read: (name, shape, init) => {
        names.set(name, (names.get(name) ?? 0) + 1);
        return inner.read(name, shape, init);
      },
      unread: () => inner.unread(),
    },
  };
}
