import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { encodeSafetensors, type SafetensorsTensor } from '@moral-plantain/formats';
import { flux2ParameterShapes, flux2Presets, flux2VaeParameterShapes, flux2VaePresets, qwen3ParameterPlan, qwen3Presets, seededTensor } from '../../src/index.js';

/**
 * Writes a diffusers pipeline folder of the tiny configs, laid out as the Hugging Face Hub client
 * downloads FLUX.2-klein: model_index.json, transformer/, text_encoder/, vae/, scheduler/,
 * tokenizer/, each with its config and seeded safetensors under diffusers / Hugging Face names.
 */
export async function writeTinyPipelineFolder(dir: string, options: { readonly isDistilled: boolean; readonly scheduler?: Record<string, unknown> }): Promise<void> {
  const f32 = (name: string, shape: readonly number[], seed: number): SafetensorsTensor => ({ dtype: 'F32', shape, bytes: new Uint8Array(seededTensor(seed, name, shape, { kind: 'embedding' }).map((v) => 0.1 * v).buffer) });
  const write = async (sub: string, file: string, content: string | Uint8Array) => {
    await mkdir(path.join(dir, sub), { recursive: true });
    await writeFile(path.join(dir, sub, file), content);
  };
  await write('.', 'model_index.json', JSON.stringify({ _class_name: 'Flux2KleinPipeline', is_distilled: options.isDistilled, scheduler: ['diffusers', 'FlowMatchEulerDiscreteScheduler'] }));
  await write('transformer', 'config.json', JSON.stringify({ _class_name: 'Flux2Transformer2DModel', ...flux2Presets.tiny }));
  await write('transformer', 'diffusion_pytorch_model.safetensors', encodeSafetensors(new Map(flux2ParameterShapes(flux2Presets.tiny).map((p) => [p.name, f32(p.name, p.shape, 1)]))));
  await write('text_encoder', 'config.json', JSON.stringify({ ...qwen3Presets.tiny.model, model_type: 'qwen3' }));
  await write('text_encoder', 'model.safetensors', encodeSafetensors(new Map(qwen3ParameterPlan(qwen3Presets.tiny).parameters.map((p) => [p.name, f32(p.name, p.shape, 2)]))));
  const vae = new Map([...flux2VaeParameterShapes(flux2VaePresets.tiny, 'encoder'), ...flux2VaeParameterShapes(flux2VaePresets.tiny, 'decoder')].map((p) => [p.name, f32(p.name, p.shape, 3)]));
  vae.set('bn.running_var', { dtype: 'F32', shape: [128], bytes: new Uint8Array(new Float32Array(128).fill(1.5).buffer) });
  vae.set('bn.num_batches_tracked', { dtype: 'I64', shape: [], bytes: new Uint8Array(8) });
  await write('vae', 'config.json', JSON.stringify({ _class_name: 'AutoencoderKLFlux2', ...flux2VaePresets.tiny, sample_size: 1024, force_upcast: true }));
  await write('vae', 'diffusion_pytorch_model.safetensors', encodeSafetensors(vae));
  await write('scheduler', 'scheduler_config.json', JSON.stringify(options.scheduler ?? { _class_name: 'FlowMatchEulerDiscreteScheduler', base_image_seq_len: 256, base_shift: 0.5, max_image_seq_len: 4096, max_shift: 1.15, num_train_timesteps: 1000, shift: 3.0, use_dynamic_shifting: true, time_shift_type: 'exponential' }));
  await write('tokenizer', 'tokenizer.json', '{"t":1}');
  await write('tokenizer', 'tokenizer_config.json', '{"c":1}');
}
