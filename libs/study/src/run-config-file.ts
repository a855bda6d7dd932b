import { readFile } from 'node:fs/promises';
import * as E from 'fp-ts/lib/Either.js';
import type * as TE from 'fp-ts/lib/TaskEither.js';
import { parse as parseYaml } from 'yaml';
import { SETTING_KEYS, type RawSettings, type SettingName } from './run-settings.js';
import type { StudyError } from './study-error.js';

/** Reads a YAML file of run settings (kebab-case keys as the flags, camelCase accepted); unknown keys are an error that lists them. */
export function readRunConfig(file: string): TE.TaskEither<StudyError, RawSettings> {
  return async () => {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      return E.left({ _tag: 'ConfigFile', file, reason: `cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`, hint: 'Check the --config path.' });
    }
    let parsed: unknown;
    try {
      parsed = parseYaml(text);
    } catch (error) {
      return E.left({ _tag: 'ConfigFile', file, reason: `is not valid YAML: ${(error as Error).message.split('\n')[0]}`, hint: 'Fix the YAML and run again.' });
    }
    if (parsed === null || parsed === undefined) return E.right({});
    if (typeof parsed !== 'object' || Array.isArray(parsed)) {
      return E.left({ _tag: 'ConfigFile', file, reason: 'must be a YAML mapping of settings', hint: 'For example:\n  permutations: 1000\n  seed: 0' });
    }
    const byName = new Map<string, SettingName>();
    for (const [key, flag] of Object.entries(SETTING_KEYS) as [SettingName, string][]) {
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
    if (unknown.length > 0) return E.left({ _tag: 'ConfigFile', file, reason: `has unknown settings: ${unknown.join(', ')}`, hint: `Known settings: ${Object.values(SETTING_KEYS).join(', ')}.` });
    return E.right(raw);
  };
}
