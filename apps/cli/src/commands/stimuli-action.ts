import * as E from 'fp-ts/lib/Either.js';
import { DEFAULT_TEXT_LENGTH } from '@moral-plantain/formats';
import { describeTextError, loadQwen3Tokenizer, qwen3TokenCounter } from '@moral-plantain/model-runtime';
import {
  BUILTIN_STIMULUS_SETS,
  characterCounter,
  contentHash,
  describeStimulusSetLoadError,
  loadStimulusSet,
  parseStimulusSet,
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
import { readStandardInputText, STDIO_PATH } from '../standard-input.js';
import { textTable } from '../text-table.js';
import type { ValidateFlags } from './stimuli.js';

/** Runs `stimuli list`. */
export async function listAction(options: { json?: boolean }): Promise<void> {
  const rows = [];
  for (const name of BUILTIN_STIMULUS_SETS) {
    const { set } = await load(name, { quiet: false });
    rows.push({ name, version: set.version, axis: set.axis, pairs: set.pairs.length, example: set.example, hash: contentHash(set) });
  }
  if (options.json) return printJson(rows);
  print(textTable(['NAME', 'VERSION', 'AXIS', 'PAIRS', 'KIND', 'SHA256'], rows.map((r) => [r.name, r.version, r.axis, String(r.pairs), r.example ? 'example' : 'experiment', r.hash.slice(0, 16)])));
}

/** Runs `stimuli show`: a built-in set, a file, or YAML on standard input for `-`. */
export async function showAction(name: string, options: { json?: boolean; quiet: boolean }): Promise<void> {
  const { set } = await load(name, options);
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

/** Runs `stimuli validate`: every problem, with file, line and column, and exit code 2 when there are errors. With `--quiet`, only the problems of a set with errors, on standard error. */
export async function validateAction(file: string, flags: ValidateFlags): Promise<void> {
  const tolerance = wholeNumberFlag('--tolerance', flags.tolerance, 0, 1_000_000);
  const contextWindow = flags.contextWindow === undefined ? undefined : wholeNumberFlag('--context-window', flags.contextWindow, 1, 1_000_000);
  const loaded = await load(file, flags);
  const report = validateStimulusSet(loaded.set, {
    tokenCounter: await tokenCounter(flags.tokenizer),
    tokenTolerance: tolerance,
    ...(contextWindow !== undefined ? { contextWindow } : {}),
    strict: flags.strict,
    source: loaded.source,
  });
  if (flags.json) printJson({ file: loaded.source.file, ...report, problems: report.problems.map(problemJson) });
  else if (!flags.quiet) print(renderReport(loaded, report));
  else if (report.errorCount > 0) process.stderr.write(problemTable(report.problems.filter((p) => p.severity === 'error')));
  if (report.errorCount > 0) {
    throw new CliError(`${report.errorCount} error${report.errorCount === 1 ? '' : 's'} in stimulus set ${report.name}.`, 'Fix the problems listed above and validate again.');
  }
}

/** How `<stdin>` names standard input in problem locations (`<stdin>:3:5`), as compilers do. */
const STDIN_NAME = '<stdin>';

/** Loads a built-in set or a YAML file, or YAML from standard input for `-`; a set that does not load prints its problems and stops. */
async function load(nameOrFile: string, flags: { json?: boolean; quiet: boolean }): Promise<LoadedStimulusSet> {
  const result = nameOrFile === STDIO_PATH ? parseStimulusSet(await readStandardInputText('a stimulus-set YAML'), STDIN_NAME) : loadStimulusSet(nameOrFile);
  if (E.isRight(result)) return result.right;
  const error = result.left;
  if (error._tag === 'FileUnreadable') throw CliError.from(describeStimulusSetLoadError(error, nameOrFile));
  if (flags.json) printJson({ file: error.file, problems: error.problems.map(problemJson) });
  else (flags.quiet ? process.stderr : process.stdout).write(problemTable(error.problems));
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

/** A problem as JSON: its fields without the internal tag. */
function problemJson({ _tag, ...problem }: StimulusProblem): Omit<StimulusProblem, '_tag'> {
  return problem;
}

function problemTable(problems: readonly StimulusProblem[]): string {
  return textTable(
    ['LOCATION', 'PAIR', 'SEVERITY', 'CODE', 'MESSAGE'],
    problems.map((p) => [p.location ? `${shownPath(p.location.file)}:${p.location.line}:${p.location.column}` : p.path, p.pairId ?? '-', p.severity, p.code, p.message]),
  );
}
