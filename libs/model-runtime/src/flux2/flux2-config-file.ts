import * as E from 'fp-ts/lib/Either.js';
import { readFile } from 'node:fs/promises';
import { parseFlux2Config, type Flux2ConfigProblem, type ParsedFlux2Config } from './flux2-config.js';

/** Reads and parses a diffusers `config.json` of `Flux2Transformer2DModel` (see `parseFlux2Config`). */
export async function readFlux2ConfigFile(file: string): Promise<E.Either<readonly Flux2ConfigProblem[], ParsedFlux2Config>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    return E.left([{ _tag: 'Unreadable', source: file, reason: (error as NodeJS.ErrnoException).code ?? String(error) }]);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return E.left([{ _tag: 'Unreadable', source: file, reason: `not JSON (${error instanceof Error ? error.message : String(error)})` }]);
  }
  return parseFlux2Config(json, file);
}
