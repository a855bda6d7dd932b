import { mkdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { canonicalJson, DEFAULT_UNIT_WIDTH, sha256, type UnitTokens } from '@moral-plantain/formats';
import { TAPS_FORMAT, manifestPathFor, tapModelFile, type HooksErrors, type IndexRange, type TapsManifest } from '@moral-plantain/hooks';

/** Which units a probe reads: the hooks `flux2` preset, with its unit options passed through. */
export interface ProbeTapOptions {
  /** Channels per unit (default `DEFAULT_UNIT_WIDTH`, 16). */
  readonly unitWidth?: number;
  /** Channel range of each tapped input (default all). */
  readonly channels?: IndexRange;
  /** Token range reduced over (default all tokens, text and image). */
  readonly tokens?: IndexRange;
  /**
   * With reference images: whether a unit's RMS covers all tokens (`all`, the default) or leaves the
   * reference image tokens out (`text-and-noisy`). Without reference images it changes nothing.
   */
  readonly unitTokens?: UnitTokens;
}

/**
 * The token range of each kind of tapped block when reference tokens are left out of the RMS: a
 * joint block's attention output projection sees the image tokens [noisy ; references], so its
 * range is the noisy ones; a single block's sees [text ; noisy ; references], so its range is the
 * text and noisy ones.
 */
export interface GroupTokenRanges {
  readonly joint: IndexRange;
  readonly single: IndexRange;
}

/** The ranges that leave the reference tokens out, for `textTokens` text and `noisyTokens` noisy image tokens. */
export function textAndNoisyRanges(textTokens: number, noisyTokens: number): GroupTokenRanges {
  return { joint: { start: 0, end: noisyTokens }, single: { start: 0, end: textTokens + noisyTokens } };
}

/** The tap configuration as it enters cache keys and activations metadata. */
export function tapConfig(options: ProbeTapOptions, groupTokens: GroupTokenRanges | null = null): Readonly<Record<string, unknown>> {
  return { preset: 'flux2', unitWidth: options.unitWidth ?? DEFAULT_UNIT_WIDTH, channels: options.channels ?? null, tokens: options.tokens ?? null, ...(groupTokens ? { groupTokens } : {}) };
}

/** What a tapped graph adds beside the taps. */
export interface TappedVariant {
  /** Per-unit scale inputs on every tapped input (hooks' `ablation`): one vector per sample. Default none. */
  readonly scales?: 'per-sample';
}

/** A tapped transformer on disk. */
export interface TappedTransformer {
  readonly modelPath: string;
  readonly manifest: TapsManifest;
  /** False when an earlier run's tapped graph for the same model and configuration was reused. */
  readonly written: boolean;
}

/**
 * Writes the tapped transformer (with `groupTokens`, each block kind's token range) (`<name>.tapped-<12 hex>.onnx` + its `.taps.json`) into `dir`
 * (default: beside the model, where its external data resolves; elsewhere the data file is
 * hard-linked, never copied), or reuses the one an earlier run wrote for the same model
 * fingerprint and tap configuration. `variant.scales` adds per-sample unit scale inputs (a patching
 * graph, with its own file name).
 */
export async function tapTransformer(
  modelPath: string,
  fingerprint: string,
  options: ProbeTapOptions,
  dir?: string,
  groupTokens: GroupTokenRanges | null = null,
  variant: TappedVariant = {},
): Promise<E.Either<HooksErrors, TappedTransformer>> {
  const config = tapConfig(options, groupTokens);
  // The plain probe graph keeps the id it always had; a graph with scale inputs gets its own.
  const id = sha256(canonicalJson(variant.scales ? { fingerprint, config, scales: variant.scales } : { fingerprint, config })).slice(0, 12);
  const out = path.join(path.resolve(dir ?? path.dirname(modelPath)), `${path.basename(modelPath, '.onnx')}.tapped-${id}.onnx`);
  const existing = await readManifest(manifestPathFor(out));
  const modelThere = await stat(out).then((s) => s.isFile(), () => false);
  if (existing && modelThere) return E.right({ modelPath: out, manifest: existing, written: false });
  await mkdir(path.dirname(out), { recursive: true });
  const tapped = await tapModelFile(modelPath, out, {
    preset: 'flux2',
    ...(options.unitWidth !== undefined ? { unitWidth: options.unitWidth } : {}),
    ...(options.channels !== undefined ? { channels: options.channels } : {}),
    ...(options.tokens !== undefined ? { tokens: options.tokens } : {}),
    ...(groupTokens ? { tokens: (layer: { group: string }) => (layer.group.startsWith('joint') ? groupTokens.joint : groupTokens.single) } : {}),
    ...(variant.scales ? { ablation: variant.scales } : {}),
  })();
  return E.map((t: { modelPath: string; manifest: TapsManifest }) => ({ modelPath: t.modelPath, manifest: t.manifest, written: true }))(tapped);
}

async function readManifest(file: string): Promise<TapsManifest | null> {
  try {
    const parsed = JSON.parse(await readFile(file, 'utf8')) as TapsManifest;
    return parsed.format === TAPS_FORMAT && Array.isArray(parsed.taps) ? parsed : null;
  } catch {
    return null;
  }
}
