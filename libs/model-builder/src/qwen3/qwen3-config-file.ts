import * as E from 'fp-ts/lib/Either.js';
import type * as NEA from 'fp-ts/lib/NonEmptyArray.js';
import { readConfigJson } from '../model-config/config-file.js';
import type { ConfigProblem } from '../model-config/config-problem.js';
import { parseQwen3Config, type Qwen3Config } from './qwen3-config.js';

/** Reads and parses a Hugging Face Qwen3 `config.json` (see `parseQwen3Config`). */
export async function readQwen3ConfigFile(file: string): Promise<E.Either<NEA.NonEmptyArray<ConfigProblem>, Qwen3Config>> {
  const json = await readConfigJson(file);
  return E.isLeft(json) ? E.left([...json.left]) : parseQwen3Config(json.right, file);
}
