import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const cliRoot = path.join(import.meta.dirname, '..');

function cli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, ['bin/moral-plantain.js', ...args], { cwd: cliRoot, encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function temp(): string {
  return mkdtempSync(path.join(tmpdir(), 'cli-model-'));
}

/** A safetensors file with one F32 tensor, written byte by byte from the format's definition. */
function safetensorsFile(file: string, name: string, shape: number[]): void {
  const count = shape.reduce((a, b) => a * b, 1);
  const header = Buffer.from(JSON.stringify({ [name]: { dtype: 'F32', shape, data_offsets: [0, count * 4] } }));
  const size = Buffer.alloc(8);
  size.writeBigUInt64LE(BigInt(header.length));
  writeFileSync(file, Buffer.concat([size, header, Buffer.alloc(count * 4)]));
}

describe('moral-plantain model', () => {
  it('builds the tiny model folder and describes it: naming, inputs, configs, files with their SHA-256', () => {
    const out = path.join(temp(), 'tiny');
    const built = cli('model', 'build', '--out', out, '--json');
    expect(built.stderr).toBe('');
    expect(built.status).toBe(0);
    expect(JSON.parse(built.stdout).files).toEqual(['transformer.onnx', 'text_encoder.onnx', 'vae_encoder.onnx', 'vae_decoder.onnx', 'tokenizer.json', 'tokenizer_config.json', 'model.json']);
    const info = cli('model', 'info', out, '--json');
    expect(info.status).toBe(0);
    const parsed = JSON.parse(info.stdout);
    expect(parsed).toMatchObject({ kind: 'ours', name: 'tiny', tiny: true, resolution: [128, 128], seeds: { transformer: 0, textEncoder: 0, vae: 0 } });
    expect(parsed.vae.encoder).toMatchObject({ file: 'vae_encoder.onnx', inputs: [{ name: 'image', shape: ['batch', 3, 'height', 'width'] }], outputs: [{ name: 'latents', shape: ['batch', 128, 'latent_height', 'latent_width'] }] });
    expect(parsed.vae.config).toMatchObject({ block_out_channels: [8, 16, 32, 32], latent_channels: 32 });
    expect(parsed.sampler).toMatchObject({ isDistilled: false, scheduler: { use_dynamic_shifting: true, time_shift_type: 'exponential' } });
    expect(parsed.transformer.naming).toBe('diffusers');
    expect(parsed.transformer.io).toMatchObject({ latents: 'hidden_states', text: 'encoder_hidden_states', prediction: 'noise_pred' });
    expect(parsed.textEncoder).toMatchObject({ naming: 'transformers', io: { inputIds: 'input_ids', attentionMask: 'attention_mask', embeddings: 'prompt_embeds' } });
    expect(parsed.weightsKind).toBe('tiny-seeded');
    expect(parsed.transformer.inputs.map((i: { name: string }) => i.name)).toEqual(['hidden_states', 'encoder_hidden_states', 'timestep', 'img_ids', 'txt_ids']);
    expect(parsed.textEncoder.outputs[0]).toMatchObject({ name: 'prompt_embeds', shape: ['batch', 'sequence', 96] });
    expect(parsed.configs.transformer).toMatchObject({ num_layers: 2, num_single_layers: 4, num_attention_heads: 4, attention_head_dim: 16 });
    const transformer = parsed.files.find((f: { file: string }) => f.file === 'transformer.onnx');
    const bytes = readFileSync(path.join(out, 'transformer.onnx'));
    expect(transformer).toEqual({ file: 'transformer.onnx', bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') });
    const text = cli('model', 'info', out, '--no-hash');
    expect(text.status).toBe(0);
    expect(text.stdout).toContain('transformer transformer.onnx (diffusers input names)');
    expect(text.stdout).toContain('vae vae_encoder.onnx + vae_decoder.onnx, weights: seeded random (seed 0)');
    expect(text.stdout).toContain('sampling: base, classifier-free guidance');
    expect(text.stdout).not.toContain('sha256');
  });

  it('gives a byte-identical transformer for the same seed and a different one for another seed', () => {
    const dir = temp();
    for (const [name, seed] of [['a', '3'], ['b', '3'], ['c', '4']] as const) expect(cli('model', 'build', '--out', path.join(dir, name), '--random', '--seed', seed, '--no-text-encoder').status).toBe(0);
    const read = (name: string) => readFileSync(path.join(dir, name, 'transformer.onnx'));
    expect(read('a').equals(read('b'))).toBe(true);
    expect(read('a').equals(read('c'))).toBe(false);
  });

  it('writes both graphs with external data when asked, and the folder still opens', () => {
    const out = path.join(temp(), 'external');
    const built = cli('model', 'build', '--out', out, '--external-data', '--json');
    expect(built.status).toBe(0);
    expect(JSON.parse(built.stdout).files).toEqual(expect.arrayContaining(['transformer.onnx.data', 'text_encoder.onnx.data']));
    const info = cli('model', 'info', out, '--json');
    expect(info.status).toBe(0);
    const files = JSON.parse(info.stdout).files.map((f: { file: string }) => f.file);
    expect(files).toEqual(expect.arrayContaining(['transformer.onnx.data', 'text_encoder.onnx.data']));
  });

  it('builds from a diffusers config.json without a text encoder', () => {
    const dir = temp();
    const config = { _class_name: 'Flux2Transformer2DModel', num_layers: 1, num_single_layers: 1, num_attention_heads: 2, attention_head_dim: 8, joint_attention_dim: 24, mlp_ratio: 3.0, in_channels: 16, out_channels: null, patch_size: 1, axes_dims_rope: [2, 2, 2, 2], rope_theta: 2000, timestep_guidance_channels: 256, eps: 1e-6, guidance_embeds: false };
    writeFileSync(path.join(dir, 'config.json'), JSON.stringify(config));
    const out = path.join(dir, 'model');
    const built = cli('model', 'build', '--out', out, '--config', path.join(dir, 'config.json'), '--no-text-encoder');
    expect(built.stderr).toBe('');
    const info = JSON.parse(cli('model', 'info', out, '--json').stdout);
    expect(info).toMatchObject({ tiny: false, textEncoder: null, resolution: [1024, 1024] });
    expect(info.transformer.inputs[0]).toMatchObject({ name: 'hidden_states', shape: ['batch', 'image_tokens', 16] });
  });

  it('names the missing tensors of a checkpoint that does not match the config', () => {
    const dir = temp();
    safetensorsFile(path.join(dir, 'diffusion_pytorch_model.safetensors'), 'x_embedder.weight', [64, 128]);
    const result = cli('model', 'build', '--out', path.join(dir, 'out'), '--weights', dir, '--preset', 'tiny', '--no-text-encoder');
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/^error: The checkpoint .* has no tensor time_guidance_embed\.timestep_embedder\.linear_1\.weight\./);
    // Every problem is named at once, one per line.
    expect(result.stderr).toMatch(/^ {2}The checkpoint .* has no tensor context_embedder\.weight\.$/m);
  });

  it('rejects contradictory or bad options with one clear error and exit code 2', () => {
    const out = path.join(temp(), 'x');
    const cases: [string[], RegExp][] = [
      [['--preset', 'huge'], /There is no FLUX\.2 preset "huge"/],
      [['--weights', out, '--random'], /--weights and --random exclude each other/],
      [['--preset', 'tiny', '--config', 'c.json'], /--preset and --config exclude each other/],
      [['--seed', '-1'], /--seed must be a whole number from 0 to 4294967295, got "-1"/],
      [['--text-layers', '1,2'], /gives 2 x 32 = 64 channels but the transformer's joint_attention_dim is 96/],
      [['--config', path.join(out, 'none.json')], /Could not read the FLUX\.2 config .*none.json: ENOENT/],
      [['--weights', out], /checkpoint weights were given without a text encoder/],
    ];
    for (const [args, message] of cases) {
      const result = cli('model', 'build', '--out', out, ...args);
      expect(result.status, args.join(' ')).toBe(2);
      expect(result.stderr).toMatch(message);
      expect(result.stderr).not.toMatch(/at .*\.js:\d+/);
    }
  });

  it('explains a folder that is not a model folder', () => {
    const empty = temp();
    const result = cli('model', 'info', empty);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('has no transformer graph (looked for transformer.onnx, transformer/model.onnx)');
  });
});
