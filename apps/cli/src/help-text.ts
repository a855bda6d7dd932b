import type { Command } from 'commander';

/** One use of a command: what it does, and the command line that does it. */
export type Example = readonly [what: string, commandLine: string];

/** Adds an "Examples:" section after a command's help: each a comment line and a command line to copy. */
export function withExamples(command: Command, examples: readonly Example[]): Command {
  const lines = examples.map(([what, commandLine]) => `  # ${what}\n  $ ${commandLine}`);
  return command.addHelpText('after', `\nExamples:\n${lines.join('\n')}`);
}

/** Adds the documentation link after the help of a command and of every command under it. */
export function withDocsLink(command: Command, url: string): Command {
  return command.addHelpText('afterAll', `\nDocumentation: ${url}`);
}
