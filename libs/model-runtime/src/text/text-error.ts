import type { ErrorDescription } from '@moral-plantain/formats';

/** Why text conditioning could not be prepared. */
export type TextError =
  | { readonly _tag: 'TokenizerFilesMissing'; readonly dir: string; readonly looked: readonly string[] }
  | { readonly _tag: 'TokenizerFileInvalid'; readonly path: string; readonly reason: string }
  | { readonly _tag: 'ChatTemplateMissing'; readonly path: string }
  | { readonly _tag: 'ChatTemplateFailed'; readonly reason: string }
  | { readonly _tag: 'PadTokenUnknown'; readonly token: string; readonly path: string }
  | { readonly _tag: 'InvalidMaxLength'; readonly value: number };

/** What is wrong with text conditioning, and what to do. */
export function describeTextError(error: TextError): ErrorDescription {
  switch (error._tag) {
    case 'TokenizerFilesMissing':
      return { message: `No tokenizer.json in ${error.dir} (looked at ${error.looked.join(', ')}).`, hint: "Give a folder holding the model's tokenizer.json and tokenizer_config.json." };
    case 'TokenizerFileInvalid':
      return { message: `Cannot use ${error.path}: ${error.reason}.`, hint: "Use the model's own tokenizer files, copied completely." };
    case 'ChatTemplateMissing':
      return { message: `${error.path} has no chat_template (and there is no chat_template.jinja beside it).`, hint: "Use the model's own tokenizer_config.json." };
    case 'ChatTemplateFailed':
      return { message: `The chat template could not be rendered: ${error.reason}.`, hint: "Check the tokenizer folder's chat template (tokenizer_config.json or chat_template.jinja)." };
    case 'PadTokenUnknown':
      return { message: `The pad token ${JSON.stringify(error.token)} named in ${error.path} is not in the vocabulary.`, hint: 'Fix pad_token in tokenizer_config.json.' };
    case 'InvalidMaxLength':
      return { message: `The token length must be a positive whole number, not ${error.value}.`, hint: 'Give a positive maxLength.' };
  }
}
