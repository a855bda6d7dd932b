/**
 * A direct implementation of the FLUX.2 VAE (diffusers' `AutoencoderKLFlux2`) on typed arrays, in
 * float64, written from the diffusers source (`models/autoencoders/autoencoder_kl_flux2.py`,
 * `vae.py`, `models/resnet.py`, `models/unets/unet_2d_blocks.py`, `downsampling.py`,
 * `upsampling.py`, `attention_processor.py`, and the pipeline's `_encode_vae_image`,
 * `_patchify_latents`, `_unpatchify_latents`) without looking at the ONNX builder. Plain loops, one
 * index formula per operation. Test code only: it checks the VAE graphs.
 */
import * as E from 'fp-ts/lib/Either.js';
import type { ReferenceWeights } from './flux2-reference.js';

/** The VAE config keys the reference reads (diffusers `config.json` names). */
export interface ReferenceFlux2VaeConfig {
  readonly in_channels: number;
  readonly out_channels: number;
  readonly block_out_channels: readonly number[];
  readonly decoder_block_out_channels: readonly number[] | null;
  readonly layers_per_block: number;
  readonly latent_channels: number;
  readonly norm_num_groups: number;
  readonly use_quant_conv: boolean;
  readonly use_post_quant_conv: boolean;
  readonly mid_block_add_attention: boolean;
  readonly batch_norm_eps: number;
}

/** An NCHW tensor. */
export interface ReferenceImageTensor {
  readonly data: Float64Array;
  readonly batch: number;
  readonly channels: number;
  readonly height: number;
  readonly width: number;
}

/**
 * `_encode_vae_image`: the encoder, quant_conv, the mean of the posterior (first `latent_channels`
 * channels), the 2 x 2 patchify and the `bn` normalisation. Input pixels in [-1, 1].
 */
export async function flux2VaeEncodeReference(config: ReferenceFlux2VaeConfig, weights: ReferenceWeights, image: ReferenceImageTensor): Promise<ReferenceImageTensor> {
  const p = params(weights);
  const chans = config.block_out_channels;
  let x = await p.conv('encoder.conv_in', image, chans[0]!, 3, 1, [1, 1, 1, 1]);
  for (let i = 0; i < chans.length; i++) {
    const out = chans[i]!;
    for (let j = 0; j < config.layers_per_block; j++) x = await resnet(p, config, `encoder.down_blocks.${i}.resnets.${j}`, x, out);
    // Downsample2D(padding=0): F.pad(x, (0, 1, 0, 1)) then conv stride 2, no padding.
    if (i < chans.length - 1) x = await p.conv(`encoder.down_blocks.${i}.downsamplers.0.conv`, x, out, 3, 2, [0, 0, 1, 1]);
  }
  x = await mid(p, config, 'encoder.mid_block', x);
  x = silu(await groupNorm(p, config, 'encoder.conv_norm_out', x));
  x = await p.conv('encoder.conv_out', x, 2 * config.latent_channels, 3, 1, [1, 1, 1, 1]);
  if (config.use_quant_conv) x = await p.conv('quant_conv', x, 2 * config.latent_channels, 1, 1, [0, 0, 0, 0]);
  const mean = firstChannels(x, config.latent_channels);
  const patched = patchify(mean);
  const { runningMean, runningVar } = await p.bn(patched.channels);
  const out = new Float64Array(patched.data.length);
  const hw = patched.height * patched.width;
  for (let b = 0; b < patched.batch; b++) {
    for (let c = 0; c < patched.channels; c++) {
      const std = Math.sqrt(runningVar[c]! + config.batch_norm_eps);
      for (let s = 0; s < hw; s++) {
        const i = (b * patched.channels + c) * hw + s;
        out[i] = (patched.data[i]! - runningMean[c]!) / std;
      }
    }
  }
  return { ...patched, data: out };
}

