import { attr, createGraphBuilder, DataType, float32Tensor, int64Tensor, type GraphBuilder } from '@moral-plantain/hooks';
import { FLUX2_OPSET } from '../flux2/flux2-graph.js';
import { conv2d, downsample, groupNorm, midBlock, resnetBlock, silu, upsample, type VaeContext } from './flux2-vae-blocks.js';
import { flux2VaeDecoderChannels, flux2VaePatchedChannels, type Flux2VaeConfig } from './flux2-vae-config.js';
import type { Flux2VaeParameterStore } from './flux2-vae-parameter-store.js';

/**
 * Graph input and output names of the built VAE graphs. The encoder takes `image` [B, 3, H, W]
 * (pixels in [-1, 1]) and gives `latents` [B, 4 x latent_channels, H/16, W/16], patchified and
 * normalised; the decoder takes such `latents` and gives `image` (pixels in about [-1, 1]).
 */
export const FLUX2_VAE_IO = { image: 'image', latents: 'latents' } as const;

/**
 * The encoder graph: what `Flux2KleinPipeline._encode_vae_image` computes
 * (`pipelines/flux2/pipeline_flux2_klein.py`, lines 463-476): `vae.encode(image)` (the encoder,
 * `quant_conv`, the mean of the latent distribution, `sample_mode="argmax"`), `_patchify_latents`
 * (lines 370-375) and the normalisation by the `bn` running statistics,
 * `(x - running_mean) / sqrt(running_var + batch_norm_eps)`. Node names follow diffusers module paths.
 */
export async function layoutFlux2VaeEncoder(config: Flux2VaeConfig, params: Flux2VaeParameterStore): Promise<GraphBuilder> {
  const b = createGraphBuilder({ name: 'flux2_vae_encoder', opset: FLUX2_OPSET, producerName: '@moral-plantain/model-builder' });
  const g: VaeContext = { config, params };
  const image = b.input(FLUX2_VAE_IO.image, DataType.FLOAT, ['batch', config.in_channels, 'height', 'width']);
  const channels = config.block_out_channels;
  // `vae.py`, `Encoder.forward` (lines 152-177).
  const encoder = b.scope('encoder');
  let h = await conv2d(g, encoder.scope('conv_in'), image, channels[0]!, config.in_channels, 3);
  for (const [i, outChannels] of channels.entries()) {
    const block = encoder.scope(`down_blocks.${i}`);
    const inChannels = i === 0 ? channels[0]! : channels[i - 1]!;
    for (let j = 0; j < config.layers_per_block; j++) h = await resnetBlock(g, block.scope(`resnets.${j}`), h, j === 0 ? inChannels : outChannels, outChannels);
    if (i < channels.length - 1) h = await downsample(g, block.scope('downsamplers.0'), h, outChannels);
  }
  const last = channels.at(-1)!;
  h = await midBlock(g, encoder.scope('mid_block'), h, last);
  h = silu(encoder, await groupNorm(g, encoder.scope('conv_norm_out'), h, last));
  const latent = config.latent_channels;
  h = await conv2d(g, encoder.scope('conv_out'), h, 2 * latent, last, 3);
  // `autoencoder_kl_flux2.py`, `_encode` (lines 181-183): quant_conv; the distribution's mode is its mean, the first half.
  if (config.use_quant_conv) h = await conv2d(g, b.scope('quant_conv'), h, 2 * latent, 2 * latent, 1);
  const mean = b.op('Slice', [h, b.constant(int64Tensor([0])), b.constant(int64Tensor([latent])), b.constant(int64Tensor([1]))]);
  const patched = patchify(b, mean, latent);
  const { mean: runningMean, deviation } = await runningStatistics(b, config, params);
  b.node('Div', [b.op('Sub', [patched, runningMean]), deviation], { outputs: [FLUX2_VAE_IO.latents] });
  b.output(FLUX2_VAE_IO.latents, DataType.FLOAT, ['batch', flux2VaePatchedChannels(config), 'latent_height', 'latent_width']);
  return b;
}

/**
 * The decoder graph: what `Flux2KleinPipeline.__call__` does after the denoising loop
 * (`pipeline_flux2_klein.py`, lines 909-918) before post-processing: `latents * sqrt(running_var +
 * batch_norm_eps) + running_mean`, `_unpatchify_latents` (lines 379-384), then `vae.decode`
 * (`post_quant_conv` and the decoder, `autoencoder_kl_flux2.py` lines 220-223).
 */
