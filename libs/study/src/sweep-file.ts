import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import type * as TE from 'fp-ts/lib/TaskEither.js';
import { parseRange, parseWholeNumber, SEED_MAX, type TextRange } from '@moral-plantain/formats';
import { BUILTIN_STIMULUS_SETS, isBuiltinStimulusSet } from '@moral-plantain/stimuli';
import { parse as parseYaml } from 'yaml';
import { MAX_SHARDS } from './run-shard.js';
import { resolveRunSettings, SETTING_KEYS, type RawSettings, type SettingName } from './run-settings.js';
import type { SweepError } from './sweep-error.js';

/** Identifier a sweep file may carry in its `format` key. */
export const SWEEP_FORMAT = 'moral-plantain/sweep@1';

/** A model of a sweep: its label, its folder (null for the embedded tiny model), and the label of the model it is the random-init control of. */
export interface SweepModel {
  readonly name: string;
  readonly path: string | null;
  readonly controlFor: string | null;
}

/** A unit definition of a sweep: its label, channels per unit, and the channel range (null for all). */
export interface SweepUnits {
  readonly name: string;
  readonly unitWidth: number | null;
  readonly channels: TextRange | null;
}

/** A stimulus set of a sweep: a built-in name, or a YAML file (absolute), and the short name cell ids use. */
export interface SweepStimuli {
  readonly source: string;
  readonly name: string;
}

/** A sweep file, read and checked: the grid (models x stimulus sets x seeds x unit definitions) and what every cell shares. */
export interface SweepSpec {
  /** The sweep file, absolute. */
  readonly file: string;
  readonly name: string;
  /** The sweep folder, absolute. */
  readonly out: string;
  readonly models: readonly SweepModel[];
  readonly stimuli: readonly SweepStimuli[];
  readonly seeds: readonly number[];
  readonly units: readonly SweepUnits[];
  /** Run settings every cell shares (`settings:`), as given. */
  readonly settings: RawSettings;
  /** Shards per cell when the sweep runs as a job array (default 1). */
  readonly shards: number;
}

/** Keys of a sweep file. */
export const SWEEP_KEYS = ['format', 'name', 'out', 'models', 'stimuli', 'seeds', 'units', 'settings', 'shards'] as const;

/** Run settings a sweep sets per cell or per task, so its `settings:` may not. */
const PER_CELL: readonly SettingName[] = ['model', 'stimuli', 'out', 'seed', 'unitWidth', 'channels', 'shard', 'resume', 'json'];

const LABEL = /^[a-z0-9][a-z0-9._-]*$/;

/**
 * Reads a sweep file (YAML). Relative model folders and stimulus files are taken from the file's
 * folder, as is `out` (default `<name>-out` there); `outOverride` (e.g. `--out`, relative to the
 * working folder) wins. Every problem is reported at once, each naming its key.
 */
export function readSweepFile(file: string, outOverride?: string): TE.TaskEither<SweepError, SweepSpec> {
  return async () => {
    const absolute = path.resolve(file);
    let text: string;
    try {
      text = await readFile(absolute, 'utf8');
    } catch (error) {
      return E.left({ _tag: 'SweepFile', file, problems: [`it cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`] });
    }
    let parsed: unknown;
    try {
      parsed = parseYaml(text);
    } catch (error) {
      return E.left({ _tag: 'SweepFile', file, problems: [`it is not valid YAML: ${(error as Error).message.split('\n')[0]}`] });
    }
    const spec = parseSweepSpec(parsed, absolute, outOverride);
    return E.mapLeft((problems: readonly string[]): SweepError => ({ _tag: 'SweepFile', file, problems }))(spec);
  };
}

