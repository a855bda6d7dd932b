/** Why text conditioning could not be prepared. */
export type TextError =
  | { readonly _tag: 'TokenizerFilesMissing'; readonly dir: string; readonly looked: readonly string[] }
  | { readonly _tag: 'TokenizerFileInvalid'; readonly path: string; readonly reason: string }
  | { readonly _tag: 'ChatTemplateMissing'; readonly path: string }
  | { readonly _tag: 'ChatTemplateFailed'; readonly reason: string }
  | { readonly _tag: 'PadTokenUnknown'; readonly token: string; readonly path: string }
  | { readonly _tag: 'InvalidMaxLength'; readonly value: number };

/** Words a text-conditioning error for people: what was wrong and what to do. */
export function describeTextError(error: TextError): string {
  switch (error._tag) {
    case 'TokenizerFilesMissing':
      return `No tokenizer.json in ${error.dir} (looked at ${error.looked.join(', ')}); give a folder holding the model's tokenizer.json and tokenizer_config.json.`;
    case 'TokenizerFileInvalid':
      return `Cannot use ${error.path}: ${error.reason}.`;
    case 'ChatTemplateMissing':
      return `${error.path} has no chat_template (and there is no chat_template.jinja beside it); use the model's own tokenizer_config.json.`;
    case 'ChatTemplateFailed':
      return `The chat template could not be rendered: ${error.reason}.`;
    case 'PadTokenUnknown':
      return `The pad token ${JSON.stringify(error.token)} named in ${error.path} is not in the vocabulary.`;
    case 'InvalidMaxLength':
      return `The token length must be a positive whole number, not ${error.value}.`;
  }
}
