import { describeFileProblem, type ErrorDescription } from '@moral-plantain/formats';
import type { ModelFolderError } from './open-model-folder.js';

/** One sentence for a model folder problem, and what to do about it. */
export function describeModelFolderError(error: ModelFolderError): ErrorDescription {
  switch (error._tag) {
    case 'FolderUnreadable':
      return describeFileProblem('read the model folder', error.path, error.reason, 'Give the model folder that holds transformer.onnx.');
    case 'NoTransformer':
      return { message: `${error.dir} has no transformer graph (looked for ${error.looked.join(', ')}).`, hint: 'Build one with `moral-plantain model build --out DIR`, or point at the folder of an ONNX export.' };
    case 'BadManifest':
      return { message: `${error.path} is not a valid model.json: ${error.problems.map((p) => `${p.key} ${p.reason}`).join('; ')}.`, hint: 'Rebuild the folder with `moral-plantain model build`, or fix the keys named.' };
    case 'GraphUnreadable':
      return { message: `${error.path} cannot be read as an ONNX graph: ${error.reason}`, hint: 'Check that the file was copied completely.' };
    case 'MissingFile':
      return { message: `${error.path} is missing (${error.what}).`, hint: 'Copy the whole model folder, external data files included.' };
    case 'TruncatedFile':
      return {
        message: `${error.path} (${error.what}) is truncated: it holds ${error.bytes} bytes, and the graph's tensors need ${error.needed}.`,
        hint: 'The copy or download stopped early; copy or download the file again.',
      };
    case 'UnknownTransformerNaming':
      return {
        message: `${error.path} has inputs ${error.inputs.join(', ') || '(none)'}, which are neither the diffusers names (hidden_states, encoder_hidden_states, timestep, img_ids, txt_ids) nor the BFL names (x, ctx, timesteps, x_ids, ctx_ids).`,
        hint: 'Export the FLUX.2 transformer with one of these input namings.',
      };
    case 'UnknownTextEncoderNaming':
      return {
        message: `${error.path} has inputs ${error.inputs.join(', ') || '(none)'} and outputs ${error.outputs.join(', ') || '(none)'}; a text encoder needs input_ids and attention_mask and one output (prompt_embeds).`,
        hint: 'Export the text encoder with these names, or remove it and give prompt_embeds.safetensors instead.',
      };
  }
}
