import { existsSync } from 'node:fs';
import path from 'node:path';
import { Option, type Command } from 'commander';
import * as E from 'fp-ts/lib/Either.js';
import {
  BUILTIN_STIMULUS_SETS,
  characterCounter,
  contentHash,
  isBuiltinStimulusSet,
  loadBuiltinStimulusSet,
  loadStimulusSetFile,
  validateStimulusSet,
  wordCounter,
  type LoadedStimulusSet,
  type StimulusProblem,
  type TokenCounter,
  type ValidationReport,
} from '@moral-plantain/stimuli';
import { describeTextError, loadQwen3Tokenizer, qwen3TokenCounter } from '@moral-plantain/model-runtime';
import { CliError } from '../cli-error.js';
import { textTable } from '../text-table.js';

const TOKENIZERS = ['qwen3', 'chars', 'words'] as const;
type TokenizerName = (typeof TOKENIZERS)[number];

interface ValidateOptions {
  readonly tokenizer: TokenizerName;
  readonly tolerance: string;
  readonly contextWindow: string;
  readonly strict: boolean;
  readonly json?: boolean;
}

/** Registers `stimuli list`, `stimuli show <name>` and `stimuli validate <file>`. */
export function registerStimuliCommand(program: Command): void {
  const stimuli = program.command('stimuli').description('list, show and validate paired stimulus sets');

  stimuli
    .command('list')
    .description('list the built-in stimulus sets')
    .option('--json', 'machine-readable output')
    .action((options: { json?: boolean }) => {
      const rows = BUILTIN_STIMULUS_SETS.map((name) => {
        const { set } = load(name);
        return { name, version: set.version, axis: set.axis, pairs: set.pairs.length, example: set.example, hash: contentHash(set) };
      });
      if (options.json) return write(`${JSON.stringify(rows, null, 2)}\n`);
      write(
        textTable(
          ['NAME', 'VERSION', 'AXIS', 'PAIRS', 'KIND', 'SHA256'],
          rows.map((r) => [r.name, r.version, r.axis, String(r.pairs), r.example ? 'example' : 'experiment', r.hash.slice(0, 16)]),
        ),
      );
    });

  stimuli
    .command('show')
    .description('print a stimulus set: its metadata and every pair')
    .argument('<name>', `a built-in set (${BUILTIN_STIMULUS_SETS.join(', ')}) or a YAML file`)
    .option('--json', 'machine-readable output')
    .action((name: string, options: { json?: boolean }) => {
      const { set } = load(name);
      const hash = contentHash(set);
      if (options.json) return write(`${JSON.stringify({ ...set, hash }, null, 2)}\n`);
      const lines = [
        `${set.name} ${set.version}${set.example ? ' (example set)' : ''}`,
        `axis: ${set.axis}; conditions: a = ${set.conditions.a}, b = ${set.conditions.b}; language ${set.language}; license ${set.license}`,
        `sha256: ${hash}`,
        '',
        set.description,
        '',
        ...set.pairs.flatMap((p) => [`${p.id}  [${p.category}]  ${p.scene}`, `  a: ${p.a}`, `  b: ${p.b}`]),
      ];
      write(`${lines.join('\n')}\n`);
    });

  stimuli
    .command('validate')
    .description('check a stimulus set: ids, prompts, equal token counts, one differing span, agents, category balance, context window')
    .argument('<file>', `a stimulus-set YAML file, or a built-in set name (${BUILTIN_STIMULUS_SETS.join(', ')})`)
    .addOption(new Option('--tokenizer <name>', 'token counter: the real Qwen3 tokenizer, or a rough fallback').choices(TOKENIZERS).default('qwen3'))
    .option('--tolerance <tokens>', 'allowed token-count difference within a pair', '0')
    .option('--context-window <tokens>', 'largest token count of a prompt after the chat template', '512')
    .option('--no-strict', 'report design problems (token counts, spans, agents, categories) as warnings')
    .option('--json', 'machine-readable output')
    .action(async (file: string, options: ValidateOptions) => {
      const tolerance = nonNegativeInteger(options.tolerance, '--tolerance');
      const contextWindow = nonNegativeInteger(options.contextWindow, '--context-window');
      const loaded = load(file, options.json);
      const report = validateStimulusSet(loaded.set, {
        tokenCounter: await tokenCounter(options.tokenizer),
        tokenTolerance: tolerance,
        contextWindow,
        strict: options.strict,
        source: loaded.source,
      });
      if (options.json) write(`${JSON.stringify({ file: loaded.source.file, ...report }, null, 2)}\n`);
      else write(renderReport(loaded, report));
      if (report.errorCount > 0) {
        throw new CliError(
          `${report.errorCount} error${report.errorCount === 1 ? '' : 's'} in stimulus set ${report.name}.`,
          'Fix the problems listed above and validate again.',
        );
      }
    });
}

function load(nameOrFile: string, json = false): LoadedStimulusSet {
  const result = !existsSync(nameOrFile) && isBuiltinStimulusSet(nameOrFile) ? loadBuiltinStimulusSet(nameOrFile) : loadStimulusSetFile(nameOrFile);
  if (E.isRight(result)) return result.right;
  const error = result.left;
  if (error._tag === 'FileUnreadable') {
    throw new CliError(
      `Cannot read stimulus set "${nameOrFile}": ${error.reason}.`,
      `Give a YAML file path or a built-in set name (${BUILTIN_STIMULUS_SETS.join(', ')}).`,
    );
  }
  if (json) write(`${JSON.stringify({ file: error.file, problems: error.problems }, null, 2)}\n`);
  else write(`${problemTable(error.problems)}`);
  throw new CliError(
    `${error.problems.length} problem${error.problems.length === 1 ? '' : 's'} in ${displayPath(error.file)}; the set could not be loaded.`,
    'Fix the problems listed above (see the JSON Schema in @moral-plantain/stimuli/schema.json) and try again.',
  );
}

async function tokenCounter(name: TokenizerName): Promise<TokenCounter> {
  switch (name) {
    case 'qwen3': {
      const tokenizer = await loadQwen3Tokenizer();
      if (E.isLeft(tokenizer)) throw new CliError(describeTextError(tokenizer.left), 'Reinstall moral-plantain, or use --tokenizer chars for a rough count.');
      return qwen3TokenCounter(tokenizer.right);
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
    `${set.name} ${set.version} (${displayPath(loaded.source.file)}): ${set.pairs.length} pairs, tokenizer ${report.tokenCounter ?? 'none'}`,
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
  const summary =
    report.problems.length === 0
      ? 'No problems found.\n'
      : `\n${problemTable(report.problems)}\n${report.errorCount} error(s), ${report.warningCount} warning(s).\n`;
  return `${header.join('\n')}\n${pairs}${summary}`;
}

function problemTable(problems: readonly StimulusProblem[]): string {
  return textTable(
    ['LOCATION', 'PAIR', 'SEVERITY', 'CODE', 'MESSAGE'],
    problems.map((p) => [
      p.location ? `${displayPath(p.location.file)}:${p.location.line}:${p.location.column}` : p.path,
      p.pairId ?? '-',
      p.severity,
      p.code,
      p.message,
    ]),
  );
}


function displayPath(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative.startsWith('..') || path.isAbsolute(relative) ? file : relative;
}

function nonNegativeInteger(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new CliError(`${flag} must be a whole number of tokens, not "${value}".`, `For example: ${flag} 0`);
  return n;
}

function write(text: string): void {
  process.stdout.write(text);
}
