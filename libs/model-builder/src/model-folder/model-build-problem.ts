import { describeFileProblem, HUB_REPO_ID_FORM, SEED_RANGE, type ErrorDescription } from '@moral-plantain/formats';
import { describeGraphBuildError, type GraphBuildError } from '../graph-weights/graph-build-error.js';
import { describeConfigProblem, type ConfigProblem } from '../model-config/config-problem.js';
import { describeQuantizationProblem, QUANTIZATION_NAMES, type QuantizationProblem } from '../quantization/quantization-options.js';
import { describeWeightError } from '../weights/checkpoint-weights.js';
import type { WeightError } from '../weights/weight-source.js';
import type { HubSnapshotMissing } from '../hub/hub-cache.js';
import { KLEIN_TEXT_LAYERS } from './text-layers.js';

/** One reason a model folder cannot be planned or built; a plan or a build reports every one it finds. */
export type ModelBuildProblem =
  | { readonly _tag: 'ConflictingOptions'; readonly options: readonly string[]; readonly hint: string }
  | { readonly _tag: 'TextEncoderRequired' }
  | { readonly _tag: 'InvalidSeed'; readonly value: number }
  | { readonly _tag: 'InvalidTextLayers'; readonly layers: readonly number[] }
  | { readonly _tag: 'TextLayersNeeded'; readonly depth: number; readonly suggestion: readonly number[] }
  | { readonly _tag: 'TextLayersBeyondEncoder'; readonly layers: readonly number[]; readonly depth: number; readonly suggestion: readonly number[] }
  | { readonly _tag: 'InvalidBaseModel'; readonly value: string }
  | { readonly _tag: 'BaseModelWithoutCheckpoint' }
  | { readonly _tag: 'UnknownQuantization'; readonly value: string }
  | { readonly _tag: 'QuantizationOptionWithoutQuantize'; readonly option: string }
  | QuantizationProblem
  | { readonly _tag: 'TransformerConfig'; readonly problem: ConfigProblem }
  | { readonly _tag: 'TextEncoderConfig'; readonly problem: ConfigProblem }
  | { readonly _tag: 'Checkpoint'; readonly error: WeightError }
  | { readonly _tag: 'TextWidthMismatch'; readonly layers: number; readonly hidden: number; readonly jointAttentionDim: number }
  | { readonly _tag: 'TransformerFailed'; readonly error: GraphBuildError }
  | { readonly _tag: 'TextEncoderFailed'; readonly error: GraphBuildError }
  | { readonly _tag: 'VaeConfig'; readonly problem: ConfigProblem }
  | { readonly _tag: 'VaeFailed'; readonly error: GraphBuildError }
  | { readonly _tag: 'VaeChannelMismatch'; readonly patchedChannels: number; readonly inChannels: number }
  | { readonly _tag: 'PipelineFile'; readonly path: string; readonly reason: string }
  | { readonly _tag: 'WriteFailed'; readonly path: string; readonly reason: string }
  | { readonly _tag: 'OutNotModelFolder'; readonly path: string }
  | { readonly _tag: 'HubSnapshotIncomplete'; readonly repoId: string; readonly revision: string; readonly commit: string }
  | HubSnapshotMissing;

