import type { RUN_DEFAULTS } from '@moral-plantain/study';
import type { PAIRED_TEST_DEFAULTS } from '@moral-plantain/stats';

/** The defaults `--help` shows, as the libraries that own them define them. */
export interface HelpDefaults {
  readonly run: typeof RUN_DEFAULTS;
  readonly pairedTest: typeof PAIRED_TEST_DEFAULTS;
  readonly unitWidth: number;
  readonly textLength: number;
  readonly weightSeed: number;
  readonly transformerPresets: readonly string[];
}

/**
 * Loads the defaults from their libraries. Only help needs them shown (commands get their
 * defaults from the libraries themselves), so this runs only when help is asked for and other
 * invocations never pay for loading every library.
 */
export async function loadHelpDefaults(): Promise<HelpDefaults> {
  const [{ RUN_DEFAULTS }, { PAIRED_TEST_DEFAULTS }, { DEFAULT_UNIT_WIDTH }, { DEFAULT_TEXT_LENGTH }, { DEFAULT_WEIGHT_SEED, flux2Presets }] = await Promise.all([
    import('@moral-plantain/study'),
    import('@moral-plantain/stats'),
    import('@moral-plantain/hooks'),
    import('@moral-plantain/formats'),
    import('@moral-plantain/model-builder'),
  ]);
  return {
    run: RUN_DEFAULTS,
    pairedTest: PAIRED_TEST_DEFAULTS,
    unitWidth: DEFAULT_UNIT_WIDTH,
    textLength: DEFAULT_TEXT_LENGTH,
    weightSeed: DEFAULT_WEIGHT_SEED,
    transformerPresets: Object.keys(flux2Presets),
  };
}

/** Whether an invocation asks for help (then the defaults are loaded and shown). */
export function asksForHelp(argv: readonly string[]): boolean {
  return argv[0] === 'help' || argv.includes('--help') || argv.includes('-h');
}
