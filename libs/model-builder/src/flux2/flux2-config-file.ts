import * as E from 'fp-ts/lib/Either.js';
import type * as NEA from 'fp-ts/lib/NonEmptyArray.js';
import { readConfigJson } from '../model-config/config-file.js';
import type { ConfigProblem } from '../model-config/config-problem.js';
import { parseFlux2Config, type ParsedFlux2Config } from './flux2-config.js';

/** Reads and parses a diffusers `config.json` of `Flux2Transformer2DModel` (see `parseFlux2Config`). */
export async function readFlux2ConfigFile(file: string): Promise<E.Either<NEA.NonEmptyArray<ConfigProblem>, ParsedFlux2Config>> {
  const json = await readConfigJson(file);
  return E.isLeft(json) ? E.left([...json.left]) : parseFlux2Config(json.right, file);
}
