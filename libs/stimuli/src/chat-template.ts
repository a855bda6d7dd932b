/**
 * The prompt as the Qwen3 text encoder of FLUX.2 [klein] sees it: one user turn rendered with the
 * Qwen3 chat template, generation prompt added and thinking disabled (an empty think block).
 */
export function qwen3ChatPrompt(prompt: string): string {
  return `<|im_start|>user\n${prompt}<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n`;
}
