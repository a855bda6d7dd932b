import { attr, float32Tensor, int64Tensor, type GraphBuilder } from '@moral-plantain/hooks';
import type { Flux2VaeConfig } from './flux2-vae-config.js';
import type { Flux2VaeParameterStore } from './flux2-vae-parameter-store.js';

// The building blocks of diffusers' VAE (`models/autoencoders/vae.py`, `models/resnet.py`,
// `models/unets/unet_2d_blocks.py`, `models/downsampling.py`, `models/upsampling.py`,
// `models/attention_processor.py`) as ONNX nodes on NCHW float32 values.

/** Epsilon of every GroupNorm of the VAE's resnets, attention and outputs (`vae.py`: `resnet_eps=1e-6`, `eps=1e-6`). */
export const VAE_NORM_EPS = 1e-6;

/** What every block needs: the config, the parameter store. */
export interface VaeContext {
  readonly config: Flux2VaeConfig;
  readonly params: Flux2VaeParameterStore;
}

/** `nn.SiLU`: x sigmoid(x). */
export function silu(scope: GraphBuilder, x: string): string {
  return scope.op('Mul', [x, scope.op('Sigmoid', [x])]);
}

/** A Conv2d with its bias: k x k, stride and padding (pads as ONNX lists them: top, left, bottom, right). */
export async function conv2d(
  g: VaeContext,
  scope: GraphBuilder,
  x: string,
  outChannels: number,
  inChannels: number,
  kernel: number,
  options: { readonly stride?: number; readonly pads?: readonly [number, number, number, number] } = {},
): Promise<string> {
  const { weight, bias } = await g.params.conv(scope, outChannels, inChannels, kernel);
  const pad = (kernel - 1) / 2;
  return scope.op('Conv', [x, weight, bias], {
    kernel_shape: attr.ints([kernel, kernel]),
    strides: attr.ints([options.stride ?? 1, options.stride ?? 1]),
    pads: attr.ints(options.pads ?? [pad, pad, pad, pad]),
  });
}

/**
 * `nn.GroupNorm(groups, channels, eps, affine=True)` on [B, C, H, W]: the channels split into
 * groups, each normalised over its channels and positions with the biased variance (an
 * InstanceNormalization over [B, groups, C/groups x H x W]), then the per-channel scale and shift.
 */
export async function groupNorm(g: VaeContext, scope: GraphBuilder, x: string, channels: number): Promise<string> {
  const groups = g.config.norm_num_groups;
  const { weight, bias } = await g.params.norm(scope, channels);
  const grouped = scope.op('Reshape', [x, scope.constant(int64Tensor([0, groups, -1]))]);
  const normed = scope.op('InstanceNormalization', [grouped, scope.constant(float32Tensor(new Float32Array(groups).fill(1))), scope.constant(float32Tensor(new Float32Array(groups)))], {
    epsilon: attr.float(VAE_NORM_EPS),
  });
  const restored = scope.op('Reshape', [normed, scope.op('Shape', [x])]);
  const perChannel = scope.constant(int64Tensor([channels, 1, 1]));
  return scope.op('Add', [scope.op('Mul', [restored, scope.op('Reshape', [weight, perChannel])]), scope.op('Reshape', [bias, perChannel])]);
}

/**
 * `ResnetBlock2D` without a time embedding (`resnet.py`, `forward`):
 * skip + conv2(silu(norm2(conv1(silu(norm1(x)))))), where skip is x, or a 1 x 1 `conv_shortcut`
 * of x when the channel count changes; `output_scale_factor` is 1 throughout the VAE.
 */
export async function resnetBlock(g: VaeContext, block: GraphBuilder, x: string, inChannels: number, outChannels: number): Promise<string> {
  let h = silu(block, await groupNorm(g, block.scope('norm1'), x, inChannels));
  h = await conv2d(g, block.scope('conv1'), h, outChannels, inChannels, 3);
  h = silu(block, await groupNorm(g, block.scope('norm2'), h, outChannels));
  h = await conv2d(g, block.scope('conv2'), h, outChannels, outChannels, 3);
  const skip = inChannels === outChannels ? x : await conv2d(g, block.scope('conv_shortcut'), x, outChannels, inChannels, 1);
  return block.op('Add', [skip, h]);
}

/**
 * The mid block's one-head self-attention over the H x W positions (`Attention` with
 * `residual_connection=True`, run by `AttnProcessor2_0`): GroupNorm over channels, `to_q/to_k/to_v`
 * with bias, softmax(q k^T / sqrt(C)) v, `to_out.0`, plus the input.
 */
export async function spatialAttention(g: VaeContext, attn: GraphBuilder, x: string, channels: number): Promise<string> {
  const normed = await groupNorm(g, attn.scope('group_norm'), x, channels);
  const sequence = attn.op('Transpose', [attn.op('Reshape', [normed, attn.constant(int64Tensor([0, 0, -1]))])], { perm: attr.ints([0, 2, 1]) });
  const project = async (name: string, value: string): Promise<string> => {
    const scope = attn.scope(name);
    const { weight, bias } = await g.params.linear(scope, channels, channels);
    return scope.op('Add', [scope.op('MatMul', [value, weight]), bias]);
  };
  const q = await project('to_q', sequence);
  const k = await project('to_k', sequence);
  const v = await project('to_v', sequence);
  const scale = attn.constant(float32Tensor(new Float32Array([1 / Math.sqrt(channels)]), []));
  const scores = attn.op('MatMul', [attn.op('Mul', [q, scale]), attn.op('Transpose', [k], { perm: attr.ints([0, 2, 1]) })]);
  const mixed = attn.op('MatMul', [attn.op('Softmax', [scores], { axis: attr.int(-1) }), v]);
  const out = await project('to_out.0', mixed);
  const image = attn.op('Reshape', [attn.op('Transpose', [out], { perm: attr.ints([0, 2, 1]) }), attn.op('Shape', [x])]);
  return attn.op('Add', [image, x]);
}

/** `UNetMidBlock2D` (`unet_2d_blocks.py`, `forward`): resnet, attention (when the config has it), resnet, all at `channels`. */
export async function midBlock(g: VaeContext, mid: GraphBuilder, x: string, channels: number): Promise<string> {
  let h = await resnetBlock(g, mid.scope('resnets.0'), x, channels, channels);
  if (g.config.mid_block_add_attention) h = await spatialAttention(g, mid.scope('attentions.0'), h, channels);
  return resnetBlock(g, mid.scope('resnets.1'), h, channels, channels);
}

/** `Downsample2D` with `padding=0` (`downsampling.py`, `forward`): pad one zero row and column at the bottom and right, then a 3 x 3 conv of stride 2. */
export async function downsample(g: VaeContext, scope: GraphBuilder, x: string, channels: number): Promise<string> {
  return conv2d(g, scope.scope('conv'), x, channels, channels, 3, { stride: 2, pads: [0, 0, 1, 1] });
}

/** `Upsample2D` with a conv (`upsampling.py`, `forward`): nearest-neighbour x 2 (`F.interpolate(scale_factor=2.0, mode="nearest")`), then a 3 x 3 conv. */
export async function upsample(g: VaeContext, scope: GraphBuilder, x: string, channels: number): Promise<string> {
  const doubled = scope.op('Resize', [x, '', scope.constant(float32Tensor(new Float32Array([1, 1, 2, 2])))], {
    mode: attr.string('nearest'),
    coordinate_transformation_mode: attr.string('asymmetric'),
    nearest_mode: attr.string('floor'),
  });
  return conv2d(g, scope.scope('conv'), doubled, channels, channels, 3);
}
