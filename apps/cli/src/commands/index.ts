import type { Command } from 'commander';
import type { HelpDefaults } from '../help-defaults.js';
import { registerGenerateCommand } from './generate.js';
import { registerEnvCommand } from './env.js';
import { registerInspectCommand } from './inspect.js';
import { registerMergeCommand } from './merge.js';
import { registerInstallCudaCommand } from './install-cuda.js';
import { registerModelCommand } from './model.js';
import { registerPatchCommand } from './patch.js';
import { registerReportCommand } from './report.js';
import { registerRunCommand } from './run.js';
import { registerStatsCommand } from './stats.js';
import { registerStimuliCommand } from './stimuli.js';
import { registerSweepCommand } from './sweep.js';
import { registerTapCommand } from './tap.js';

/** Adds one command (with its subcommands) to the program: its flags and a lazily loaded action. */
export type CommandRegistration = (program: Command, defaults: HelpDefaults | null) => void;

/** Every command of the CLI, in the order `--help` lists them. Each `<name>.ts` registers; `<name>-action.ts` runs it. */
export const commandRegistrations: readonly CommandRegistration[] = [registerRunCommand, registerMergeCommand, registerSweepCommand, registerPatchCommand, registerGenerateCommand, registerStatsCommand, registerStimuliCommand, registerInspectCommand, registerTapCommand, registerModelCommand, registerReportCommand, registerEnvCommand, registerInstallCudaCommand];