/** The pipeline's decode: denormalise with the `bn` statistics, unpatchify, post_quant_conv, the decoder. Output pixels in about [-1, 1]. */
export async function flux2VaeDecodeReference(config: ReferenceFlux2VaeConfig, weights: ReferenceWeights, latents: ReferenceImageTensor): Promise<ReferenceImageTensor> {
  const p = params(weights);
  const { runningMean, runningVar } = await p.bn(latents.channels);
  const denorm = new Float64Array(latents.data.length);
  const hw = latents.height * latents.width;
  for (let b = 0; b < latents.batch; b++) {
    for (let c = 0; c < latents.channels; c++) {
      const std = Math.sqrt(runningVar[c]! + config.batch_norm_eps);
      for (let s = 0; s < hw; s++) {
        const i = (b * latents.channels + c) * hw + s;
        denorm[i] = latents.data[i]! * std + runningMean[c]!;
      }
    }
  }
  let x = unpatchify({ ...latents, data: denorm });
  if (config.use_post_quant_conv) x = await p.conv('post_quant_conv', x, config.latent_channels, 1, 1, [0, 0, 0, 0]);
  const chans = config.decoder_block_out_channels ?? config.block_out_channels;
  const reversed = [...chans].reverse();
  x = await p.conv('decoder.conv_in', x, reversed[0]!, 3, 1, [1, 1, 1, 1]);
  x = await mid(p, config, 'decoder.mid_block', x);
  for (let i = 0; i < reversed.length; i++) {
    const out = reversed[i]!;
    for (let j = 0; j < config.layers_per_block + 1; j++) x = await resnet(p, config, `decoder.up_blocks.${i}.resnets.${j}`, x, out);
    if (i < reversed.length - 1) x = await p.conv(`decoder.up_blocks.${i}.upsamplers.0.conv`, nearest2x(x), out, 3, 1, [1, 1, 1, 1]);
  }
  x = silu(await groupNorm(p, config, 'decoder.conv_norm_out', x));
  return p.conv('decoder.conv_out', x, config.out_channels, 3, 1, [1, 1, 1, 1]);
}

interface Params {
  conv(name: string, x: ReferenceImageTensor, outC: number, kernel: number, stride: number, pads: readonly [number, number, number, number]): Promise<ReferenceImageTensor>;
  vector(name: string, size: number, kind: 'ones' | 'zeros'): Promise<Float32Array>;
  matrix(name: string, rows: number, cols: number): Promise<Float32Array>;
  bn(channels: number): Promise<{ runningMean: Float32Array; runningVar: Float32Array }>;
}

function params(weights: ReferenceWeights): Params {
  const read = async (name: string, shape: number[], init: Parameters<ReferenceWeights['read']>[2]): Promise<Float32Array> => {
    const result = await weights.read(name, shape, init);
    if (E.isLeft(result)) throw new Error(`reference: cannot read ${name}: ${JSON.stringify(result.left)}`);
    return result.right;
  };
  return {
    conv: async (name, x, outC, k, stride, pads) => {
      const weight = await read(`${name}.weight`, [outC, x.channels, k, k], { kind: 'linear', fanIn: x.channels * k * k });
      const bias = await read(`${name}.bias`, [outC], { kind: 'zeros' });
      return conv2d(x, weight, bias, outC, k, stride, pads);
    },
    vector: (name, size, kind) => read(name, [size], { kind }),
    matrix: (name, rows, cols) => read(name, [rows, cols], { kind: 'linear', fanIn: cols }),
    bn: async (channels) => ({ runningMean: await read('bn.running_mean', [channels], { kind: 'zeros' }), runningVar: await read('bn.running_var', [channels], { kind: 'ones' }) }),
  };
}

/** torch Conv2d: out[b, o, y, x] = bias[o] + sum over i, ky, kx of w[o, i, ky, kx] in[b, i, y s + ky - top, x s + kx - left] (zero outside). */
function conv2d(x: ReferenceImageTensor, w: Float32Array, bias: Float32Array, outC: number, k: number, stride: number, pads: readonly [number, number, number, number]): ReferenceImageTensor {
  const [top, left, bottom, right] = pads;
  const H = x.height;
  const W = x.width;
  const outH = Math.floor((H + top + bottom - k) / stride) + 1;
  const outW = Math.floor((W + left + right - k) / stride) + 1;
  const out = new Float64Array(x.batch * outC * outH * outW);
  for (let b = 0; b < x.batch; b++) {
    for (let o = 0; o < outC; o++) {
      for (let oy = 0; oy < outH; oy++) {
        for (let ox = 0; ox < outW; ox++) {
          let sum = bias[o]!;
          for (let i = 0; i < x.channels; i++) {
            for (let ky = 0; ky < k; ky++) {
              const iy = oy * stride + ky - top;
              if (iy < 0 || iy >= H) continue;
              for (let kx = 0; kx < k; kx++) {
                const ix = ox * stride + kx - left;
                if (ix < 0 || ix >= W) continue;
                sum += w[((o * x.channels + i) * k + ky) * k + kx]! * x.data[((b * x.channels + i) * H + iy) * W + ix]!;
              }
            }
          }
          out[((b * outC + o) * outH + oy) * outW + ox] = sum;
        }
      }
    }
  }
  return { data: out, batch: x.batch, channels: outC, height: outH, width: outW };
}

