import type { ErrorDescription } from '../error-description.js';
import { describeFileProblem } from '../file-system-error.js';

/** Why bytes or a file are not a valid safetensors file. */
export type SafetensorsError =
  | { readonly _tag: 'Unreadable'; readonly path: string; readonly reason: string }
  | { readonly _tag: 'Truncated'; readonly needed: number; readonly actual: number }
  | { readonly _tag: 'BadHeader'; readonly reason: string }
  | { readonly _tag: 'BadTensor'; readonly tensor: string; readonly reason: string };

/** What is wrong with a safetensors file, and what to do. */
export function describeSafetensorsError(error: SafetensorsError): ErrorDescription {
  const hint = 'Check that the file was written completely by a safetensors writer (e.g. safetensors.numpy.save_file).';
  switch (error._tag) {
    case 'Unreadable':
      return describeFileProblem('read', error.path, error.reason);
    case 'Truncated':
      return { message: `The safetensors file is truncated: it needs ${error.needed} bytes and has ${error.actual}.`, hint };
    case 'BadHeader':
      return { message: `The safetensors header is invalid: ${error.reason}.`, hint };
    case 'BadTensor':
      return { message: `Tensor ${JSON.stringify(error.tensor)} of the safetensors file ${error.reason}.`, hint };
  }
}