/** Checks a parsed sweep file (see `readSweepFile`); `file` is its absolute path. */
export function parseSweepSpec(value: unknown, file: string, outOverride?: string): E.Either<readonly string[], SweepSpec> {
  const problems: string[] = [];
  if (!isRecord(value)) return E.left(['it must be a YAML mapping with models, stimuli and (optionally) seeds, units, settings and shards']);
  const unknown = Object.keys(value).filter((key) => !(SWEEP_KEYS as readonly string[]).includes(key));
  if (unknown.length > 0) problems.push(`unknown key${unknown.length === 1 ? '' : 's'} ${unknown.join(', ')} (known: ${SWEEP_KEYS.join(', ')})`);
  if (value.format !== undefined && value.format !== SWEEP_FORMAT) problems.push(`format must be "${SWEEP_FORMAT}", got ${JSON.stringify(value.format)}`);
  const dir = path.dirname(file);
  const name = value.name === undefined ? path.basename(file).replace(/\.ya?ml$/i, '') : value.name;
  if (typeof name !== 'string' || !LABEL.test(name)) problems.push(`name must be lower-case letters, digits, dots, hyphens or underscores, got ${JSON.stringify(name)}`);
  if (value.out !== undefined && typeof value.out !== 'string') problems.push('out must be a folder path');
  const out = outOverride !== undefined ? path.resolve(outOverride) : path.resolve(dir, typeof value.out === 'string' ? value.out : `${String(name)}-out`);

  const models = list(value.models, 'models', problems).map((entry, i): SweepModel => {
    const at = `models[${i}]`;
    if (!isRecord(entry)) {
      problems.push(`${at} must be a mapping with name and (for a model folder) path`);
      return { name: '', path: null, controlFor: null };
    }
    const extra = Object.keys(entry).filter((key) => !['name', 'path', 'control-for'].includes(key));
    if (extra.length > 0) problems.push(`${at} has unknown key${extra.length === 1 ? '' : 's'} ${extra.join(', ')} (known: name, path, control-for)`);
    if (typeof entry.name !== 'string' || !LABEL.test(entry.name)) problems.push(`${at}.name must be lower-case letters, digits, dots, hyphens or underscores, got ${JSON.stringify(entry.name)}`);
    const folder = entry.path === undefined || entry.path === null ? null : typeof entry.path === 'string' ? path.resolve(dir, entry.path) : undefined;
    if (folder === undefined) problems.push(`${at}.path must be a model folder (or absent for the embedded tiny model)`);
    else if (folder !== null && !existsSync(folder)) problems.push(`${at}.path ${folder} does not exist`);
    const controlFor = entry['control-for'];
    if (controlFor !== undefined && typeof controlFor !== 'string') problems.push(`${at}.control-for must be the name of another model`);
    return { name: String(entry.name), path: folder ?? null, controlFor: typeof controlFor === 'string' ? controlFor : null };
  });
  duplicates(models.map((m) => m.name), 'models', problems);
  for (const [i, model] of models.entries()) {
    if (model.controlFor !== null && (model.controlFor === model.name || !models.some((m) => m.name === model.controlFor))) problems.push(`models[${i}].control-for names no other model of the sweep: ${JSON.stringify(model.controlFor)}`);
  }

  const stimuli = list(value.stimuli, 'stimuli', problems).map((entry, i): SweepStimuli => {
    if (typeof entry !== 'string' || entry.length === 0) {
      problems.push(`stimuli[${i}] must be a built-in set name or a YAML file`);
      return { source: '', name: '' };
    }
    const candidate = path.resolve(dir, entry);
    if (existsSync(candidate)) return { source: candidate, name: path.basename(candidate).replace(/\.ya?ml$/i, '').toLowerCase().replace(/[^a-z0-9._-]/g, '-') };
    if (isBuiltinStimulusSet(entry)) return { source: entry, name: entry };
    problems.push(`stimuli[${i}] ${JSON.stringify(entry)} is neither a file (${candidate}) nor a built-in set (${BUILTIN_STIMULUS_SETS.join(', ')})`);
    return { source: entry, name: entry };
  });
  duplicates(stimuli.map((s) => s.name), 'stimuli', problems);

  const seeds = (value.seeds === undefined ? [0] : list(value.seeds, 'seeds', problems)).map((seed, i) => {
    const parsed = parseWholeNumber(String(seed), 0, SEED_MAX);
    if (E.isLeft(parsed)) problems.push(`seeds[${i}] ${parsed.left}`);
    return E.isRight(parsed) ? parsed.right : 0;
  });
  duplicates(seeds.map(String), 'seeds', problems);

  const units = (value.units === undefined ? [{ name: 'default' }] : list(value.units, 'units', problems)).map((entry, i): SweepUnits => {
    const at = `units[${i}]`;
    if (!isRecord(entry)) {
      problems.push(`${at} must be a mapping with name and unit-width and/or channels`);
      return { name: '', unitWidth: null, channels: null };
    }
    const extra = Object.keys(entry).filter((key) => !['name', 'unit-width', 'channels'].includes(key));
    if (extra.length > 0) problems.push(`${at} has unknown key${extra.length === 1 ? '' : 's'} ${extra.join(', ')} (known: name, unit-width, channels)`);
    if (typeof entry.name !== 'string' || !LABEL.test(entry.name)) problems.push(`${at}.name must be lower-case letters, digits, dots, hyphens or underscores, got ${JSON.stringify(entry.name)}`);
    const width = entry['unit-width'] === undefined ? E.right(null) : parseWholeNumber(String(entry['unit-width']), 1, 1 << 20);
    if (E.isLeft(width)) problems.push(`${at}.unit-width ${width.left}`);
    const channels = entry.channels === undefined || entry.channels === null ? E.right(null) : parseRange(String(entry.channels));
    if (E.isLeft(channels)) problems.push(`${at}.channels ${channels.left}`);
    return { name: String(entry.name), unitWidth: E.isRight(width) ? width.right : null, channels: E.isRight(channels) ? channels.right : null };
  });
  duplicates(units.map((u) => u.name), 'units', problems);

  const settings: RawSettings = {};
  if (value.settings !== undefined && !isRecord(value.settings)) problems.push('settings must be a mapping of run settings (kebab-case keys, as the flags of `run`)');
  const byName = new Map<string, SettingName>();
  for (const [key, flag] of Object.entries(SETTING_KEYS) as [SettingName, string][]) byName.set(key, key).set(flag, key);
  for (const [key, raw] of Object.entries(isRecord(value.settings) ? value.settings : {})) {
    const setting = byName.get(key);
    if (setting === undefined) problems.push(`settings.${key} is not a run setting (known: ${Object.values(SETTING_KEYS).filter((k) => !PER_CELL.map((p) => SETTING_KEYS[p]).includes(k)).join(', ')})`);
    else if (PER_CELL.includes(setting)) problems.push(`settings.${key} is set per cell by the sweep (models, stimuli, seeds, units) and cannot be shared`);
    else settings[setting] = raw;
  }
  const resolved = resolveRunSettings(settings, {});
  if (E.isLeft(resolved)) problems.push(...resolved.left.map((p) => `settings.${p}`));

  const shards = value.shards === undefined ? E.right(1) : parseWholeNumber(String(value.shards), 1, MAX_SHARDS);
  if (E.isLeft(shards)) problems.push(`shards ${shards.left}`);

  return problems.length > 0
    ? E.left(problems)
    : E.right({ file, name: String(name), out, models, stimuli, seeds, units, settings, shards: E.isRight(shards) ? shards.right : 1 });
}

function list(value: unknown, key: string, problems: string[]): readonly unknown[] {
  if (Array.isArray(value) && value.length > 0) return value;
  problems.push(`${key} must be a non-empty list`);
  return [];
}

function duplicates(names: readonly string[], key: string, problems: string[]): void {
  const seen = new Set<string>();
  for (const name of names) {
    if (seen.has(name) && name !== '') problems.push(`${key} repeats ${JSON.stringify(name)}`);
    seen.add(name);
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
