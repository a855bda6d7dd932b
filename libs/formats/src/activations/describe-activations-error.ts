import type { ErrorDescription } from '../error-description.js';
import { describeSafetensorsError } from '../safetensors/safetensors-error.js';
import type { ActivationsError } from './activations-file.js';
import { describeFileProblem } from '../file-system-error.js';

/** What is wrong with an activations file, and what to do. */
export function describeActivationsError(error: ActivationsError): ErrorDescription {
  const hint = 'An activations file holds float tensors "a" and "b" of shape [pairs, units] (see `moral-plantain run`).';
  switch (error._tag) {
    case 'Unreadable':
      return describeFileProblem('read', error.path, error.reason);
    case 'NotSafetensors':
      return { message: `Not a valid safetensors file: ${describeSafetensorsError(error.detail).message}`, hint };
    case 'MissingTensor':
      return { message: `The file has no tensor "${error.name}" (it has: ${error.present.join(', ') || 'none'}).`, hint };
    case 'BadTensor':
      return { message: `Tensor "${error.name}" has ${error.reason}.`, hint };
    case 'ShapeMismatch':
      return { message: `Tensors a and b differ in shape: [${error.a.join(', ')}] vs [${error.b.join(', ')}].`, hint };
    case 'BadMetadata':
      return { message: `Metadata "${error.key}" ${error.reason}.`, hint };
  }
}
