import { readFile } from 'node:fs/promises';
import * as E from 'fp-ts/lib/Either.js';
import { decodeFloats, decodeSafetensors, describeSafetensorsError, type SafetensorsTensor } from '@moral-plantain/formats';

/** Name of the stacked tensor in a prompt embeddings file. */
export const STACKED_EMBEDDINGS_TENSOR = 'prompt_embeds';

/** One prompt's text embedding [tokens, width], as float32. */
export interface PromptEmbedding {
  readonly data: Float32Array;
  readonly tokens: number;
  readonly width: number;
}

/**
 * Precomputed prompt embeddings, for model folders without a text encoder. A safetensors file
 * (F32, F16 or BF16) in either layout:
 * - one tensor per prompt, named by the exact prompt text, of shape [S_txt, D_txt] or [1, S_txt, D_txt];
 * - one tensor `prompt_embeds` [N, S_txt, D_txt] with `__metadata__.prompts` a JSON array of the N
 *   prompt texts in row order.
 * A per-prompt tensor wins over a row of the stacked one.
 */
export interface PromptEmbeddings {
  readonly path: string;
  /** The embedding of a prompt, or null when the file has none for it. */
  lookup(prompt: string): PromptEmbedding | null;
}

/** Reads a prompt embeddings file (see `PromptEmbeddings` for the layout); a malformed file is an error naming what is wrong. */
export async function readPromptEmbeddings(file: string): Promise<E.Either<string, PromptEmbeddings>> {
  const bytes = await readFile(file).catch((error: unknown) => error as Error);
  if (bytes instanceof Error) return E.left(`cannot be read (${(bytes as NodeJS.ErrnoException).code ?? bytes.message})`);
  const decoded = decodeSafetensors(bytes);
  if (E.isLeft(decoded)) return E.left(`is not a valid safetensors file (${describeSafetensorsError(decoded.left).message})`);
  const { tensors, metadata } = decoded.right;
  const problems: string[] = [];
  const rows = new Map<string, number>();
  const stacked = tensors.get(STACKED_EMBEDDINGS_TENSOR);
  if (stacked) {
    let prompts: unknown = null;
    try {
      prompts = JSON.parse(metadata.prompts ?? 'null');
    } catch {
      prompts = null;
    }
    if (stacked.shape.length !== 3) problems.push(`tensor ${STACKED_EMBEDDINGS_TENSOR} has shape [${stacked.shape.join(', ')}], expected [N, S_txt, D_txt]`);
    else if (!Array.isArray(prompts) || !prompts.every((p) => typeof p === 'string') || prompts.length !== stacked.shape[0]) {
      problems.push(`metadata "prompts" must be a JSON array of the ${stacked.shape[0]} prompt texts of ${STACKED_EMBEDDINGS_TENSOR}`);
    } else (prompts as string[]).forEach((p, i) => rows.set(p, i));
  }
  for (const [name, tensor] of tensors) {
    if (name === STACKED_EMBEDDINGS_TENSOR) continue;
    const ok = tensor.shape.length === 2 || (tensor.shape.length === 3 && tensor.shape[0] === 1);
    if (!ok) problems.push(`tensor ${JSON.stringify(name)} has shape [${tensor.shape.join(', ')}], expected [S_txt, D_txt]`);
  }
  for (const [name, tensor] of tensors) {
    if (!['F32', 'F16', 'BF16'].includes(tensor.dtype)) problems.push(`tensor ${JSON.stringify(name)} is ${tensor.dtype}, expected F32, F16 or BF16`);
  }
  if (problems.length > 0) return E.left(problems.join('; '));
  return E.right({
    path: file,
    lookup(prompt: string): PromptEmbedding | null {
      const own = tensors.get(prompt);
      if (own && prompt !== STACKED_EMBEDDINGS_TENSOR) return toEmbedding(own, 0);
      const row = rows.get(prompt);
      return row === undefined || !stacked ? null : toEmbedding(stacked, row);
    },
  });
}

function toEmbedding(tensor: SafetensorsTensor, row: number): PromptEmbedding {
  const [tokens, width] = tensor.shape.slice(-2) as [number, number];
  const elementBytes = tensor.bytes.length / tensor.shape.reduce((a, b) => a * b, 1);
  const rowBytes = tokens * width * elementBytes;
  const bytes = tensor.bytes.subarray(row * rowBytes, (row + 1) * rowBytes);
  return { data: decodeFloats(bytes, tensor.dtype, Float32Array)!, tokens, width };
}
