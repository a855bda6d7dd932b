export { flux2Reference } from './flux2-reference.js';
export type { Flux2ReferenceInputs, Flux2ReferenceResult, ReferenceFlux2Config, ReferenceInit, ReferenceWeights } from './flux2-reference.js';
export { addedTokenId, readQwen3TokenizerJson, referenceQwen3Bpe } from './qwen3-bpe.js';
export type { QwenTokenizerJson } from './qwen3-bpe.js';
export { referenceQwen3ChatPrompt } from './qwen3-chat-prompt.js';
export { referenceQwen3Forward } from './qwen3-forward.js';
export type { ReferenceQwen3Config } from './qwen3-forward.js';
export { referenceXoshiroWords } from './xoshiro-reference.js';
