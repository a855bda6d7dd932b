import { Option, type Command } from 'commander';
import type { HelpDefaults } from '../help-defaults.js';

/** The token counters `stimuli validate` offers: the real Qwen3 tokenizer, or rough fallbacks. */
export const TOKENIZERS = ['qwen3', 'chars', 'words'] as const;

/** The flags of `stimuli validate`. */
export interface ValidateFlags {
  readonly tokenizer: (typeof TOKENIZERS)[number];
  readonly tolerance: string;
  readonly contextWindow?: string;
  readonly strict: boolean;
  readonly json?: boolean;
}

/** Registers `stimuli list`, `stimuli show <name>` and `stimuli validate <file>`. */
export function registerStimuliCommand(program: Command, defaults: HelpDefaults | null): void {
  const stimuli = program.command('stimuli').description('list, show and validate paired stimulus sets');
  const action = async () => import('./stimuli-action.js');

  stimuli
    .command('list')
    .description('list the built-in stimulus sets')
    .option('--json', 'machine-readable output')
    .action(async (options: { json?: boolean }) => (await action()).listAction(options));

  stimuli
    .command('show')
    .description('print a stimulus set: its metadata and every pair')
    .argument('<name>', 'a built-in set or a YAML file')
    .option('--json', 'machine-readable output')
    .action(async (name: string, options: { json?: boolean }) => (await action()).showAction(name, options));

  stimuli
    .command('validate')
    .description('check a stimulus set: ids, prompts, equal token counts, one differing span, agents, category balance, context window')
    .argument('<file>', 'a stimulus-set YAML file, or a built-in set name')
    .addOption(new Option('--tokenizer <name>', 'token counter: the real Qwen3 tokenizer, or a rough fallback (no context-window check)').choices(TOKENIZERS).default('qwen3'))
    .option('--tolerance <tokens>', 'allowed token-count difference within a pair', '0')
    .option('--context-window <tokens>', "largest token count of a prompt after the chat template (default: the text encoder's length)", defaults ? String(defaults.textLength) : undefined)
    .option('--no-strict', 'report design problems (token counts, spans, agents, categories) as warnings')
    .option('--json', 'machine-readable output')
    .action(async (file: string, options: ValidateFlags) => (await action()).validateAction(file, options));
}
