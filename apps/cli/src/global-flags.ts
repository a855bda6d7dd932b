import type { Command } from 'commander';

/** Whether `--quiet` was given, before or after the command's name. */
export function isQuiet(command: Command): boolean {
  return command.optsWithGlobals().quiet === true;
}
