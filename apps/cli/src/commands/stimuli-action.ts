import * as E from 'fp-ts/lib/Either.js';
import { DEFAULT_TEXT_LENGTH } from '@moral-plantain/formats';
import { describeTextError, loadQwen3Tokenizer, qwen3TokenCounter } from '@moral-plantain/model-runtime';
import {
  BUILTIN_STIMULUS_SETS,
  characterCounter,
  contentHash,
  describeStimulusSetLoadError,
  loadStimulusSet,
  validateStimulusSet,
  wordCounter,
  type LoadedStimulusSet,
  type StimulusProblem,
  type TokenCounter,
  type ValidationReport,
} from '@moral-plantain/stimuli';
import { CliError } from '../cli-error.js';
import { wholeNumberFlag } from '../option-values.js';
import { print, printJson, shownPath } from '../print.js';
import { textTable } from '../text-table.js';
import type { ValidateFlags } from './stimuli.js';

/** Runs `stimuli list`. */
export function listAction(options: { json?: boolean }): void {
  const rows = BUILTIN_STIMULUS_SETS.map((name) => {
    const { set } = load(name);
    return { name, version: set.version, axis: set.axis, pairs: set.pairs.length, example: set.example, hash: contentHash(set) };
  });
  if (options.json) return printJson(rows);
  print(textTable(['NAME', 'VERSION', 'AXIS', 'PAIRS', 'KIND', 'SHA256'], rows.map((r) => [r.name, r.version, r.axis, String(r.pairs), r.example ? 'example' : 'experiment', r.hash.slice(0, 16)])));
}

/** Runs `stimuli show`. */
export function showAction(name: string, options: { json?: boolean }): void {
  const { set } = load(name);
  const hash = contentHash(set);
  if (options.json) return printJson({ ...set, hash });
  const lines = [
    `${set.name} ${set.version}${set.example ? ' (example set)' : ''}`,
    `axis: ${set.axis}; conditions: a = ${set.conditions.a}, b = ${set.conditions.b}; language ${set.language}; license ${set.license}`,
    `sha256: ${hash}`,
    '',
    set.description,
    '',
    ...set.pairs.flatMap((p) => [`${p.id}  [${p.category}]  ${p.scene}`, `  a: ${p.a}`, `  b: ${p.b}`, ...(p.neutral !== undefined ? [`  neutral: ${p.neutral}`] : [])]),
  ];
  print(`${lines.join('\n')}\n`);
}

/** Runs `stimuli validate`: every problem, with file, line and column, and exit code 2 when there are errors. */
export async function validateAction(file: string, flags: ValidateFlags): Promise<void> {
  const tolerance = wholeNumberFlag('--tolerance', flags.tolerance, 0, 1_000_000);
  const contextWindow = flags.contextWindow === undefined ? undefined : wholeNumberFlag('--context-window', flags.contextWindow, 1, 1_000_000);
  const loaded = load(file, flags.json);
  const report = validateStimulusSet(loaded.set, {
    tokenCounter: await tokenCounter(flags.tokenizer),
    tokenTolerance: tolerance,
    ...(contextWindow !== undefined ? { contextWindow } : {}),
    strict: flags.strict,
    source: loaded.source,
  });
  if (flags.json) printJson({ file: loaded.source.file, ...report });
  else print(renderReport(loaded, report));
  if (report.errorCount > 0) {
    throw new CliError(`${report.errorCount} error${report.errorCount === 1 ? '' : 's'} in stimulus set ${report.name}.`, 'Fix the problems listed above and validate again.');
  }
}

function load(nameOrFile: string, json = false): LoadedStimulusSet {
  const result = loadStimulusSet(nameOrFile);
  if (E.isRight(result)) return result.right;
  const error = result.left;
  if (error._tag === 'FileUnreadable') throw CliError.from(describeStimulusSetLoadError(error, nameOrFile));
  if (json) printJson({ file: error.file, problems: error.problems });
  else print(problemTable(error.problems));
  throw new CliError(
    `${error.problems.length} problem${error.problems.length === 1 ? '' : 's'} in ${shownPath(error.file)}; the set could not be loaded.`,
    'Fix the problems listed above (see the JSON Schema in @moral-plantain/stimuli/schema.json) and try again.',
  );
}

async function tokenCounter(name: ValidateFlags['tokenizer']): Promise<TokenCounter> {
  switch (name) {
    case 'qwen3': {
      const tokenizer = await loadQwen3Tokenizer();
      if (E.isLeft(tokenizer)) throw new CliError(describeTextError(tokenizer.left).message, 'Reinstall moral-plantain, or use --tokenizer chars for a rough count.');
      return qwen3TokenCounter(tokenizer.right, DEFAULT_TEXT_LENGTH);
    }
    case 'chars':
      return characterCounter();
    case 'words':
      return wordCounter();
  }
}

function renderReport(loaded: LoadedStimulusSet, report: ValidationReport): string {
  const { set } = loaded;
  const header = [
    `${set.name} ${set.version} (${shownPath(loaded.source.file)}): ${set.pairs.length} pairs, tokenizer ${report.tokenCounter ?? 'none'}`,
    `sha256: ${report.hash}`,
    `categories: ${report.categories.map((c) => `${c.name} ${c.count}`).join(', ')}`,
    '',
  ];
  const pairs = textTable(
    ['PAIR', 'CATEGORY', 'TOKENS A', 'TOKENS B', 'WINDOW', 'A SPAN', 'B SPAN'],
    report.pairs.map((p) => [
      p.id,
      p.category,
      String(p.tokens?.a ?? '-'),
      String(p.tokens?.b ?? '-'),
      p.windowTokens ? String(Math.max(p.windowTokens.a, p.windowTokens.b)) : '-',
      p.hunks.map((h) => h.a.text).join(' | '),
      p.hunks.map((h) => h.b.text).join(' | '),
    ]),
  );
  const summary = report.problems.length === 0 ? 'No problems found.\n' : `\n${problemTable(report.problems)}\n${report.errorCount} error(s), ${report.warningCount} warning(s).\n`;
  return `${header.join('\n')}\n${pairs}${summary}`;
}

function problemTable(problems: readonly StimulusProblem[]): string {
  return textTable(
    ['LOCATION', 'PAIR', 'SEVERITY', 'CODE', 'MESSAGE'],
    problems.map((p) => [p.location ? `${shownPath(p.location.file)}:${p.location.line}:${p.location.column}` : p.path, p.pairId ?? '-', p.severity, p.code, p.message]),
  );
}
