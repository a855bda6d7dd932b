/**
 * The text the Qwen3 chat template renders for one user message with the generation prompt and
 * thinking disabled (an empty think block), written out from the template, independently of any
 * template engine: the expected value in tests of the real renderer and of context-window counts.
 */
export function referenceQwen3ChatPrompt(prompt: string): string {
  return `<|im_start|>user\n${prompt}<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n`;
}