/** torch GroupNorm: mean and biased variance over each group's channels and positions, eps 1e-6, then per-channel weight and bias. */
async function groupNorm(p: Params, config: ReferenceFlux2VaeConfig, name: string, x: ReferenceImageTensor): Promise<ReferenceImageTensor> {
  const G = config.norm_num_groups;
  const weight = await p.vector(`${name}.weight`, x.channels, 'ones');
  const bias = await p.vector(`${name}.bias`, x.channels, 'zeros');
  const per = x.channels / G;
  const hw = x.height * x.width;
  const out = new Float64Array(x.data.length);
  for (let b = 0; b < x.batch; b++) {
    for (let g = 0; g < G; g++) {
      const start = (b * x.channels + g * per) * hw;
      const n = per * hw;
      let mean = 0;
      for (let i = 0; i < n; i++) mean += x.data[start + i]!;
      mean /= n;
      let variance = 0;
      for (let i = 0; i < n; i++) variance += (x.data[start + i]! - mean) ** 2;
      variance /= n;
      const inv = 1 / Math.sqrt(variance + 1e-6);
      for (let i = 0; i < n; i++) {
        const c = g * per + Math.floor(i / hw);
        out[start + i] = (x.data[start + i]! - mean) * inv * weight[c]! + bias[c]!;
      }
    }
  }
  return { ...x, data: out };
}

function silu(x: ReferenceImageTensor): ReferenceImageTensor {
  return { ...x, data: x.data.map((v) => v / (1 + Math.exp(-v))) };
}

function add(a: ReferenceImageTensor, b: ReferenceImageTensor): ReferenceImageTensor {
  return { ...a, data: a.data.map((v, i) => v + b.data[i]!) };
}

/** ResnetBlock2D, no time embedding: shortcut(x) + conv2(silu(norm2(conv1(silu(norm1(x)))))). */
async function resnet(p: Params, config: ReferenceFlux2VaeConfig, name: string, x: ReferenceImageTensor, outC: number): Promise<ReferenceImageTensor> {
  let h = silu(await groupNorm(p, config, `${name}.norm1`, x));
  h = await p.conv(`${name}.conv1`, h, outC, 3, 1, [1, 1, 1, 1]);
  h = silu(await groupNorm(p, config, `${name}.norm2`, h));
  h = await p.conv(`${name}.conv2`, h, outC, 3, 1, [1, 1, 1, 1]);
  const skip = x.channels === outC ? x : await p.conv(`${name}.conv_shortcut`, x, outC, 1, 1, [0, 0, 0, 0]);
  return add(skip, h);
}

/** UNetMidBlock2D: resnet, one-head attention with residual, resnet. */
async function mid(p: Params, config: ReferenceFlux2VaeConfig, name: string, x: ReferenceImageTensor): Promise<ReferenceImageTensor> {
  let h = await resnet(p, config, `${name}.resnets.0`, x, x.channels);
  if (config.mid_block_add_attention) h = await attention(p, config, `${name}.attentions.0`, h);
  return resnet(p, config, `${name}.resnets.1`, h, x.channels);
}

/** Attention over the H x W positions: group norm, q = W_q x + b_q (etc.), softmax(q k^T / sqrt(C)) v, to_out.0, plus the input. */
async function attention(p: Params, config: ReferenceFlux2VaeConfig, name: string, x: ReferenceImageTensor): Promise<ReferenceImageTensor> {
  const C = x.channels;
  const S = x.height * x.width;
  const normed = await groupNorm(p, config, `${name}.group_norm`, x);
  const project = async (proj: string, input: (b: number, s: number, c: number) => number, batch: number): Promise<Float64Array> => {
    const w = await p.matrix(`${name}.${proj}.weight`, C, C);
    const bias = await p.vector(`${name}.${proj}.bias`, C, 'zeros');
    const out = new Float64Array(batch * S * C);
    for (let b = 0; b < batch; b++) {
      for (let s = 0; s < S; s++) {
        for (let o = 0; o < C; o++) {
          let sum = bias[o]!;
          for (let c = 0; c < C; c++) sum += w[o * C + c]! * input(b, s, c);
          out[(b * S + s) * C + o] = sum;
        }
      }
    }
    return out;
  };
  const seq = (b: number, s: number, c: number) => normed.data[(b * C + c) * S + s]!;
  const q = await project('to_q', seq, x.batch);
  const k = await project('to_k', seq, x.batch);
  const v = await project('to_v', seq, x.batch);
  const mixed = new Float64Array(x.batch * S * C);
  const scale = 1 / Math.sqrt(C);
  const scores = new Float64Array(S);
  for (let b = 0; b < x.batch; b++) {
    for (let i = 0; i < S; i++) {
      let max = -Infinity;
      for (let j = 0; j < S; j++) {
        let dot = 0;
        for (let c = 0; c < C; c++) dot += q[(b * S + i) * C + c]! * k[(b * S + j) * C + c]!;
        scores[j] = dot * scale;
        max = Math.max(max, scores[j]!);
      }
      let total = 0;
      for (let j = 0; j < S; j++) total += scores[j] = Math.exp(scores[j]! - max);
      for (let c = 0; c < C; c++) {
        let sum = 0;
        for (let j = 0; j < S; j++) sum += (scores[j]! / total) * v[(b * S + j) * C + c]!;
        mixed[(b * S + i) * C + c] = sum;
      }
    }
  }
  const out = await project('to_out.0', (b, s, c) => mixed[(b * S + s) * C + c]!, x.batch);
  const data = new Float64Array(x.data.length);
  for (let b = 0; b < x.batch; b++) for (let c = 0; c < C; c++) for (let s = 0; s < S; s++) data[(b * C + c) * S + s] = out[(b * S + s) * C + c]! + x.data[(b * C + c) * S + s]!;
  return { ...x, data };
}

