import type { PATCH_DEFAULTS } from '@moral-plantain/study/patch-defaults';
import type { RUN_DEFAULTS } from '@moral-plantain/study/run-defaults';
import type { GENERATE_DEFAULTS } from '@moral-plantain/study/generate-defaults';
import type { PAIRED_TEST_DEFAULTS } from '@moral-plantain/stats';

/** The defaults `--help` shows, as the libraries that own them define them. */
export interface HelpDefaults {
  readonly run: typeof RUN_DEFAULTS;
  readonly patch: typeof PATCH_DEFAULTS;
  readonly generate: { readonly defaults: typeof GENERATE_DEFAULTS; readonly imageFile: string; readonly imagesDir: string };
  readonly pairedTest: typeof PAIRED_TEST_DEFAULTS;
  readonly unitWidth: number;
  readonly textLength: number;
  readonly weightSeed: number;
  readonly quantizationBlockSize: number;
  readonly transformerPresets: readonly string[];
  readonly probeTimeoutSeconds: number;
}

/**
 * Loads the defaults from their libraries' light modules (no model code, no ONNX Runtime). Only
 * help shows them (commands get their defaults from the libraries themselves), so this runs only
 * when help is asked for.
 */
export async function loadHelpDefaults(): Promise<HelpDefaults> {
  const [{ RUN_DEFAULTS }, { PATCH_DEFAULTS }, { GENERATE_DEFAULTS, DEFAULT_IMAGE_FILE, DEFAULT_IMAGES_DIR }, { PAIRED_TEST_DEFAULTS }, { DEFAULT_TEXT_LENGTH, DEFAULT_UNIT_WIDTH }, { DEFAULT_QUANTIZATION_BLOCK_SIZE, DEFAULT_WEIGHT_SEED, flux2Presets }, { PROVIDER_PROBE_TIMEOUT_SECONDS }] = await Promise.all([
    import('@moral-plantain/study/run-defaults'),
    import('@moral-plantain/study/patch-defaults'),
    import('@moral-plantain/study/generate-defaults'),
    import('@moral-plantain/stats'),
    import('@moral-plantain/formats'),
    import('@moral-plantain/model-builder/build-defaults'),
    import('@moral-plantain/model-runtime/environment-defaults'),
  ]);
  return {
    run: RUN_DEFAULTS,
    patch: PATCH_DEFAULTS,
    generate: { defaults: GENERATE_DEFAULTS, imageFile: DEFAULT_IMAGE_FILE, imagesDir: DEFAULT_IMAGES_DIR },
    pairedTest: PAIRED_TEST_DEFAULTS,
    unitWidth: DEFAULT_UNIT_WIDTH,
    textLength: DEFAULT_TEXT_LENGTH,
    weightSeed: DEFAULT_WEIGHT_SEED,
    quantizationBlockSize: DEFAULT_QUANTIZATION_BLOCK_SIZE,
    transformerPresets: Object.keys(flux2Presets),
    probeTimeoutSeconds: PROVIDER_PROBE_TIMEOUT_SECONDS,
  };
}

/** Whether an invocation asks for help (then the defaults are loaded and shown). */
export function asksForHelp(argv: readonly string[]): boolean {
  return argv[0] === 'help' || argv.includes('--help') || argv.includes('-h');
}
