import type { ReadonlyNonEmptyArray } from 'fp-ts/lib/ReadonlyNonEmptyArray.js';
import { describeFileProblem, type ErrorDescription } from '@moral-plantain/formats';

/** An expected failure of this library, as a tagged union; `describeHooksError` words it for people. */
export type HooksError =
  | { readonly _tag: 'DecodeFailed'; readonly source: string; readonly reason: string }
  | { readonly _tag: 'FileReadFailed'; readonly path: string; readonly reason: string }
  | { readonly _tag: 'FileWriteFailed'; readonly path: string; readonly reason: string }
  | { readonly _tag: 'MissingGraph'; readonly source: string }
  | { readonly _tag: 'ExternalDataLocationInvalid'; readonly tensor: string; readonly location: string; readonly reason: 'absolute' | 'escapes' | 'missing' }
  | { readonly _tag: 'SelectorMatchedNothing'; readonly selector: string; readonly nearest: readonly string[] }
  | { readonly _tag: 'UnknownPreset'; readonly preset: string; readonly known: readonly string[] }
  | { readonly _tag: 'NothingSelected' }
  | { readonly _tag: 'InvalidOption'; readonly option: string; readonly reason: string }
  | { readonly _tag: 'UnitWidthDoesNotDivide'; readonly module: string; readonly channels: number; readonly unitWidth: number }
  | { readonly _tag: 'RangeOutOfBounds'; readonly module: string; readonly what: 'channels' | 'tokens'; readonly range: string; readonly size: number }
  | { readonly _tag: 'WidthUnknown'; readonly module: string; readonly node: string }
  | { readonly _tag: 'NameTaken'; readonly name: string };

/** All problems found at once (applicative validation): never empty. */
export type HooksErrors = ReadonlyNonEmptyArray<HooksError>;

/** Words a HooksError for people: what went wrong, and what to do. */
export function describeHooksError(error: HooksError): ErrorDescription {
  switch (error._tag) {
    case 'DecodeFailed':
      return { message: `${error.source} is not a readable ONNX model (${error.reason}).`, hint: 'Check that the file is an ONNX ModelProto and was copied completely.' };
    case 'FileReadFailed':
      return describeFileProblem('read', error.path, error.reason);
    case 'FileWriteFailed':
      return describeFileProblem('write', error.path, error.reason);
    case 'MissingGraph':
      return {
        message: `${error.source} holds no ONNX graph (an empty or truncated file, or not an ONNX model).`,
        hint: 'Pass a complete ONNX model file; copy or export it again if it was cut short.',
      };
    case 'ExternalDataLocationInvalid':
      return {
        message:
          error.reason === 'missing'
            ? `Tensor "${error.tensor}" is marked as external data but has no location.`
            : `Tensor "${error.tensor}" has external data location "${error.location}", which ${error.reason === 'absolute' ? 'is an absolute path' : "leaves the model's folder"}.`,
        hint: 'External data locations must be relative paths inside the folder of the .onnx file; re-save the model with relative locations.',
      };
    case 'SelectorMatchedNothing':
      return {
        message: `Selector "${error.selector}" matches no linear layer.`,
        hint: error.nearest.length > 0 ? `Nearest module paths: ${error.nearest.join(', ')}.` : 'The model has no linear layers with weights.',
      };
    case 'UnknownPreset':
      return { message: `Unknown preset "${error.preset}".`, hint: `Known presets: ${error.known.join(', ')}.` };
    case 'NothingSelected':
      return { message: 'No linear layer was selected.', hint: 'Pass a preset or at least one selector glob.' };
    case 'InvalidOption':
      return { message: `Option ${error.option} is invalid: ${error.reason}.`, hint: 'Correct the option and run again.' };
    case 'UnitWidthDoesNotDivide':
      return {
        message: `Unit width ${error.unitWidth} does not divide the ${error.channels} tapped channels of ${error.module}.`,
        hint: 'Pick a unit width that divides the channel count, or narrow the channel range.',
      };
    case 'RangeOutOfBounds':
      return {
        message: `The ${error.what} range ${error.range} does not fit ${error.module} (${error.size} ${error.what}).`,
        hint: `Give a range A:B with 0 <= A < B <= ${error.size}.`,
      };
    case 'WidthUnknown':
      return {
        message: `The input width of ${error.module} (node ${error.node}) cannot be found from its weight or the graph's shapes.`,
        hint: 'Run ONNX shape inference on the model first, or select another layer.',
      };
    case 'NameTaken':
      return { message: `The graph already has a value named "${error.name}".`, hint: 'Tap an untapped model.' };
  }
}
