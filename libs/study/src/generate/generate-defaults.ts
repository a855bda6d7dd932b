// The defaults of `moral-plantain generate`, in a module of their own that loads no model library,
// so that `--help` can show them quickly (package subpath @moral-plantain/study/generate-defaults).

/** Defaults of every generate setting, as text where the value is parsed; `steps` null means the checkpoint's own (50 base, 4 distilled), `out` null the mode's (`image.png` for a prompt, `moral-plantain-images` for a set). */
export const GENERATE_DEFAULTS = {
  model: null,
  prompt: null,
  stimuli: null,
  out: null,
  device: 'cpu',
  seed: '0',
  steps: null,
  guidance: '4',
  resolution: null,
  neutral: false,
  resume: true,
  json: false,
} as const;

/** Where a prompt's image goes when no --out is given. */
export const DEFAULT_IMAGE_FILE = 'image.png';

/** Where a set's images and contact sheet go when no --out is given. */
export const DEFAULT_IMAGES_DIR = 'moral-plantain-images';
