/** Runs the moral-plantain command line with the given arguments and resolves to the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  process.stdout.write(`moral-plantain ${argv.join(' ')}\n`);
  return 0;
}
