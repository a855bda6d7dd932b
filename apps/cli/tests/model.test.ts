import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { decodeActivations } from '@moral-plantain/formats';
import { FAULT_STIMULI } from './fixtures/fault-run.js';

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

  it('builds an int8 model (VAE in float), describes its quantization, and probes it on the CPU provider with taps on MatMulNBits layers, the quantization in run.json and the card', () => {
    const dir = temp();
    const out = path.join(dir, 'int8');
    const built = cli('model', 'build', '--out', out, '--quantize', 'int8', '--quant-block-size', '32');
    expect(built.stderr).toBe('');
    expect(built.status).toBe(0);
    expect(built.stdout).toContain('transformer: seeded random (seed 0); int8 MatMulNBits, blocks of 32, symmetric: 32 linear layers (9 kept in float: time_guidance_embed.timestep_embedder.linear_1,');
    expect(built.stdout).toContain('vae: seeded random (seed 0); float32 (--quantize leaves the VAE in float)');
    const info = cli('model', 'info', out, '--no-hash');
    expect(info.stdout).toMatch(/^ {2}transformer weights: int8 MatMulNBits, blocks of 32, symmetric: 32 linear layers \(9 kept in float: .*proj_out\)$/m);
    expect(info.stdout).toMatch(/^ {2}text encoder weights: int8 MatMulNBits, blocks of 32, symmetric: 21 linear layers$/m);
    expect(info.stdout).toMatch(/^ {2}vae weights: float32 \(--quantize leaves the VAE in float\)$/m);
    const json = JSON.parse(cli('model', 'info', out, '--json', '--no-hash').stdout);
    expect(json.quantization.transformer).toMatchObject({ op: 'MatMulNBits', bits: 8, blockSize: 32, symmetric: true, quantizedLinears: 32 });
    expect(json.quantization.textEncoder).toMatchObject({ bits: 8, blockSize: 32, quantizedLinears: 21, floatLinears: [] });
    const manifest = JSON.parse(readFileSync(path.join(out, 'model.json'), 'utf8'));
    expect(manifest.vae).toBeDefined();
    expect(manifest.vae.quantization).toBeUndefined();
    // The graphs hold the operator itself: the transformer's and text encoder's linear layers, none of the VAE's.
    expect(readFileSync(path.join(out, 'transformer.onnx')).includes('MatMulNBits')).toBe(true);
    expect(readFileSync(path.join(out, 'text_encoder.onnx')).includes('MatMulNBits')).toBe(true);
    for (const vae of ['vae_encoder.onnx', 'vae_decoder.onnx']) expect(readFileSync(path.join(out, vae)).includes('MatMulNBits')).toBe(false);

    const runOut = path.join(dir, 'run');
    const run = cli('run', '--model', out, '--out', runOut, '--stimuli', FAULT_STIMULI, '--permutations', '32', '--splits', '0', '--quiet');
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const record = JSON.parse(readFileSync(path.join(runOut, 'run.json'), 'utf8'));
    expect(record.device).toBe('cpu');
    expect(record.model.quantization.transformer).toEqual(json.quantization.transformer);
    expect(record.model.quantization.textEncoder).toEqual(json.quantization.textEncoder);
    // Every to_out is a MatMulNBits node; its taps give the tiny model's 72 units (2 x 64/16 + 4 x 256/16), all finite and positive.
    const decoded = decodeActivations(readFileSync(path.join(runOut, 'activations.safetensors')));
    if (E.isLeft(decoded)) throw new Error('activations file does not decode');
    const { a, b, nPairs, nUnits, taps } = decoded.right;
    expect([nPairs, nUnits]).toEqual([4, 72]);
    expect(taps?.taps.map((t) => t.module)).toEqual(['transformer_blocks.0.attn.to_out.0', 'transformer_blocks.1.attn.to_out.0', ...[0, 1, 2, 3].map((n) => `single_transformer_blocks.${n}.attn.to_out`)]);
    const values = [a, b].flatMap((x) => Array.from({ length: nPairs * nUnits }, (_, i) => x.get(Math.floor(i / nUnits), i % nUnits)));
    expect(values.every((v) => Number.isFinite(v) && v > 0)).toBe(true);
    const card = readFileSync(path.join(runOut, 'README.md'), 'utf8');
    expect(card).toMatch(/^- \*\*Weights\*\*: the transformer's 32 linear layers to int8 \(9 kept in float: .*\); the text encoder's 21 linear layers to int8\. Weight-only quantization at build time, run by ONNX Runtime's `MatMulNBits`: blocks of 32 input weights along each output row, a float32 scale per block, symmetric; activations in float32\.$/m);
    expect(card).toContain('- The transformer ran with int8 weights:');
  }, 120_000);

  it('refuses quantization options it cannot build, naming each, before writing anything', () => {
    const dir = temp();
    const unknown = cli('model', 'build', '--out', path.join(dir, 'a'), '--quantize', 'int2');
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('There is no quantization "int2".');
    const block = cli('model', 'build', '--out', path.join(dir, 'b'), '--quantize', 'int4', '--quant-block-size', '48');
    expect(block.status).toBe(2);
    expect(block.stderr).toContain('The quantization block size 48 is not one MatMulNBits takes.');
    const alone = cli('model', 'build', '--out', path.join(dir, 'c'), '--quant-block-size', '64');
    expect(alone.status).toBe(2);
    expect(alone.stderr).toContain('--quant-block-size');
    for (const name of ['a', 'b', 'c']) expect(existsSync(path.join(dir, name))).toBe(false);
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
