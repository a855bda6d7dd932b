import * as E from 'fp-ts/lib/Either.js';
import { isNonEmpty } from 'fp-ts/lib/Array.js';
import type * as NEA from 'fp-ts/lib/NonEmptyArray.js';
import { parseWholeNumber, parseWholeNumberList, SEED_MAX } from '@moral-plantain/formats';
import type { Device } from '@moral-plantain/model-runtime';
import { PATCH_DEFAULTS } from '../patch-defaults.js';
import { DEVICES } from '../run-settings.js';

/** Everything a causal test of a finished run needs; what is null is taken from the run. */
export interface PatchSettings {
  /** The finished run's output folder. */
  readonly run: string;
  /** Unit counts to patch, the top k by |t| for each; null: the default list (`PATCH_DEFAULTS.k`), unless `fwer` or `units` select. */
  readonly k: readonly number[] | null;
  /** Select the units with FWER p below this level instead. */
  readonly fwer: number | null;
  /** Select these units (unit numbers of the results) instead. */
  readonly units: readonly number[] | null;
  /** Also zero-ablate each set (scale 0). */
  readonly zero: boolean;
  /** Also scale each set by each of these fixed factors. */
  readonly factors: readonly number[];
  /** Random unit sets per patched set. */
  readonly sets: number;
  /** Seed of the random sets and the across-pairs sign flips; null: the run's seed. */
  readonly seed: number | null;
  /** Patched samples per transformer call (each with its own unit scales); null: the run's batch size. */
  readonly batchSize: number | null;
  /** Execution device; null: the run's. */
  readonly device: Device | null;
  /** The model folder, when it is not where the run found it (it must be the same model); null: the run's. */
  readonly model: string | null;
  /** The stimulus set, when it is not where the run found it (it must be the same set); null: the run's. */
  readonly stimuli: string | null;
  /** Reuse pairs already patched with the same plan (default true). */
  readonly resume: boolean;
}

/** Settings as given (flags or a config): text, numbers, lists or booleans. */
export type RawPatchSettings = Partial<Record<keyof PatchSettings, unknown>>;

/**
 * Resolves the settings of a causal test: every value parsed and checked, all problems at once,
 * each naming its option (`sets must be a whole number from 1 to 1000000, got "x"`). `k`, `fwer`
 * and `units` are three ways to select the units: at most one may be given.
 */
export function resolvePatchSettings(raw: RawPatchSettings): E.Either<NEA.NonEmptyArray<string>, PatchSettings> {
  const problems: string[] = [];
  const given = (key: keyof PatchSettings) => raw[key] !== undefined && raw[key] !== null && raw[key] !== false;
  const text = (key: keyof PatchSettings) => (Array.isArray(raw[key]) ? (raw[key] as unknown[]).join(',') : String(raw[key]));
  const whole = (key: keyof PatchSettings, name: string, min: number, max: number): number | null => {
    if (!given(key)) return null;
    const parsed = parseWholeNumber(text(key), min, max);
    if (E.isLeft(parsed)) problems.push(`${name} ${parsed.left}`);
    return E.isRight(parsed) ? parsed.right : null;
  };
  const list = (key: keyof PatchSettings, name: string): number[] | null => {
    if (!given(key)) return null;
    const parsed = parseWholeNumberList(text(key));
    if (E.isLeft(parsed)) problems.push(`${name} ${parsed.left}`);
    return E.isRight(parsed) ? parsed.right : null;
  };
  if (typeof raw.run !== 'string' || raw.run === '') problems.push('the run folder must be given');
  const k = list('k', 'k');
  if (k !== null && k.some((v) => v < 1)) problems.push(`k must list whole numbers of at least 1, got "${text('k')}"`);
  const units = list('units', 'units');
  const fwer = raw.fwer === true ? PATCH_DEFAULTS.fwer : given('fwer') ? probability(text('fwer'), problems) : null;
  const chosen = [k !== null && 'k', fwer !== null && 'fwer', units !== null && 'units'].filter(Boolean);
  if (chosen.length > 1) problems.push(`give only one of ${chosen.join(' and ')}: each selects the units to patch`);
  const factors = given('factors') ? factorList(text('factors'), problems) : [];
  const device = given('device') ? text('device') : null;
  if (device !== null && !(DEVICES as readonly string[]).includes(device)) problems.push(`device must be ${DEVICES.slice(0, -1).join(', ')} or ${DEVICES.at(-1)}, got "${device}"`);
  const flag = (key: keyof PatchSettings, fallback: boolean): boolean => {
    const value = raw[key];
    if (value === undefined) return fallback;
    if (value === true || value === 'true') return true;
    if (value === false || value === 'false') return false;
    problems.push(`${key} must be true or false, got ${JSON.stringify(value)}`);
    return fallback;
  };
  const settings: PatchSettings = {
    run: typeof raw.run === 'string' ? raw.run : '',
    k,
    fwer,
    units,
    zero: flag('zero', false),
    factors,
    sets: whole('sets', 'sets', 1, 1_000_000) ?? PATCH_DEFAULTS.sets,
    seed: whole('seed', 'seed', 0, SEED_MAX),
    batchSize: whole('batchSize', 'batch-size', 1, 4096),
    device: device as Device | null,
    model: given('model') ? text('model') : null,
    stimuli: given('stimuli') ? text('stimuli') : null,
    resume: flag('resume', true),
  };
  return isNonEmpty(problems) ? E.left(problems) : E.right(settings);
}

/** A level strictly between 0 and 1. */
function probability(raw: string, problems: string[]): number | null {
  const value = Number(raw);
  if (raw.trim() !== '' && Number.isFinite(value) && value > 0 && value < 1) return value;
  problems.push(`fwer must be a level between 0 and 1 (e.g. 0.05), got "${raw}"`);
  return null;
}

/** Comma-separated factors: finite numbers of at least 0, each once (0 is zero-ablation). */
function factorList(raw: string, problems: string[]): number[] {
  const parts = raw.split(',').map((p) => p.trim());
  const values = parts.map(Number);
  if (parts.some((p) => p === '') || values.some((v) => !Number.isFinite(v) || v < 0)) {
    problems.push(`factor must list numbers of at least 0 separated by commas (e.g. 0.5,2), got "${raw}"`);
    return [];
  }
  if (new Set(values).size !== values.length) problems.push(`factor lists a factor twice: "${raw}"`);
  return values;
}
