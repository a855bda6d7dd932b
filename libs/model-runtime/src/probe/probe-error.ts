import { describeFileProblem, type ErrorDescription } from '@moral-plantain/formats';
import { describeHooksError, type HooksErrors } from '@moral-plantain/hooks';
import { describeImageError, type ImageError } from '../image/image-error.js';
import { describeSessionError, type SessionError } from '../session/session-error.js';
import { describeTextError, type TextError } from '../text/text-error.js';

/** Why a probe run or an image generation failed. */
export type ProbeError =
  | { readonly _tag: 'InvalidProbeOption'; readonly option: string; readonly reason: string }
  | { readonly _tag: 'TapFailed'; readonly errors: HooksErrors }
  | { readonly _tag: 'Session'; readonly error: SessionError }
  | { readonly _tag: 'Text'; readonly error: TextError }
  | { readonly _tag: 'NoTextSource'; readonly dir: string }
  | { readonly _tag: 'NoTokenizer' }
  | { readonly _tag: 'BadEmbeddings'; readonly path: string; readonly reason: string }
  | { readonly _tag: 'MissingEmbedding'; readonly path: string; readonly prompt: string }
  | { readonly _tag: 'BadModelIo'; readonly model: string; readonly reason: string }
  | { readonly _tag: 'WriteFailed'; readonly path: string; readonly reason: string }
  | { readonly _tag: 'NoVae'; readonly dir: string; readonly needed: string }
  | { readonly _tag: 'Image'; readonly error: ImageError }
  | { readonly _tag: 'Aborted'; readonly done: number; readonly total: number };

/** What went wrong with a probe run or a generation, and what to do about it. */
export function describeProbeError(error: ProbeError): ErrorDescription {
  switch (error._tag) {
    case 'InvalidProbeOption':
      return { message: `Probe option ${error.option} ${error.reason}.`, hint: 'Fix the option and run again.' };
    case 'TapFailed': {
      const [first, ...rest] = error.errors.map(describeHooksError);
      return { message: [first.message, ...rest.map((r) => r.message)].join(' '), hint: first.hint };
    }
    case 'Session':
      return describeSessionError(error.error);
    case 'Text':
      return describeTextError(error.error);
    case 'NoTextSource':
      return { message: `${error.dir} has no text encoder (text_encoder.onnx) and no prompt embeddings (prompt_embeds.safetensors).`, hint: 'Add a text encoder with `moral-plantain model build --text-encoder`, or give a prompt embeddings file.' };
    case 'NoTokenizer':
      return { message: 'The model has a text encoder but the probe was given no tokenizer.', hint: 'Pass the Qwen3 tokenizer (`qwen3Tokenize` of this package) as `tokenize`.' };
    case 'BadEmbeddings':
      return { message: `The prompt embeddings file ${error.path} ${error.reason}.`, hint: 'Write one tensor [S_txt, D_txt] per prompt named by its text, or prompt_embeds [N, S_txt, D_txt] with metadata "prompts".' };
    case 'MissingEmbedding':
      return { message: `The prompt embeddings file ${error.path} has no embedding for the prompt ${JSON.stringify(error.prompt)}.`, hint: 'Add a tensor named by that exact prompt text (or a row of prompt_embeds).' };
    case 'BadModelIo':
      return { message: `${error.model}: ${error.reason}.`, hint: 'Run `moral-plantain model info` on the folder to see its inputs.' };
    case 'WriteFailed':
      return describeFileProblem('write', error.path, error.reason);
    case 'NoVae':
      return {
        message: `${error.dir} has no VAE (vae_encoder.onnx and vae_decoder.onnx), which ${error.needed} needs.`,
        hint: 'Build the folder with a VAE: `moral-plantain model build --vae <pipeline>/vae` (or --from <pipeline folder>, or --vae-preset for seeded weights).',
      };
    case 'Image':
      return describeImageError(error.error);
    case 'Aborted':
      return { message: `The probe was stopped after ${error.done} of ${error.total} prompts.`, hint: 'Run it again with the same cache folder to continue where it stopped.' };
  }
}

/** A model's inputs or outputs do not fit the probe. */
export function badIo(model: string, reason: string): ProbeError {
  return { _tag: 'BadModelIo', model, reason };
}