export async function layoutFlux2VaeDecoder(config: Flux2VaeConfig, params: Flux2VaeParameterStore): Promise<GraphBuilder> {
  const b = createGraphBuilder({ name: 'flux2_vae_decoder', opset: FLUX2_OPSET, producerName: '@moral-plantain/model-builder' });
  const g: VaeContext = { config, params };
  const latents = b.input(FLUX2_VAE_IO.latents, DataType.FLOAT, ['batch', flux2VaePatchedChannels(config), 'latent_height', 'latent_width']);
  const latent = config.latent_channels;
  const { mean: runningMean, deviation } = await runningStatistics(b, config, params);
  let z = unpatchify(b, b.op('Add', [b.op('Mul', [latents, deviation]), runningMean]), latent);
  if (config.use_post_quant_conv) z = await conv2d(g, b.scope('post_quant_conv'), z, latent, latent, 1);
  // `vae.py`, `Decoder.forward` (lines 279-311).
  const decoder = b.scope('decoder');
  const channels = flux2VaeDecoderChannels(config);
  const reversed = [...channels].reverse();
  let h = await conv2d(g, decoder.scope('conv_in'), z, reversed[0]!, latent, 3);
  h = await midBlock(g, decoder.scope('mid_block'), h, reversed[0]!);
  for (const [i, outChannels] of reversed.entries()) {
    const block = decoder.scope(`up_blocks.${i}`);
    const inChannels = i === 0 ? reversed[0]! : reversed[i - 1]!;
    for (let j = 0; j < config.layers_per_block + 1; j++) h = await resnetBlock(g, block.scope(`resnets.${j}`), h, j === 0 ? inChannels : outChannels, outChannels);
    if (i < reversed.length - 1) h = await upsample(g, block.scope('upsamplers.0'), h, outChannels);
  }
  h = silu(decoder, await groupNorm(g, decoder.scope('conv_norm_out'), h, channels[0]!));
  const conv = decoder.scope('conv_out');
  const { weight, bias } = await params.conv(conv, config.out_channels, channels[0]!, 3);
  conv.node('Conv', [h, weight, bias], { outputs: [FLUX2_VAE_IO.image], attributes: { kernel_shape: attr.ints([3, 3]), strides: attr.ints([1, 1]), pads: attr.ints([1, 1, 1, 1]) } });
  b.output(FLUX2_VAE_IO.image, DataType.FLOAT, ['batch', config.out_channels, 'height', 'width']);
  return b;
}

/** The `bn` running mean and sqrt(running_var + batch_norm_eps), each [4 x latent, 1, 1]. */
async function runningStatistics(b: GraphBuilder, config: Flux2VaeConfig, params: Flux2VaeParameterStore): Promise<{ mean: string; deviation: string }> {
  const bn = b.scope('bn');
  const channels = flux2VaePatchedChannels(config);
  const { mean, variance } = await params.runningStatistics(bn, channels);
  const column = bn.constant(int64Tensor([channels, 1, 1]));
  const eps = bn.constant(float32Tensor(new Float32Array([config.batch_norm_eps]), []));
  return { mean: bn.op('Reshape', [mean, column]), deviation: bn.op('Reshape', [bn.op('Sqrt', [bn.op('Add', [variance, eps])]), column]) };
}

/**
 * `_patchify_latents`: [B, C, H, W] -> view [B, C, H/2, 2, W/2, 2] -> permute(0, 1, 3, 5, 2, 4) ->
 * [B, 4C, H/2, W/2], so output channel 4c + 2 dy + dx. SpaceToDepth gives channel (2 dy + dx) C + c;
 * a Gather over channels reorders it.
 */
function patchify(b: GraphBuilder, x: string, channels: number): string {
  const scope = b.scope('patchify');
  const blocks = scope.op('SpaceToDepth', [x], { blocksize: attr.int(2) });
  const order = Array.from({ length: 4 * channels }, (_, k) => (k % 4) * channels + Math.floor(k / 4));
  return scope.op('Gather', [blocks, scope.constant(int64Tensor(order))], { axis: attr.int(1) });
}

/** `_unpatchify_latents`, the inverse: channel 4c + 2 dy + dx back to position (2h + dy, 2w + dx) of channel c (a Gather, then DepthToSpace in DCR order). */
function unpatchify(b: GraphBuilder, x: string, channels: number): string {
  const scope = b.scope('unpatchify');
  const order = Array.from({ length: 4 * channels }, (_, m) => 4 * (m % channels) + Math.floor(m / channels));
  const reordered = scope.op('Gather', [x, scope.constant(int64Tensor(order))], { axis: attr.int(1) });
  return scope.op('DepthToSpace', [reordered], { blocksize: attr.int(2), mode: attr.string('DCR') });
}