/** F.interpolate(scale_factor=2, mode="nearest"): out[y, x] = in[floor(y / 2), floor(x / 2)]. */
function nearest2x(x: ReferenceImageTensor): ReferenceImageTensor {
  const H = x.height * 2;
  const W = x.width * 2;
  const data = new Float64Array(x.batch * x.channels * H * W);
  for (let bc = 0; bc < x.batch * x.channels; bc++) {
    for (let y = 0; y < H; y++) for (let xx = 0; xx < W; xx++) data[(bc * H + y) * W + xx] = x.data[(bc * x.height + (y >> 1)) * x.width + (xx >> 1)]!;
  }
  return { ...x, data, height: H, width: W };
}

function firstChannels(x: ReferenceImageTensor, channels: number): ReferenceImageTensor {
  const hw = x.height * x.width;
  const data = new Float64Array(x.batch * channels * hw);
  for (let b = 0; b < x.batch; b++) data.set(x.data.subarray(b * x.channels * hw, (b * x.channels + channels) * hw), b * channels * hw);
  return { ...x, data, channels };
}

/** `_patchify_latents`: view (B, C, H/2, 2, W/2, 2), permute (0, 1, 3, 5, 2, 4), reshape (B, 4C, H/2, W/2). */
function patchify(x: ReferenceImageTensor): ReferenceImageTensor {
  const h = x.height / 2;
  const w = x.width / 2;
  const data = new Float64Array(x.data.length);
  for (let b = 0; b < x.batch; b++) {
    for (let c = 0; c < x.channels; c++) {
      for (let dy = 0; dy < 2; dy++) {
        for (let dx = 0; dx < 2; dx++) {
          for (let i = 0; i < h; i++) {
            for (let j = 0; j < w; j++) {
              // The permuted order is (b, c, dy, dx, i, j): the flat index of that order.
              const target = ((((b * x.channels + c) * 2 + dy) * 2 + dx) * h + i) * w + j;
              data[target] = x.data[((b * x.channels + c) * x.height + 2 * i + dy) * x.width + 2 * j + dx]!;
            }
          }
        }
      }
    }
  }
  return { data, batch: x.batch, channels: x.channels * 4, height: h, width: w };
}

/** `_unpatchify_latents`: reshape (B, C/4, 2, 2, H, W), permute (0, 1, 4, 2, 5, 3), reshape (B, C/4, 2H, 2W). */
function unpatchify(x: ReferenceImageTensor): ReferenceImageTensor {
  const c4 = x.channels / 4;
  const H = x.height * 2;
  const W = x.width * 2;
  const data = new Float64Array(x.data.length);
  for (let b = 0; b < x.batch; b++) {
    for (let c = 0; c < c4; c++) {
      for (let i = 0; i < x.height; i++) {
        for (let dy = 0; dy < 2; dy++) {
          for (let j = 0; j < x.width; j++) {
            for (let dx = 0; dx < 2; dx++) {
              const source = ((((b * c4 + c) * 2 + dy) * 2 + dx) * x.height + i) * x.width + j;
              data[((b * c4 + c) * H + 2 * i + dy) * W + 2 * j + dx] = x.data[source]!;
            }
          }
        }
      }
    }
  }
  return { data, batch: x.batch, channels: c4, height: H, width: W };
}
