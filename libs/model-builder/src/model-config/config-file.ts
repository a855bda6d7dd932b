import { readFile } from 'node:fs/promises';
import * as E from 'fp-ts/lib/Either.js';
import type { ConfigProblem } from './config-problem.js';

/** Reads a JSON config file (a diffusers or Hugging Face `config.json`): its parsed value, or why it cannot be read. */
export async function readConfigJson(file: string): Promise<E.Either<readonly [ConfigProblem], unknown>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    return E.left([{ _tag: 'ConfigUnreadable', source: file, reason: (error as NodeJS.ErrnoException).code ?? String(error) }]);
  }
  try {
    return E.right(JSON.parse(text) as unknown);
  } catch (error) {
    return E.left([{ _tag: 'ConfigUnreadable', source: file, reason: `not JSON (${error instanceof Error ? error.message : String(error)})` }]);
  }
}
