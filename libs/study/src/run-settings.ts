import * as E from 'fp-ts/lib/Either.js';
import { isNonEmpty } from 'fp-ts/lib/Array.js';
import type * as NEA from 'fp-ts/lib/NonEmptyArray.js';
import { parseRange, parseResolution, parseWholeNumber, SEED_MAX, UNIT_TOKENS, type TextRange, type UnitTokens } from '@moral-plantain/formats';
import type { Device } from '@moral-plantain/model-runtime';
import { MODEL_SOURCE_KEYS, resolveModelSourceSettings, type ModelSourceSettings } from './model-source-settings.js';
import { RUN_DEFAULTS } from './run-defaults.js';
import { parseShard, type Shard } from './run-shard.js';

/** Everything one probe run needs, resolved from defaults, a config file and flags. */
export interface RunSettings extends ModelSourceSettings {
  /** A built-in stimulus set name or a YAML file. */
  readonly stimuli: string;
  readonly out: string;
  readonly device: Device;
  readonly seed: number;
  /** [height, width] in pixels, or null for the model's default. */
  readonly resolution: readonly [number, number] | null;
  readonly batchSize: number;
  readonly permutations: number;
  readonly splits: number;
  readonly unitWidth: number;
  /** Channel range of each tapped input, or null for all channels. */
  readonly channels: TextRange | null;
  /**
   * Reference images to condition every prompt on: null for none, `generate` for one image per
   * pair drawn by the model from the pair's neutral description, image files (comma-separated; the
   * same for every pair), or a folder with one `<pair id>.png` (or .jpg, .jpeg, .webp) per pair.
   */
  readonly reference: string | null;
  /** With reference images: whether a unit's RMS covers all tokens or only the text and noisy image tokens. */
  readonly unitTokens: UnitTokens;
  /** Denoising steps of generated reference images, or null for the checkpoint's default (50 base, 4 distilled). */
  readonly referenceSteps: number | null;
  readonly resume: boolean;
  /** The shard of the prompts this run computes (`run --shard i/n`), or null for the whole run. */
  readonly shard: Shard | null;
  readonly json: boolean;
}

/** The name of a setting. */
export type SettingName = keyof RunSettings;

/** Setting names as flags and config-file keys (kebab-case; camelCase is accepted in files too). */
export const SETTING_KEYS: Readonly<Record<SettingName, string>> = {
  ...MODEL_SOURCE_KEYS,
  stimuli: 'stimuli',
  out: 'out',
  device: 'device',
  seed: 'seed',
  resolution: 'resolution',
  batchSize: 'batch-size',
  permutations: 'permutations',
  splits: 'splits',
  unitWidth: 'unit-width',
  channels: 'channels',
  reference: 'reference',
  unitTokens: 'unit-tokens',
  referenceSteps: 'reference-steps',
  resume: 'resume',
  shard: 'shard',
  json: 'json',
};

/** The devices a run can ask for. */
export const DEVICES: readonly Device[] = ['cpu', 'cuda', 'webgpu', 'auto'];

/** Values as given: flags (only those typed on the command line) and a config file. */
export type RawSettings = Partial<Record<SettingName, unknown>>;

/**
 * Resolves settings: defaults, then the config file, then explicit flags. Numbers, ranges and
 * sizes are parsed from text or taken as numbers; every problem is returned at once, each naming
 * its setting (`seed must be a whole number from 0 to 4294967295, got "x"`).
 */
export function resolveRunSettings(config: RawSettings, flags: RawSettings): E.Either<NEA.NonEmptyArray<string>, RunSettings> {
  const merged: Record<string, unknown> = { ...RUN_DEFAULTS, ...config, ...flags };
  const problems: string[] = [];
  const text = (key: SettingName): string => String(merged[key]);
  const parsed = <T>(key: SettingName, result: E.Either<string, T>, fallback: T): T => {
    if (E.isRight(result)) return result.right;
    problems.push(`${SETTING_KEYS[key]} ${result.left}`);
    return fallback;
  };
  const whole = (key: SettingName, min: number, max: number): number => parsed(key, parseWholeNumber(text(key), min, max), min);
  const optional = <T>(key: SettingName, parse: (raw: string) => E.Either<string, T>): T | null => (merged[key] === null || merged[key] === undefined ? null : parsed(key, parse(text(key)), null));
  const flag = (key: SettingName): boolean => {
    const value = merged[key];
    if (value === true || value === 'true') return true;
    if (value === false || value === 'false') return false;
    problems.push(`${SETTING_KEYS[key]} must be true or false, got ${JSON.stringify(value)}`);
    return Boolean(RUN_DEFAULTS[key]);
  };
  const device = text('device');
  if (!(DEVICES as readonly string[]).includes(device)) problems.push(`device must be ${DEVICES.slice(0, -1).join(', ')} or ${DEVICES.at(-1)}, got "${device}"`);
  const source = resolveModelSourceSettings(merged);
  problems.push(...source.problems);
  const settings: RunSettings = {
    ...source.settings,
    stimuli: text('stimuli'),
    out: text('out'),
    device: device as Device,
    seed: whole('seed', 0, SEED_MAX),
    resolution: optional('resolution', parseResolution),
    batchSize: whole('batchSize', 1, 1024),
    permutations: whole('permutations', 1, 100_000_000),
    splits: whole('splits', 0, 1_000_000),
    unitWidth: whole('unitWidth', 1, 1 << 20),
    channels: optional('channels', (raw) => parseRange(raw)),
    reference: merged.reference === null || merged.reference === undefined || text('reference').trim() === '' ? null : text('reference').trim(),
    unitTokens: (UNIT_TOKENS as readonly string[]).includes(text('unitTokens')) ? (text('unitTokens') as UnitTokens) : (problems.push(`unit-tokens must be ${UNIT_TOKENS.join(' or ')}, got "${text('unitTokens')}"`), 'all'),
    referenceSteps: optional('referenceSteps', (raw) => parseWholeNumber(raw, 1, 1000)),
    resume: flag('resume'),
    shard: optional('shard', parseShard),
    json: flag('json'),
  };
  // Shards compute into a shared cache without the references a run draws or reads first: not combined yet.
  if (settings.shard !== null && settings.reference !== null) problems.push('shard cannot be combined with reference yet: run a study with reference images undivided (without --shard)');
  return isNonEmpty(problems) ? E.left(problems) : E.right(settings);
}
