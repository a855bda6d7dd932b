import * as E from 'fp-ts/lib/Either.js';
import { isNonEmpty } from 'fp-ts/lib/Array.js';
import type * as NEA from 'fp-ts/lib/NonEmptyArray.js';
import { parseResolution, parseWholeNumber, SEED_MAX } from '@moral-plantain/formats';
import type { Device } from '@moral-plantain/model-runtime';
import { resolveModelSourceSettings, type ModelSourceSettings } from '../model-source-settings.js';
import { DEVICES } from '../run-settings.js';
import { DEFAULT_IMAGE_FILE, DEFAULT_IMAGES_DIR, GENERATE_DEFAULTS } from './generate-defaults.js';

/** Everything `moral-plantain generate` needs, resolved from defaults and flags. */
export interface GenerateSettings extends ModelSourceSettings {
  /** One prompt to draw (excludes `stimuli`). */
  readonly prompt: string | null;
  /** A built-in stimulus set name or a YAML file: both prompts of every pair (excludes `prompt`). */
  readonly stimuli: string | null;
  /** The PNG file (a prompt) or the folder (a set: `images/`, `images.json`, `index.html`). */
  readonly out: string;
  readonly device: Device;
  /** Seed of the initial noise, the same for every image. */
  readonly seed: number;
  /** Denoising steps, or null for the checkpoint's default (50 base, 4 distilled). */
  readonly steps: number | null;
  /** Classifier-free guidance scale (base checkpoints; distilled ones ignore it). */
  readonly guidance: number;
  /** [height, width] in pixels, or null for the model's default. */
  readonly resolution: readonly [number, number] | null;
  /** For a set: also each pair's neutral scene image. */
  readonly neutral: boolean;
  /** Keep images an earlier run made with the same settings. */
  readonly resume: boolean;
  readonly json: boolean;
}

/** A generate setting's name. */
export type GenerateSettingName = keyof GenerateSettings;

/** Values as given (flags typed on the command line). */
export type RawGenerateSettings = Partial<Record<GenerateSettingName, unknown>>;

/** Resolves generate settings over the defaults; every problem is returned at once, each naming its setting. */
export function resolveGenerateSettings(flags: RawGenerateSettings): E.Either<NEA.NonEmptyArray<string>, GenerateSettings> {
  const merged: Record<string, unknown> = { ...GENERATE_DEFAULTS, ...flags };
  const problems: string[] = [];
  const given = (key: GenerateSettingName): string | null => (merged[key] === null || merged[key] === undefined ? null : String(merged[key]));
  const parsed = <T>(key: string, result: E.Either<string, T>, fallback: T): T => {
    if (E.isRight(result)) return result.right;
    problems.push(`${key} ${result.left}`);
    return fallback;
  };
  const flag = (key: GenerateSettingName): boolean => merged[key] === true || merged[key] === 'true';
  const prompt = given('prompt');
  const stimuli = given('stimuli');
  if (prompt !== null && stimuli !== null) problems.push('give a prompt or --stimuli, not both');
  if (prompt === null && stimuli === null) problems.push('give a prompt to draw, or --stimuli NAME|FILE for both prompts of every pair of a set');
  if (prompt !== null && prompt.trim() === '') problems.push('the prompt is empty');
  if (prompt !== null && flag('neutral')) problems.push('--neutral draws the neutral scenes of a set; it needs --stimuli');
  const device = String(merged.device);
  if (!(DEVICES as readonly string[]).includes(device)) problems.push(`device must be ${DEVICES.slice(0, -1).join(', ')} or ${DEVICES.at(-1)}, got "${device}"`);
  const steps = given('steps');
  const resolution = given('resolution');
  const guidanceText = String(merged.guidance);
  const guidance = Number(guidanceText);
  if (!(guidanceText.trim() !== '' && Number.isFinite(guidance) && guidance >= 0 && guidance <= 100)) problems.push(`guidance must be a number from 0 to 100 (1 or less: no guidance), got "${guidanceText}"`);
  const source = resolveModelSourceSettings(merged);
  problems.push(...source.problems);
  const settings: GenerateSettings = {
    ...source.settings,
    prompt,
    stimuli,
    out: given('out') ?? (prompt !== null ? DEFAULT_IMAGE_FILE : DEFAULT_IMAGES_DIR),
    device: device as Device,
    seed: parsed('seed', parseWholeNumber(String(merged.seed), 0, SEED_MAX), 0),
    steps: steps === null ? null : parsed('steps', parseWholeNumber(steps, 1, 1000), 1),
    guidance,
    resolution: resolution === null ? null : parsed('resolution', parseResolution(resolution), null),
    neutral: flag('neutral'),
    resume: flag('resume'),
    json: flag('json'),
  };
  return isNonEmpty(problems) ? E.left(problems) : E.right(settings);
}
