import { Option, type Command } from 'commander';
import { isQuiet } from '../global-flags.js';
import type { HelpDefaults } from '../help-defaults.js';
import { withExamples } from '../help-text.js';

/** The token counters `stimuli validate` offers: the real Qwen3 tokenizer, or rough fallbacks. */
export const TOKENIZERS = ['qwen3', 'chars', 'words'] as const;

/** The flags of `stimuli validate`. */
export interface ValidateFlags {
  readonly tokenizer: (typeof TOKENIZERS)[number];
  readonly tolerance: string;
  readonly contextWindow?: string;
  readonly strict: boolean;
  readonly json?: boolean;
  readonly quiet: boolean;
}

/** Registers `stimuli list`, `stimuli show <name>` and `stimuli validate <file>`. */
export function registerStimuliCommand(program: Command, defaults: HelpDefaults | null): void {
  const stimuli = program.command('stimuli').description('list, show and validate paired stimulus sets');
  withExamples(stimuli, [
    ['the built-in set, every pair: a model for your own', 'moral-plantain stimuli show moral-plantain'],
    ['check your own set with the real Qwen3 tokenizer', 'moral-plantain stimuli validate my-set.yaml'],
  ]);
  const action = async () => import('./stimuli-action.js');

  const list = stimuli
    .command('list')
    .description('list the built-in stimulus sets')
    .option('--json', 'machine-readable output')
    .action(async (options: { json?: boolean }) => (await action()).listAction(options));
  withExamples(list, [['the built-in sets with their content hashes', 'moral-plantain stimuli list']]);

  const show = stimuli
    .command('show')
    .description('print a stimulus set: its metadata and every pair')
    .argument('<name>', 'a built-in set or a YAML file; - reads the YAML from standard input')
    .option('--json', 'machine-readable output')
    .action(async (name: string, options: { json?: boolean }, command: Command) => (await action()).showAction(name, { ...options, quiet: isQuiet(command) }));
  withExamples(show, [
    ['every pair of the built-in set', 'moral-plantain stimuli show moral-plantain'],
    ['a set as JSON, for other tools', "moral-plantain stimuli show my-set.yaml --json | jq '.pairs[].a'"],
  ]);

  const validate = stimuli
    .command('validate')
    .description('check a stimulus set: ids, prompts, equal token counts, one differing span, agents, category balance, context window')
    .argument('<file>', 'a stimulus-set YAML file, or a built-in set name; - reads the YAML from standard input')
    .addOption(new Option('--tokenizer <name>', 'token counter: the real Qwen3 tokenizer, or a rough fallback (no context-window check)').choices(TOKENIZERS).default('qwen3'))
    .option('--tolerance <tokens>', 'allowed token-count difference within a pair', '0')
    .option('--context-window <tokens>', "largest token count of a prompt after the chat template (default: the text encoder's length)", defaults ? String(defaults.textLength) : undefined)
    .option('--no-strict', 'report design problems (token counts, spans, agents, categories) as warnings')
    .option('--json', 'machine-readable output')
    .action(async (file: string, options: Omit<ValidateFlags, 'quiet'>, command: Command) => (await action()).validateAction(file, { ...options, quiet: isQuiet(command) }));
  withExamples(validate, [
    ['token counts with the real Qwen3 tokenizer, every problem with its line and column', 'moral-plantain stimuli validate my-set.yaml'],
    ['a generated set, from standard input; only errors are printed, the exit code says whether it is valid', 'python make_set.py | moral-plantain stimuli validate - --quiet'],
    ['design problems as warnings, with a rough word count', 'moral-plantain stimuli validate my-set.yaml --no-strict --tokenizer words'],
  ]);
}
