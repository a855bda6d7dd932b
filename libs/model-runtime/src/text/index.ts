export { encodePrompt, encodePrompts } from './encode-prompts.js';
export type { EncodedPrompt, EncodedPrompts, EncodePromptsOptions, PromptTruncated } from './encode-prompts.js';
export { qwen3TokenCounter } from './qwen3-token-counter.js';
export type { TextTokenCounter } from './qwen3-token-counter.js';
export { defaultQwen3TokenizerDir, loadQwen3Tokenizer } from './qwen3-tokenizer.js';
export type { Qwen3Tokenizer } from './qwen3-tokenizer.js';
export { describeTextError } from './text-error.js';
export type { TextError } from './text-error.js';
