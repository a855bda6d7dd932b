import * as E from 'fp-ts/lib/Either.js';

/** The input naming conventions of FLUX.2 transformer exports. */
export type TransformerNaming = 'diffusers' | 'bfl';

/** The graph names of a FLUX.2 transformer's inputs and its prediction output. */
export interface TransformerIo {
  readonly naming: TransformerNaming;
  /** Noise latents [B, S_img, C]. */
  readonly latents: string;
  /** Prompt embeddings [B, S_txt, D_txt]. */
  readonly text: string;
  /** Sigma [B]. */
  readonly timestep: string;
  /** Image position ids [S_img, 4] (or [B, S_img, 4]). */
  readonly imageIds: string;
  /** Text position ids [S_txt, 4] (or [B, S_txt, 4]). */
  readonly textIds: string;
  /** The velocity prediction output. */
  readonly prediction: string;
}

/** Diffusers input names (`Flux2Transformer2DModel.forward`), as our graphs and most community exports use. */
export const DIFFUSERS_IO: TransformerIo = { naming: 'diffusers', latents: 'hidden_states', text: 'encoder_hidden_states', timestep: 'timestep', imageIds: 'img_ids', textIds: 'txt_ids', prediction: 'noise_pred' };

/** Black Forest Labs' input names (`flux2` repository). */
export const BFL_IO: TransformerIo = { naming: 'bfl', latents: 'x', text: 'ctx', timestep: 'timesteps', imageIds: 'x_ids', textIds: 'ctx_ids', prediction: 'pred' };

/** The graph names of a text encoder's inputs and output. */
export interface TextEncoderIo {
  readonly inputIds: string;
  readonly attentionMask: string;
  readonly embeddings: string;
}

/** Why a graph's inputs are not those of a known convention. */
export type NamingError =
  | { readonly _tag: 'UnknownTransformerNaming'; readonly inputs: readonly string[]; readonly outputs: readonly string[] }
  | { readonly _tag: 'UnknownTextEncoderNaming'; readonly inputs: readonly string[]; readonly outputs: readonly string[] };

/**
 * Detects the naming of a FLUX.2 transformer from its graph inputs (all five inputs of one convention
 * must be present) and picks its prediction output (the convention's name, else the first output
 * that is not a tap).
 */
export function detectTransformerIo(inputs: readonly string[], outputs: readonly string[]): E.Either<NamingError, TransformerIo> {
  const names = new Set(inputs);
  const io = [DIFFUSERS_IO, BFL_IO].find((c) => [c.latents, c.text, c.timestep, c.imageIds, c.textIds].every((n) => names.has(n)));
  const prediction = io && (outputs.includes(io.prediction) ? io.prediction : outputs.find((o) => !o.startsWith('tap/') && !o.startsWith('raw/')));
  if (!io || prediction === undefined) return E.left({ _tag: 'UnknownTransformerNaming', inputs, outputs });
  return E.right({ ...io, prediction });
}

/** Detects a text encoder's inputs (`input_ids`, `attention_mask`) and its embeddings output (`prompt_embeds`, else the only output). */
export function detectTextEncoderIo(inputs: readonly string[], outputs: readonly string[]): E.Either<NamingError, TextEncoderIo> {
  const embeddings = outputs.includes('prompt_embeds') ? 'prompt_embeds' : outputs.length === 1 ? outputs[0] : undefined;
  if (!inputs.includes('input_ids') || !inputs.includes('attention_mask') || embeddings === undefined) return E.left({ _tag: 'UnknownTextEncoderNaming', inputs, outputs });
  return E.right({ inputIds: 'input_ids', attentionMask: 'attention_mask', embeddings });
}
