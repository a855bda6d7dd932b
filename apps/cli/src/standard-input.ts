import { CliError } from './cli-error.js';

/** The path argument that means standard input (or, for an output, standard output). */
export const STDIO_PATH = '-';

/** The most standard input is read for: Node.js's own limit for reading a file, and V8's for one string. */
export const STDIN_LIMITS = { binary: 2 ** 31 - 1, text: 2 ** 29 - 24 } as const;

/**
 * Reads all of standard input as bytes, for a command given `-` instead of a file. Stops with one
 * clear error when nothing is piped in (a terminal), when the input is empty, or when it is larger
 * than `limitBytes` (what a file read would allow).
 */
export async function readStandardInput(what: string, limitBytes: number = STDIN_LIMITS.binary): Promise<Buffer> {
  const stdin = process.stdin;
  if (stdin.isTTY) {
    throw new CliError(`Nothing is piped to standard input: \`-\` reads ${what} from it.`, 'Pipe the data in (`... | moral-plantain ... -` or `< file`), or give a file path instead of `-`.');
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stdin as AsyncIterable<Buffer | string>) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    size += bytes.length;
    if (size > limitBytes) {
      stdin.destroy();
      throw new CliError(`Standard input holds more than ${formatBytes(limitBytes)} of ${what}, more than can be read in one piece.`, 'Write it to a file and give the path instead of `-`.');
    }
    chunks.push(bytes);
  }
  if (size === 0) throw new CliError(`Standard input is empty: \`-\` reads ${what} from it.`, 'Pipe the data in (`... | moral-plantain ... -` or `< file`), or give a file path instead of `-`.');
  return Buffer.concat(chunks, size);
}

/** Reads all of standard input as UTF-8 text (see `readStandardInput`). */
export async function readStandardInputText(what: string, limitBytes: number = STDIN_LIMITS.text): Promise<string> {
  return (await readStandardInput(what, limitBytes)).toString('utf8');
}

function formatBytes(bytes: number): string {
  return bytes >= 2 ** 30 ? `${Math.round(bytes / 2 ** 30)} GiB` : `${Math.round(bytes / 2 ** 20)} MiB`;
}

/** Stops when `-` is given for an output folder: a command that writes a folder of files has no single stream to send to standard output. */
export function refuseStdioFolder(command: string, flag: string, value: unknown): void {
  if (value !== STDIO_PATH) return;
  throw new CliError(`\`${command}\` writes a folder of files, so ${flag} cannot be - (standard output).`, `Give a folder, e.g. ${flag} ${command === 'run' ? 'moral-plantain-out' : 'my-folder'}.`);
}
