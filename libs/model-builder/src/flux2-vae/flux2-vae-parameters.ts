import { flux2VaeDecoderChannels, flux2VaePatchedChannels, type Flux2VaeConfig } from './flux2-vae-config.js';

/** One parameter of a FLUX.2 VAE graph: its diffusers name and torch shape ([out, in, kh, kw] for a Conv2d, [out, in] for a Linear). */
export interface Flux2VaeParameter {
  readonly name: string;
  readonly shape: readonly number[];
}

/** The two graphs of a FLUX.2 VAE. */
export type Flux2VaePart = 'encoder' | 'decoder';

/**
 * Every parameter one graph of a diffusers `AutoencoderKLFlux2` of this config reads, by name and
 * torch shape, in the order the graph builder reads them: the encoder graph (encoder, quant_conv,
 * the `bn` running statistics) or the decoder graph (the `bn` statistics, post_quant_conv,
 * decoder). `bn.num_batches_tracked` is in every checkpoint but no graph reads it.
 */
export function flux2VaeParameterShapes(config: Flux2VaeConfig, part: Flux2VaePart): Flux2VaeParameter[] {
  const out: Flux2VaeParameter[] = [];
  const add = (name: string, ...shape: number[]): void => void out.push({ name, shape });
  const conv = (name: string, outC: number, inC: number, k: number): void => {
    add(`${name}.weight`, outC, inC, k, k);
    add(`${name}.bias`, outC);
  };
  const norm = (name: string, c: number): void => {
    add(`${name}.weight`, c);
    add(`${name}.bias`, c);
  };
  const resnet = (name: string, inC: number, outC: number): void => {
    norm(`${name}.norm1`, inC);
    conv(`${name}.conv1`, outC, inC, 3);
    norm(`${name}.norm2`, outC);
    conv(`${name}.conv2`, outC, outC, 3);
    if (inC !== outC) conv(`${name}.conv_shortcut`, outC, inC, 1);
  };
  const mid = (name: string, c: number): void => {
    resnet(`${name}.resnets.0`, c, c);
    if (config.mid_block_add_attention) {
      norm(`${name}.attentions.0.group_norm`, c);
      for (const proj of ['to_q', 'to_k', 'to_v', 'to_out.0']) {
        add(`${name}.attentions.0.${proj}.weight`, c, c);
        add(`${name}.attentions.0.${proj}.bias`, c);
      }
    }
    resnet(`${name}.resnets.1`, c, c);
  };
  const latent = config.latent_channels;
  const patched = flux2VaePatchedChannels(config);
  if (part === 'encoder') {
    const channels = config.block_out_channels;
    conv('encoder.conv_in', channels[0]!, config.in_channels, 3);
    channels.forEach((outC, i) => {
      const inC = i === 0 ? channels[0]! : channels[i - 1]!;
      for (let j = 0; j < config.layers_per_block; j++) resnet(`encoder.down_blocks.${i}.resnets.${j}`, j === 0 ? inC : outC, outC);
      if (i < channels.length - 1) conv(`encoder.down_blocks.${i}.downsamplers.0.conv`, outC, outC, 3);
    });
    const last = channels.at(-1)!;
    mid('encoder.mid_block', last);
    norm('encoder.conv_norm_out', last);
    conv('encoder.conv_out', 2 * latent, last, 3);
    if (config.use_quant_conv) conv('quant_conv', 2 * latent, 2 * latent, 1);
    add('bn.running_mean', patched);
    add('bn.running_var', patched);
    return out;
  }
  const channels = flux2VaeDecoderChannels(config);
  const reversed = [...channels].reverse();
  add('bn.running_mean', patched);
  add('bn.running_var', patched);
  if (config.use_post_quant_conv) conv('post_quant_conv', latent, latent, 1);
  conv('decoder.conv_in', reversed[0]!, latent, 3);
  mid('decoder.mid_block', reversed[0]!);
  reversed.forEach((outC, i) => {
    const inC = i === 0 ? reversed[0]! : reversed[i - 1]!;
    for (let j = 0; j < config.layers_per_block + 1; j++) resnet(`decoder.up_blocks.${i}.resnets.${j}`, j === 0 ? inC : outC, outC);
    if (i < reversed.length - 1) conv(`decoder.up_blocks.${i}.upsamplers.0.conv`, outC, outC, 3);
  });
  norm('decoder.conv_norm_out', channels[0]!);
  conv('decoder.conv_out', config.out_channels, channels[0]!, 3);
  return out;
}

/** Checkpoint tensors no VAE graph reads: the batch counter of the `bn` statistics (an I64 scalar, training only). */
export function isSkippableFlux2VaeTensor(name: string): boolean {
  return name === 'bn.num_batches_tracked';
}
