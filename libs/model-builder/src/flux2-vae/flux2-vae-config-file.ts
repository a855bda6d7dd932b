import * as E from 'fp-ts/lib/Either.js';
import type * as NEA from 'fp-ts/lib/NonEmptyArray.js';
import { readConfigJson } from '../model-config/config-file.js';
import type { ConfigProblem } from '../model-config/config-problem.js';
import { parseFlux2VaeConfig, type ParsedFlux2VaeConfig } from './flux2-vae-config.js';

/** Reads and parses a diffusers `config.json` of `AutoencoderKLFlux2` (see `parseFlux2VaeConfig`). */
export async function readFlux2VaeConfigFile(file: string): Promise<E.Either<NEA.NonEmptyArray<ConfigProblem>, ParsedFlux2VaeConfig>> {
  const json = await readConfigJson(file);
  return E.isLeft(json) ? E.left([...json.left]) : parseFlux2VaeConfig(json.right, file);
}
