import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { CliError } from '../cli-error.js';

/** Everything one `moral-plantain run` needs, resolved from defaults, the config file and the flags. */
export interface RunSettings {
  /** A model folder, or null for the embedded tiny model. */
  readonly model: string | null;
  /** A built-in stimulus set name or a YAML file. */
  readonly stimuli: string;
  readonly out: string;
  readonly device: 'cpu' | 'cuda' | 'webgpu' | 'auto';
  readonly seed: number;
  /** [height, width] in pixels, or null for the model's default. */
  readonly resolution: readonly [number, number] | null;
  readonly batchSize: number;
  readonly permutations: number;
  readonly splits: number;
  readonly unitWidth: number;
  /** Channel range of each tapped input, or null for all channels. */
  readonly channels: { readonly start: number; readonly end: number } | null;
  readonly resume: boolean;
  readonly json: boolean;
}

/** Defaults of every setting (the embedded tiny model, the built-in set, ./moral-plantain-out). */
export const RUN_DEFAULTS = {
  model: null,
  stimuli: 'moral-plantain',
  out: 'moral-plantain-out',
  device: 'cpu',
  seed: '0',
  resolution: null,
  batchSize: '1',
  permutations: '1000',
  splits: '100',
  unitWidth: '16',
  channels: null,
  resume: true,
  json: false,
} as const;

/** Setting names as flags and as config-file keys (kebab-case; camelCase is accepted in files too). */
const KEYS: Record<keyof RunSettings, string> = {
  model: 'model',
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
  resume: 'resume',
  json: 'json',
};

/** Values as given: flags (only those typed on the command line) and the config file. */
export type RawSettings = Partial<Record<keyof RunSettings, unknown>>;

/** Reads a YAML config file of run settings; unknown keys are an error that lists them. */
export async function readRunConfig(file: string): Promise<RawSettings> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new CliError(`cannot read the config file ${file} (${(error as NodeJS.ErrnoException).code ?? error})`, 'check the --config path');
  }
  let parsed: unknown;
  try {
    parsed = parseYaml(text);
  } catch (error) {
    throw new CliError(`the config file ${file} is not valid YAML: ${(error as Error).message.split('\n')[0]}`, 'fix the YAML and run again');
  }
  if (parsed === null || parsed === undefined) return {};
  if (typeof parsed !== 'object' || Array.isArray(parsed)) throw new CliError(`the config file ${file} must be a YAML mapping of settings`, `for example:\n  permutations: 1000\n  seed: 0`);
  const byName = new Map<string, keyof RunSettings>();
  for (const [key, flag] of Object.entries(KEYS) as [keyof RunSettings, string][]) {
    byName.set(key, key);
    byName.set(flag, key);
  }
  const raw: RawSettings = {};
  const unknown: string[] = [];
  for (const [name, value] of Object.entries(parsed)) {
    const key = byName.get(name);
    if (key) raw[key] = value;
    else unknown.push(name);
  }
  if (unknown.length > 0) {
    throw new CliError(`the config file ${file} has unknown settings: ${unknown.join(', ')}`, `known settings: ${Object.values(KEYS).join(', ')}`);
  }
  return raw;
}

/** Resolves settings: defaults, then the config file, then explicit flags; all problems in one error. */
export function resolveRunSettings(config: RawSettings, flags: RawSettings): RunSettings {
  const merged: Record<string, unknown> = { ...RUN_DEFAULTS, ...config, ...flags };
  const problems: string[] = [];
  const text = (key: keyof RunSettings): string => String(merged[key]);
  const integer = (key: keyof RunSettings, min: number, max: number): number => {
    const raw = text(key);
    const value = Number(raw);
    if (!/^\s*\d+\s*$/.test(raw) || value < min || value > max) {
      problems.push(`${KEYS[key]} must be a whole number from ${min} to ${max}, got "${raw}"`);
      return min;
    }
    return value;
  };
  const device = text('device');
  if (!['cpu', 'cuda', 'webgpu', 'auto'].includes(device)) problems.push(`device must be cpu, cuda, webgpu or auto, got "${device}"`);
  const settings: RunSettings = {
    model: merged.model === null || merged.model === undefined ? null : text('model'),
    stimuli: text('stimuli'),
    out: text('out'),
    device: device as RunSettings['device'],
    seed: integer('seed', 0, 0xffffffff),
    resolution: merged.resolution === null || merged.resolution === undefined ? null : parseResolution(text('resolution'), problems),
    batchSize: integer('batchSize', 1, 1024),
    permutations: integer('permutations', 1, 100_000_000),
    splits: integer('splits', 0, 1_000_000),
    unitWidth: integer('unitWidth', 1, 1 << 20),
    channels: merged.channels === null || merged.channels === undefined ? null : parseRange(text('channels'), problems),
    resume: merged.resume !== false && merged.resume !== 'false',
    json: merged.json === true || merged.json === 'true',
  };
  if (problems.length > 0) {
    throw new CliError(problems.length === 1 ? problems[0]! : `${problems.length} settings are invalid: ${problems.join('; ')}`, 'fix the flags or the config file and run again');
  }
  return settings;
}

/** "1024" (square) or "1024x768" (width x height), multiples of 16 pixels; returns [height, width]. */
function parseResolution(raw: string, problems: string[]): readonly [number, number] | null {
  const match = /^\s*(\d+)\s*(?:[x×]\s*(\d+))?\s*$/.exec(raw);
  const width = match ? Number(match[1]) : Number.NaN;
  const height = match?.[2] ? Number(match[2]) : width;
  if (!match || width % 16 !== 0 || height % 16 !== 0 || width < 16 || height < 16) {
    problems.push(`resolution must be N or WxH in pixels, multiples of 16 (e.g. 1024 or 1024x768), got "${raw}"`);
    return null;
  }
  return [height, width];
}

/** "A:B", channels A (inclusive) to B (exclusive). */
function parseRange(raw: string, problems: string[]): { start: number; end: number } | null {
  const match = /^\s*(\d+)\s*:\s*(\d+)\s*$/.exec(raw);
  if (!match || Number(match[1]) >= Number(match[2])) {
    problems.push(`channels must be A:B with A < B (e.g. 0:3072 for attention channels only), got "${raw}"`);
    return null;
  }
  return { start: Number(match[1]), end: Number(match[2]) };
}
