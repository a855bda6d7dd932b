import { TAPS_FORMAT } from '@moral-plantain/formats';

/** The `format` value of a taps manifest (defined with the activations file, which embeds the manifest). */
export { TAPS_FORMAT };

/** One tap: one extra float32 graph output [batch, units] over one linear layer's input. */
export interface TapEntry {
  /** Module path of the tapped linear layer. */
  readonly module: string;
  /** Name of the graph output holding the per-unit RMS. */
  readonly output: string;
  /** Name of the tapped linear node. */
  readonly node: string;
  /** Input width (channels) of the layer. */
  readonly width: number;
  /** Number of units (tapped channels / unitWidth). */
  readonly units: number;
  /** Index of this tap's first unit among all units of the manifest. */
  readonly offset: number;
  /** Group label of the units (`joint[3]`, `single[19]`, or the module path). */
  readonly group: string;
  /** Tapped channel range [start, end). */
  readonly channels: readonly [number, number];
  /** Token range [start, end) reduced over, or null for all tokens. */
  readonly tokens: readonly [number, number] | null;
  /** Output holding the whole input tensor as float32 (raw mode only). */
  readonly raw?: string;
  /** Graph input of the per-unit scales (ablation only): float32 [units], or [batch, units] when `scalePerSample`. */
  readonly scaleInput?: string;
  /** True when the scale input holds one scale vector per sample, [batch, units] (ablation `'per-sample'`). */
  readonly scalePerSample?: true;
}

/** The taps manifest (`<tapped model>.taps.json`), as architecture.md specifies. */
export interface TapsManifest {
  readonly format: typeof TAPS_FORMAT;
  readonly unitWidth: number;
  readonly totalUnits: number;
  readonly taps: readonly TapEntry[];
}

/** The manifest path beside a tapped model: `<model>.taps.json`. */
export function manifestPathFor(modelPath: string): string {
  return `${modelPath}.taps.json`;
}

/** Unit group labels in unit order (one per unit), as activation files record them. */
export function unitGroups(manifest: TapsManifest): string[] {
  return manifest.taps.flatMap((tap) => Array.from({ length: tap.units }, () => tap.group));
}

/**
 * The neutral feeds of a tapped model's ablation inputs: ones for every scale input ([units], or
 * [batch, units] row-major for per-sample inputs), optionally overridden per input.
 */
export function ablationFeeds(manifest: TapsManifest, overrides: Readonly<Record<string, Float32Array>> = {}, batch = 1): Record<string, Float32Array> {
  const feeds: Record<string, Float32Array> = {};
  for (const tap of manifest.taps) {
    if (tap.scaleInput !== undefined) feeds[tap.scaleInput] = overrides[tap.scaleInput] ?? new Float32Array(tap.scalePerSample ? batch * tap.units : tap.units).fill(1);
  }
  return feeds;
}
