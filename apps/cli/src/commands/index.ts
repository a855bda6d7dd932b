import type { Command } from 'commander';
import { registerInspectCommand } from './inspect.js';
import { registerModelCommand } from './model.js';
import { registerReportCommand } from './report.js';
import { registerRunCommand } from './run.js';
import { registerStatsCommand } from './stats.js';
import { registerStimuliCommand } from './stimuli.js';
import { registerTapCommand } from './tap.js';

/** Adds one command (with its subcommands) to the program. */
export type CommandRegistration = (program: Command) => void;

/** Every command of the CLI, in the order `--help` lists them. One file per command in this folder. */
export const commandRegistrations: readonly CommandRegistration[] = [registerRunCommand, registerStatsCommand, registerStimuliCommand, registerInspectCommand, registerTapCommand, registerModelCommand, registerReportCommand];
