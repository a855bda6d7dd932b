import * as E from 'fp-ts/lib/Either.js';
import { parseWholeNumber, parseWholeNumberList } from '@moral-plantain/formats';

/** The weight quantizations a command may ask of a model it builds (`--quantize`). */
export const RUN_QUANTIZATIONS = ['int8', 'int4'] as const;

/** A weight quantization a command may ask of a model it builds. */
export type RunQuantization = (typeof RUN_QUANTIZATIONS)[number];

/** Which model a command uses, and how it is built when it is a diffusers pipeline folder or a Hugging Face repo id (`run`, `generate`). */
export interface ModelSourceSettings {
  /**
   * A model folder, a diffusers pipeline folder or a Hugging Face repo id (`org/name`, found in the
   * local Hugging Face cache; the ONNX folder is built once into our cache), or null for the
   * embedded tiny model.
   */
  readonly model: string | null;
  /** With a repo id as `model`: the branch, tag or commit of its snapshot (null: `main`). */
  readonly revision: string | null;
  /**
   * With a pipeline folder or a repo id as `model`: the text encoder's hidden states concatenated
   * as the prompt embedding, a build option (null: klein's 9, 18, 27 when the encoder has them).
   */
  readonly textLayers: readonly number[] | null;
  /** With a pipeline folder or a repo id as `model`: build with weight-only quantization, a build option (null: float weights). */
  readonly quantize: RunQuantization | null;
  /** With `quantize`: the quantization block size, a build option (null: the builder's, 128). */
  readonly quantBlockSize: number | null;
}

/** The model-source settings' names and their options' names. */
export const MODEL_SOURCE_KEYS: Readonly<Record<keyof ModelSourceSettings, string>> = {
  model: 'model',
  revision: 'revision',
  textLayers: 'text-layers',
  quantize: 'quantize',
  quantBlockSize: 'quant-block-size',
};

/**
 * Resolves the model-source settings from raw values (text or numbers; null/undefined: not given):
 * each parsed, then checked together (a revision, text layers or quantization needs a model to
 * build). Every problem names its option (`quantize must be int8 or int4, got "int2"`).
 */
export function resolveModelSourceSettings(raw: Partial<Record<keyof ModelSourceSettings, unknown>>): { readonly settings: ModelSourceSettings; readonly problems: string[] } {
  const problems: string[] = [];
  const text = (key: keyof ModelSourceSettings): string | null => (raw[key] === null || raw[key] === undefined || String(raw[key]).trim() === '' ? null : String(raw[key]).trim());
  const parsed = <T>(key: keyof ModelSourceSettings, parse: (value: string) => E.Either<string, T>): T | null => {
    const value = text(key);
    if (value === null) return null;
    const result = parse(value);
    if (E.isRight(result)) return result.right;
    problems.push(`${MODEL_SOURCE_KEYS[key]} ${result.left}`);
    return null;
  };
  const settings: ModelSourceSettings = {
    model: raw.model === null || raw.model === undefined ? null : String(raw.model),
    revision: text('revision'),
    textLayers: parsed('textLayers', parseWholeNumberList),
    quantize: parsed('quantize', (value) => ((RUN_QUANTIZATIONS as readonly string[]).includes(value) ? E.right(value as RunQuantization) : E.left(`must be ${RUN_QUANTIZATIONS.join(' or ')}, got "${value}"`))),
    quantBlockSize: parsed('quantBlockSize', (value) => parseWholeNumber(value, 16, 1 << 20)),
  };
  if (settings.revision !== null && settings.model === null) problems.push('revision needs model: a Hugging Face repo id whose snapshot to use');
  if (text('textLayers') !== null && settings.model === null) problems.push('text-layers needs model: a diffusers pipeline folder or a Hugging Face repo id to build with them');
  if (text('quantize') !== null && settings.model === null) problems.push('quantize needs model: a diffusers pipeline folder or a Hugging Face repo id to build quantized');
  if (text('quantBlockSize') !== null && text('quantize') === null) problems.push('quant-block-size needs quantize (int8 or int4)');
  return { settings, problems };
}