/** What is wrong with a model build, and what to do. */
export function describeModelBuildProblem(problem: ModelBuildProblem): ErrorDescription {
  switch (problem._tag) {
    case 'ConflictingOptions':
      return { message: `${problem.options.join(' and ')} exclude each other.`, hint: problem.hint };
    case 'TextEncoderRequired':
      return {
        message: 'A checkpoint transformer needs its text encoder: checkpoint weights were given without a text encoder.',
        hint: 'Add --text-encoder DIR (the Hugging Face Qwen3 folder), or --no-text-encoder to give prompt embeddings from prompt_embeds.safetensors.',
      };
    case 'InvalidSeed':
      return { message: `The weight seed ${problem.value} is not a seed.`, hint: `Give ${SEED_RANGE}, e.g. --seed 0.` };
    case 'InvalidTextLayers':
      return { message: `The text layers [${problem.layers.join(', ')}] are not a list of hidden-state indices.`, hint: 'Give non-negative integers, e.g. --text-layers 9,18,27.' };
    case 'TextLayersNeeded':
      return {
        message: `The text encoder has ${problem.depth} decoder layers (hidden states 0 to ${problem.depth}): too few for FLUX.2 klein's text layers ${KLEIN_TEXT_LAYERS.join(', ')}, and a checkpoint does not record which hidden states its transformer was trained on.`,
        hint: `Name them with --text-layers (layers x hidden size must equal the transformer's joint_attention_dim), e.g. --text-layers ${problem.suggestion.join(',')}.`,
      };
    case 'TextLayersBeyondEncoder':
      return {
        message: `The text layers [${problem.layers.join(', ')}] ask for hidden states the text encoder does not have: it has ${problem.depth} decoder layers (hidden states 0 to ${problem.depth}).`,
        hint: `Give --text-layers from 0 to ${problem.depth}, e.g. --text-layers ${problem.suggestion.join(',')}.`,
      };
    case 'InvalidBaseModel':
      return { message: `The base model ${JSON.stringify(problem.value)} is not a Hugging Face repo id.`, hint: `Give ${HUB_REPO_ID_FORM}.` };
    case 'BaseModelWithoutCheckpoint':
      return {
        message: 'A base model names the checkpoint the transformer weights come from, but this build gives the transformer seeded random weights.',
        hint: 'Give the checkpoint with --weights, or leave out --base-model (a random-init control has no base model).',
      };
    case 'UnknownQuantization':
      return { message: `There is no quantization ${JSON.stringify(problem.value)}.`, hint: `Give --quantize ${Object.keys(QUANTIZATION_NAMES).join(' or --quantize ')}.` };
    case 'QuantizationOptionWithoutQuantize':
      return { message: `${problem.option} sets how weights are quantized, but this build does not quantize them.`, hint: `Add --quantize int8 or --quantize int4, or leave out ${problem.option}.` };
    case 'InvalidQuantization':
      return describeQuantizationProblem(problem);
    case 'TransformerConfig':
      return describeConfigProblem(problem.problem, 'FLUX.2');
    case 'TextEncoderConfig':
      return describeConfigProblem(problem.problem, 'Qwen3');
    case 'Checkpoint':
      return describeWeightError(problem.error);
    case 'TextWidthMismatch':
      return {
        message: `The text encoder gives ${problem.layers} x ${problem.hidden} = ${problem.layers * problem.hidden} channels but the transformer's joint_attention_dim is ${problem.jointAttentionDim}.`,
        hint: 'Choose text layers (--text-layers) so that layers x hidden size matches, or build without a text encoder (--no-text-encoder).',
      };
    case 'TransformerFailed':
      return describeGraphBuildError(problem.error, 'FLUX.2');
    case 'TextEncoderFailed':
      return describeGraphBuildError(problem.error, 'Qwen3');
    case 'VaeConfig':
      return describeConfigProblem(problem.problem, 'FLUX.2 VAE');
    case 'VaeFailed':
      return describeGraphBuildError(problem.error, 'FLUX.2 VAE');
    case 'VaeChannelMismatch':
      return {
        message: `The VAE gives ${problem.patchedChannels} channels per image token (4 x latent_channels) but the transformer's in_channels is ${problem.inChannels}.`,
        hint: 'Give the VAE of the same pipeline as the transformer (its vae/ folder), or build without one (--no-vae).',
      };
    case 'HubSnapshotMissing': {
      const revision = problem.revision === 'main' ? '' : ` --revision ${problem.revision}`;
      return {
        message: `${problem.repoId}${problem.revision === 'main' ? '' : ` at revision ${problem.revision}`} is not in the Hugging Face cache ${problem.cacheDir}: ${problem.reason}.`,
        hint: `Download it first with \`hf download ${problem.repoId}${revision}\` (or \`huggingface-cli download ${problem.repoId}${revision}\`); moral-plantain never downloads. If your cache is elsewhere, set HF_HUB_CACHE or HF_HOME.`,
      };
    }
    case 'HubSnapshotIncomplete': {
      const revision = problem.revision === 'main' ? '' : ` --revision ${problem.revision}`;
      return {
        message: `The snapshot of ${problem.repoId} in the Hugging Face cache (commit ${problem.commit.slice(0, 12)}) lacks files the build needs: a download limited with --include, or one cut short.`,
        hint: `Download the whole repo with \`hf download ${problem.repoId}${revision}\` (it fetches only what is missing); moral-plantain never downloads.`,
      };
    }
    case 'PipelineFile':
      return { message: `Cannot use ${problem.path}: ${problem.reason}.`, hint: 'Give the folder of a diffusers FLUX.2 pipeline (model_index.json, transformer/, text_encoder/, vae/, scheduler/, tokenizer/), as the Hugging Face Hub client downloads it.' };
    case 'WriteFailed':
      return describeFileProblem('write', problem.path, problem.reason);
    case 'OutNotModelFolder':
      return { message: `${problem.path} already exists and is not a model folder moral-plantain built; it is left as it is.`, hint: 'Choose another --out, or remove that folder first.' };
  }
}
